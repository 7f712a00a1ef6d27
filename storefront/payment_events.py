"""What each Stripe event does to the shop: a dict of handlers, shared by the webhook and
``stripe-reconcile`` (which replays the events whose webhook never arrived).

Every handler takes the caller's session, changes the database only through the conditional
rules of storefront.orders, storefront.refunds and storefront.disputes, and asks Stripe for
the current state of what the event names rather than trusting its body. So running a handler
twice, late, or after a later event changes nothing more than running it once in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import stripe
from sqlalchemy.orm import Session

from storefront import disputes, orders, pay_again, refunds
from storefront.payments import gateway

logger = logging.getLogger(__name__)

# A handler returns True when it changed something (reconcile reports those), else None/False.
Handler = Callable[[Session, stripe.StripeClient, Any], bool | None]


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
    pay_again.payment_failed(session, client, obj["id"])


def session_expired(session: Session, client: stripe.StripeClient, obj) -> None:
    order = orders.find_order(session, obj)
    if order is not None:
        orders.release_order(session, order, orders.OrderStatus.EXPIRED,
                             "Stripe session expired")


def refund_changed(session: Session, client: stripe.StripeClient, obj) -> bool:
    """``charge.refunded`` (a charge) or ``refund.*`` (a refund): sync the payment's refunds.

    If the payment itself is not recorded yet (its webhook is late), settle the session it
    belongs to first, so the order of events does not matter.
    """
    intent = orders.stripe_field(obj, "payment_intent")
    if not intent:
        return False  # not a Checkout payment: nothing of ours
    order = disputes.order_for_payment(session, intent)
    if order is None:
        for found in gateway.list_checkout_sessions(client, 0, payment_intent=intent):
            order = orders.fulfil_checkout(session, client, found["id"])
            break
    if order is None:
        logger.warning("refund event for payment %s that belongs to no order here", intent)
        return False
    return refunds.sync_refunds(session, client, order)


def dispute_changed(session: Session, client: stripe.StripeClient, obj) -> bool:
    return disputes.record_dispute(session, client, obj["id"])


def early_fraud_warning(session: Session, client: stripe.StripeClient, obj) -> bool:
    return disputes.record_early_fraud_warning(session, client, obj["id"])


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": session_completed,
    "checkout.session.async_payment_succeeded": async_payment_succeeded,
    "checkout.session.async_payment_failed": async_payment_failed,
    "checkout.session.expired": session_expired,
    "charge.refunded": refund_changed,
    "refund.created": refund_changed,
    "refund.updated": refund_changed,
    "refund.failed": refund_changed,
    "charge.dispute.created": dispute_changed,
    "charge.dispute.updated": dispute_changed,
    "charge.dispute.closed": dispute_changed,
    "charge.dispute.funds_withdrawn": dispute_changed,
    "charge.dispute.funds_reinstated": dispute_changed,
    "radar.early_fraud_warning.created": early_fraud_warning,
    "radar.early_fraud_warning.updated": early_fraud_warning,
}
# Events that are not about a Checkout Session: reconcile replays these from Stripe's log.
NON_SESSION_EVENTS = [t for t in HANDLERS if not t.startswith("checkout.session.")]
