"""The order state machine (DESIGN 2, 3): every payment settled exactly once.

States: ``pending -> paid -> fulfilled``; ``pending -> expired | failed``;
``paid | fulfilled -> partially_refunded | refunded``, and back when a refund fails
(storefront.refunds). Every transition is ONE conditional
UPDATE (``... WHERE status IN (allowed)``) whose rowcount says whether this caller won, so two
deliveries of one webhook, the success page and the webhook racing, or two cron hosts running
the sweep can never both apply a change: the loser changes nothing. Each transition writes an
OrderEvent for the order's timeline.

Public API (also used by the admin):

- ``open_checkout(session, items, ...)``: the checkout's unit of work: create the pending order
  and reserve its stock, committed (or nothing at all).
- ``fulfil_checkout(session, stripe_client, session_id) -> Order | None``: Stripe says paid ->
  pending -> paid, reserved jars become a sale, amounts recorded, confirmation queued.
- ``release_order(session, order, status, reason)``: pending -> expired | failed, stock given
  back.
- Refunds, disputes and failed pay-later payments live in storefront.refunds,
  storefront.disputes and storefront.pay_again.
- ``mark_fulfilled(session, order, carrier, tracking)``: paid -> fulfilled.

The cron sweeps built on these live in storefront.sweeps. Except ``open_checkout``, functions
take the caller's session, expect the caller to have called ``begin_write`` first, and do not
commit. Emails (confirmation, refund) and low-stock alerts are outbox rows in the same
transaction, so they go exactly when the change commits and never for one rolled back.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from storefront import inventory
from storefront.database import begin_write
from storefront.inventory import InsufficientStock
from storefront.limits import MAX_ORDER_CENTS
from storefront.mail import queue_order_confirmation
from storefront.models import Order, OrderEvent, OrderLine, OrderStatus, Variant, utcnow
from storefront.money import format_money
from storefront.payments import gateway
from storefront.stock_alerts import check_low_stock

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: a number read out over the phone cannot be misheard.
NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
NUMBER_PREFIX = "RW-"
PAID_STATES = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)


def order_too_large(currency: str) -> str:
    """Why no order may exceed MAX_ORDER_CENTS, for the customer: Stripe charges at most eight
    digits, and an order's amounts live in INTEGER columns (a larger sum overflowed them)."""
    from storefront.web import format_money

    return (f"An order can total at most {format_money(MAX_ORDER_CENTS, currency)} online; "
            "please lower a quantity, or write to us for a larger order.")


class CheckoutRefused(Exception):
    """The cart cannot be checked out as it stands; ``message`` is for the customer."""

    def __init__(self, message: str, variant_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.variant_id = variant_id


def new_order_number() -> str:
    return NUMBER_PREFIX + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def order_by_token(session: Session, token: str) -> Order | None:
    return session.scalar(select(Order).where(Order.token == token)) if token else None


def order_by_checkout_session(session: Session, session_id: str) -> Order | None:
    return session.scalar(select(Order).where(Order.stripe_checkout_session_id == session_id))


def _event(session: Session, order_id: int, kind: str, message: str = "") -> None:
    session.add(OrderEvent(order_id=order_id, kind=kind, message=message))


def _transition(session: Session, order: Order, allowed: tuple[str, ...], to: str,
                message: str = "", **values: Any) -> bool:
    """Move ``order`` to ``to`` if (and only if) it is still in one of ``allowed``.

    The WHERE clause is the rule: under concurrency exactly one caller sees rowcount 1.
    """
    result = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_([str(s) for s in allowed]))
        .values(status=str(to), updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    _event(session, order.id, str(to), message)
    session.expire(order)
    return True


# -- opening a checkout -------------------------------------------------------------------------


def place_order(session: Session, items: dict[int, int], *, source_post_id: int | None = None,
                first_touch_post_id: int | None = None, email: str = "",
                hold_minutes: int = 30) -> Order:
    """Create the pending order with lines copied from the database and hold its stock.

    Raises CheckoutRefused (a line that cannot be sold) or inventory.InsufficientStock; the
    caller rolls back, which also undoes any line already held. Does not commit.
    """
    if not items:
        raise CheckoutRefused("Your cart is empty.")
    variants = session.scalars(
        select(Variant).where(Variant.id.in_(items)).options(joinedload(Variant.product))
        .order_by(Variant.id)
    ).unique().all()
    found = {v.id: v for v in variants}
    for variant_id in sorted(items):
        variant = found.get(variant_id)
        if variant is None or not variant.product.active:
            raise CheckoutRefused("This product is no longer sold. Please remove it.",
                                  variant_id)
    currencies = {v.currency for v in variants}
    if len(currencies) != 1:
        raise CheckoutRefused("These items cannot be paid for together.")
    subtotal = sum(found[v].price_cents * q for v, q in items.items())
    if subtotal > MAX_ORDER_CENTS:
        raise CheckoutRefused(order_too_large(next(iter(currencies))))
    order = Order(
        number=new_order_number(),
        token=secrets.token_urlsafe(32),
        status=OrderStatus.PENDING,
        email=email,
        currency=currencies.pop(),
        subtotal_cents=subtotal,
        source_post_id=source_post_id,
        first_touch_post_id=first_touch_post_id,
        # Replaced by Stripe's own expiry once the session exists; set now so the sweep
        # also frees an order whose session was never created or never recorded.
        expires_at=utcnow() + timedelta(minutes=hold_minutes, seconds=gateway.EXPIRY_SLACK_SECONDS),
    )
    for variant in sorted(variants, key=lambda v: (v.product_id, v.position, v.id)):
        order.lines.append(OrderLine(
            variant_id=variant.id, sku=variant.sku, product_name=variant.product.name,
            variant_label=variant.label, unit_price_cents=variant.price_cents,
            quantity=items[variant.id],
        ))
    session.add(order)
    session.flush()
    inventory.reserve_stock(session, items.items())
    _event(session, order.id, "created",
           f"{order.item_count} item(s), stock reserved until payment")
    return order


def open_checkout(session: Session, items: dict[int, int], *,
                  source_post_id: int | None = None, first_touch_post_id: int | None = None,
                  hold_minutes: int = 30) -> Order:
    """The checkout's whole first unit of work: order + reservation, committed or not at all.

    This is what ``POST /checkout`` and the concurrency tests call. Raises CheckoutRefused or
    InsufficientStock after rolling back.
    """
    begin_write(session)
    try:
        order = place_order(session, items, source_post_id=source_post_id,
                            first_touch_post_id=first_touch_post_id, hold_minutes=hold_minutes)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return order


def attach_checkout_session(session: Session, order: Order, checkout_session) -> None:
    """Remember Stripe's session id and expiry on the order (caller commits)."""
    session.execute(
        update(Order).where(Order.id == order.id)
        .values(stripe_checkout_session_id=checkout_session.id,
                expires_at=datetime.fromtimestamp(checkout_session.expires_at, tz=utcnow().tzinfo),
                updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _event(session, order.id, "checkout_opened", f"Stripe session {checkout_session.id}")
    session.expire(order)


# -- releasing -------------------------------------------------------------------------------


def release_order(session: Session, order: Order, status: str = OrderStatus.EXPIRED,
                  reason: str = "") -> bool:
    """pending -> expired | failed, giving the held jars back. True if this call did it."""
    if status not in (OrderStatus.EXPIRED, OrderStatus.FAILED):
        raise ValueError("an order is released as expired or failed")
    if not _transition(session, order, (OrderStatus.PENDING,), status, reason):
        return False
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    held = [(line.variant_id, line.quantity) for line in lines if line.variant_id]
    if held:
        inventory.release_stock(session, held)
        check_low_stock(session, [variant_id for variant_id, _ in held])  # re-arms the alert
    return True


# -- paying ----------------------------------------------------------------------------------


def stripe_field(obj: Any, *path: str) -> Any:
    """Follow keys through Stripe objects or dicts; None where anything is missing.

    (StripeObject in SDK 16 is not a dict: it has no ``.get``, only item access.)"""
    for key in path:
        if obj is None:
            return None
        try:
            obj = obj[key]
        except (KeyError, TypeError, AttributeError):
            return None
    return obj


def _to_plain(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


def find_order(session: Session, checkout_session) -> Order | None:
    """The order a Stripe session belongs to: by stored session id, else by our metadata."""
    order = order_by_checkout_session(session, checkout_session.id)
    if order is not None:
        return order
    order_id = stripe_field(checkout_session, "metadata", "order_id") or stripe_field(
        checkout_session, "client_reference_id")
    try:
        order = session.get(Order, int(order_id)) if order_id else None
    except (TypeError, ValueError):
        return None
    if order is not None and order.stripe_checkout_session_id not in (None,
                                                                       checkout_session.id):
        return None  # metadata points at an order that belongs to another session
    return order


def fulfil_checkout(session: Session, stripe_client: stripe.StripeClient,
                    session_id: str) -> Order | None:
    """Settle a Checkout Session once Stripe says it is paid (DESIGN 3.3). Idempotent.

    Retrieves the session from Stripe (never trusting a webhook body or the browser), checks
    ``payment_status`` and that the subtotal and currency match the order's own lines, then in
    the caller's transaction: pending -> paid (conditional), reserved stock becomes a sale
    with one ledger row per line, and Stripe's amounts, email and shipping address are
    recorded. A mismatch leaves the order unpaid and is logged loudly. Returns the order (or
    None if the session is not one of ours); a second call finds it paid and changes nothing.
    """
    checkout_session = gateway.retrieve_checkout_session(stripe_client, session_id)
    order = find_order(session, checkout_session)
    if order is None:
        logger.warning("Stripe session %s belongs to no order here", session_id)
        return None
    if checkout_session.payment_status not in ("paid", "no_payment_required"):
        return order
    if order.status in PAID_STATES or order.status == OrderStatus.REFUNDED:
        return order
    if (checkout_session.currency or "").lower() != order.currency.lower() or (
            checkout_session.amount_subtotal != sum(li.total_cents for li in order.lines)):
        logger.error(
            "AMOUNT MISMATCH on order %s: Stripe session %s has %s %s, our lines total %s %s;"
            " the order stays unpaid until someone looks at it",
            order.number, session_id, checkout_session.amount_subtotal,
            checkout_session.currency, order.subtotal_cents, order.currency)
        _event(session, order.id, "amount_mismatch",
               f"Stripe {format_money(checkout_session.amount_subtotal, checkout_session.currency)}"
               f" vs order {format_money(order.subtotal_cents, order.currency)}")
        return order
    if order.status in (OrderStatus.EXPIRED, OrderStatus.FAILED):
        return _paid_after_release(session, order, checkout_session)
    if _mark_paid(session, order, checkout_session, (OrderStatus.PENDING,)):
        _sell(session, order)
    return order


def _sell(session: Session, order: Order) -> None:
    """The held jars become a sale, and owners hear of any size this leaves low. Every paid
    order (webhook, success page, sweeps) comes through here."""
    inventory.commit_sale(session, order)
    check_low_stock(session, [line.variant_id for line in order.lines if line.variant_id])


def _paid_values(checkout_session) -> dict[str, Any]:
    from flask import current_app

    totals = stripe_field(checkout_session, "total_details") or {}
    shipping = stripe_field(checkout_session, "collected_information", "shipping_details")
    details = stripe_field(checkout_session, "customer_details") or {}
    shipping_cents = stripe_field(totals, "amount_shipping") or 0
    return {
        "paid_at": utcnow(),
        "email": (stripe_field(details, "email")
                  or stripe_field(checkout_session, "customer_email") or ""),
        "shipping_cents": shipping_cents,
        "discount_cents": stripe_field(totals, "amount_discount") or 0,
        "tax_cents": stripe_field(totals, "amount_tax") or 0,
        "total_cents": checkout_session.amount_total or 0,
        "shipping_name": (stripe_field(shipping, "name")
                          or stripe_field(details, "name") or ""),
        "shipping_address": _to_plain(stripe_field(shipping, "address")),
        "shipping_method": gateway.shipping_method_name(current_app.config, shipping_cents),
        "stripe_payment_intent_id": stripe_field(checkout_session, "payment_intent"),
        "stripe_checkout_session_id": checkout_session.id,
    }


def _mark_paid(session: Session, order: Order, checkout_session,
               allowed: tuple[str, ...]) -> bool:
    won = _transition(session, order, allowed, OrderStatus.PAID,
                      f"Paid through Stripe session {checkout_session.id}",
                      **_paid_values(checkout_session))
    if won:
        _queue_confirmation(session, order, stripe_field(checkout_session, "metadata", "shop_url"))
    return won


def _paid_after_release(session: Session, order: Order, checkout_session) -> Order:
    """Stripe took the money for an order we had already released (a payment that cleared
    late, or a sweep that ran before Stripe's answer). Sell the jars if they are still there;
    otherwise leave it for a person to refund, logged loudly."""
    items = [(line.variant_id, line.quantity) for line in order.lines if line.variant_id]
    nested = session.begin_nested()
    try:
        inventory.reserve_stock(session, items)
    except InsufficientStock:
        nested.rollback()
        logger.error("order %s was paid after its stock was released and the stock is gone;"
                     " refund it from the admin", order.number)
        _event(session, order.id, "paid_after_release",
               "Paid at Stripe after release; stock no longer available. Refund needed.")
        return order
    nested.commit()
    if _mark_paid(session, order, checkout_session, (OrderStatus.EXPIRED, OrderStatus.FAILED)):
        _sell(session, order)
    else:
        inventory.release_stock(session, items)
    return order


def note_awaiting_payment(session: Session, order: Order) -> None:
    """A delayed payment method (bank debit) completed the session unpaid: say so."""
    if order.status == OrderStatus.PENDING:
        _event(session, order.id, "awaiting_payment",
               "Checkout completed; waiting for the payment to clear")


# -- after payment ---------------------------------------------------------------------------


def mark_fulfilled(session: Session, order: Order, carrier: str, tracking: str) -> bool:
    """paid -> fulfilled (shipped), with carrier and tracking number. True if this call did it."""
    return _transition(
        session, order, (OrderStatus.PAID,), OrderStatus.FULFILLED,
        f"Shipped with {carrier} {tracking}".strip(),
        fulfilled_at=utcnow(), carrier=carrier[:60], tracking_number=tracking[:120],
    )


# -- the confirmation email, exactly once --------------------------------------------------


def _queue_confirmation(session: Session, order: Order, base_url: str | None) -> None:
    """Queue the confirmation in the paying transaction, once (the claim is a conditional
    UPDATE), to the address Stripe gave us, which is now stored on the order."""
    claimed = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.confirmation_sent_at.is_(None))
        .values(confirmation_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not claimed:
        return
    session.expire(order)
    if queue_order_confirmation(order, base_url) is not None:
        _event(session, order.id, "confirmation_email", f"Confirmation queued for {order.email}")
