"""In Chromium, the cart badge on a shared, cached page comes from static/js/cart.js: it
appears after adding to the cart, on the very same cached product page, with no console
error (an inline script or a CSP violation would log one)."""

from __future__ import annotations

import pytest

from tests.conftest import make_product

pytestmark = pytest.mark.browser


def test_the_badge_appears_after_adding_to_cart(app, live_server, page):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5)])
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    product = f"{live_server}/products/royal-warrior-cream"
    page.goto(product)
    assert page.locator(".cart-link .badge").count() == 0
    page.fill("input[name=quantity]", "2")
    page.click("form.add-to-cart button[type=submit]")
    page.wait_for_url(f"{live_server}/cart")
    page.goto(product)
    badge = page.locator(".cart-link .badge")
    badge.wait_for()
    assert badge.inner_text() == "2" and badge.get_attribute("aria-label") == "2 items"
    assert "2 in your cart" in page.locator("form.add-to-cart").inner_text()
    assert errors == []
