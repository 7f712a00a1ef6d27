"""The checkout pages: start (reserve, then Stripe), success, cancel, the order's status page,
and the Stripe webhook. Views parse and render; the rules are in storefront.orders."""

from __future__ import annotations

import logging

import stripe
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from storefront import orders, pay_again
from storefront.cart import cart
from storefront.cart.origin_check import same_origin_only
from storefront.checkout import webhooks
from storefront.database import begin_write
from storefront.extensions import csrf, db
from storefront.inventory import InsufficientStock
from storefront.models import Order, OrderStatus
from storefront.payments import gateway

logger = logging.getLogger(__name__)

bp = Blueprint("checkout", __name__)

STRIPE_DOWN = ("We could not reach our payment provider just now, so nothing was charged. "
               "Your cart is as you left it: please try again in a minute.")


def _back_to_cart(notes: dict[int, str] | None = None, message: str | None = None):
    if notes:
        cart.set_notes(notes)
    if message:
        flash(message, "error")
    return redirect(url_for("cart.show"), code=303)


@bp.post("/checkout")
@same_origin_only
def start():
    """Reserve the cart's jars in a pending order, then send the customer to Stripe."""
    # Before the cart is checked: the jars this cart's open checkout holds are its own, and
    # would otherwise count against it ("sold out since you added it").
    resumed = _resume_open_checkout(cart.items())
    if resumed is not None:
        return resumed
    view = cart.load(db.session)
    if not view.lines:
        return _back_to_cart(message="Your cart is empty.")
    if view.problems:
        return _back_to_cart({line.variant.id: line.problem for line in view.problems},
                             "Please fix the highlighted line before checking out.")
    items = {line.variant.id: line.quantity for line in view.lines}
    config = current_app.config
    first_touch, last_touch = cart.touch_post_ids(db.session)
    try:
        order = orders.open_checkout(db.session, items, source_post_id=last_touch,
                                     first_touch_post_id=first_touch,
                                     hold_minutes=config["CHECKOUT_EXPIRY_MINUTES"])
    except orders.CheckoutRefused as refused:
        notes = {refused.variant_id: refused.message} if refused.variant_id else None
        return _back_to_cart(notes, refused.message)
    except InsufficientStock as short:
        return _back_to_cart({short.variant_id: str(short)},
                             "Someone bought the last jars while you were shopping: "
                             "please check the highlighted line.")
    checkout_session = _open_stripe_checkout(order)
    if checkout_session is None:
        return _back_to_cart(message=STRIPE_DOWN)
    cart.remember_checkout(order.token)
    return redirect(_hosted_page(checkout_session.url), code=303)


def _open_stripe_checkout(order: Order):
    """Create the order's Checkout Session and remember it; None if Stripe failed (the order
    is then released as failed, its jars back on the shelf)."""
    success_url = url_for("checkout.success", _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    cancel_url = url_for("checkout.cancel", order=order.token, _external=True)
    try:
        checkout_session = gateway.create_checkout_session(
            gateway.client(), order, success_url=success_url, cancel_url=cancel_url,
            config=current_app.config, shop_url=request.host_url)
    except stripe.StripeError as error:
        logger.warning("checkout %s: Stripe failed after retries: %s", order.number, error)
        begin_write(db.session)
        failed = db.session.get(Order, order.id)
        orders.release_order(db.session, failed, OrderStatus.FAILED,
                             f"Stripe did not answer: {type(error).__name__}")
        db.session.commit()
        return None
    begin_write(db.session)
    orders.attach_checkout_session(db.session, db.session.get(Order, order.id), checkout_session)
    db.session.commit()
    return checkout_session


def _hosted_page(url: str) -> str:
    if url.startswith("/"):  # the in-process sandbox: a page on whatever host served us
        url = request.root_url.rstrip("/") + url
    return url


def _resume_open_checkout(items: dict[int, int]):
    """A response if this cart already has a checkout open, else None (open a new one).

    Checking out one cart twice (a second tab, the back button, a double submit) used to open
    a second order: the jars were held twice (at the last jars the customer was told they had
    sold out, to themselves) and both payment pages could be paid. The same cart goes back to
    the payment page it opened; a changed cart gives the old checkout up first.
    """
    order = orders.order_by_token(db.session, cart.open_checkout_token() or "")
    if order is None or not order.stripe_checkout_session_id:
        return None
    session_id = order.stripe_checkout_session_id
    if order.status in orders.PAID_STATES:  # paid in the other tab: this cart is bought
        return redirect(url_for("checkout.success", session_id=session_id), code=303)
    if order.status != OrderStatus.PENDING:
        return None
    try:
        found = gateway.retrieve_checkout_session(gateway.client(), session_id)
    except stripe.StripeError as error:
        logger.warning("resuming checkout %s: Stripe unavailable: %s", order.number, error)
        return _back_to_cart(message=STRIPE_DOWN)
    if found.status == "complete":
        return redirect(url_for("checkout.success", session_id=session_id), code=303)
    ordered = {line.variant_id: line.quantity for line in order.lines}
    if found.status == "open" and ordered == items:
        return redirect(_hosted_page(found.url), code=303)
    return _give_up_checkout(order, "Replaced by a new checkout of a changed cart", STRIPE_DOWN)


def _give_up_checkout(order: Order, reason: str, unreachable: str):
    """Expire the order's Stripe session and give its jars back; None when done.

    Otherwise the response to send: the success page if the session was paid after all, or
    the cart saying ``unreachable`` if Stripe could not be asked (nothing is released then).
    """
    session_id = order.stripe_checkout_session_id
    client = gateway.client()
    try:
        try:
            gateway.expire_checkout_session(client, session_id)
        except stripe.InvalidRequestError:
            # Not open any more: paid in another tab, or already expired.
            found = gateway.retrieve_checkout_session(client, session_id)
            if found.status == "complete":
                return redirect(url_for("checkout.success", session_id=session_id), 303)
    except stripe.StripeError as error:
        logger.warning("giving up checkout %s: Stripe unavailable: %s", order.number, error)
        return _back_to_cart(message=unreachable)
    begin_write(db.session)
    orders.release_order(db.session, db.session.get(Order, order.id), OrderStatus.EXPIRED,
                         reason)
    db.session.commit()
    return None


@bp.get("/checkout/success")
def success():
    """Stripe sends the customer here after paying: settle the order if the webhook has not,
    and show it. Reloading changes nothing."""
    session_id = request.args.get("session_id", "")
    order = orders.order_by_checkout_session(db.session, session_id) if session_id else None
    if order is None:
        abort(404)
    awaiting = False
    if order.status == OrderStatus.PENDING:
        client = gateway.client()
        try:
            begin_write(db.session)
            orders.fulfil_checkout(db.session, client, session_id)
            db.session.commit()
            order = db.session.get(Order, order.id)
            if order.status == OrderStatus.PENDING:
                checkout_session = gateway.retrieve_checkout_session(client, session_id)
                awaiting = checkout_session.status == "complete"
        except stripe.StripeError as error:
            db.session.rollback()
            logger.warning("success page for %s: Stripe unavailable: %s", order.number, error)
            order = db.session.get(Order, order.id)
    if order.status != OrderStatus.PENDING or awaiting:
        cart.clear()
    return render_template("checkout/success.html", order=order, awaiting_payment=awaiting)


@bp.get("/checkout/cancel")
def cancel():
    """The customer left Stripe's page: expire the session there, give the jars back here."""
    order = orders.order_by_token(db.session, request.args.get("order", ""))
    if order is None:
        abort(404)
    if order.status == OrderStatus.PENDING and order.stripe_checkout_session_id:
        stopped = _give_up_checkout(order, "Cancelled by the customer",
                                    "Checkout was left. Your cart is as you left it.")
        if stopped is not None:
            return stopped
    flash("Checkout cancelled; nothing was charged. Your cart is as you left it.", "info")
    return redirect(url_for("cart.show"), code=303)


@bp.get("/orders/<token>")
def order_status(token: str):
    """The customer's page for one order, behind an unguessable link."""
    order = orders.order_by_token(db.session, token)
    if order is None:
        abort(404)
    return render_template("checkout/status.html", order=order,
                           can_pay_again=order.status == OrderStatus.FAILED
                           and bool(pay_again.items_of(order)))


@bp.post("/orders/<token>/pay-again")
@same_origin_only
def pay_again_start(token: str):
    """Pay again for a failed order's items: a new order and Checkout Session, or a plain
    message on the order's page when the jars are gone."""
    failed = orders.order_by_token(db.session, token)
    if failed is None:
        abort(404)
    here = url_for("checkout.order_status", token=token)
    if failed.status != OrderStatus.FAILED:
        flash("This order does not need paying again.", "info")
        return redirect(here, code=303)
    retry = db.session.get(Order, failed.retry_order_id) if failed.retry_order_id else None
    if retry is not None and retry.status in orders.PAID_STATES:
        return redirect(url_for("checkout.order_status", token=retry.token), code=303)
    if retry is not None and retry.status == OrderStatus.PENDING and (
            retry.stripe_checkout_session_id):
        try:
            found = gateway.retrieve_checkout_session(gateway.client(),
                                                      retry.stripe_checkout_session_id)
        except stripe.StripeError:
            flash(STRIPE_DOWN_AGAIN, "error")
            return redirect(here, code=303)
        if found.status == "open":
            return redirect(_hosted_page(found.url), code=303)
        if found.status == "complete":  # paid (or paying later) while its webhook is on the way
            return redirect(url_for("checkout.success", session_id=found.id), code=303)
    try:
        order = pay_again.reopen(db.session, failed, current_app.config["CHECKOUT_EXPIRY_MINUTES"])
    except orders.CheckoutRefused as refused:
        flash(f"{refused.message} Nothing was charged.", "error")
        return redirect(here, code=303)
    except InsufficientStock as short:
        flash(_sold_out_message(failed, short), "error")
        return redirect(here, code=303)
    if order.stripe_checkout_session_id is None:
        checkout_session = _open_stripe_checkout(order)
        if checkout_session is None:
            flash(STRIPE_DOWN_AGAIN, "error")
            return redirect(here, code=303)
        return redirect(_hosted_page(checkout_session.url), code=303)
    return redirect(url_for("checkout.order_status", token=order.token), code=303)


STRIPE_DOWN_AGAIN = ("We could not reach our payment provider just now, so nothing was charged. "
                     "Please try again in a minute.")


def _sold_out_message(failed: Order, short: InsufficientStock) -> str:
    name = next((f"{line.product_name} ({line.variant_label})" for line in failed.lines
                 if line.variant_id == short.variant_id), "One of the items")
    if short.available <= 0:
        return f"Sorry: {name} has sold out since, so this order cannot be paid again. " \
               "Nothing was charged."
    return (f"Sorry: only {short.available} of {name} are left and this order was for "
            f"{short.requested}, so it cannot be paid again as it was. Nothing was charged; "
            "you can buy what is left from the shop.")


bp.add_url_rule("/webhooks/stripe", "stripe_webhook", csrf.exempt(webhooks.receive),
                methods=["POST"])
