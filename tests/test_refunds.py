"""Refunds have Stripe's lifecycle: counted once succeeded, shown while pending, reverted and
reported to the owners when they fail; reconcile matches payments on real ids only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, OrderRefund, OrderStatus, OutboxMessage
from storefront.payments import gateway
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import reloaded_order
from tests.test_admin_support import owner_client


@pytest.fixture
def app_config(payment_config):
    return payment_config



def _intent(order_id: int) -> str:
    return reloaded_order(order_id).stripe_payment_intent_id


def _delivered(stripe_sandbox) -> list[int]:
    return [code for _, code in stripe_sandbox.deliver_pending()]


def test_a_pending_refund_shows_as_pending_and_counts_once_it_succeeds(shop, paid,
                                                                       stripe_sandbox):
    owner = owner_client(shop)
    stripe_sandbox.next_refunds_pending(True)
    response = owner.post(f"/admin/orders/{paid}/refund", data={"amount": "24"})
    assert response.status_code == 303
    order = reloaded_order(paid)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == (
        OrderStatus.PAID, 0, 2400)
    detail = owner.get(f"/admin/orders/{paid}").get_data(as_text=True)
    assert "Refund pending" in detail and "badge-refund-pending" in detail
    assert "Refund pending: $24.00 on order" in detail  # the flash, in dollars like the rest
    assert "Up to $48.00 can still be refunded" in detail
    assert "refund pending" in owner.get("/admin/orders").get_data(as_text=True)

    assert set(_delivered(stripe_sandbox)) == {200}  # charge.refunded, refund.created
    assert reloaded_order(paid).refunded_cents == 0  # still pending: nothing counted

    refund_id = db.session.scalar(select(OrderRefund.stripe_refund_id))
    stripe_sandbox.settle_refund(refund_id, "succeeded")
    assert _delivered(stripe_sandbox) == [200]  # refund.updated
    order = reloaded_order(paid)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == (
        OrderStatus.PARTIALLY_REFUNDED, 2400, 0)
    # The customer hears of it once, when the money is on its way, not while it was pending.
    told = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "order_refunded")).all()
    assert [(m.recipients, m.order_id) for m in told] == [(["ada@example.com"], paid)]
    assert "refunded $24.00" in told[0].text_body and order.number in told[0].subject


def test_a_failed_refund_reverts_the_amount_and_tells_the_owners(shop, paid, stripe_sandbox):
    owner = owner_client(shop)
    assert owner.post(f"/admin/orders/{paid}/refund", data={"amount": "72"}).status_code == 303
    assert set(_delivered(stripe_sandbox)) == {200}
    order = reloaded_order(paid)
    assert (order.status, order.refunded_cents) == (OrderStatus.REFUNDED, 7200)

    refund_id = db.session.scalar(select(OrderRefund.stripe_refund_id))
    stripe_sandbox.settle_refund(refund_id, "failed")  # the card was closed
    assert _delivered(stripe_sandbox) == [200]  # refund.failed
    order = reloaded_order(paid)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == (
        OrderStatus.PAID, 0, 0)
    refund = db.session.scalar(select(OrderRefund))
    assert (refund.status, refund.failure_reason) == ("failed", "expired_or_canceled_card")
    owners_mail = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind.not_in(["order_paid", "order_refunded"]))).all()
    assert [(m.kind, m.recipients, m.order_id) for m in owners_mail] == [
        ("refund_failed", ["owner@example.com"], paid)]
    assert owners_mail[0].subject.endswith(f"Refund failed on order {order.number}")
    assert "expired_or_canceled_card" in owners_mail[0].text_body
    detail = owner.get(f"/admin/orders/{paid}").get_data(as_text=True)
    assert "<strong>refund failed</strong>" in detail and "expired or canceled card" in detail
    assert "Up to $72.00 can still be refunded" in detail

    # Trying again makes a new refund (the failed one is not replayed from its idempotency key).
    assert owner.post(f"/admin/orders/{paid}/refund", data={"amount": "72"}).status_code == 303
    order = reloaded_order(paid)
    assert (order.status, order.refunded_cents) == (OrderStatus.REFUNDED, 7200)
    assert sorted(r.status for r in order.refunds) == ["failed", "succeeded"]


def test_refund_events_late_twice_and_in_reverse_reach_stripes_totals(shop, paid,
                                                                      stripe_sandbox):
    stripe_sandbox.hold_webhooks(True)
    client = gateway.client(shop)
    stripe_sandbox.next_refunds_pending(True)
    first = client.v1.refunds.create(params={"payment_intent": _intent(paid), "amount": 1000})
    stripe_sandbox.next_refunds_pending(False)
    client.v1.refunds.create(params={"payment_intent": _intent(paid), "amount": 2000})
    stripe_sandbox.settle_refund(first.id, "failed")
    events = [e for e in stripe_sandbox.events() if e["type"].startswith(("charge.ref", "refund"))]
    assert {e["type"] for e in events} == {"charge.refunded", "refund.created", "refund.failed"}
    for event in reversed(events):
        assert stripe_sandbox.deliverer.attempt(event["id"]) == 200
        assert stripe_sandbox.deliverer.attempt(event["id"]) == 200
    order = reloaded_order(paid)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == (
        OrderStatus.PARTIALLY_REFUNDED, 2000, 0)
    assert sorted((r.amount_cents, r.status) for r in order.refunds) == [
        (1000, "failed"), (2000, "succeeded")]


def test_a_refund_whose_webhooks_were_lost_is_applied_by_reconcile(shop, paid, stripe_sandbox,
                                                                   runner):
    stripe_sandbox.hold_webhooks(True)
    gateway.client(shop).v1.refunds.create(params={"payment_intent": _intent(paid),
                                                   "amount": 500})
    result = runner.invoke(args=["stripe-reconcile", "--since", "1d"])
    assert result.exit_code == 0, result.output
    assert "refunds brought up to date" in result.output
    assert reloaded_order(paid).refunded_cents == 500
    again = runner.invoke(args=["stripe-reconcile", "--since", "1d"])
    assert "Everything matches Stripe." in again.output


def test_reconcile_never_takes_a_charge_without_payment_intent_for_a_freereloaded_order(
        shop, paid, stripe_sandbox, runner):
    """A free order has no PaymentIntent; a charge refunded at Stripe that has none either
    (made outside Checkout) once matched it through ``payment_intent IS NULL``."""
    free = Order(number="RW-FREE0001", token="free-order-token", status=OrderStatus.PAID,
                 email="free@example.com", currency="usd", subtotal_cents=0, total_cents=0)
    db.session.add(free)
    db.session.commit()
    free_id = free.id
    # A charge made outside Checkout (no PaymentIntent), refunded through the real SDK.
    stripe_sandbox.store.put({**stripe_sandbox.store.get(
        stripe_sandbox.store.get(_intent(paid))["latest_charge"]),
        "id": "ch_outside_checkout", "payment_intent": None, "amount_refunded": 0,
        "refunded": False})
    stripe_sandbox.hold_webhooks(True)
    gateway.client(shop).v1.refunds.create(params={"charge": "ch_outside_checkout"})
    result = runner.invoke(args=["stripe-reconcile", "--since", "1d"])
    assert result.exit_code == 0, result.output
    order = reloaded_order(free_id)
    assert (order.status, order.refunded_cents) == (OrderStatus.PAID, 0)
    assert reloaded_order(paid).refunded_cents == 0
