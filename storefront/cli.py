"""Command-line tasks: `flask seed-demo`, `flask check-content`, `flask deliver-mail` and the
operations commands."""

import click
from flask import Flask
from flask.cli import with_appcontext

from storefront.database import begin_write
from storefront.extensions import db


def init_app(app: Flask) -> None:
    from storefront.checkout.commands import release_expired, stripe_reconcile

    for command in (seed_demo, check_content, release_expired, stripe_reconcile):
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


@click.command("check-content")
@with_appcontext
def check_content() -> None:
    """List article problems (unknown or inactive embeds, broken citations); exit 1 if any."""
    from storefront.blog.content import find_content_problems

    problems = find_content_problems(db.session)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        raise SystemExit(1)
    click.echo("No problems found.")


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
