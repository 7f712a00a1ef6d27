"""``flask flush-counters`` and ``flask report articles``: the funnel from the command line."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.reports import article_report
from storefront.reports.counters import counters, flush
from storefront.shop_time import today


@click.command("flush-counters")
@with_appcontext
def flush_counters() -> None:
    """Write the buffered article counts to the database now (web processes also do it
    every COUNTER_FLUSH_SECONDS; with Redis, any host may run this from cron)."""
    taken = flush(db.session, counters(current_app).buffer)
    click.echo(f"flushed {taken} events")


@click.group("report")
def report_group() -> None:
    """Reports for cron and email digests."""


@report_group.command("articles")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day (YYYY-MM-DD); default 30 days before --to.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day (YYYY-MM-DD); default today (days in SHOP_TIMEZONE).")
@click.option("--touch", type=click.Choice(article_report.TOUCHES), default="last",
              show_default=True, help="Credit each order to its first or last article.")
@with_appcontext
def report_articles(start, end, touch) -> None:
    """Print the article report as a tab-separated table (the CSV's columns)."""
    last = end.date() if end else today()
    earliest, latest = article_report.FIRST_DAY, article_report.LAST_DAY
    for name, day in (("--from", start), ("--to", end)):
        if day and not earliest <= day.date() <= latest:
            raise click.BadParameter(f"{name} must be a day from {earliest} to {latest}")
    first = start.date() if start else max(earliest, last - timedelta(days=29))
    if first > last:
        raise click.BadParameter("--from must not be after --to")
    report = article_report.build(db.session, first, last, touch)
    click.echo(f"# articles {first} to {last}, orders credited to the {touch} article")
    click.echo("\t".join(article_report.CSV_HEADER))
    for row in (*report.rows, report.direct, report.totals):
        click.echo("\t".join(str(getattr(row, name)) for name in article_report.CSV_HEADER))
