"""Checks for the demo catalogue, articles and artwork (no Flask app needed)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from storefront.slugs import slugify

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

artwork = importlib.import_module("storefront.demo.artwork")
catalog = importlib.import_module("storefront.demo.catalog")
posts_module = importlib.import_module("storefront.demo.posts")

POSTS = posts_module.POSTS
PRODUCTS = catalog.PRODUCTS
EMBED = "[[product:royal-warrior-cream]]"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MARKER_RE = re.compile(r"\[\^(\d+)\]")
EMBED_LINE_RE = re.compile(r"^\[\[product:([a-z0-9-]+)\]\]$")
SQUARE = (1200, 1200)
COVER = (1200, 675)

post_ids = [p["slug"] for p in POSTS]


def test_there_are_at_least_three_posts():
    assert len(POSTS) >= 3


def test_post_slugs_unique_and_url_safe():
    slugs = [p["slug"] for p in POSTS]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert SLUG_RE.match(slug), slug


def test_product_slugs_unique_and_url_safe():
    slugs = [p["slug"] for p in PRODUCTS]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert SLUG_RE.match(slug), slug


@pytest.mark.parametrize("post", POSTS, ids=post_ids)
def test_post_has_required_fields(post):
    for field in ("slug", "title", "summary", "author", "tags", "body", "references", "cover"):
        assert post.get(field), field
    assert post["reviewed_by"] == posts_module.EDITORIAL_TEAM
    assert 0 <= post["reviewed_days_ago"] <= post["days_ago"]
    assert post["is_health"] is True
    assert isinstance(post["days_ago"], int) and post["days_ago"] >= 0
    assert post["cover_alt"].strip()
    assert len(post["cover_alt"]) <= 300
    assert len(post["title"]) <= 200
    for tag in post["tags"]:  # names as written; their slugs are URL-safe
        assert tag == tag.strip() and tag[0].isupper() and SLUG_RE.match(slugify(tag, 60)), tag


@pytest.mark.parametrize("post", POSTS, ids=post_ids)
def test_summary_fits_meta_description(post):
    assert len(post["summary"]) <= 160


@pytest.mark.parametrize("post", POSTS, ids=post_ids)
def test_body_embeds_the_product_on_its_own_line(post):
    lines = [line.strip() for line in post["body"].splitlines()]
    assert EMBED in lines
    known = {p["slug"] for p in PRODUCTS}
    for line in lines:
        match = EMBED_LINE_RE.match(line)
        if match:
            assert match.group(1) in known
        else:
            assert "[[product:" not in line, f"embed must be alone on its line: {line!r}"


@pytest.mark.parametrize("post", POSTS, ids=post_ids)
def test_body_has_no_h1(post):
    for line in post["body"].splitlines():
        assert not re.match(r"^#\s", line), line


@pytest.mark.parametrize("post", POSTS, ids=post_ids)
def test_body_length(post):
    words = len(post["body"].split())
    assert 700 <= words <= 1300, words  # the back-pain article reports two trials in full


@pytest.mark.parametrize("post", POSTS, ids=post_ids)
def test_citation_markers_match_references(post):
    refs = post["references"]
    cited = {int(n) for n in MARKER_RE.findall(post["body"])}
    for n in cited:
        assert 1 <= n <= len(refs), f"[^{n}] has no reference"
    for i in range(1, len(refs) + 1):
        assert i in cited, f"reference {i} is never cited"


@pytest.mark.parametrize("post", POSTS, ids=post_ids)
def test_references_are_well_formed(post):
    for ref in post["references"]:
        assert ref["citation"].strip()
        assert ref["url"].startswith("https://"), ref["url"]
    urls = [ref["url"] for ref in post["references"]]
    assert len(urls) == len(set(urls))


def test_every_image_and_cover_key_is_drawable():
    keys = [img["key"] for product in PRODUCTS for img in product["images"]]
    keys += [post["cover"] for post in POSTS]
    for key in keys:
        assert key in artwork.KEYS, key


def test_product_images_have_alt_text():
    for product in PRODUCTS:
        assert product["images"]
        assert len(product["tagline"]) <= 300
        for img in product["images"]:
            assert img["alt"].strip()
            assert len(img["alt"]) <= 300


@pytest.mark.parametrize("key", artwork.KEYS)
def test_draw_returns_the_right_size(key):
    image = artwork.draw(key)
    expected = COVER if key in {p["cover"] for p in POSTS} else SQUARE
    assert image.size == expected
    assert image.mode == "RGB"


def test_draw_rejects_unknown_keys():
    with pytest.raises(KeyError):
        artwork.draw("no-such-artwork")


def test_variants_have_unique_skus_and_positive_prices():
    skus = [v["sku"] for product in PRODUCTS for v in product["variants"]]
    assert len(skus) == len(set(skus))
    for product in PRODUCTS:
        assert product["variants"]
        for variant in product["variants"]:
            price = variant["price_cents"]
            assert isinstance(price, int) and not isinstance(price, bool)
            assert price > 0
            assert variant["currency"] == "usd"
            assert isinstance(variant["on_hand"], int) and variant["on_hand"] >= 0
            assert 0 <= variant["low_stock_threshold"] <= variant["on_hand"]


def test_brand_promise():
    assert catalog.BRAND["name"] == "Royal Warrior"
    assert catalog.BRAND["promise"].strip()
