"""`flask create-admin`: the first account of a new shop, from a terminal or a script."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from storefront import accounts
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db


@click.command("create-admin")
@click.argument("email")
@click.option("--role", type=click.Choice(["owner", "staff"]), default="staff", show_default=True)
@with_appcontext
def create_admin_command(email: str, role: str) -> None:
    """Create an admin account; the password is asked twice, or read from piped stdin."""
    if sys.stdin is not None and not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        begin_write(db.session)
        user = accounts.create_admin(db.session, email, password, role)
        db.session.flush()
        record(db.session, "account.create", f"admin_user:{user.id}",
               after={"email": user.email, "role": user.role, "via": "cli"})
        db.session.commit()
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} account {user.email}. Log in at /admin/login.")
