"""The articles: the list, tag pages, one article with its live product cards, and the feed."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, render_template, url_for
from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from storefront.blog.content import (
    SAFETY_SECTION,
    embedded_slugs,
    link_pmids,
    render_markdown,
    render_post_body,
)
from storefront.extensions import db
from storefront.models import Author, Post, Product, Tag, post_tag, utcnow
from storefront.page_cache import cached_page
from storefront.public_pages import page_number, paginate

bp = Blueprint("blog", __name__, url_prefix="/blog")

PER_PAGE = 10
COVER_WIDTHS = [320, 640, 960]


@dataclass(frozen=True)
class CoverImage:
    """A post's cover as the image macro wants it: stored like product images, at 16:9."""

    key: str
    alt: str
    width: int = 1200
    height: int = 675
    width_list: list[int] = field(default_factory=lambda: list(COVER_WIDTHS))


def cover_image(post) -> CoverImage | None:
    key = getattr(post, "cover_key", None)
    return CoverImage(key, getattr(post, "cover_alt", "") or "") if key else None


def cover_url(post) -> str | None:
    """Absolute URL of the cover at its largest width, for sharing and structured data."""
    cover = cover_image(post)
    if cover is None:
        return None
    filename = f"covers/{cover.key}-{max(cover.width_list)}.webp"
    return url_for("site.media", filename=filename, _external=True)


@bp.record_once
def _register_globals(state) -> None:
    state.app.jinja_env.globals["cover_image"] = cover_image
    state.app.jinja_env.globals["cover_url"] = cover_url
    state.app.jinja_env.globals["safety_section"] = SAFETY_SECTION
    state.app.jinja_env.filters["markdown"] = render_markdown
    state.app.jinja_env.filters["pubmed_links"] = link_pmids


def public_posts():
    """Published and not dated in the future: the only posts the public may see."""
    return select(Post).where(Post.published_at.is_not(None), Post.published_at <= utcnow())


def _paginate(query, page: int) -> tuple[list[Post], bool]:
    """One page of posts, newest first, and whether an older page exists (one query)."""
    return paginate(db.session, query.order_by(Post.published_at.desc(), Post.id.desc()),
                    page, PER_PAGE)


@bp.get("/")
@cached_page("page")
def index():
    """All articles, newest first, ten to a page."""
    page = page_number()
    posts, has_older = _paginate(public_posts(), page)
    return render_template("blog/index.html", posts=posts, page=page, has_older=has_older,
                           tag=None)


@bp.get("/tag/<tag>")
@cached_page("page")
def tag(tag: str):
    """Articles with one tag, newest first, ten to a page."""
    found = db.session.scalars(select(Tag).where(Tag.slug == tag)).first()
    if found is None:
        abort(404)
    page = page_number()
    tagged = public_posts().where(
        Post.id.in_(select(post_tag.c.post_id).where(post_tag.c.tag_id == found.id))
    )
    posts, has_older = _paginate(tagged, page)
    if not posts:
        abort(404)
    return render_template("blog/index.html", posts=posts, page=page, has_older=has_older,
                           tag=found)


@bp.get("/<slug>")
@cached_page()
def post(slug: str):
    """One article: body with live product cards, references, related reading, prev/next."""
    item = db.session.scalars(
        public_posts().where(Post.slug == slug)
        # One round trip for the post, its tags, references, corrections and the profiles of
        # its author and reviewer: a handful of each, so the joined rows stay few, and the
        # page keeps within its query budget.
        .options(joinedload(Post.tags), joinedload(Post.references),
                 joinedload(Post.corrections), joinedload(Post.author_profile),
                 joinedload(Post.reviewer_profile))
    ).unique().first()
    if item is None:
        abort(404)
    slugs = embedded_slugs(item.body)
    products = {}
    if slugs:
        products = {
            product.slug: product
            for product in db.session.scalars(
                select(Product).where(Product.slug.in_(slugs), Product.active)
                .options(joinedload(Product.variants), joinedload(Product.images))
            ).unique()
        }
    neighbours = _neighbours(item)
    description = item.summary or item.title
    return render_template(
        "blog/post.html",
        post=item,
        body=render_post_body(item, products),
        related=[row for row in neighbours if row.kind == "related"],
        older=next((row for row in neighbours if row.kind == "older"), None),
        newer=next((row for row in neighbours if row.kind == "newer"), None),
        description=description,
        structured_data=_posting_data(item, description),
        cover=cover_url(item),
    )


def _neighbours(item: Post) -> list:
    """The older and newer article and up to three related ones, in one query.

    Related means sharing a tag, newest first. Only the columns the page shows are read, so
    no body travels from the database for a link.
    """
    now = utcnow()
    columns = (Post.slug, Post.title, Post.summary, Post.published_at, Post.cover_key,
               Post.cover_alt)
    public = (Post.published_at.is_not(None), Post.published_at <= now, Post.id != item.id)
    older = (
        select(*columns, literal("older").label("kind")).where(*public)
        .where((Post.published_at < item.published_at)
               | ((Post.published_at == item.published_at) & (Post.id < item.id)))
        .order_by(Post.published_at.desc(), Post.id.desc()).limit(1)
    )
    newer = (
        select(*columns, literal("newer").label("kind")).where(*public)
        .where((Post.published_at > item.published_at)
               | ((Post.published_at == item.published_at) & (Post.id > item.id)))
        .order_by(Post.published_at.asc(), Post.id.asc()).limit(1)
    )
    parts = [older, newer]
    tag_ids = [tag.id for tag in item.tags]
    if tag_ids:
        related = (
            select(*columns, literal("related").label("kind")).where(*public)
            .where(Post.id.in_(select(post_tag.c.post_id).where(post_tag.c.tag_id.in_(tag_ids))))
            .order_by(Post.published_at.desc(), Post.id.desc()).limit(3)
        )
        parts.append(related)
    # SQLite refuses ORDER BY/LIMIT inside a compound SELECT unless each part is a subquery.
    query = union_all(*(select(part.subquery()) for part in parts))
    rows = db.session.execute(query).all()
    return sorted(rows, key=lambda row: row.published_at, reverse=True)


def _party(name: str | None, profile: Author | None) -> dict:
    """schema.org Person (with their author page) or Organization for a name on an article.

    The brand's own team is an Organization; a named person with a profile gets a ``url`` to
    the page listing their articles. Without a name the article is the brand's.
    """
    if profile is not None and profile.is_person:
        return {"@type": "Person", "name": profile.name,
                "url": url_for("blog.author", slug=profile.slug, _external=True)}
    if profile is not None or not name:
        return {"@type": "Organization", "name": name or current_app.config["SHOP_NAME"],
                "url": url_for("catalog.home", _external=True)}
    return {"@type": "Person", "name": name}


def _posting_data(item: Post, description: str) -> dict:
    """schema.org BlogPosting, for search engines and link previews.

    ``dateModified`` is the date of the newest correction note, so it moves exactly when
    readers are told the text changed.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": item.title,
        "description": description,
        "author": _party(item.author, item.author_profile),
        "datePublished": item.published_at.isoformat(),
        "dateModified": item.modified_at.isoformat(),
        "mainEntityOfPage": url_for("blog.post", slug=item.slug, _external=True),
        "wordCount": item.word_count,
    }
    if item.reviewed_by:
        data["reviewedBy"] = _party(item.reviewed_by, item.reviewer_profile)
    if item.reviewed_at:
        data["lastReviewed"] = item.reviewed_at.date().isoformat()
    cover = cover_url(item)
    if cover:
        data["image"] = cover
    return data


@bp.get("/authors/<slug>")
@cached_page("page")
def author(slug: str):
    """A writer's or reviewer's page: who they are and the articles they wrote or reviewed."""
    found = db.session.scalars(select(Author).where(Author.slug == slug)).first()
    if found is None:
        abort(404)
    page = page_number()
    theirs = public_posts().where((Post.author == found.name) | (Post.reviewed_by == found.name))
    posts, has_older = _paginate(theirs, page)
    return render_template("blog/author.html", author=found, posts=posts, page=page,
                           has_older=has_older)


@bp.get("/feed.xml")
@cached_page()
def feed():
    """An Atom feed of the twenty newest articles."""
    posts = db.session.scalars(
        public_posts().order_by(Post.published_at.desc(), Post.id.desc()).limit(20)
        .options(selectinload(Post.tags))
    ).all()
    updated = max((max(p.updated_at or p.published_at, p.published_at) for p in posts),
                  default=None)
    xml = render_template("blog/feed.xml", posts=posts, updated=updated or utcnow())
    return xml, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


