"""The Stripe webhook: signatures, repeats, reverse order, unknown types."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import (
    Order,
    OrderStatus,
    OutboxMessage,
    StockMovement,
    StripeEvent,
    Variant,
)
from storefront.payments import gateway
from storefront.payments.sandbox import signature_header
from tests.conftest import deliver_mail, make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import WEBHOOK_SECRET, pay_on_hosted_page


@pytest.fixture
def app_config(payment_config):
    return payment_config


@pytest.fixture
def cream(shop, session):
    return make_product(variants=[("RW-50", "50 ml", 2400, 10)]).variants[0].id


def _post(client, payload: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/webhooks/stripe", data=payload, headers=headers)


def _deliver(client, event: dict) -> int:
    body = json.dumps({k: v for k, v in event.items() if k != "delivery"}).encode()
    return _post(client, body, signature_header(body, WEBHOOK_SECRET)).status_code


def _buy(client, quantity: int) -> str:
    client.post("/cart/add", data={"variant_id": 1, "quantity": quantity})
    return client.post("/checkout").headers["Location"]


def _state():
    db.session.expire_all()
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    variant = db.session.scalar(select(Variant))
    return (
        [(o.status, o.refunded_cents, o.total_cents, o.confirmation_sent_at is not None)
         for o in orders],
        (variant.on_hand, variant.reserved),
        db.session.scalar(select(func.count()).select_from(StockMovement)),
        sorted(e.kind for o in orders for e in o.events),
    )


def test_bad_or_missing_signature_is_400_and_changes_nothing(client, cream, stripe_sandbox):
    stripe_sandbox.hold_webhooks(True)
    url = _buy(client, 2)
    pay_on_hosted_page(url)
    event = stripe_sandbox.events("checkout.session.completed")[0]
    body = json.dumps({k: v for k, v in event.items() if k != "delivery"}).encode()
    assert _post(client, body, None).status_code == 400
    assert _post(client, body, signature_header(body, "whsec_wrong")).status_code == 400
    assert _post(client, body + b" ", signature_header(body, WEBHOOK_SECRET)).status_code == 400
    assert _post(client, b"not json", signature_header(b"not json", WEBHOOK_SECRET)
                 ).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0
    assert db.session.scalar(select(Order)).status == OrderStatus.PENDING
    assert _deliver(client, event) == 200
    assert db.session.scalar(select(Order)).status == OrderStatus.PAID


def test_unknown_event_types_get_2xx(client, cream):
    body = json.dumps({"id": "evt_x", "object": "event", "type": "customer.created",
                       "data": {"object": {"id": "cus_1", "object": "customer"}}}).encode()
    assert _post(client, body, signature_header(body, WEBHOOK_SECRET)).status_code == 200


def _scenario(client, stripe_sandbox, smtp_server) -> list[dict]:
    """Order 1 paid then refunded twice (partially, then the rest); order 2 cancelled;
    order 3 paid by a delayed method that failed. Webhooks held: returns the events."""
    stripe_sandbox.hold_webhooks(True)
    first = _buy(client, 2)
    pay_on_hosted_page(first)
    other = client.application.test_client()
    second = _buy(other, 3)
    token = db.session.scalars(select(Order).order_by(Order.id.desc())).first().token
    other.get(f"/checkout/cancel?order={token}")
    third_client = client.application.test_client()
    third = _buy(third_client, 1)
    pay_on_hosted_page(third, outcome="delayed_failure")
    stripe_sandbox.deliver_pending()  # settles the delayed payment (held: nothing sent)
    stripe_client = gateway.client(client.application)
    intent = stripe_sandbox.store.get(first.rsplit("/", 1)[1])["payment_intent"]
    stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 1000})
    stripe_client.v1.refunds.create(params={"payment_intent": intent})
    assert second
    return [e for e in stripe_sandbox.events()]


def test_every_event_twice_in_reverse_order_gives_the_same_end_state(client, cream,
                                                                     stripe_sandbox,
                                                                     smtp_server):
    events = _scenario(client, stripe_sandbox, smtp_server)
    kinds = [e["type"] for e in events]
    assert {"checkout.session.completed", "checkout.session.expired", "charge.refunded",
            "checkout.session.async_payment_failed", "refund.created"} <= set(kinds)
    for event in reversed(events):
        assert _deliver(client, event) == 200
        assert _deliver(client, event) == 200
    reverse_state = _state()
    orders, stock, ledger, _ = reverse_state
    assert orders[0][:2] == (OrderStatus.REFUNDED, orders[0][2])
    assert orders[0][3] is True
    assert orders[1][0] == OrderStatus.EXPIRED and orders[2][0] == OrderStatus.FAILED
    assert stock == (8, 0) and ledger == 1  # refunds never restock by themselves
    # The pay-again email of order 3, queued once.
    assert db.session.scalars(select(OutboxMessage.order_id)
                              .where(OutboxMessage.kind == "payment_failed")).all() == [3]
    assert _mail_sent(client.application, smtp_server) == [
        "order_paid", "order_refunded", "order_refunded", "payment_failed"]
    handled = db.session.scalar(select(func.count()).select_from(StripeEvent))
    assert handled == len(kinds)


def test_events_once_in_order_reach_the_same_state(client, cream, stripe_sandbox, smtp_server):
    _scenario(client, stripe_sandbox, smtp_server)
    stripe_sandbox.hold_webhooks(False)
    assert all(code == 200 for _, code in stripe_sandbox.deliver_pending())
    orders, stock, ledger, _ = _state()
    assert orders[0][:2] == (OrderStatus.REFUNDED, orders[0][2])
    assert [o[0] for o in orders[1:]] == [OrderStatus.EXPIRED, OrderStatus.FAILED]
    assert stock == (8, 0) and ledger == 1
    assert _mail_sent(client.application, smtp_server) == [
        "order_paid", "order_refunded", "order_refunded", "payment_failed"]


def _mail_sent(app, smtp_server) -> list[str]:
    """Deliver the outbox like the mail worker; the kinds of email sent, sorted."""
    assert deliver_mail(app) == 0
    db.session.rollback()
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.status == "sent")
                               .order_by(OutboxMessage.kind)).all()
    assert len(smtp_server.messages) == len(kinds)
    return kinds


def test_expired_after_completed_changes_nothing(client, cream, stripe_sandbox):
    url = _buy(client, 1)
    pay_on_hosted_page(url)
    stripe_sandbox.deliver_pending()
    session_obj = stripe_sandbox.store.get(url.rsplit("/", 1)[1])
    fake = {"id": "evt_fake_expired", "object": "event", "type": "checkout.session.expired",
            "data": {"object": {**{k: v for k, v in session_obj.items()
                                   if not k.startswith("_")}, "status": "expired"}}}
    assert _deliver(client, fake) == 200
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.PAID
    assert db.session.scalar(select(Variant)).reserved == 0
