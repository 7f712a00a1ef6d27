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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.database import begin_write
from storefront.models import Order, OrderStatus, utcnow
from storefront.orders import find_order, fulfil_checkout, release_order, stripe_field
from storefront.payment_events import HANDLERS, NON_SESSION_EVENTS
from storefront.payments import gateway

logger = logging.getLogger(__name__)
RECONCILE_BATCH = 100  # one Stripe list page: its orders in one query


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
    order still holds stock are released. Refund, dispute and fraud-warning events of the
    window are replayed through the webhook's own handlers, once per payment or dispute, so
    one whose webhook was lost is applied. Idempotent like everything here.
    """
    created_gte = int((utcnow() - since).timestamp())
    results: list[SweepResult] = []
    seen: set[str] = set()
    for checkout_session in _skip_settled(
            session, gateway.list_checkout_sessions(stripe_client, created_gte)):
        seen.add(checkout_session.id)
        order = find_order(session, checkout_session)
        if order is None or order.status != OrderStatus.PENDING:
            session.rollback()
            continue
        session.rollback()
        _settle_one(session, results, echo, order.number,
                    lambda order=order, found=checkout_session: _settle_from_stripe(
                        session, stripe_client, order, found))
    done: set[tuple[str, str]] = set()
    for stripe_event in gateway.list_events(stripe_client, created_gte, NON_SESSION_EVENTS):
        obj = stripe_event.data.object
        # Matched on real ids only: a charge without a PaymentIntent is nothing of ours (it
        # once matched every free order, whose payment_intent is NULL, and refunded them).
        key = _event_target(stripe_event.type, obj)
        if key is None or key in done:
            continue
        done.add(key)
        _settle_one(session, results, echo, key[1],
                    lambda handler=HANDLERS[stripe_event.type], obj=obj, key=key: _sync_event(
                        session, stripe_client, handler, obj, key))
    return results


def _sync_event(session: Session, stripe_client: stripe.StripeClient, handler, obj,
                key: tuple[str, str]) -> str | None:
    """Apply one refund, dispute or fraud warning as its webhook would have, on its own."""
    begin_write(session)
    changed = handler(session, stripe_client, obj)
    session.commit()
    return f"{key[0]} brought up to date" if changed else None
def _skip_settled(session: Session, checkout_sessions: Iterable) -> Iterator:
    """The sessions (read through Stripe's auto-pagination) whose order may need repair.

    Most sessions of a window belong to orders long settled: their orders are looked up a
    batch of RECONCILE_BATCH at a time, one query each, and skipped, instead of one query
    per session."""
    pages = iter(checkout_sessions)
    while batch := list(islice(pages, RECONCILE_BATCH)):
        settled = set(session.scalars(
            select(Order.stripe_checkout_session_id).where(
                Order.stripe_checkout_session_id.in_([s.id for s in batch]),
                Order.status != OrderStatus.PENDING)))
        session.rollback()
        yield from (s for s in batch if s.id not in settled)


def _event_target(event_type: str, obj) -> tuple[str, str] | None:
    """What an event is about, so a window with ten refund events syncs the payment once:
    ("refunds", payment intent), ("dispute", id) or ("fraud warning", id); None if it
    names no payment."""
    intent = stripe_field(obj, "payment_intent")
    if not intent:
        return None
    if event_type.startswith(("charge.refunded", "refund.")):
        return ("refunds", intent)
    if event_type.startswith("charge.dispute."):
        return ("dispute", obj["id"])
    return ("fraud warning", obj["id"])
