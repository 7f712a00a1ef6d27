"""`flask release-expired` and `flask stripe-reconcile`: small wrappers over storefront.sweeps.

Both are safe to run from cron every few minutes, on one host or several: every change they
make is a conditional UPDATE, so a second run (or a concurrent one) changes nothing. An order
that fails is reported and skipped; the command then exits 1 so cron's mail or the timer's
status shows it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import click
import stripe
from flask.cli import with_appcontext

from storefront import sweeps
from storefront.extensions import db
from storefront.payments import gateway

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_window(text: str) -> timedelta:
    """"3d", "12h", "90m", "1w" -> a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text or "")
    if not match:
        raise click.BadParameter("use a number and a unit, like 90m, 12h, 3d or 1w")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


@click.command("release-expired")
@with_appcontext
def release_expired() -> None:
    """Release pending orders past their expiry (fulfilling any that Stripe says were paid)."""
    results = sweeps.release_expired(db.session, gateway.client(), echo=click.echo)
    changed = [r for r in results if not r.failed]
    click.echo(f"{len(changed)} order(s) changed." if results else "Nothing to release.")
    _exit_if_failed(results)


@click.command("stripe-reconcile")
@click.option("--since", default="3d", show_default=True,
              help="How far back to look at Stripe's sessions and events (90m, 12h, 3d, 1w).")
@with_appcontext
def stripe_reconcile(since: str) -> None:
    """Repair orders whose webhook never arrived, from Stripe's own records."""
    window = parse_window(since)
    try:
        results = sweeps.reconcile(db.session, gateway.client(), window, echo=click.echo)
    except stripe.StripeError as exc:
        # Stripe's lists could not be read (unreachable, a bad key): one line for cron's mail,
        # exit 1. Orders settled before that stay settled; the next run does the rest.
        raise click.ClickException(
            f"Stripe's records could not be read: {exc.user_message or exc}. "
            "Orders repaired before that are kept; run it again later.") from exc
    repaired = [r for r in results if not r.failed]
    click.echo(f"{len(repaired)} order(s) repaired." if results
               else "Everything matches Stripe.")
    _exit_if_failed(results)


def _exit_if_failed(results: list[sweeps.SweepResult]) -> None:
    failed = [r for r in results if r.failed]
    if failed:
        click.echo(f"{len(failed)} order(s) failed; see the log. The others were done.",
                   err=True)
        raise SystemExit(1)
