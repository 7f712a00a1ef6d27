"""Disputes and early fraud warnings are recorded on the order, shown in the admin, emailed
to the owners, and make shipping the order ask for confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import OrderStatus, OutboxMessage
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import reloaded_order
from tests.test_admin_support import owner_client, staff_client


@pytest.fixture
def app_config(payment_config):
    return payment_config



def _mail(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_a_dispute_is_recorded_shown_and_emailed_once(shop, paid, stripe_sandbox):
    owner = owner_client(shop)
    intent = reloaded_order(paid).stripe_payment_intent_id
    dispute = stripe_sandbox.dispute(intent, reason="product_not_received")
    codes = [code for _, code in stripe_sandbox.deliver_pending()]
    assert codes == [200, 200]  # charge.dispute.created, charge.dispute.funds_withdrawn

    order = reloaded_order(paid)
    assert (order.stripe_dispute_id, order.dispute_status, order.dispute_reason,
            order.dispute_amount_cents) == (dispute["id"], "needs_response",
                                            "product_not_received", 7200)
    assert order.dispute_evidence_due_by == datetime.fromtimestamp(
        dispute["evidence_details"]["due_by"], tz=UTC)
    assert order.dispute_evidence_due_by - datetime.now(UTC) > timedelta(days=6)
    assert order.status == OrderStatus.PAID  # the money is held, the sale stands

    mails = _mail("dispute")
    assert [(m.recipients, m.order_id) for m in mails] == [(["owner@example.com"], paid)]
    assert "evidence is due by" in mails[0].text_body.lower()
    assert f"https://dashboard.stripe.com/test/payments/{intent}" in mails[0].text_body

    listing = owner.get("/admin/orders").get_data(as_text=True)
    assert "dispute: needs response" in listing
    dashboard = owner.get("/admin/").get_data(as_text=True)
    assert order.number in dashboard and "dispute: needs response" in dashboard
    assert order.dispute_evidence_due_by.strftime("%Y-%m-%d") in dashboard
    detail = owner.get(f"/admin/orders/{paid}").get_data(as_text=True)
    assert "Evidence due by" in detail and "$72.00" in detail
    assert f'href="https://dashboard.stripe.com/test/payments/{intent}"' in detail


def test_a_dispute_that_is_won_leaves_the_dashboard(shop, paid, stripe_sandbox):
    staff = staff_client(shop)
    dispute = stripe_sandbox.dispute(reloaded_order(paid).stripe_payment_intent_id)
    stripe_sandbox.deliver_pending()
    stripe_sandbox.update_dispute(dispute["id"], "under_review")
    stripe_sandbox.update_dispute(dispute["id"], "won")
    assert set(code for _, code in stripe_sandbox.deliver_pending()) == {200}
    assert reloaded_order(paid).dispute_status == "won"
    assert not reloaded_order(paid).needs_care
    dashboard = staff.get("/admin/").get_data(as_text=True)
    assert "No open disputes or fraud warnings." in dashboard


def test_dispute_events_out_of_order_keep_stripes_latest_state(shop, paid, stripe_sandbox):
    stripe_sandbox.hold_webhooks(True)
    dispute = stripe_sandbox.dispute(reloaded_order(paid).stripe_payment_intent_id)
    stripe_sandbox.update_dispute(dispute["id"], "lost")
    for event in reversed(stripe_sandbox.events()):
        if event["type"].startswith("charge.dispute."):
            assert stripe_sandbox.deliverer.attempt(event["id"]) == 200
    assert reloaded_order(paid).dispute_status == "lost"


def test_an_early_fraud_warning_is_recorded_and_emailed_once(shop, paid, stripe_sandbox):
    owner = owner_client(shop)
    stripe_sandbox.early_fraud_warning(reloaded_order(paid).stripe_payment_intent_id,
                                       "unauthorized_use_of_card")
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    event = stripe_sandbox.events("radar.early_fraud_warning.created")[0]
    assert stripe_sandbox.deliverer.attempt(event["id"]) == 200  # a repeat
    order = reloaded_order(paid)
    assert order.fraud_warning_type == "unauthorized_use_of_card"
    assert order.fraud_warning_at is not None and order.needs_care
    assert [m.recipients for m in _mail("fraud_warning")] == [["owner@example.com"]]
    assert "fraud warning" in owner.get("/admin/orders").get_data(as_text=True)
    dashboard = owner.get("/admin/").get_data(as_text=True)
    assert order.number in dashboard and "fraud warning: unauthorized use of card" in dashboard


@pytest.mark.parametrize("risk", ["dispute", "fraud_warning"])
def test_shipping_a_disputed_or_warned_order_asks_for_confirmation(shop, paid, stripe_sandbox,
                                                                   risk):
    client = staff_client(shop)
    intent = reloaded_order(paid).stripe_payment_intent_id
    if risk == "dispute":
        stripe_sandbox.dispute(intent)
    else:
        stripe_sandbox.early_fraud_warning(intent)
    stripe_sandbox.deliver_pending()
    form = client.get(f"/admin/orders/{paid}").get_data(as_text=True)
    assert 'name="confirm_risk"' in form

    refused = client.post(f"/admin/orders/{paid}/fulfil",
                          data={"carrier": "Royal Mail", "tracking": "RM1"})
    assert refused.status_code == 409
    assert "Tick the box to ship it anyway" in refused.get_data(as_text=True)
    assert reloaded_order(paid).status == OrderStatus.PAID

    confirmed = client.post(f"/admin/orders/{paid}/fulfil",
                            data={"carrier": "Royal Mail", "tracking": "RM1", "confirm_risk": "y"})
    assert confirmed.status_code == 303
    assert reloaded_order(paid).status == OrderStatus.FULFILLED


def test_an_order_without_risk_ships_without_the_question(shop, paid):
    client = staff_client(shop)
    assert 'name="confirm_risk"' not in client.get(f"/admin/orders/{paid}").get_data(
        as_text=True)
    response = client.post(f"/admin/orders/{paid}/fulfil",
                           data={"carrier": "Royal Mail", "tracking": "RM1"})
    assert response.status_code == 303 and reloaded_order(paid).status == OrderStatus.FULFILLED
