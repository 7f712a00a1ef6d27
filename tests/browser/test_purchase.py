"""A customer buys in Chromium: article card -> cart -> sandbox hosted page -> success.

The shop runs as under `make run`: no Stripe keys, so the offline sandbox is mounted on the
live server at /_sandbox/stripe and its webhooks reach the shop in process.
"""

from __future__ import annotations

import re

import pytest
from flask import current_app
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, OrderStatus, StockMovement, Variant
from tests.browser.conftest import screenshot
from tests.conftest import deliver_mail, make_post, make_product


@pytest.fixture
def app_config(smtp_server):
    return {"SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port,
            "SMTP_STARTTLS": False}


def test_reader_buys_from_an_article(page, viewport, live_server, session, smtp_server):
    expect = pytest.importorskip("playwright.sync_api").expect
    make_product(variants=[("RW-50", "50 ml", 2400, 10), ("RW-100", "100 ml", 3900, 5)])
    post = make_post()
    name = viewport["name"]

    page.goto(f"{live_server}/blog/{post.slug}")
    card = page.locator("form.add-to-cart").first
    card.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(".badge")).to_have_text("1 item")  # the unit is hidden text
    screenshot(page, f"checkout-1-cart-{name}")

    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/_sandbox/stripe/pay/cs_"))
    page.get_by_label("Email").fill("reader@example.com")
    screenshot(page, f"checkout-2-hosted-page-{name}")
    page.get_by_role("button", name="Pay", exact=True).click()

    expect(page).to_have_url(re.compile(r"/checkout/success\?session_id=cs_"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmed")
    screenshot(page, f"checkout-3-success-{name}")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmed")

    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.PAID and order.source_post_id == post.id
    variant = db.session.get(Variant, order.lines[0].variant_id)
    assert (variant.on_hand, variant.reserved) == (9, 0)
    assert len(db.session.scalars(select(StockMovement)).all()) == 1
    page.wait_for_timeout(300)  # the sandbox's webhook may still be on its way: harmless
    assert smtp_server.messages == []  # queued with the payment, sent by the mail worker
    assert deliver_mail(current_app._get_current_object()) == 0
    assert len(smtp_server.messages) == 1
    expect(page.locator(".badge")).to_have_count(0)
