"""Command-line tasks: `flask seed-demo`, `flask check-content`, `flask deliver-mail` and the
operations commands."""

import click
from flask import Flask
from flask.cli import with_appcontext

from storefront.database import begin_write
from storefront.extensions import db


def init_app(app: Flask) -> None:
    from storefront.checkout.commands import release_expired, stripe_reconcile
    from storefront.payments.sandbox_commands import group as stripe_sandbox
    from storefront.reports.commands import flush_counters, report_group

    for command in (seed_demo, remove_demo_data, seed_scale, check_content, release_expired,
                    stripe_reconcile, stripe_sandbox, flush_counters, report_group):
        app.cli.add_command(command)
    app.cli.add_command(deliver_mail)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo catalogue and articles; running it twice adds nothing."""
    from storefront.demo.loader import load_demo

    begin_write(db.session)
    added = load_demo(db.session)
    db.session.commit()
    for line in added:
        click.echo(f"added {line}")
    if not added:
        click.echo("Demo content already loaded; nothing added.")


@click.command("remove-demo-data")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def remove_demo_data(yes: bool) -> None:
    """Delete the demo's made-up article counts and orders (not its product or articles)."""
    from storefront.demo.funnel import remove_demo_history

    if not yes:
        click.confirm("Delete the demo article counts and demo orders?", abort=True)
    begin_write(db.session)
    days, orders = remove_demo_history(db.session)
    db.session.commit()
    click.echo(f"Removed {days} demo article-day counts and {orders} demo orders.")


@click.command("seed-scale")
@click.option("--size", "size_name", type=click.Choice(["S", "M", "L"]), default="S",
              show_default=True, help="S: a small shop; M: 50k orders; L: 1M orders.")
@with_appcontext
def seed_scale(size_name: str) -> None:
    """Fill the configured database with a synthetic shop (for benchmarks, never production)."""
    from storefront.content_version import mark_changed
    from storefront.demo.scale import SIZES
    from storefront.demo.scale import seed_scale as seed

    with db.engine.begin() as conn:
        added = seed(conn, SIZES[size_name])
    mark_changed(db.session)  # cached pages must not outlive the new rows
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum would do soon: the planner's statistics and the visibility map
        # (index-only scans) for the new millions of rows.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    click.echo(", ".join(f"{count:,} {what}" for what, count in added.items()) + " added.")


@click.command("check-content")
@with_appcontext
def check_content() -> None:
    """List problems in articles, pages and product texts; exit 1 if any is an error.

    Each line reads ``<article|page|product> <slug>[:<line>]: <error|warning>: <what>``.
    """
    from flask import current_app

    from storefront.blog.checks import Rules, find_content_problems

    findings = find_content_problems(db.session, Rules.from_config(current_app.config))
    for finding in findings:
        click.echo(str(finding))
    errors = sum(finding.is_error for finding in findings)
    warnings = len(findings) - errors
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s).", err=True)
        raise SystemExit(1)
    click.echo(f"No errors ({warnings} warning(s)).")


@click.command("deliver-mail")
@click.option("--forever", is_flag=True,
              help="Keep running (the production mail worker); stop with SIGTERM.")
@with_appcontext
def deliver_mail(forever: bool) -> None:
    """Send the outbox's due emails once; exit 1 if any attempt failed (it will be retried)."""
    from flask import current_app

    from storefront import mail_delivery

    if forever:
        click.echo("Delivering mail; stop with Ctrl-C or SIGTERM.")
        mail_delivery.run_forever(db.session, current_app.config["MAIL_POLL_SECONDS"],
                                  mail_delivery.stop_on_signals(), echo=click.echo)
        return
    report = mail_delivery.deliver_due(db.session, echo=click.echo)
    click.echo(str(report))
    if report.failed:
        raise SystemExit(1)
