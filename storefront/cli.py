"""Command-line tasks: `flask seed-demo`, `flask check-content` and the operations commands."""

import click
from flask import Flask


def init_app(app: Flask) -> None:
    for command in (seed_demo,):
        app.cli.add_command(command)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo catalogue and articles; running it twice adds nothing."""
    click.echo("not yet")
