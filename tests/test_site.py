"""Site-wide pages and headers: sitemap, robots, feed, security headers, errors, health."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from storefront.models import Page, utcnow
from tests.conftest import make_post, make_product

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def _sitemap(client) -> dict[str, ET.Element | None]:
    """Every URL of the sitemap index's parts, with its lastmod element."""
    index = client.get("/sitemap.xml")
    assert index.mimetype == "application/xml"
    locs = {}
    for entry in ET.fromstring(index.data):
        assert entry.tag == f"{SM}sitemap"
        part = client.get(entry.find(f"{SM}loc").text.removeprefix("http://shop.test"))
        assert part.status_code == 200 and part.mimetype == "application/xml"
        locs |= {url.find(f"{SM}loc").text: url.find(f"{SM}lastmod")
                 for url in ET.fromstring(part.data)}
    return locs


def test_sitemap_index_lists_public_pages_with_lastmod(client, session):
    make_product()
    make_product("old-balm", "Old Balm", variants=[("OB-1", "30 ml", 1500, 3)], active=False)
    make_post()
    make_post("draft", "Draft", published=False, tags=("secret",))
    make_post("future", "Future", published_at=utcnow() + timedelta(days=1), tags=("soon",))
    session.add(Page(slug="shipping", title="Shipping", body="x"))
    session.commit()
    locs = _sitemap(client)
    assert set(locs) == {
        "http://shop.test/", "http://shop.test/products/", "http://shop.test/blog/",
        "http://shop.test/products/royal-warrior-cream",
        "http://shop.test/blog/magnesium-for-back-pain",
        "http://shop.test/blog/tag/magnesium", "http://shop.test/pages/shipping",
    }
    assert locs["http://shop.test/blog/magnesium-for-back-pain"].text.startswith("20")
    assert locs["http://shop.test/products/royal-warrior-cream"] is not None
    assert client.get("/sitemap-products-2.xml").status_code == 404
    assert client.get("/sitemap-pages-2.xml").status_code == 404
    assert client.get("/sitemap-nonsense-1.xml").status_code == 404


def test_sitemap_parts_hold_at_most_the_part_size_and_are_sent_compressed(
        client, session, monkeypatch):
    from storefront.site import views

    monkeypatch.setattr(views, "SITEMAP_PART_SIZE", 2)
    for n in range(5):
        make_product(f"jar-{n}", f"Jar {n}", variants=[(f"J{n}", "50 ml", 100, 3)])
    index = ET.fromstring(client.get("/sitemap.xml").data)
    parts = [e.find(f"{SM}loc").text for e in index]
    assert parts == ["http://shop.test/sitemap-pages-1.xml"] + [
        f"http://shop.test/sitemap-products-{n}.xml" for n in (1, 2, 3)]
    sizes = [len(ET.fromstring(client.get(f"/sitemap-products-{n}.xml").data))
             for n in (1, 2, 3)]
    assert sizes == [2, 2, 1]
    monkeypatch.setattr(views, "SITEMAP_PART_SIZE", 100)
    for n in range(5):  # a change, so the page cache renders the part again
        make_product(f"more-{n}", f"More {n}", variants=[(f"M{n}", "50 ml", 100, 3)])
    compressed = client.get("/sitemap-products-1.xml", headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert len(ET.fromstring(gzip.decompress(compressed.data))) == 10


def test_robots_txt(client, session):
    response = client.get("/robots.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    for line in ("User-agent: *", "Disallow: /admin/", "Disallow: /cart", "Disallow: /checkout",
                 "Sitemap: http://shop.test/sitemap.xml"):
        assert line in text.splitlines()


def test_atom_feed_is_valid_and_lists_public_posts(client, session):
    make_post("first", "First post", published_at=utcnow() - timedelta(days=2))
    make_post("second", "Second post", summary="The second one.")
    make_post("draft", "Draft", published=False)
    response = client.get("/blog/feed.xml")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text == "http://shop.test/blog/"
    assert root.find(f"{ATOM}updated").text.startswith("20")
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Second post", "First post"]
    second = entries[0]
    assert second.find(f"{ATOM}id").text == "http://shop.test/blog/second"
    assert second.find(f"{ATOM}link").get("href") == "http://shop.test/blog/second"
    assert second.find(f"{ATOM}updated").text.startswith("20")
    assert second.find(f"{ATOM}summary").text == "The second one."


PAGES = ["/", "/products/", "/products/royal-warrior-cream", "/blog/",
         "/blog/magnesium-for-back-pain", "/blog/tag/magnesium", "/sitemap.xml", "/robots.txt",
         "/blog/feed.xml", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_page(client, session, path):
    make_product()
    make_post()
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]
    html = response.get_data(as_text=True)
    assert "style=" not in html
    assert "<style" not in html
    for script in html.split("<script")[1:]:
        assert script.startswith((' type="application/ld+json">', ' src="/static/js/'))


def test_404_page_is_styled(client, session):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<p class="error-code" aria-hidden="true">404</p>' in html
    assert "<h1 id=\"error-title\">Page not found</h1>" in html
    assert "/static/css/site.css?v=" in html
    assert 'content="noindex"' in html
    assert 'href="/"' in html


@pytest.mark.parametrize("path", ["/products/%00", "/blog/%00", "/blog/tag/%00", "/orders/%00",
                                  "/products/royal-warrior-cream?size=%00",
                                  "/checkout/success?session_id=%00", "/checkout/cancel?order=%00",
                                  "/blog/?page=%00"])
def test_nul_bytes_in_urls_are_not_found(client, session, path):
    """PostgreSQL text cannot hold NUL: psycopg refused the query and these were a 500 there."""
    make_product()
    assert client.get(path).status_code == 404


def test_nul_bytes_in_forms_are_refused(app, client, session):
    app.config["WTF_CSRF_ENABLED"] = False
    variant_id = make_product().variants[0].id
    response = client.post("/cart/add", data={"variant_id": variant_id, "from_post": "a\x00b"})
    assert response.status_code == 400
    with client.session_transaction() as cookie:
        assert "cart" not in cookie
    assert client.post("/admin/login", data={"email": "x\x00@example.com",
                                             "password": "p"}).status_code == 400


def test_500_page_is_styled(app, session):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html and 'class="error-page"' in html


def test_healthz(client, session):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "up"}


@pytest.mark.parametrize("path", ["/", "/products/", "/blog/", "/blog/tag/magnesium"])
def test_list_pages_have_a_share_image(client, session, path):
    from storefront.demo.loader import load_demo

    load_demo(session)
    session.commit()
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    assert found, path
    image = found.group(1)
    assert image.startswith("http://shop.test/media/") and image.endswith(".webp")
    assert client.get(image.removeprefix("http://shop.test")).status_code == 200
