"""An owner in Chromium logs in, restocks a sold-out size, and the shop shows it in stock."""

from __future__ import annotations

import pytest

from storefront.extensions import db
from storefront.models import StockMovement, Variant
from tests.browser.conftest import log_in, screenshot
from tests.conftest import make_product
from tests.test_admin_support import make_admin

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app):
    with app.app_context():
        product = make_product(variants=[("RW-50", "50 ml", 2400, 8),
                                         ("RW-100", "100 ml", 3900, 0),
                                         ("RW-200", "200 ml", 6900, 2)])
        make_admin("owner@example.com", "owner")
        return {"slug": product.slug, **{v.sku: v.id for v in product.variants}}


def test_owner_restocks_a_sold_out_size(app, live_server, page, viewport, shop):
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    product_url = f"{live_server}/products/{shop['slug']}"
    page.goto(product_url)
    assert "Sold out" in page.locator("main").inner_text()

    page.goto(f"{live_server}/admin/inventory")
    assert "/admin/login" in page.url
    log_in(page)
    page.wait_for_url("**/admin/inventory")

    row = page.locator(f"#variant-{shop['RW-100']}")
    assert "Out of stock" in row.inner_text()
    assert "Low" in page.locator(f"#variant-{shop['RW-200']}").inner_text()
    if viewport["name"] == "desktop":
        screenshot(page, "admin-inventory-desktop")
    else:
        screenshot(page, "admin-inventory-phone")

    form = row.locator("form.adjust")
    form.get_by_label("Amount").fill("12")
    form.get_by_label("Reason").select_option("restock")
    form.get_by_label("Note").fill("delivery from the lab")
    form.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "RW-100: on hand 0 → 12" in page.locator(".flashes").inner_text()
    assert "In stock" in page.locator(f"#variant-{shop['RW-100']}").inner_text()

    # a figure that went stale is refused, with the message beside the field
    stale = page.locator(f"#variant-{shop['RW-50']}")
    with app.app_context():
        db.session.get(Variant, shop["RW-50"]).on_hand = 7
        db.session.add(StockMovement(variant_id=shop["RW-50"], delta=-1, on_hand_after=7,
                                     reason="damage"))
        db.session.commit()
    stale.get_by_label("Amount").fill("-1")
    stale.get_by_label("Reason").select_option("damage")
    stale.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "it is now 7" in page.locator(f"#variant-{shop['RW-50']}").inner_text()
    if viewport["name"] == "desktop":
        screenshot(page, "admin-inventory-conflict-desktop")

    page.goto(product_url)
    assert "In stock" in page.locator("main").inner_text()
    # the refused edit answers 409 on purpose; anything else (a CSP violation) is a bug
    assert [e for e in console_errors if "409" not in e] == []
    with app.app_context():
        assert db.session.get(Variant, shop["RW-100"]).on_hand == 12
        assert db.session.get(Variant, shop["RW-50"]).on_hand == 7
