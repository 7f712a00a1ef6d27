"""Article bodies: Markdown -> sanitized HTML, citations, section anchors and product embeds.

Bodies are typed by staff, but a stolen admin session or a pasted snippet must never put
script on a customer's page, so every body goes through one allow-list (nh3) after Markdown.
The sanitized HTML depends only on the body text, so it is cached by that text: an edit is a
different key and can never be served stale. Product cards are not cached: price and stock
are rendered live on every request from the products the view loaded. In an article that
discusses a medical condition an embed is a plain link instead (see ``render_post_body``).

Headings h2 and h3 get an id ``section-<words>`` so other pages can link to a section, such as
a product description's "Safety" (``section-safety``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.models import Post, Product

if TYPE_CHECKING:
    from collections.abc import Mapping

CITATION_RE = re.compile(r"\[\^(\d{1,3})\]")
# After rendering, an embed is a paragraph holding nothing but the shortcode.
EMBED_PARAGRAPH_RE = re.compile(r"<p>\[\[product:([a-z0-9][a-z0-9-]*)\]\]</p>\n?")
STRAY_SHORTCODE_RE = re.compile(r"\[\[product:([^\]]*)\]\]")
EXTERNAL_LINK_RE = re.compile(r'<a href="(https?://[^"]*)"')

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "sup", "sub", "table", "thead", "tbody", "tr", "th",
    "td", "img", "abbr", "del", "s", "small", "dl", "dt", "dd", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "h2": {"id"},
    "h3": {"id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope"},
}
# Only the ids our own citation markers and heading anchors produce; arbitrary ids invite DOM
# clobbering, and the prefixes keep ours from shadowing anything a script reads.
CITE_ID_RE = re.compile(r"^cite-\d{1,3}-\d{1,3}$")
SECTION_ID_RE = re.compile(r"^section-[a-z0-9]+(-[a-z0-9]+)*$")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        pattern = CITE_ID_RE if tag == "a" else SECTION_ID_RE
        return value if pattern.match(value) else None
    return value


def section_id(text: str) -> str:
    """The anchor of a heading: ``## Safety and use`` -> ``section-safety-and-use``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "section-" + "-".join(words[:8]) if words else ""


# Where an article's product card sends its safety note: the description's "## Safety".
SAFETY_SECTION = section_id("Safety")


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    link_rel=None,  # added below to external links only; in-page #ref links need none
    url_schemes={"http", "https", "mailto"},
)


def _citation_rule(state, silent: bool) -> bool:
    """Inline rule: ``[^n]`` becomes a citation token (before links would claim the bracket)."""
    if not state.src.startswith("[^", state.pos):
        return False
    match = CITATION_RE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"n": int(match.group(1))}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env) -> str:
    n = tokens[idx].meta["n"]
    seen = env.setdefault("citations", Counter())
    seen[n] += 1
    return f'<sup><a href="#ref-{n}" id="cite-{n}-{seen[n]}">[{n}]</a></sup>'


def _heading_anchor(tokens, idx: int) -> str:
    """The id the heading opened at ``tokens[idx]`` gets: h2 and h3 only."""
    if tokens[idx].tag in ("h2", "h3") and idx + 1 < len(tokens):
        return section_id(tokens[idx + 1].content)
    return ""


def _render_heading_open(self, tokens, idx, options, env) -> str:
    if anchor := _heading_anchor(tokens, idx):
        tokens[idx].attrSet("id", anchor)
    return self.renderToken(tokens, idx, options, env)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("heading_open", _render_heading_open)
    return md


_MD = _markdown()


def _sanitize(html: str) -> str:
    clean = _CLEANER.clean(html)
    return EXTERNAL_LINK_RE.sub(r'<a href="\1" rel="noopener noreferrer"', clean)


def section_ids(text: str) -> set[str]:
    """The section anchors ``render_markdown(text)`` gives its headings, without rendering."""
    tokens = _MD.parse(text or "")
    return {anchor for idx, token in enumerate(tokens)
            if token.type == "heading_open" and (anchor := _heading_anchor(tokens, idx))}


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that is safe to put on a public page, whoever typed it."""
    return Markup(_cached_html(text or ""))


@lru_cache(maxsize=512)
def _cached_html(text: str) -> str:
    return _sanitize(_MD.render(text))


PMID_TEXT_RE = re.compile(r"\bPMID:?\s*(\d{1,8})\b")


def link_pmids(text: str) -> Markup:
    """A citation, escaped, with each ``PMID: n`` linked to its PubMed record."""
    escaped = str(Markup.escape(text or ""))
    return Markup(PMID_TEXT_RE.sub(
        lambda m: f'<a href="https://pubmed.ncbi.nlm.nih.gov/{m.group(1)}/" '
                  f'rel="noopener noreferrer">{m.group(0)}</a>', escaped))


def plain_text(text: str, limit: int = 155) -> str:
    """The first words of a Markdown text without markup, for meta descriptions."""
    words = " ".join(render_markdown(text).striptags().split())
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class RenderedBody:
    """A body split around its embeds: HTML, slug, HTML, slug, ..., HTML."""

    parts: tuple[str, ...]

    @property
    def slugs(self) -> list[str]:
        return list(self.parts[1::2])


@lru_cache(maxsize=512)
def _render_body(body: str) -> RenderedBody:
    return RenderedBody(tuple(EMBED_PARAGRAPH_RE.split(render_markdown(body))))


def embedded_slugs(body: str) -> list[str]:
    """Slugs of the products a body embeds, in order, each once.

    Taken from the rendered body, so a shortcode counts exactly when it would show as a card
    (alone in its paragraph, not inside code).
    """
    return list(dict.fromkeys(_render_body(body or "").slugs))


def render_post_body(post: Post, products_by_slug: Mapping[str, Product]) -> Markup:
    """The body with each embed replaced by the live product card.

    In an article that discusses a medical condition (``post.is_condition``) an embed is a
    plain link with a line saying the brand makes the product: no price, no add-to-cart, no
    tagline. A buy card beside a condition makes the product look like a treatment for it,
    which the FDA reads as an unapproved drug claim (intended use) and Stripe as a restricted
    business.

    Unknown and inactive products are left out: a reader should never see a broken card or a
    raw shortcode because a product was renamed or withdrawn (``flask check-content`` reports
    them to staff instead).
    """
    from flask import current_app

    module = current_app.jinja_env.get_template("_/product_card.html").module
    parts = _render_body(post.body or "").parts
    out = [parts[0]]
    for index in range(1, len(parts), 2):
        product = products_by_slug.get(parts[index])
        if product is not None and product.active:
            if getattr(post, "is_condition", False):
                out.append(str(module.product_mention(product)))
            else:
                out.append(str(module.product_card(product, from_post=post.slug, embedded=True)))
        out.append(parts[index + 1])
    return Markup("".join(out))


def sync_post_products(session: Session, post: Post) -> None:
    """Point ``post.products`` at the products its body embeds.

    The association lets the product page list its articles with one query instead of
    scanning every body; call this whenever a body is saved. Inactive products are kept in the
    association (they come back when reactivated); public pages filter on ``active``.
    """
    slugs = embedded_slugs(post.body)
    if not slugs:
        post.products = []
        return
    with session.no_autoflush:
        found = session.scalars(select(Product).where(Product.slug.in_(slugs))).all()
    by_slug = {product.slug: product for product in found}
    post.products = [by_slug[slug] for slug in slugs if slug in by_slug]


def cited_numbers(body: str) -> set[int]:
    """Reference numbers the body cites with ``[^n]``, outside code."""
    html = str(render_markdown(body or ""))
    return {int(n) for n in re.findall(r'<a href="#ref-(\d+)" id="cite-', html)}
