"""The one StripeClient the shop uses, built from configuration."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Placeholder until checkout lands: nothing talks to Stripe yet."""
