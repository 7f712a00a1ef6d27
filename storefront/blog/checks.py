"""The editorial checks behind `flask check-content` and the admin's findings.

The shop's articles are its marketing, so a regulator (intended use), a payment processor
(restricted businesses) and a careful reader all judge the shop by them. These checks keep
what the software can see right: reviews with dates, disclaimers, citations that match their
references, no buy card beside a medical condition, no absolute claims, no junk pasted into
tags or references, and DOI links that resolve. Each finding names the article (or page or
product) and, where it can, the line of the body, so it can be fixed in the editor.

Errors fail the command (and CI); warnings are shown but do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storefront.blog.content import (
    SAFETY_SECTION,
    STRAY_SHORTCODE_RE,
    _render_body,
    cited_numbers,
    embedded_slugs,
    section_ids,
)
from storefront.models import Author, Page, Post, Product, utcnow

REVIEW_MAX_AGE = timedelta(days=365)
STREAM_BATCH = 200  # posts or products loaded at a time by the whole-site check
DEFAULT_BANNED_CLAIMS = (
    "cure", "cures", "cured", "heals", "clinically proven", "no side effects", "treats",
    "miracle", "guaranteed results",
)
DEFAULT_CONDITION_WORDS = (
    "pain", "arthritis", "osteoarthritis", "eczema", "dermatitis", "psoriasis", "insomnia",
    "migraine", "diabetes", "hypertension", "depression", "anxiety", "neuropathy", "sciatica",
    "osteoporosis", "fibromyalgia", "cramps", "inflammation", "injury",
)
# A claim inside a sentence that already negates it ("not intended to ... cure") is a
# disclaimer, not a claim.
NEGATION_RE = re.compile(r"\b(?:not|no|never|nor|cannot|without)\b|n't\b", re.IGNORECASE)
SENTENCE_START_RE = re.compile(r"[.!?]\s|\n\s*\n")
# What a Python object looks like when it is pasted or rendered by mistake.
REPR_RE = re.compile(
    r"<[A-Z]\w*(?:\s[^>]*)?>"            # <PostReference 3>, <Tag magnesium>
    r"|\b[A-Z]\w*\(\w+="                 # Tag(slug=...), PostReference(citation=...)
    r"|\bobject at 0x[0-9a-fA-F]+"       # <... object at 0x7f...>
    r"|^\s*[\[{(]\s*['\"]"               # ['magnesium'], {'citation': ...}, ('a',
    r"|^(?:None|True|False)$"
)
DOI_IN_LINK_RE = re.compile(r"https?://(?:dx\.)?doi\.org/([^\s)\]>\"']*)", re.IGNORECASE)
DOI_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9<>\[\]]+$")
PMID_RE = re.compile(r"\bPMID:?\s*(\S+)")
# Journal articles are fixed by their DOI or PubMed record; a web page changes, so a citation
# of one should say when it was updated and when it was read.
SCHOLARLY_LINK_RE = re.compile(r"doi\.org/|pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pmc/")
DATED_RE = re.compile(r"\b(?:updated|accessed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One problem: where it is (an article, page or product, and a line), and what it is."""

    where: str
    message: str
    severity: str = "error"
    line: int | None = None
    post_id: int | None = None

    def __str__(self) -> str:
        place = f"{self.where}:{self.line}" if self.line else self.where
        return f"{place}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class Rules:
    """What the checks read from settings: CONTENT_BANNED_CLAIMS, CONTENT_CONDITION_WORDS."""

    banned_claims: tuple[str, ...] = DEFAULT_BANNED_CLAIMS
    condition_words: tuple[str, ...] = DEFAULT_CONDITION_WORDS

    @classmethod
    def from_config(cls, config) -> Rules:
        return cls(
            banned_claims=tuple(config.get("CONTENT_BANNED_CLAIMS") or DEFAULT_BANNED_CLAIMS),
            condition_words=tuple(
                config.get("CONTENT_CONDITION_WORDS") or DEFAULT_CONDITION_WORDS),
        )


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _phrase_re(phrases: Iterable[str]) -> re.Pattern | None:
    words = [re.escape(p.strip()) for p in phrases if p.strip()]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)


def banned_claims(text: str, rules: Rules) -> Iterator[tuple[int, str]]:
    """(line, phrase) for each banned phrase used as a claim, i.e. not negated in its sentence."""
    pattern = _phrase_re(rules.banned_claims)
    if pattern is None or not text:
        return
    for match in pattern.finditer(text):
        starts = [m.end() for m in SENTENCE_START_RE.finditer(text, 0, match.start())]
        sentence = text[(starts[-1] if starts else 0):match.start()]
        if NEGATION_RE.search(sentence):  # only a negation before the phrase excuses it
            continue
        yield _line_of(text, match.start()), match.group(0)


def malformed_dois(text: str) -> Iterator[tuple[int, str]]:
    """(line, link) for each doi.org link whose DOI is not a well-formed ``10.prefix/suffix``."""
    for match in DOI_IN_LINK_RE.finditer(text or ""):
        doi = match.group(1)
        if not DOI_RE.match(doi) or doi.endswith((".", ",", ";")):
            yield _line_of(text, match.start()), match.group(0)


def looks_like_repr(text: str) -> bool:
    """True for text that is a Python object's repr rather than words a person wrote."""
    return bool(text) and bool(REPR_RE.search(text))


def check_post(post: Post, products: dict[str, bool], authors: set[str], rules: Rules,
               now: datetime | None = None) -> list[Finding]:
    """Every finding for one article (its references and tags loaded)."""
    now = now or utcnow()
    where = f"post {post.slug}"
    body = post.body or ""
    found: list[Finding] = []

    def add(message: str, severity: str = "error", line: int | None = None) -> None:
        found.append(Finding(where, message, severity, line, post.id))

    slugs = embedded_slugs(body)
    for slug in slugs:
        line = _line_of(body, body.find(f"[[product:{slug}]]"))
        if slug not in products:
            add(f"embeds unknown product '{slug}'", line=line)
        elif not products[slug]:
            add(f"embeds inactive product '{slug}'", line=line)
    for html in _render_body(body).parts[::2]:
        for stray in STRAY_SHORTCODE_RE.findall(html):
            add(f"shortcode [[product:{stray}]] must be alone on its line",
                line=_line_of(body, max(body.find(f"[[product:{stray}]]"), 0)))

    count = len(post.references)
    cited = cited_numbers(body)
    for n in sorted(cited):
        if not 1 <= n <= count:
            add(f"footnote [^{n}] has no reference (the article has {count})",
                line=_line_of(body, max(body.find(f"[^{n}]"), 0)))
    for n in range(1, count + 1):
        if n not in cited:
            add(f"reference {n} is never cited in the body")

    discusses_health = post.is_condition or bool(cited) or count > 0
    if discusses_health and not post.is_health:
        add("cites health sources but is not marked as a health article, so it shows no "
            "disclaimer")
    if post.is_health:
        if not (post.reviewed_by or "").strip():
            add("health article with no reviewer (reviewed_by)")
        if post.reviewed_at is None:
            add("health article with no review date (reviewed_at)")
        elif now - post.reviewed_at > REVIEW_MAX_AGE:
            add(f"last reviewed on {post.reviewed_at:%Y-%m-%d}, more than 12 months ago: "
                "review it again")
        if count == 0:
            add("health article with no references")

    if slugs and not post.is_condition:
        pattern = _phrase_re(rules.condition_words)
        heading = " ".join([post.title or "", post.summary or "",
                            *(t.name for t in post.tags), *(t.slug for t in post.tags)])
        hit = pattern.search(heading.replace("-", " ")) if pattern else None
        if hit:
            add(f"buy card next to a medical condition ('{hit.group(0)}'): mark the article "
                "as discussing a condition, so the product shows as a plain link")

    for field, text in (("title", post.title), ("summary", post.summary)):
        for _line, phrase in banned_claims(text or "", rules):
            add(f"absolute claim '{phrase}' in the {field}")
    for line, phrase in banned_claims(body, rules):
        add(f"absolute claim '{phrase}'", line=line)

    for tag in post.tags:
        if looks_like_repr(tag.name) or looks_like_repr(tag.slug):
            add(f"tag looks like program output, not a word: {tag.name!r}")
    for position, ref in enumerate(post.references, start=1):
        if looks_like_repr(ref.citation) or looks_like_repr(ref.url or ""):
            add(f"reference {position} looks like program output: {ref.citation[:60]!r}")
        for _line, link in malformed_dois(f"{ref.url or ''} {ref.citation}"):
            add(f"reference {position} links a malformed DOI: {link}")
        if ref.url and not SCHOLARLY_LINK_RE.search(ref.url) and not DATED_RE.search(
                ref.citation):
            add(f"reference {position} is a web page without an \"updated\" or \"accessed\" "
                "date", severity="warning")
        for pmid in PMID_RE.findall(ref.citation):
            if not re.fullmatch(r"\d{1,8}\.?", pmid):
                add(f"reference {position} has a malformed PMID: {pmid}")
    for line, link in malformed_dois(body):
        add(f"links a malformed DOI: {link}", line=line)

    for role, name in (("author", post.author), ("reviewer", post.reviewed_by)):
        if name and name not in authors:
            add(f"{role} '{name}' has no author profile, so search engines cannot tell a "
                "person from the brand (add one under Admin > Authors)", severity="warning")
    return found


def _check_text(where: str, fields: Iterable[tuple[str, str]], rules: Rules) -> list[Finding]:
    found = []
    for field, text in fields:
        for line, phrase in banned_claims(text or "", rules):
            found.append(Finding(where, f"absolute claim '{phrase}' in the {field}",
                                 line=line if field in ("body", "description") else None))
        for line, link in malformed_dois(text or ""):
            found.append(Finding(where, f"links a malformed DOI: {link}", line=line))
    return found


def check_product(product: Product, rules: Rules) -> list[Finding]:
    where = f"product {product.slug}"
    found = _check_text(where, (
        ("name", product.name), ("tagline", product.tagline),
        ("description", product.description), ("safety note", product.safety_note),
    ), rules)
    if product.safety_note and SAFETY_SECTION not in section_ids(product.description):
        found.append(Finding(where, "has a safety note, but its description has no "
                                    "'## Safety' heading for the card's link to land on"))
    return found


def find_content_problems(session: Session, rules: Rules | None = None,
                          post_ids: Iterable[int] | None = None, *,
                          product_ids: Iterable[int] | None = None,
                          page_ids: Iterable[int] | None = None) -> list[Finding]:
    """Every finding in articles, pages and product texts, or, when any ids are given, only in
    the articles, products and pages asked for (the admin's list checks a page at a time).

    Drafts are checked too, so they are fixed before they go live.
    """
    rules = rules or Rules()
    some = any(ids is not None for ids in (post_ids, product_ids, page_ids))
    findings: list[Finding] = []
    if not some or post_ids is not None:
        products = {slug: active for slug, active in session.execute(
            select(Product.slug, Product.active))}
        authors = set(session.scalars(select(Author.name)))
        query = (select(Post).options(selectinload(Post.references), selectinload(Post.tags))
                 .order_by(Post.slug))
        if post_ids is not None:
            query = query.where(Post.id.in_(list(post_ids)))
        # Streamed a batch at a time (a server-side cursor on PostgreSQL): ten thousand bodies
        # never sit in memory at once.
        for post in session.scalars(query.execution_options(yield_per=STREAM_BATCH)):
            findings += check_post(post, products, authors, rules)
    if not some or page_ids is not None:
        query = select(Page).order_by(Page.slug)
        if page_ids is not None:
            query = query.where(Page.id.in_(list(page_ids)))
        for page in session.scalars(query):
            findings += _check_text(f"page {page.slug}", (("title", page.title),
                                                         ("body", page.body)), rules)
    if not some or product_ids is not None:
        query = select(Product).order_by(Product.slug)
        if product_ids is not None:
            query = query.where(Product.id.in_(list(product_ids)))
        for product in session.scalars(query.execution_options(yield_per=STREAM_BATCH)):
            findings += check_product(product, rules)
    return findings


def findings_for_post(session: Session, post: Post) -> list[Finding]:
    """The findings of one article, as its edit page shows them (settings from the app)."""
    from flask import current_app

    return find_content_problems(session, Rules.from_config(current_app.config), [post.id])
