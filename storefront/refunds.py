"""Refunds as Stripe reports them: a refund counts only once it has succeeded.

A card refund usually succeeds at once, but some stay ``pending`` for days and a few fail,
even after first succeeding (the card was closed). Stripe tells us through ``charge.refunded``,
``refund.created``, ``refund.updated`` and ``refund.failed``, in any order and perhaps twice.
So no handler trusts an event body or adds amounts up: each asks Stripe for every refund of
the payment, stores their statuses (OrderRefund) and recomputes the order's totals from them:
``refunded_cents`` from the succeeded, ``refund_pending_cents`` from the pending. A refund that
fails gives its amount back to the order (its status returns to paid or shipped if nothing
else was refunded) and the owners are told. Never restocks: that is the admin's choice.
"""

from __future__ import annotations

import stripe
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.models import Order, OrderEvent, OrderRefund, OrderStatus, RefundStatus, utcnow
from storefront.money import format_money
from storefront.payment_mail import tell_owners
from storefront.payments import gateway

REFUND_STATES = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED,
                 OrderStatus.REFUNDED)
WAITING = (RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION)



def sync_refunds(session: Session, stripe_client: stripe.StripeClient, order: Order) -> bool:
    """Bring the order's refunds and totals in line with Stripe's. True if anything changed.

    The order row is locked first (PostgreSQL), so two refund events of one payment handled
    at once take turns instead of both inserting the same refund. Caller commits.
    """
    if not order.stripe_payment_intent_id:
        return False
    session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    known = {r.stripe_refund_id: r for r in session.scalars(
        select(OrderRefund).where(OrderRefund.order_id == order.id))}
    changed = False
    for refund in gateway.list_refunds(stripe_client, order.stripe_payment_intent_id):
        row = known.get(refund.id)
        status = refund.status or RefundStatus.PENDING
        if row is None:
            row = OrderRefund(order_id=order.id, stripe_refund_id=refund.id,
                              amount_cents=refund.amount, status=status,
                              failure_reason=refund.failure_reason or "")
            session.add(row)
            known[refund.id] = row
            _event(session, order, f"refund_{status}",
                   f"Refund {refund.id} of {format_money(refund.amount, order.currency)}: {status}")
        elif row.status != status:
            _event(session, order, f"refund_{status}",
                   f"Refund {refund.id} of {format_money(refund.amount, order.currency)}: "
                   f"{row.status} -> {status}")
            row.status, row.failure_reason = status, refund.failure_reason or ""
        else:
            continue
        changed = True
        if status == RefundStatus.FAILED:
            _tell_failed(session, order, refund)
        elif status == RefundStatus.SUCCEEDED:
            _tell_customer(order, refund.amount)
    session.flush()
    succeeded = sum(r.amount_cents for r in known.values() if r.status == RefundStatus.SUCCEEDED)
    pending = sum(r.amount_cents for r in known.values() if r.status in WAITING)
    return _set_totals(session, order, succeeded, pending) or changed


def _set_totals(session: Session, order: Order, succeeded: int, pending: int) -> bool:
    """Store the refunded and pending totals and the status they imply (one conditional
    UPDATE: an order that is not paid is never touched)."""
    if succeeded >= order.total_cents and succeeded > 0:
        status = OrderStatus.REFUNDED
    elif succeeded > 0:
        status = OrderStatus.PARTIALLY_REFUNDED
    else:
        status = OrderStatus.FULFILLED if order.fulfilled_at else OrderStatus.PAID
    before = order.status
    result = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_([str(s) for s in REFUND_STATES]),
               (Order.refunded_cents != succeeded) | (Order.refund_pending_cents != pending))
        .values(status=str(status), refunded_cents=succeeded, refund_pending_cents=pending,
                updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    if status != before:
        _event(session, order, str(status),
               f"Refunded {format_money(succeeded, order.currency)} in total" if succeeded
               else "No refund has gone through: the payment stands in full")
    session.expire(order)
    return True


def _event(session: Session, order: Order, kind: str, message: str) -> None:
    session.add(OrderEvent(order_id=order.id, kind=kind[:40], message=message))


def _tell_customer(order: Order, cents: int) -> None:
    """The customer hears of a refund once the money is on its way back, not before."""
    from storefront.mail import queue_customer_email

    queue_customer_email("order_refunded", order,
                         amount=format_money(cents, order.currency))


def _tell_failed(session: Session, order: Order, refund) -> None:
    amount = format_money(refund.amount, order.currency)
    tell_owners(
        session, order, "refund_failed",
        f"Refund failed on order {order.number}",
        f"Stripe could not return {amount} to the customer of order {order.number} "
        f"(refund {refund.id}, reason: {refund.failure_reason or 'not given'}).\n"
        "The amount counts as not refunded again. Contact the customer and refund them "
        "another way, or try again from the admin.")
