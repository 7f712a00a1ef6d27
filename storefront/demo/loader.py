"""Loads the demo catalogue and articles: what `flask seed-demo` and `make run` put in a new shop.

Idempotent by slug: a product or post that already exists is left alone, so running it twice
adds nothing and never overwrites what an admin has edited. Opening stock goes through the
inventory rules, so the ledger explains the demo counts like any other.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront import images
from storefront.demo import artwork
from storefront.demo.catalog import PRODUCTS
from storefront.demo.funnel import load_demo_history
from storefront.demo.pages import PAGES
from storefront.demo.posts import AUTHORS, POSTS
from storefront.inventory import adjust_stock
from storefront.models import (
    Author,
    Page,
    Post,
    PostReference,
    Product,
    ProductImage,
    StockReason,
    Tag,
    Variant,
    utcnow,
)
from storefront.slugs import slugify


def load_demo(session: Session) -> list[str]:
    """Add whatever demo content is missing; return a line per thing added."""
    added = [_load_product(session, data) for data in PRODUCTS]
    added += [_load_author(session, data) for data in AUTHORS]
    added += [_load_post(session, data) for data in POSTS]
    added += [_load_page(session, data) for data in PAGES]
    session.flush()
    added.append(load_demo_history(session))
    _ensure_image_files(session)
    return [line for line in added if line]


def _load_product(session: Session, data: dict) -> str | None:
    if session.scalar(select(Product.id).where(Product.slug == data["slug"])):
        return None
    product = Product(slug=data["slug"], name=data["name"], tagline=data["tagline"],
                      description=data["description"], safety_note=data["safety_note"],
                      active=True)
    session.add(product)
    for position, v in enumerate(data["variants"]):
        product.variants.append(Variant(
            sku=v["sku"], label=v["label"], price_cents=v["price_cents"],
            currency=v["currency"], low_stock_threshold=v["low_stock_threshold"],
            on_hand=0, reserved=0, position=position,
        ))
    for image in data["images"]:
        images.add_product_image(session, product, artwork.draw(image["key"]), image["alt"],
                                 key=image["key"])
    session.flush()
    for variant, v in zip(product.variants, data["variants"], strict=True):
        adjust_stock(session, variant.id, new_count=v["on_hand"], reason=StockReason.IMPORT,
                     note="Opening stock (demo)")
    return f"product {product.slug} with {len(product.variants)} sizes"


def _load_author(session: Session, data: dict) -> str | None:
    if session.scalar(select(Author.id).where(Author.slug == data["slug"])):
        return None
    session.add(Author(**data))
    return f"author {data['slug']}"


def _load_page(session: Session, data: dict) -> str | None:
    if session.scalar(select(Page.id).where(Page.slug == data["slug"])):
        return None
    session.add(Page(**data))
    return f"page {data['slug']}"


def _load_post(session: Session, data: dict) -> str | None:
    from storefront.blog.content import sync_post_products

    if session.scalar(select(Post.id).where(Post.slug == data["slug"])):
        return None
    post = Post(
        slug=data["slug"], title=data["title"], summary=data["summary"], body=data["body"],
        author=data["author"], reviewed_by=data["reviewed_by"], is_health=data["is_health"],
        is_condition=data.get("is_condition", False),
        reviewed_at=utcnow() - timedelta(days=data["reviewed_days_ago"]),
        cover_key=data["cover"], cover_alt=data["cover_alt"],
        published_at=utcnow() - timedelta(days=data["days_ago"]),
    )
    for name in data["tags"]:  # as people write them: "Vitamin D", never "Vitamin d"
        tag_slug = slugify(name, 60)
        tag = session.scalar(select(Tag).where(Tag.slug == tag_slug))
        post.tags.append(tag or Tag(slug=tag_slug, name=name))
        session.flush()
    for position, ref in enumerate(data["references"], start=1):
        post.references.append(PostReference(position=position, citation=ref["citation"],
                                             url=ref["url"]))
    session.add(post)
    session.flush()
    sync_post_products(session, post)
    _save_cover(post.cover_key)
    return f"post {post.slug}"


def _save_cover(key: str) -> None:
    images.save_renditions(artwork.draw(key), "covers", key)


def _ensure_image_files(session: Session) -> None:
    """Redraw demo images whose files are missing (a fresh MEDIA_ROOT on an old database)."""
    root = images.media_root()
    for key in session.scalars(select(ProductImage.key)):
        if key in artwork.KEYS and not (root / "products" / f"{key}-320.webp").exists():
            images.save_renditions(artwork.draw(key), "products", key)
    for key in session.scalars(select(Post.cover_key).where(Post.cover_key.is_not(None))):
        if key in artwork.KEYS and not (root / "covers" / f"{key}-320.webp").exists():
            _save_cover(key)
