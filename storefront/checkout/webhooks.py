"""Stripe's webhook: verify, record once, dispatch through a dict of handlers (DESIGN 3.5).

The event id is inserted into StripeEvent in the same transaction as the handler's changes:
a repeat finds the row and does nothing, and a crash half-way rolls both back so Stripe's
retry does the work again. Handlers never trust the event body for money: they ask Stripe for
the session's current state through storefront.orders, which is also why events arriving out
of order are harmless (an ``expired`` after ``completed`` finds the order paid and changes
nothing; the conditional UPDATEs make every transition happen at most once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import stripe
from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront import orders
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import Order, OrderStatus, StripeEvent
from storefront.payments import gateway

logger = logging.getLogger(__name__)

Handler = Callable[[Session, stripe.StripeClient, Any], None]


def session_completed(session: Session, client: stripe.StripeClient, obj) -> None:
    """Paid at once -> fulfil; completed but unpaid (a delayed method) -> note it and wait."""
    if orders.stripe_field(obj, "payment_status") in ("paid", "no_payment_required"):
        orders.fulfil_checkout(session, client, obj["id"])
        return
    order = orders.find_order(session, obj)
    if order is not None:
        orders.note_awaiting_payment(session, order)


def async_payment_succeeded(session: Session, client: stripe.StripeClient, obj) -> None:
    orders.fulfil_checkout(session, client, obj["id"])


def async_payment_failed(session: Session, client: stripe.StripeClient, obj) -> None:
    order = orders.find_order(session, obj)
    if order is not None:
        orders.release_order(session, order, OrderStatus.FAILED,
                             "The delayed payment failed at the bank")


def session_expired(session: Session, client: stripe.StripeClient, obj) -> None:
    order = orders.find_order(session, obj)
    if order is not None:
        orders.release_order(session, order, OrderStatus.EXPIRED, "Stripe session expired")


def charge_refunded(session: Session, client: stripe.StripeClient, obj) -> None:
    """Apply Stripe's refunded total; if the payment itself is not recorded yet (its webhook
    is late), settle the session it belongs to first, so order does not matter."""
    intent = orders.stripe_field(obj, "payment_intent")
    if not intent:
        return
    order = session.scalar(select(Order).where(Order.stripe_payment_intent_id == intent))
    if order is None:
        for found in gateway.list_checkout_sessions(client, 0, payment_intent=intent):
            order = orders.fulfil_checkout(session, client, found["id"])
            break
    if order is None:
        logger.warning("charge.refunded for payment %s that belongs to no order here", intent)
        return
    orders.apply_refund(session, order, obj["amount_refunded"])


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": session_completed,
    "checkout.session.async_payment_succeeded": async_payment_succeeded,
    "checkout.session.async_payment_failed": async_payment_failed,
    "checkout.session.expired": session_expired,
    "charge.refunded": charge_refunded,
}


def receive():
    """POST /webhooks/stripe: 400 for a bad signature (nothing changed), 2xx once handled
    or ignored, 500 when handling failed (Stripe retries)."""
    payload = request.get_data()
    try:
        event = gateway.construct_event(payload, request.headers.get("Stripe-Signature"),
                                        current_app.config["STRIPE_WEBHOOK_SECRET"])
    except (ValueError, stripe.SignatureVerificationError):
        return {"error": "invalid payload or signature"}, 400
    handler = HANDLERS.get(event.type)
    if handler is None:
        return {"status": "ignored", "type": event.type}, 200
    session = db.session
    begin_write(session)
    try:
        if session.get(StripeEvent, event.id) is not None:
            session.rollback()
            return {"status": "duplicate"}, 200
        session.add(StripeEvent(id=event.id, type=event.type))
        session.flush()
        handler(session, gateway.client(), event.data.object)
        session.commit()
    except IntegrityError:
        session.rollback()  # the same event, handled at this moment by another worker
        return {"status": "duplicate"}, 200
    except Exception:
        session.rollback()
        logger.exception("webhook %s (%s) failed; Stripe will retry", event.id, event.type)
        return {"error": "handler failed"}, 500
    return {"status": "ok"}, 200
