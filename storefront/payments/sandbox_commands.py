"""`flask stripe-sandbox ...`: what the card network does, on the offline sandbox.

Disputes, early fraud warnings and refunds that stay pending or fail never come from the
shop's own API calls, so a developer running ``make run`` has no button for them on the
hosted page. These commands raise them on the sandbox the app uses and deliver the
resulting webhooks at once, so every payment outcome can be walked through by hand.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, OrderRefund
from storefront.payments import gateway
from storefront.payments.sandbox.disputes import DISPUTE_STATUSES, FRAUD_TYPES
from storefront.payments.sandbox.errors import StripeError


class _SandboxGroup(click.Group):
    """What the sandbox refuses (an unknown dispute, a charge already disputed, a closed
    dispute) is the user's mistake: say so in one line and exit 1, without a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StripeError as error:
            raise click.ClickException(error.message) from error


group = _SandboxGroup("stripe-sandbox", help=__doc__.split("\n\n")[0])


def _sandbox():
    found = gateway.sandbox(current_app)
    if found is None:
        raise click.ClickException("The app talks to Stripe itself (STRIPE_SECRET_KEY is set); "
                                   "these commands only drive the offline sandbox.")
    return found


def _payment(order_number: str) -> str:
    order = db.session.scalar(select(Order).where(Order.number == order_number.strip().upper()))
    if order is None:
        raise click.BadParameter(f"no order {order_number}", param_hint="ORDER")
    if not order.stripe_payment_intent_id:
        raise click.BadParameter(f"order {order.number} has no payment", param_hint="ORDER")
    return order.stripe_payment_intent_id


def _deliver(sandbox, seen: set[str]) -> None:
    """Wait until the shop got the events this command caused, and say how it answered."""
    sandbox.wait_for_webhooks()
    for event in sandbox.events():
        if event["id"] not in seen:
            answers = ", ".join(f"HTTP {s}" for s in (event["delivery"] or {}).get("attempts", []))
            click.echo(f"webhook {event['type']} ({event['id']}): {answers or 'not delivered'}")


def _seen(sandbox) -> set[str]:
    return {event["id"] for event in sandbox.events()}


@group.command("dispute")
@click.argument("order")
@click.option("--reason", default="fraudulent", show_default=True)
@with_appcontext
def dispute(order: str, reason: str) -> None:
    """The customer's bank disputes the payment of ORDER (its number)."""
    sandbox = _sandbox()
    seen = _seen(sandbox)
    opened = sandbox.dispute(_payment(order), reason=reason)
    click.echo(f"dispute {opened['id']} opened, evidence due in 7 days")
    _deliver(sandbox, seen)


@group.command("dispute-status")
@click.argument("dispute_id")
@click.argument("status", type=click.Choice(DISPUTE_STATUSES))
@with_appcontext
def dispute_status(dispute_id: str, status: str) -> None:
    """Move a dispute on (under_review, won, lost...)."""
    sandbox = _sandbox()
    seen = _seen(sandbox)
    sandbox.update_dispute(dispute_id, status)
    click.echo(f"dispute {dispute_id} is {status}")
    _deliver(sandbox, seen)


@group.command("fraud-warning")
@click.argument("order")
@click.option("--type", "fraud_type", type=click.Choice(FRAUD_TYPES),
              default="made_with_stolen_card", show_default=True)
@with_appcontext
def fraud_warning(order: str, fraud_type: str) -> None:
    """The card issuer raises an early fraud warning on the payment of ORDER."""
    sandbox = _sandbox()
    seen = _seen(sandbox)
    warning = sandbox.early_fraud_warning(_payment(order), fraud_type)
    click.echo(f"early fraud warning {warning['id']} raised")
    _deliver(sandbox, seen)


@group.command("refunds-pending")
@click.argument("switch", type=click.Choice(["on", "off"]))
@with_appcontext
def refunds_pending(switch: str) -> None:
    """Make new refunds start pending (on) or succeed at once (off, the default)."""
    _sandbox().next_refunds_pending(switch == "on")
    click.echo(f"new refunds {'start pending' if switch == 'on' else 'succeed at once'}")


@group.command("settle-refund")
@click.argument("refund")
@click.argument("outcome", type=click.Choice(["succeeded", "failed"]))
@with_appcontext
def settle_refund(refund: str, outcome: str) -> None:
    """A refund (re_... id, or an order number for its latest refund) goes through or fails."""
    if not refund.startswith("re_"):
        payment = _payment(refund)
        refund = db.session.scalar(
            select(OrderRefund.stripe_refund_id).join(Order)
            .where(Order.stripe_payment_intent_id == payment)
            .order_by(OrderRefund.id.desc())) or ""
        if not refund:
            raise click.BadParameter("that order has no refund", param_hint="REFUND")
    sandbox = _sandbox()
    seen = _seen(sandbox)
    sandbox.settle_refund(refund, outcome)
    click.echo(f"refund {refund} {outcome}")
    _deliver(sandbox, seen)
