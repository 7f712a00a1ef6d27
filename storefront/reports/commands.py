"""``flask flush-counters`` and ``flask report articles``: the funnel from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.reports.counters import counters, flush


@click.command("flush-counters")
@with_appcontext
def flush_counters() -> None:
    """Write the buffered article counts to the database now (web processes also do it
    every COUNTER_FLUSH_SECONDS; with Redis, any host may run this from cron)."""
    taken = flush(db.session, counters(current_app).buffer)
    click.echo(f"flushed {taken} events")
