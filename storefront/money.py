"""Money as people read it: one format for every page, email and timeline entry."""

from __future__ import annotations

CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}


def format_money(cents: int | None, currency: str = "usd") -> str:
    """Integer cents to a price people read: 2400 -> "$24.00"."""
    if cents is None:
        return ""
    symbol = CURRENCY_SYMBOLS.get(currency.lower(), currency.upper() + " ")
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole:,}.{part:02d}"

