"""A reader in Chromium opens the back-pain article (a condition article): the product is a
plain link saying the brand makes it, with no price and no add-to-cart; it leads to the product
page, whose safety section states DMSO's FDA status."""

from __future__ import annotations

import pytest

from storefront.demo.loader import load_demo
from storefront.extensions import db
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_back_pain_article_has_no_buy_card(app, live_server, page, viewport):
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    page.goto(f"{live_server}/blog/magnesium-for-back-pain")
    assert page.locator("form.add-to-cart").count() == 0
    assert page.get_by_role("button", name="Add to cart").count() == 0
    assert page.locator(".price").count() == 0
    mention = page.locator(".product-mention")
    assert mention.count() == 1
    assert "Royal Warrior makes Royal Warrior+ Cream." in mention.inner_text()
    assert page.get_by_text("Last reviewed on").is_visible()
    mention.scroll_into_view_if_needed()
    screenshot(page, f"back-pain-article-{viewport['name']}")
    mention.get_by_role("link", name="Royal Warrior+ Cream").click()
    page.wait_for_url("**/products/royal-warrior-cream")
    assert page.locator("#section-safety").is_visible()
    assert "not approved by the US Food and Drug Administration" in page.inner_text("main")
