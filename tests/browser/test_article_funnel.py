"""In Chromium: a reader reads an article, picks a size in its card, clicks through, buys in
the sandbox, and the owner's article report grows by exactly that order's total."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import ArticleDay, Order, OrderStatus
from storefront.reports.counters import counters, flush
from tests.browser.conftest import log_in
from tests.conftest import make_post, make_product
from tests.test_admin_support import make_admin

pytestmark = pytest.mark.browser

TITLE = "Magnesium for back pain: is it effective?"


@pytest.fixture
def app_config(smtp_server):
    return {"SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port,
            "SMTP_STARTTLS": False, "COUNTER_FLUSH_SECONDS": 0}


@pytest.fixture
def viewport() -> dict:
    return {"width": 1280, "height": 900, "name": "desktop"}


def _cents(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text) or 0)


def _beacon(kind: str):
    return lambda r: r.url.endswith("/beacon") and f'"k":"{kind}"' in (r.post_data or "")


def _report_revenue(admin, live_server) -> int:
    admin.goto(f"{live_server}/admin/reports/articles?sort=revenue_cents")
    row = admin.locator("table.report tbody tr", has=admin.get_by_role("link", name=TITLE))
    return _cents(row.locator("td").nth(9).inner_text()) if row.count() else 0


def test_a_read_and_a_purchase_grow_the_articles_row_by_the_order_total(
        app, browser, page, live_server, session, smtp_server):
    expect = pytest.importorskip("playwright.sync_api").expect
    make_product(variants=[("RW-50", "50 ml", 2400, 10), ("RW-100", "100 ml", 3900, 5)])
    post = make_post(title=TITLE)
    make_admin()
    admin = browser.new_context().new_page()
    admin.goto(f"{live_server}/admin/login")
    log_in(admin)
    before = _report_revenue(admin, live_server)

    with page.expect_request(_beacon("view")), page.expect_request(_beacon("read")):
        page.goto(f"{live_server}/blog/{post.slug}")  # short: its end is on screen at once
    card = page.locator(".prose .product-card")
    card.get_by_label(re.compile("100 ml")).check()
    with page.expect_request(_beacon("card_click")):
        card.locator(".card-title a").click()
    # The size picked in the card is the one selected on the product page.
    expect(page).to_have_url(re.compile(r"/products/royal-warrior-cream\?size=RW-100#from="))
    expect(page.locator("input[name=variant_id]:checked")).to_have_value(
        str(post.products[0].variants[1].id))
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/_sandbox/stripe/pay/cs_"))
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmed")

    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.PAID
    assert order.source_post_id == order.first_touch_post_id == post.id
    flush(db.session, counters(app).buffer)
    row = db.session.scalar(select(ArticleDay))
    assert (row.views, row.readers, row.reads, row.card_clicks, row.add_to_cart) == (
        1, 1, 1, 1, 1)
    assert _report_revenue(admin, live_server) - before == order.total_cents
