"""The shop's front: the home page, the product list and the product pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from storefront.blog.content import plain_text, render_markdown
from storefront.catalog import offers
from storefront.extensions import db
from storefront.models import Post, Product, post_product, utcnow
from storefront.page_cache import cached_page
from storefront.public_pages import page_number, paginate

bp = Blueprint("catalog", __name__)

PER_PAGE = 24  # cards a page: a phone-sized page, and a bounded one at any catalogue size


# Registered as globals (not only context) so macros imported from Python see them too.
@bp.record_once
def _register_globals(state) -> None:
    env = state.app.jinja_env
    env.globals["cart_add_url"] = offers.cart_add_url
    env.globals["availability_text"] = offers.availability_text
    env.globals["product_availability_text"] = offers.product_availability_text
    env.globals["from_price_text"] = offers.from_price_text
    env.globals["price_range_text"] = offers.price_range_text
    env.globals["default_variant"] = offers.default_variant
    env.globals["in_stock_variants"] = offers.in_stock_variants
    env.globals["product_url"] = offers.product_url
    env.globals["product_share_image"] = lambda product: next(
        iter(offers.image_urls(product)), None) if product else None


def _public_posts():
    return select(Post).where(Post.published_at.is_not(None), Post.published_at <= utcnow())


@bp.get("/")
@cached_page()
def home():
    """The hero product, the latest articles and what the brand stands for."""
    hero = db.session.scalars(
        select(Product).where(Product.active).order_by(Product.id).limit(1)
        .options(joinedload(Product.variants), selectinload(Product.images))
    ).unique().first()
    posts = db.session.scalars(
        _public_posts().order_by(Post.published_at.desc(), Post.id.desc()).limit(3)
    ).all()
    return render_template("catalog/home.html", hero=hero, posts=posts,
                           promise=offers.brand_promise())


@bp.get("/products/")
@cached_page("page")
def product_list():
    """The products on sale, as cards, a page at a time."""
    page = page_number()
    products, has_next = paginate(
        db.session, select(Product).where(Product.active).order_by(Product.id)
        .options(selectinload(Product.variants), selectinload(Product.images)),
        page, PER_PAGE)
    return render_template("catalog/product_list.html", products=products, page=page,
                           has_next=has_next)


@bp.get("/products/<slug>")
@cached_page("size")  # the article a card came from rides in the fragment (reports.attribution)
def product(slug: str):
    """One product: images, description, sizes with live stock, and the articles about it."""
    item = db.session.scalars(
        select(Product).where(Product.slug == slug, Product.active)
        .options(joinedload(Product.variants), selectinload(Product.images))
    ).unique().first()
    if item is None:
        abort(404)
    articles = db.session.scalars(
        _public_posts().join(post_product, post_product.c.post_id == Post.id)
        .where(post_product.c.product_id == item.id)
        .order_by(Post.published_at.desc(), Post.id.desc()).limit(6)
    ).all()
    description = item.tagline or plain_text(item.description)
    return render_template(
        "catalog/product.html",
        product=item,
        articles=articles,
        description_html=render_markdown(item.description),
        description=description,
        selected=offers.default_variant(item, request.args.get("size")),
        structured_data=offers.product_structured_data(item, description),
        og_images=offers.image_urls(item)[:1],
    )
