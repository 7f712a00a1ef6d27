"""Disputes and early fraud warnings, recorded on the order they threaten.

A dispute (``charge.dispute.*``) means the customer's bank took the money back until the
shop answers with evidence by a due date; an early fraud warning
(``radar.early_fraud_warning.created``) means the card issuer thinks the payment was fraud,
and a dispute will likely follow. Either way shipping the jars could lose them as well as the
money, so the order carries the facts (status, amount, evidence due date; the fraud type),
the admin shows them, fulfilling asks for confirmation, and the owners are emailed.

Handlers ask Stripe for the dispute's current state rather than trusting the event body, so
events arriving late, twice or out of order leave the order as Stripe sees it now; owners
are emailed only when the status actually changes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import stripe
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.models import Order, OrderEvent, utcnow
from storefront.payment_mail import tell_owners
from storefront.payments import gateway

logger = logging.getLogger(__name__)

STATUS_WORDS = {
    "warning_needs_response": "inquiry: answer needed",
    "warning_under_review": "inquiry under review",
    "warning_closed": "inquiry closed",
    "needs_response": "disputed: evidence needed",
    "under_review": "disputed: under review",
    "won": "dispute won",
    "lost": "dispute lost",
    "prevented": "dispute prevented",
    "appeal_needs_response": "appeal: evidence needed",
    "appeal_under_review": "appeal under review",
}


def order_for_payment(session: Session, payment_intent: str | None) -> Order | None:
    """The order paid by this PaymentIntent; never matches an order without one."""
    if not payment_intent:
        return None
    return session.scalar(select(Order).where(Order.stripe_payment_intent_id == payment_intent))


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency.upper()}"


def _when(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def record_dispute(session: Session, stripe_client: stripe.StripeClient, dispute_id: str) -> bool:
    """Store the dispute's current state on its order; True if it changed (owners emailed)."""
    dispute = gateway.retrieve_dispute(stripe_client, dispute_id)
    order = order_for_payment(session, dispute.payment_intent)
    if order is None:
        logger.warning("dispute %s is on payment %s, which belongs to no order here",
                       dispute.id, dispute.payment_intent)
        return False
    due = _when(dispute.evidence_details.due_by if dispute.evidence_details else None)
    result = session.execute(
        update(Order)
        .where(Order.id == order.id,
               (Order.stripe_dispute_id.is_(None)) | (Order.stripe_dispute_id != dispute.id)
               | (Order.dispute_status != dispute.status)
               | (Order.dispute_amount_cents != dispute.amount))
        .values(stripe_dispute_id=dispute.id, dispute_status=dispute.status,
                dispute_reason=(dispute.reason or "")[:60], dispute_amount_cents=dispute.amount,
                dispute_evidence_due_by=due, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.expire(order)
    words = STATUS_WORDS.get(dispute.status, dispute.status)
    amount = _money(dispute.amount, dispute.currency)
    session.add(OrderEvent(order_id=order.id, kind="dispute",
                           message=f"Dispute {dispute.id} ({dispute.reason}): {words}, {amount}"))
    due_text = f"Evidence is due by {due:%Y-%m-%d %H:%M} UTC.\n" if due and (
        order.dispute_open) else ""
    tell_owners(
        session, order, "dispute", f"Order {order.number}: {words}",
        f"The customer's bank disputes the payment of order {order.number} "
        f"({amount}, reason: {dispute.reason}). Status: {words}.\n{due_text}"
        "Do not ship it before you have looked at the dispute in Stripe:\n"
        f"{gateway.dashboard_payment_url(current_app.config, dispute.payment_intent)}")
    return True


def record_early_fraud_warning(session: Session, stripe_client: stripe.StripeClient,
                               warning_id: str) -> bool:
    """Mark the order as fraud-warned (once); True if this call did it (owners emailed)."""
    warning = gateway.retrieve_early_fraud_warning(stripe_client, warning_id)
    order = order_for_payment(session, warning.payment_intent)
    if order is None:
        logger.warning("early fraud warning %s is on payment %s, which belongs to no order here",
                       warning.id, warning.payment_intent)
        return False
    won = session.execute(
        update(Order).where(Order.id == order.id, Order.fraud_warning_type == "")
        .values(fraud_warning_type=warning.fraud_type[:60],
                fraud_warning_at=_when(warning.created), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not won:
        return False
    session.expire(order)
    kind = warning.fraud_type.replace("_", " ")
    session.add(OrderEvent(order_id=order.id, kind="fraud_warning",
                           message=f"Early fraud warning {warning.id}: {kind}"))
    tell_owners(
        session, order, "fraud_warning", f"Order {order.number}: early fraud warning",
        f"The card issuer reports the payment of order {order.number} as likely fraud "
        f"({kind}). A dispute usually follows. If the order has not shipped, consider "
        "refunding it instead of shipping it:\n"
        f"{gateway.dashboard_payment_url(current_app.config, warning.payment_intent)}")
    return True
