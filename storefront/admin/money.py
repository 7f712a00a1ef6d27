"""Prices typed by people ("24", "24.5", "24.00") to integer cents, through Decimal only."""

from __future__ import annotations

import re
from decimal import Decimal

from storefront.limits import MAX_PRICE_CENTS

_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


class MoneyError(ValueError):
    """The text is not an amount of money; the message says why."""


def parse_cents(text: str) -> int:
    """"24.5" -> 2450. Refuses negatives, more than two decimals, anything not a number, and
    amounts above what Stripe can charge (which also keeps them within an INTEGER column)."""
    cleaned = (text or "").strip().removeprefix("$").replace(",", "")
    if not cleaned:
        raise MoneyError("Enter an amount, for example 24.00.")
    if cleaned.startswith("-"):
        raise MoneyError("The amount cannot be negative.")
    if re.fullmatch(r"\d+\.\d{3,}", cleaned):
        raise MoneyError("Use at most two decimals, for example 24.50.")
    if not _AMOUNT.fullmatch(cleaned):
        raise MoneyError("Enter an amount as a number, for example 24.00.")
    cents = int(Decimal(cleaned) * 100)
    if cents > MAX_PRICE_CENTS:
        raise MoneyError(f"The amount can be at most {format_decimal(MAX_PRICE_CENTS)}.")
    return cents


def format_decimal(cents: int) -> str:
    """2450 -> "24.50", the form in which an amount is shown back in an input."""
    return f"{cents // 100}.{cents % 100:02d}"
