"""Pages about the site rather than the shop: owner-edited pages, health check, uploaded media,
robots, sitemap."""

from pathlib import Path

import redis
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    send_from_directory,
    url_for,
)
from sqlalchemy import func, select

from storefront.blog.content import plain_text, render_markdown
from storefront.database import database_answers
from storefront.extensions import db
from storefront.models import Page, Post, Product, Tag, utcnow
from storefront.models.content import post_tag
from storefront.page_cache import cached_page

bp = Blueprint("site", __name__)
HEALTH_DEADLINE_SECONDS = 2.0
REDIS_DEADLINE_SECONDS = 0.5


@bp.get("/healthz")
def healthz():
    """For load balancers: 200 while the database answers within about 2 s, 503 when it is
    down or hung. Redis, when configured, is reported but does not fail the check: without it
    rate limits and the page cache carry on in memory, and a shop that works should stay in
    rotation."""
    up = database_answers(db.engine, within=HEALTH_DEADLINE_SECONDS)
    body = {"status": "ok" if up else "unavailable", "database": "up" if up else "down"}
    redis_urls = [url for url in (current_app.config["RATELIMIT_STORAGE_URI"],
                                  current_app.config["PAGE_CACHE_REDIS_URL"])
                  if url.startswith(("redis://", "rediss://"))]
    if redis_urls:
        body["redis"] = "up" if all(map(_redis_answers, dict.fromkeys(redis_urls))) else "down"
    return body, 200 if up else 503, {"Cache-Control": "no-store"}


def _redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_timeout=REDIS_DEADLINE_SECONDS,
                                  socket_connect_timeout=REDIS_DEADLINE_SECONDS)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@bp.get("/pages/<slug>")
@cached_page()
def page(slug: str):
    """An owner-edited page (editorial process, shipping, returns, ...), sanitised like articles."""
    found = db.session.scalars(select(Page).where(Page.slug == slug)).first()
    if found is None:
        abort(404)
    return render_page(found)


def render_page(page: Page, *, contact_form=None, contact_notice: str | None = None) -> str:
    """A page through the public template. Shipping and returns show the shop's terms from
    configuration (storefront.policies) beside the owner's text, so they never disagree with
    checkout; the contact page carries the contact form."""
    from storefront import policies
    from storefront.contact import ContactForm

    if page.slug == "contact" and contact_form is None:
        contact_form = ContactForm(formdata=None)
    return render_template(
        "site/page.html", page=page, body=render_markdown(page.body),
        description=plain_text(page.body) or page.title,
        shipping=policies.shipping_policy(), returns=policies.return_policy(),
        contact_form=contact_form, contact_notice=contact_notice)


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Product images, stored outside static/ so uploads never mix with the code's assets."""
    root = Path(current_app.config["MEDIA_ROOT"])
    try:
        found = (root / filename).is_file()
    except (OSError, ValueError):  # a name longer than the file system allows (ENAMETOOLONG)
        found = False
    if not found:
        abort(404)
    response = send_from_directory(root, filename, max_age=31536000)
    response.cache_control.immutable = True
    return response


@bp.get("/robots.txt")
@cached_page()
def robots():
    """Crawl everything public; keep crawlers out of the back office, the cart and checkout."""
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /cart",
        "Disallow: /checkout",
        "",
        f"Sitemap: {url_for('site.sitemap', _external=True)}",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")


# The sitemaps protocol allows 50,000 URLs a part. 2,000 keeps a part near 240 KB before
# compression (10,000 made 1.2 MB and a third of a second with 10k articles).
SITEMAP_PART_SIZE = 2_000


def _public_posts(now):
    return select(Post).where(Post.published_at.is_not(None), Post.published_at <= now)


@bp.get("/sitemap.xml")
@cached_page()
def sitemap():
    """A sitemap index: parts of at most SITEMAP_PART_SIZE URLs per kind (one query).

    The counts and newest changes come from the indexes on ``active``/``published_at`` and
    ``updated_at``, so the index costs the same with ten products or ten thousand."""
    now = utcnow()
    products = select(Product).where(Product.active).subquery()
    posts = _public_posts(now).subquery()
    row = db.session.execute(select(
        select(func.count()).select_from(products).scalar_subquery(),
        select(func.max(products.c.updated_at)).scalar_subquery(),
        select(func.count()).select_from(posts).scalar_subquery(),
        select(func.max(posts.c.updated_at)).scalar_subquery(),
        select(func.max(Page.updated_at)).scalar_subquery(),
    )).one()
    product_count, product_date, post_count, post_date, page_date = row
    # The newest stored change, never the time of the request: a restored shop, or the same
    # shop asked twice, answers the same index.
    parts = [("pages", 1, max((d for d in (product_date, post_date, page_date) if d is not None),
                              default=None))]
    parts += [("products", n + 1, product_date)
              for n in range(-(-product_count // SITEMAP_PART_SIZE))]
    parts += [("articles", n + 1, post_date) for n in range(-(-post_count // SITEMAP_PART_SIZE))]
    xml = render_template("site/sitemap_index.xml", parts=parts)
    return Response(xml, mimetype="application/xml")


@bp.get("/sitemap-<any(pages, products, articles):kind>-<int:part>.xml")
@cached_page()
def sitemap_part(kind: str, part: int):
    """One part of the sitemap: the site's lists, tags and pages, or a slice of products or
    articles in id order (one query; sent compressed like every public page)."""
    if part < 1 or part > 100_000:
        abort(404)
    now = utcnow()
    if kind == "pages":
        if part != 1:
            abort(404)
        urls = [(url_for(endpoint, _external=True), None)
                for endpoint in ("catalog.home", "catalog.product_list", "blog.index")]
        live_tags = select(post_tag.c.tag_id).join(Post, Post.id == post_tag.c.post_id).where(
            Post.published_at.is_not(None), Post.published_at <= now)
        urls += [(url_for("blog.tag", tag=slug, _external=True), None) for slug in
                 db.session.scalars(select(Tag.slug).where(Tag.id.in_(live_tags))
                                    .order_by(Tag.slug))]
        urls += [(url_for("site.page", slug=slug, _external=True), updated_at)
                 for slug, updated_at in db.session.execute(
                     select(Page.slug, Page.updated_at).order_by(Page.slug))]
    else:
        if kind == "products":
            query = (select(Product.slug, Product.updated_at, Product.updated_at)
                     .where(Product.active).order_by(Product.id))
        else:  # an article last changed when edited, or when it went live if that is later
            query = _public_posts(now).with_only_columns(
                Post.slug, Post.updated_at, Post.published_at).order_by(Post.id)
        rows = db.session.execute(query.limit(SITEMAP_PART_SIZE)
                                  .offset((part - 1) * SITEMAP_PART_SIZE)).all()
        if not rows:
            abort(404)
        endpoint = "catalog.product" if kind == "products" else "blog.post"
        urls = [(url_for(endpoint, slug=slug, _external=True), max(changed, live))
                for slug, changed, live in rows]
    xml = render_template("site/sitemap.xml", urls=urls)
    return Response(xml, mimetype="application/xml")
