"""Public pages a CDN can cache: no cookie, Cache-Control public with s-maxage, ETag and 304;
versioned static files immutable and pre-compressed; the cart badge from /cart.json."""

from __future__ import annotations

import re

import brotli
import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Variant
from tests.conftest import make_post, make_product

PUBLIC_PAGES = [
    "/", "/products/", "/products/royal-warrior-cream", "/products/royal-warrior-cream?size=x",
    "/blog/", "/blog/magnesium-for-back-pain", "/blog/tag/magnesium", "/blog/feed.xml",
    "/sitemap.xml", "/robots.txt",
]


@pytest.fixture
def shop(app):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5)])
        make_post()
        return db.session.scalar(select(Variant.id))


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_get_sets_no_cookie_and_may_be_shared(client, shop, path):
    for _ in range(2):  # the miss that renders and the hit
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
        assert re.fullmatch(r'"[0-9a-f]{20}(-br|-gz)?"', response.headers["ETag"])
        assert response.headers["Vary"] == "Accept-Encoding"
        assert "Content-Security-Policy" in response.headers


def test_if_none_match_gets_a_304_until_the_page_changes(app, client, shop):
    path = "/products/royal-warrior-cream"
    etag = client.get(path).headers["ETag"]
    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": f'W/{etag}'}).status_code == 304
    with app.app_context():
        db.session.get(Variant, shop).price_cents = 2500
        db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "$25.00" in changed.get_data(as_text=True)


def test_head_answers_like_get_without_a_body(client, shop):
    response = client.head("/blog/magnesium-for-back-pain")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["Cache-Control"].startswith("public")


def test_a_cart_holder_gets_the_shared_page_and_the_badge_from_json(client, shop):
    client.post("/cart/add", data={"variant_id": shop, "quantity": "2"})
    assert client.get_cookie("cart_count", domain="shop.test").value == "2"
    client.get("/cart")  # where the "added" message is shown
    page = client.get("/products/royal-warrior-cream")
    assert "Set-Cookie" not in page.headers
    assert 'class="badge"' not in page.get_data(as_text=True)
    assert '/static/js/cart.js?v=' in page.get_data(as_text=True)
    badge = client.get("/cart.json")
    assert badge.get_json() == {"count": 2, "items": {str(shop): 2}}
    assert "no-store" in badge.headers["Cache-Control"]
    client.post("/cart/remove", data={"variant_id": shop})
    assert client.get_cookie("cart_count", domain="shop.test") is None
    assert client.get("/cart.json").get_json() == {"count": 0, "items": {}}


def test_the_cart_link_works_without_javascript(client, shop):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/cart" class="cart-link">Cart</a>' in page
    assert "<script>" not in page  # the CSP forbids inline scripts


def test_versioned_static_files_are_immutable_and_precompressed(client, shop):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', page)[1]
    response = client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Vary"] == "Accept-Encoding"
    plain = client.get(css, headers={"Accept-Encoding": "identity"})
    assert brotli.decompress(response.data) == plain.data and b"{" in plain.data
    assert client.get(css, headers={"Accept-Encoding": "br, gzip",
                                    "If-None-Match": response.headers["ETag"]}
                      ).status_code == 304
    unversioned = client.get("/static/css/site.css")
    assert unversioned.headers["Cache-Control"] == "public, no-cache"
    assert client.get("/static/../storefront/config.py").status_code == 404
    assert client.get("/static/nope.css").status_code == 404


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE": False}])
def test_with_the_cache_off_pages_are_still_compressed_and_unmarked(client, shop):
    response = client.get("/products/royal-warrior-cream", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert not any(name.lower().startswith("x-page-cache") for name in response.headers.keys())
