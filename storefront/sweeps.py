"""The cron sweeps: repair what webhooks did not (DESIGN 3.4), safe to run anywhere, often.

``release_expired`` releases pending orders past their expiry, asking Stripe first: a session
paid after all is fulfilled instead. ``reconcile`` walks Stripe's sessions and refund events in
a window and repairs orders whose webhook never arrived. Both are built only from the
conditional transitions of storefront.orders, so two hosts running them at once, or a webhook
landing mid-sweep, change each order at most once. Each order is its own transaction, and one
that fails (bad data, a database error) is rolled back, logged and reported as failed while
the sweep goes on with the next: the commands then exit non-zero.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.database import begin_write
from storefront.models import Order, OrderStatus, utcnow
from storefront.orders import (
    apply_refund,
    find_order,
    fulfil_checkout,
    release_order,
)
from storefront.payments import gateway

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    order: str
    action: str
    failed: bool = False

    def __str__(self) -> str:
        return f"{self.order}: {self.action}"


def _settle_one(session: Session, results: list[SweepResult], echo: Callable[[str], None],
                number: str, work: Callable[[], str | None]) -> None:
    """Run one order's unit of work; a failure is rolled back, logged and counted, never raised,
    so one bad order cannot stop the orders after it."""
    try:
        action = work()
    except Exception as error:
        session.rollback()
        logger.exception("sweep: order %s failed; going on with the next", number)
        results.append(SweepResult(number, f"FAILED ({type(error).__name__}: {error})"[:300],
                                   failed=True))
    else:
        if not action:
            return
        results.append(SweepResult(number, action))
    echo(str(results[-1]))


def _settle_from_stripe(session: Session, stripe_client: stripe.StripeClient, order: Order,
                        checkout_session) -> str | None:
    """Bring one pending order in line with what Stripe says about its session."""
    status = checkout_session.status
    if checkout_session.payment_status in ("paid", "no_payment_required"):
        begin_write(session)
        result = fulfil_checkout(session, stripe_client, checkout_session.id)
        session.commit()
        return "paid at Stripe: fulfilled" if result is not None and (
            result.status == OrderStatus.PAID) else None
    if status == "expired":
        begin_write(session)
        order = session.get(Order, order.id)
        done = release_order(session, order, OrderStatus.EXPIRED,
                             "Stripe session expired (found by the sweep)")
        session.commit()
        return "expired at Stripe: stock released" if done else None
    return None


def release_expired(session: Session, stripe_client: stripe.StripeClient,
                    now: datetime | None = None,
                    echo: Callable[[str], None] = lambda _: None) -> list[SweepResult]:
    """The sweep of DESIGN 3.4: pending orders past expires_at are released, unless paid.

    It asks Stripe about each session first: a session that was paid after all is fulfilled
    instead, one still open past our expiry is expired at Stripe first (so it can no longer
    be paid), one we cannot ask about is left for the next run. Every change is a conditional
    UPDATE, so cron may run this every few minutes on one host or several.
    """
    now = now or utcnow()
    due = session.scalars(
        select(Order).where(Order.status == OrderStatus.PENDING, Order.expires_at.is_not(None),
                            Order.expires_at <= now).order_by(Order.id)
    ).all()
    session.rollback()
    results: list[SweepResult] = []
    for order in due:
        _settle_one(session, results, echo, order.number,
                    lambda order=order: _sweep_one(session, stripe_client, order))
    return results


def _sweep_one(session: Session, stripe_client: stripe.StripeClient, order: Order) -> str | None:
    session_id = order.stripe_checkout_session_id
    number = order.number
    if session_id is None:
        begin_write(session)
        order = session.get(Order, order.id)
        done = release_order(session, order, OrderStatus.FAILED, "No Stripe session was made")
        session.commit()
        return "no Stripe session: stock released" if done else None
    try:
        checkout_session = gateway.retrieve_checkout_session(stripe_client, session_id)
        if checkout_session.status == "open":
            checkout_session = gateway.expire_checkout_session(stripe_client, session_id)
    except stripe.InvalidRequestError:
        # Expiring failed because the session just completed or expired: look again.
        try:
            checkout_session = gateway.retrieve_checkout_session(stripe_client, session_id)
        except stripe.StripeError as error:
            logger.warning("sweep: cannot ask Stripe about %s: %s", number, error)
            return None
    except stripe.StripeError as error:
        logger.warning("sweep: cannot ask Stripe about %s: %s", number, error)
        return None
    return _settle_from_stripe(session, stripe_client, order, checkout_session)


def reconcile(session: Session, stripe_client: stripe.StripeClient, since: timedelta,
              echo: Callable[[str], None] = lambda _: None) -> list[SweepResult]:
    """Repair orders whose webhook never arrived, from Stripe's own records of ``since``.

    Sessions paid at Stripe but pending here are fulfilled; sessions expired there whose
    order still holds stock are released. Events of the window are read too, so a refund
    whose webhook was lost is applied. Idempotent like everything here.
    """
    created_gte = int((utcnow() - since).timestamp())
    results: list[SweepResult] = []
    seen: set[str] = set()
    for checkout_session in gateway.list_checkout_sessions(stripe_client, created_gte):
        seen.add(checkout_session.id)
        order = find_order(session, checkout_session)
        if order is None or order.status != OrderStatus.PENDING:
            session.rollback()
            continue
        session.rollback()
        _settle_one(session, results, echo, order.number,
                    lambda order=order, found=checkout_session: _settle_from_stripe(
                        session, stripe_client, order, found))
    for stripe_event in gateway.list_events(stripe_client, created_gte, ["charge.refunded"]):
        charge = stripe_event.data.object
        order = session.scalar(
            select(Order).where(Order.stripe_payment_intent_id == charge.payment_intent))
        session.rollback()
        if order is None:
            continue
        _settle_one(session, results, echo, order.number,
                    lambda order_id=order.id, charge=charge: _refund_from_stripe(
                        session, order_id, charge))
    return results


def _refund_from_stripe(session: Session, order_id: int, charge) -> str | None:
    begin_write(session)
    order = session.get(Order, order_id)
    done = apply_refund(session, order, charge.amount_refunded)
    session.commit()
    return f"refund of {charge.amount_refunded} applied" if done else None
