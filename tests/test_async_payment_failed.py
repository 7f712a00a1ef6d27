"""A pay-later payment that fails: the order shows it, keeps the customer's email, and the
customer is emailed a link to pay again for the same items (stock held again if still there,
a plain message if not)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Order, OrderStatus, OutboxMessage, Variant
from tests.conftest import make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import buy, find_form, pay_on_hosted_page


@pytest.fixture
def app_config(payment_config):
    return payment_config


@pytest.fixture
def failed(shop, session, stripe_sandbox):
    """2 x RW-50 paid by bank transfer, which failed; webhooks delivered. (order id, variant)"""
    variant_id = make_product(variants=[("RW-50", "50 ml", 2400, 5)]).variants[0].id
    order_id = buy(shop, variant_id, 2, email="grace@example.com", outcome="delayed_failure")
    assert set(code for _, code in stripe_sandbox.deliver_pending()) == {200}
    return order_id, variant_id


def _order(order_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def _stock(variant_id: int) -> tuple[int, int]:
    db.session.expire_all()
    variant = db.session.get(Variant, variant_id)
    return variant.on_hand, variant.reserved


def test_the_order_shows_payment_failed_keeps_the_email_and_mails_a_pay_again_link(
        shop, failed):
    order_id, variant_id = failed
    order = _order(order_id)
    assert (order.status, order.email) == (OrderStatus.FAILED, "grace@example.com")
    assert _stock(variant_id) == (5, 0)
    mails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "payment_failed")).all()
    assert [(m.recipients, m.order_id) for m in mails] == [(["grace@example.com"], order_id)]
    link = f"/orders/{order.token}"
    assert link in mails[0].text_body and link in mails[0].html_body
    assert order.number in mails[0].subject
    page = shop.test_client().get(link).get_data(as_text=True)
    assert "Payment failed" in page and "grace@example.com" in page
    form = find_form(page, "/pay-again")
    assert ("", "", "Pay again") in form.buttons


def test_pay_again_opens_a_new_checkout_for_the_same_items_and_holds_the_stock(
        shop, failed, stripe_sandbox, smtp_server):
    order_id, variant_id = failed
    token = _order(order_id).token
    customer = shop.test_client()
    response = customer.post(f"/orders/{token}/pay-again")
    assert response.status_code == 303
    hosted = response.headers["Location"]
    assert "/pay/cs_test_" in hosted
    new = _order(_order(order_id).retry_order_id)
    assert new.status == OrderStatus.PENDING and new.email == "grace@example.com"
    assert [(li.variant_id, li.quantity) for li in new.lines] == [(variant_id, 2)]
    assert _stock(variant_id) == (5, 2)
    session = stripe_sandbox.store.get(new.stripe_checkout_session_id)
    assert session["customer_email"] == "grace@example.com"  # no retyping
    assert [li["quantity"] for li in session["_private"]["line_items"]] == [2]

    # A second click (or the link opened twice) goes back to the same checkout.
    again = customer.post(f"/orders/{token}/pay-again")
    assert again.headers["Location"] == hosted
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2

    status, _ = pay_on_hosted_page(hosted, email="grace@example.com")
    assert status == 303
    stripe_sandbox.deliver_pending()
    assert _order(new.id).status == OrderStatus.PAID
    assert _stock(variant_id) == (3, 0)
    paid_link = customer.post(f"/orders/{token}/pay-again")
    assert paid_link.headers["Location"].endswith(f"/orders/{new.token}")


@pytest.mark.parametrize("left, message", [
    (0, "RW-50 has sold out since"),
    (1, "only 1 of Royal Warrior+ Cream (50 ml) are left"),
])
def test_pay_again_says_plainly_when_the_jars_are_gone(shop, failed, stripe_sandbox, left,
                                                       message):
    order_id, variant_id = failed
    buy(shop, variant_id, 5 - left)  # someone else bought them meanwhile
    token = _order(order_id).token
    customer = shop.test_client()
    response = customer.post(f"/orders/{token}/pay-again")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/orders/{token}")
    page = customer.get(f"/orders/{token}").get_data(as_text=True)
    assert message.replace("RW-50", "Royal Warrior+ Cream (50 ml)") in page
    assert "Nothing was charged" in page
    assert _order(order_id).retry_order_id is None
    assert _stock(variant_id) == (5, 5 - left)  # only the other customer's hold


def test_only_failed_orders_can_be_paid_again(shop, failed, stripe_sandbox):
    order_id, variant_id = failed
    other = buy(shop, variant_id, 1)
    stripe_sandbox.deliver_pending()
    token = _order(other).token
    response = shop.test_client().post(f"/orders/{token}/pay-again")
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2
    assert shop.test_client().post("/orders/no-such-token/pay-again").status_code == 404
