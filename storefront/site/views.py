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
from sqlalchemy import select

from storefront.blog.content import plain_text, render_markdown
from storefront.database import database_answers
from storefront.extensions import db
from storefront.models import Page, Post, Product, utcnow
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
    if not (root / filename).is_file():
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


@bp.get("/sitemap.xml")
@cached_page()
def sitemap():
    """Every public page search engines should know, with when it last changed (three queries)."""
    now = utcnow()
    products = db.session.execute(
        select(Product.slug, Product.updated_at).where(Product.active).order_by(Product.id)
    ).all()
    posts = db.session.execute(
        select(Post.slug, Post.updated_at, Post.published_at)
        .where(Post.published_at.is_not(None), Post.published_at <= now)
        .order_by(Post.published_at.desc())
    ).all()
    pages = db.session.execute(select(Page.slug, Page.updated_at).order_by(Page.slug)).all()
    post_dates = [max(p.updated_at or p.published_at, p.published_at) for p in posts]
    product_dates = [p.updated_at for p in products if p.updated_at]
    newest = max(post_dates + product_dates, default=None)
    urls = [
        (url_for("catalog.home", _external=True), newest),
        (url_for("catalog.product_list", _external=True), max(product_dates, default=None)),
        (url_for("blog.index", _external=True), max(post_dates, default=None)),
    ]
    urls += [(url_for("catalog.product", slug=p.slug, _external=True), p.updated_at)
             for p in products]
    urls += [(url_for("blog.post", slug=p.slug, _external=True), date)
             for p, date in zip(posts, post_dates, strict=True)]
    urls += [(url_for("site.page", slug=p.slug, _external=True), p.updated_at) for p in pages]
    xml = render_template("site/sitemap.xml", urls=urls)
    return Response(xml, mimetype="application/xml")
