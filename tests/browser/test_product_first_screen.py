"""A phone first: on a 390x844 screen (and on a desktop) the product page shows the price, the
sizes and Add to cart without scrolling, on the demo product with its images and copy."""

from __future__ import annotations

import pytest

from storefront.demo.loader import load_demo
from storefront.extensions import db
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_price_size_and_add_to_cart_are_in_the_first_screen(app, live_server, page, viewport):
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    page.goto(f"{live_server}/products/royal-warrior-cream")
    height = viewport["height"]
    for what in (".buy-box .price", ".sizes .size-option >> nth=-1",
                 "form.add-to-cart button[type=submit]", ".main-image"):
        box = page.locator(what).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, what
    screenshot(page, f"product-first-screen-{viewport['name']}")
