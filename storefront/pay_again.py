"""A pay-later payment that failed at the bank, and paying for the same jars again.

When ``checkout.session.async_payment_failed`` arrives the order shows "payment failed", its
jars go back on the shelf, the customer's email (from Stripe's session) is kept on the order,
and the customer is emailed a link to the order's page, where one button pays again: a new
pending order for the same items, stock reserved again if it is still there, and a new
Checkout Session. The failed order points at the order that took over (``retry_order_id``),
so a second click resumes that checkout instead of holding the jars twice.
"""

from __future__ import annotations

import stripe
from sqlalchemy import update
from sqlalchemy.orm import Session

from storefront import orders
from storefront.database import begin_write
from storefront.models import Order, OrderEvent, OrderStatus, utcnow
from storefront.payments import gateway


def payment_failed(session: Session, stripe_client: stripe.StripeClient,
                   session_id: str) -> Order | None:
    """Release the order as failed, keep the customer's email, and email them (once)."""
    checkout_session = gateway.retrieve_checkout_session(stripe_client, session_id)
    order = orders.find_order(session, checkout_session)
    if order is None:
        return None
    email = (orders.stripe_field(checkout_session, "customer_details", "email")
             or checkout_session.customer_email or "")
    if not orders.release_order(session, order, OrderStatus.FAILED,
                                "The delayed payment failed at the bank"):
        return order
    if email and not order.email:
        session.execute(update(Order).where(Order.id == order.id)
                        .values(email=email, updated_at=utcnow())
                        .execution_options(synchronize_session=False))
        session.expire(order)
    if order.email:
        base_url = orders.stripe_field(checkout_session, "metadata", "shop_url")
        _email_customer(session, order, base_url)
    return order


def _email_customer(session: Session, order: Order, base_url: str | None) -> None:
    from storefront.mail import queue_customer_email

    queue_customer_email("payment_failed", order, base_url)
    session.add(OrderEvent(order_id=order.id, kind="payment_failed_email",
                                  message=f"Pay-again link sent to {order.email}"))


def items_of(order: Order) -> dict[int, int]:
    """The jars the order was for, per variant (lines of since-deleted sizes left out)."""
    items: dict[int, int] = {}
    for line in order.lines:
        if line.variant_id is not None:
            items[line.variant_id] = items.get(line.variant_id, 0) + line.quantity
    return items


def reopen(session: Session, failed: Order, hold_minutes: int) -> Order:
    """A new pending order for the failed order's items, stock held; committed.

    Raises orders.CheckoutRefused or inventory.InsufficientStock (nothing held then). If
    another click got there first, returns the order it opened instead.
    """
    begin_write(session)
    try:
        order = orders.place_order(session, items_of(failed), source_post_id=failed.source_post_id,
                                   first_touch_post_id=failed.first_touch_post_id,
                                   email=failed.email, hold_minutes=hold_minutes)
        claimed = session.execute(
            update(Order)
            .where(Order.id == failed.id, Order.status == OrderStatus.FAILED,
                   Order.retry_order_id.is_not_distinct_from(failed.retry_order_id))
            .values(retry_order_id=order.id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not claimed:
            session.rollback()
            session.expire(failed)
            return session.get(Order, failed.retry_order_id)
        session.add(OrderEvent(order_id=failed.id, kind="paid_again",
                               message=f"Paid again as order {order.number}"))
        session.add(OrderEvent(order_id=order.id, kind="retry_of",
                               message=f"Pays again for order {failed.number}"))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return order
