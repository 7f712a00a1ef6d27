"""Orders: list and search, detail with a timeline, mark shipped, refund through Stripe."""

from __future__ import annotations

import logging
from datetime import date

import stripe
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from storefront import shop_time
from storefront.admin.day_range import DayRangeForm
from storefront.admin.forms import ActionForm, FulfilForm, RefundForm
from storefront.admin.keyset import keyset_page
from storefront.admin.money import format_decimal
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.inventory import StockError, adjust_stock
from storefront.mail import queue_order_confirmation, queue_order_shipped
from storefront.models import (
    Order,
    OrderLine,
    OrderStatus,
    StockMovement,
    StockReason,
)
from storefront.money import format_money
from storefront.payments import gateway
from storefront.stock_alerts import check_low_stock

log = logging.getLogger(__name__)
PER_PAGE = 50
MIN_EMAIL_SEARCH = 3  # shorter text cannot use the trigram index
REFUNDABLE = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)
# Orders whose customer was sent a confirmation, so there is one to send again.
RESENDABLE = (*REFUNDABLE, OrderStatus.REFUNDED)


@bp.get("/orders")
def orders():
    """Orders newest first, filtered by status and dates, searched by number or email.

    Keyset pages on (created_at, id), and no count: both stay fast with a million orders."""
    args = {k: request.args.get(k, "").strip() for k in ("status", "from", "to", "q")}
    days = DayRangeForm(request.args)
    filters = {k: v for k, v in args.items() if v}
    if not days.validate():
        return render_template(
            "admin/orders.html", orders=[], page=None, args=args, days=days,
            statuses=[s.value for s in OrderStatus], filters=filters,
        ), 400
    query = select(Order).options(selectinload(Order.lines))
    if args["status"] in {s.value for s in OrderStatus}:
        query = query.where(Order.status == args["status"])
    # Days on the shop's clock, cut as the article report cuts them (shop_time.day_bounds).
    start, end = days.days
    if start:
        query = query.where(Order.created_at >= shop_time.day_start(start))
    if end and end < date.max:  # up to 9999-12-31: no upper bound
        query = query.where(Order.created_at < shop_time.day_bounds(end, end)[1])
    if q := args["q"][:254]:
        query = query.where(order_search(q))
    page = keyset_page(db.session, query, (Order.created_at, Order.id), PER_PAGE)
    return render_template(
        "admin/orders.html", orders=page.items, page=page, args=args, days=days,
        statuses=[s.value for s in OrderStatus], filters=filters,
    )


def order_search(q: str):
    """The exact order number, or (from three characters) an email, through an index.

    PostgreSQL matches any part of the email from its trigram index (pg_trgm); SQLite matches
    the start of it, as a range over the email's B-tree index (LIKE would scan the table).
    """
    number = Order.number == q.upper()
    if len(q) < MIN_EMAIL_SEARCH:
        return number
    if db.session.get_bind().dialect.name == "postgresql":
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return or_(number, Order.email.ilike(f"%{escaped}%"))
    prefix = q.lower()
    return or_(number, and_(Order.email >= prefix, Order.email < prefix + "\U0010ffff"))


def _load(order_id: int) -> Order:
    order = db.session.scalar(
        select(Order).where(Order.id == order_id).options(
            selectinload(Order.lines).selectinload(OrderLine.variant),
            selectinload(Order.events), selectinload(Order.source_post),
            selectinload(Order.refunds))
    )
    if order is None:
        abort(404)
    return order


def _ledger(order: Order) -> list[StockMovement]:
    """The order's own ledger rows, read through the index on ``stock_movement.order_id``."""
    return list(db.session.scalars(
        select(StockMovement).options(selectinload(StockMovement.variant),
                                      selectinload(StockMovement.admin_user))
        .where(StockMovement.order_id == order.id).order_by(StockMovement.id)
    ))


def _returned(movements: list[StockMovement]) -> dict[int, int]:
    """Jars of the order already put back on the shelf, per variant."""
    returned: dict[int, int] = {}
    for m in movements:
        if m.reason == StockReason.RETURN:
            returned[m.variant_id] = returned.get(m.variant_id, 0) + m.delta
    return returned


def _render_detail(order: Order, fulfil_form=None, refund_form=None, status=200,
                   restock_errors=None):
    movements = _ledger(order)
    timeline = sorted(
        [(e.created_at, e.kind, e.message, None) for e in order.events]
        + [(m.created_at, f"stock {m.reason}", f"{m.variant.sku}: {m.delta:+d} "
            f"(on hand {m.on_hand_after})", m.admin_user.email if m.admin_user else None)
           for m in movements],
        key=lambda row: row[0],
    )
    remaining = max(0, order.total_cents - order.refunded_cents - order.refund_pending_cents)
    if refund_form is None:
        refund_form = RefundForm(formdata=None, amount=format_decimal(remaining))
    return render_template(
        "admin/order_detail.html", order=order, timeline=timeline,
        fulfil_form=fulfil_form or FulfilForm(formdata=None, carrier=order.carrier),
        refund_form=refund_form, remaining=remaining, returned=_returned(movements),
        can_refund=order.status in REFUNDABLE and remaining > 0 and current_user.is_owner,
        restock_errors=restock_errors or {},
        can_resend=order.status in RESENDABLE and bool(order.email), action_form=ActionForm(),
        stripe_payment_url=(gateway.dashboard_payment_url(current_app.config,
                                                          order.stripe_payment_intent_id)
                            if order.stripe_payment_intent_id else None),
    ), status


@bp.get("/orders/<int:order_id>")
def order_detail(order_id: int):
    """Lines, amounts, payment and Stripe ids, address, source article and the timeline."""
    return _render_detail(_load(order_id))


@bp.post("/orders/<int:order_id>/fulfil")
def order_fulfil(order_id: int):
    """Mark a paid order shipped with carrier and tracking number; the customer is emailed."""
    order = _load(order_id)
    form = FulfilForm()
    if not form.validate_on_submit():
        return _render_detail(order, fulfil_form=form, status=422)
    if order.needs_care and not form.confirm_risk.data:
        # Shipping a disputed or fraud-warned order can lose the jars as well as the money.
        form.confirm_risk.errors.append(
            "This order is disputed or has a fraud warning. Tick the box to ship it anyway.")
        return _render_detail(order, fulfil_form=form, status=409)
    from storefront import orders as order_rules

    begin_write(db.session)
    order = db.session.get(Order, order_id)
    before = {"status": order.status}
    carrier, tracking = form.carrier.data.strip(), form.tracking.data.strip()
    if not order_rules.mark_fulfilled(db.session, order, carrier, tracking):
        db.session.rollback()
        flash(f"Order {order.number} is {order.status}; only paid orders can be shipped.",
              "error")
        return redirect(url_for("admin.order_detail", order_id=order_id), code=303)
    record(db.session, "order.fulfil", f"order:{order.number}", before=before,
           after={"status": OrderStatus.FULFILLED.value, "carrier": carrier,
                  "tracking": tracking})
    if queue_order_shipped(order) is not None:
        db.session.add(_event(order.id, "email", f"Shipping email queued for {order.email}"))
    db.session.commit()
    flash(f"Order {order.number} marked as shipped.", "success")
    return redirect(url_for("admin.order_detail", order_id=order_id), code=303)


@bp.post("/orders/<int:order_id>/resend-confirmation")
def order_resend_confirmation(order_id: int):
    """Send the order confirmation again (the customer lost it, or it went to spam)."""
    order = _load(order_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if order.status not in RESENDABLE or not order.email:
        flash(f"Order {order.number} is {order.status}; there is no confirmation to resend.",
              "error")
        return redirect(url_for("admin.order_detail", order_id=order_id), code=303)
    begin_write(db.session)
    order = db.session.get(Order, order_id)
    queue_order_confirmation(order)
    db.session.add(_event(order_id, "confirmation_email",
                          f"Confirmation queued again for {order.email} by "
                          f"{current_user.email}"))
    record(db.session, "order.resend_confirmation", f"order:{order.number}")
    db.session.commit()
    flash(f"Confirmation queued to go again to {order.email}.", "success")
    return redirect(url_for("admin.order_detail", order_id=order_id), code=303)


def _event(order_id: int, kind: str, message: str):
    from storefront.models import OrderEvent

    return OrderEvent(order_id=order_id, kind=kind, message=message)


def _restock_request(order: Order, returned: dict[int, int]):
    """Jars to put back per variant: ``restock_<line id>`` quantities, or all with ``restock``.

    Never more than were bought and have not already come back.
    """
    bought: dict[int, int] = {}
    for line in order.lines:
        if line.variant_id is not None:
            bought[line.variant_id] = bought.get(line.variant_id, 0) + line.quantity
    wanted: dict[int, int] = {}
    errors: dict[int, str] = {}
    for line in order.lines:
        text = request.form.get(f"restock_{line.id}", "").strip()
        if line.variant_id is None or not text:
            continue
        # isdigit() alone passes "²" and 5000-digit strings, both of which int() refuses.
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            errors[line.id] = "Enter a whole number."
        elif int(text):
            wanted[line.variant_id] = wanted.get(line.variant_id, 0) + int(text)
    if request.form.get("restock") in ("y", "on", "1", "true") and not wanted and not errors:
        wanted = {v: q - returned.get(v, 0) for v, q in bought.items()
                  if q - returned.get(v, 0) > 0}
    for line in order.lines:
        v = line.variant_id
        if v in wanted and wanted[v] + returned.get(v, 0) > bought[v]:
            errors[line.id] = f"At most {bought[v] - returned.get(v, 0)} can come back."
    return wanted, errors


@bp.post("/orders/<int:order_id>/refund")
def order_refund(order_id: int):
    """Refund all or part of a payment through Stripe, optionally putting jars back in stock."""
    order = _load(order_id)
    form = RefundForm()
    remaining = order.total_cents - order.refunded_cents - order.refund_pending_cents
    returned = _returned(_ledger(order))
    if not form.validate_on_submit():
        return _render_detail(order, refund_form=form, status=422)
    cents = form.amount.cents or 0
    if order.status not in REFUNDABLE or remaining <= 0:
        form.amount.errors.append(f"This order is {order.status}; nothing can be refunded.")
    elif cents <= 0:
        form.amount.errors.append("Enter an amount above zero.")
    elif cents > remaining:
        form.amount.errors.append(
            f"At most {format_money(remaining, order.currency)} can still be refunded.")
    elif not order.stripe_payment_intent_id:
        form.amount.errors.append("This order has no Stripe payment to refund.")
    restock, restock_errors = _restock_request(order, returned)
    if form.amount.errors or restock_errors:
        return _render_detail(order, refund_form=form, status=422,
                              restock_errors=restock_errors)

    from storefront.refunds import sync_refunds

    client = gateway.client()
    try:
        # The same request twice (a double click, a retry) refunds once; the count of refunds
        # already made, not the refunded total, keys it, so retrying after a refund failed
        # makes a new refund instead of replaying the failed one.
        refund = gateway.create_refund(client, order, cents,
                                       f"refund-{order.id}-{len(order.refunds)}-{cents}")
    except stripe.StripeError as exc:
        log.warning("refund of order %s failed: %s", order.number, exc)
        form.amount.errors.append(f"Stripe refused the refund: {exc.user_message or exc}")
        # Stripe unreachable or failing is a bad gateway; Stripe answering no (an unknown or
        # already refunded payment) is a refusal of this request, shown beside the field.
        upstream = isinstance(exc, (stripe.APIConnectionError, stripe.APIError))
        return _render_detail(order, refund_form=form, status=502 if upstream else 422)

    begin_write(db.session)
    order = db.session.get(Order, order_id)
    before = {"status": order.status, "refunded_cents": order.refunded_cents}
    amount = format_money(cents, order.currency)
    db.session.add(_event(order.id, "refund", f"Refund {refund.id} of {amount} requested by "
                                              f"{current_user.email}"))
    try:
        with db.session.begin_nested():
            # Counted only once Stripe says it succeeded; a pending one shows as pending.
            sync_refunds(db.session, client, order)
    except stripe.StripeError as exc:
        log.warning("refund %s of order %s made, but its status could not be read (%s); its "
                    "webhook will record it", refund.id, order.number, exc)
    problems = []
    for variant_id, quantity in sorted(restock.items()):
        try:
            adjust_stock(db.session, variant_id, reason=StockReason.RETURN, delta=quantity,
                         note=f"Return, order {order.number}", admin_user_id=current_user.id,
                         order_id=order.id)
        except StockError as exc:
            problems.append(str(exc))
    check_low_stock(db.session, list(restock))
    db.session.refresh(order)
    record(db.session, "order.refund", f"order:{order.number}", before=before,
           after={"status": order.status, "refunded_cents": order.refunded_cents,
                  "refund_id": refund.id, "amount_cents": cents,
                  "restocked": {str(k): v for k, v in restock.items()}})
    db.session.commit()
    done = "Refunded" if refund.status == "succeeded" else f"Refund {refund.status}:"
    flash(f"{done} {format_money(cents, order.currency)} on order {order.number}"
          + (f"; {sum(restock.values())} jar(s) back in stock." if restock else "."), "success")
    for problem in problems:
        flash(f"Restock not recorded: {problem}", "error")
    return redirect(url_for("admin.order_detail", order_id=order_id), code=303)
