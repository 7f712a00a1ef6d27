"""A reader in Chromium goes from an article's product card to the product, at phone and
desktop widths, and the browser reports no console errors (CSP violations land there)."""

from __future__ import annotations

import re

import pytest

from storefront import images
from storefront.demo import artwork
from storefront.extensions import db
from storefront.models import PostReference
from tests.browser.conftest import screenshot
from tests.conftest import make_post, make_product

pytestmark = pytest.mark.browser

BODY = """\
Magnesium is a cofactor in hundreds of enzyme systems.[^1] Whether a cream raises body
magnesium is still an open question.[^2]

## What we can say

| Question | Evidence |
| --- | --- |
| Involved in muscle function? | Yes.[^1] |
| Cream relieves pain? | Not studied. |

[[product:royal-warrior-cream]]

Patch test first, and use it only on clean, unbroken skin.
"""


@pytest.fixture
def seeded(app):
    with app.app_context():
        product = make_product(
            description="A rich cream.\n\n## How to use it\n\n1. Patch test.\n2. Apply thinly.",
            variants=[("RW-50", "50 ml jar", 2400, 0), ("RW-100", "100 ml jar", 3900, 12),
                      ("RW-200", "200 ml jar", 6400, 2)],
        )
        for key in ("royal-warrior-jar", "royal-warrior-texture"):
            images.add_product_image(db.session, product, artwork.draw(key), f"Art {key}",
                                     key=key)
        cover = "cover-magnesium-for-back-pain"
        images.save_renditions(artwork.draw(cover), "covers", cover)
        post = make_post(body=BODY, cover_key=cover, cover_alt="A teal horizon",
                         summary="What the research says about magnesium and back pain.")
        post.references = [
            PostReference(position=1, citation="ODS. Magnesium fact sheet.",
                          url="https://ods.od.nih.gov/factsheets/Magnesium-HealthProfessional/"),
            PostReference(position=2, citation="Gröber U et al. Nutrients. 2017;9(8):813.",
                          url="https://doi.org/10.3390/nu9080813"),
        ]
        make_post("magnesium-and-sleep", "Magnesium and sleep", body="Short.")
        db.session.commit()


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 else None)
    return problems


def test_article_card_leads_to_product_with_size_selected(seeded, live_server, page, viewport):
    name = viewport["name"]
    problems = _watch(page)
    page.goto(f"{live_server}/blog/magnesium-for-back-pain")
    card = page.locator(".prose .product-card")
    assert card.count() == 1
    assert card.locator(".price").inner_text() == "$24.00–$64.00"
    assert card.locator(".price-line .stock").inner_text() == "In stock"
    sizes = card.locator("label.size-option")
    assert sizes.count() == 2  # the sold-out 50 ml jar is not offered on the card
    assert "200 ml jar — $64.00 — Only 2 left" in sizes.nth(1).inner_text()
    assert page.locator("#ref-2").count() == 1
    assert page.locator("h1").count() == 1
    shot = screenshot(page, f"article-{name}")
    assert shot.exists()

    card.locator(".card-title a").click()
    page.wait_for_url(re.compile(r"/products/royal-warrior-cream\?size=RW-100#from="))
    checked = page.locator("input[name=variant_id]:checked")
    assert checked.count() == 1
    assert "100 ml jar" in checked.locator("xpath=..").inner_text()
    assert page.locator("input[name=variant_id][disabled]").count() == 1
    assert page.locator("input[name=from_post]").input_value() == "magnesium-for-back-pain"
    assert page.locator(".learn-more").inner_text().count("Magnesium for back pain") == 1
    main_image = page.locator(".gallery-main img").first
    assert main_image.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, f"product-{name}")

    page.go_back()
    page.wait_for_url(re.compile(r"/blog/magnesium-for-back-pain$"))
    assert problems == []


@pytest.mark.parametrize("path,shot", [("/", "home"), ("/blog/", "blog"),
                                       ("/products/", "products"), ("/no-such-page", "404")])
def test_public_pages_render_without_console_errors(seeded, live_server, page, viewport,
                                                    path, shot):
    problems = _watch(page)
    page.goto(f"{live_server}{path}")
    assert page.locator("h1").count() == 1
    screenshot(page, f"{shot}-{viewport['name']}")
    expected = [f"HTTP 404 {live_server}{path}"] if shot == "404" else []
    errors = [p for p in problems if not p.startswith("console error: Failed to load resource")]
    assert errors == expected


@pytest.mark.parametrize("path", ["/", "/products/", "/products/royal-warrior-cream", "/blog/",
                                  "/blog/magnesium-for-back-pain", "/no-such-page"])
def test_axe_finds_no_wcag_violations(seeded, live_server, page, viewport, path):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    page.goto(f"{live_server}{path}")
    results = axe_module.Axe().run(page, options={"runOnly": {
        "type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                  for v in results.response["violations"]]
    assert violations == []
