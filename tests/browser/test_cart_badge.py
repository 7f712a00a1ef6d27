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
    assert badge.get_attribute("aria-label") is None          # not allowed on a span
    assert page.get_by_role("link", name="Cart 2 items").count() == 1
    assert badge.evaluate("el => el.firstChild.textContent") == "2"
    assert "2 in your cart" in page.locator("form.add-to-cart").inner_text()
    assert errors == []


CONTRAST = """el => {
  const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let back = el.parentElement;
  while (getComputedStyle(back).backgroundColor === "rgba(0, 0, 0, 0)") back = back.parentElement;
  const a = lum(getComputedStyle(el).borderTopColor);
  const b = lum(getComputedStyle(back).backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_form_controls_stand_out_from_their_background(app, live_server, page):
    """WCAG 1.4.11: a control's border needs 3:1 against what is around it."""
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5)])
    page.goto(f"{live_server}/products/royal-warrior-cream")
    page.click("form.add-to-cart button[type=submit]")
    page.wait_for_url(f"{live_server}/cart")
    controls = page.locator("main input[name=quantity], main select, .site-search input").all()
    assert len(controls) >= 2
    for control in controls:
        assert control.evaluate(CONTRAST) >= 3, control.evaluate("el => el.outerHTML")
