"""The shop's shipping and returns terms, read from configuration in one place.

Checkout (the shipping options sent to Stripe), the policy pages and the product's structured
data for search engines all read these objects, so what a customer is charged, what the
shipping page promises and what Google shows can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

RETURN_FEE_PAYERS = ("customer", "shop")


@dataclass(frozen=True)
class ShippingRate:
    """One way to ship: a price and a delivery estimate in business days after dispatch."""

    name: str
    amount_cents: int
    min_days: int
    max_days: int
    free_over_cents: int | None = None

    def amount_for(self, subtotal_cents: int) -> int:
        """What this rate costs for an order of ``subtotal_cents`` (free past the threshold)."""
        if self.free_over_cents is not None and subtotal_cents >= self.free_over_cents:
            return 0
        return self.amount_cents


@dataclass(frozen=True)
class ShippingPolicy:
    countries: tuple[str, ...]
    handling_min_days: int
    handling_max_days: int
    rates: tuple[ShippingRate, ...]


@dataclass(frozen=True)
class ReturnPolicy:
    window_days: int
    fees_paid_by: str  # "customer" or "shop"
    countries: tuple[str, ...]

    @property
    def free_returns(self) -> bool:
        return self.fees_paid_by == "shop"


def parse_day_range(value: str) -> tuple[int, int]:
    """ "3-7" -> (3, 7); "2" -> (2, 2). Raises ValueError on anything else."""
    low, _, high = value.strip().partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        first = last = -1
    if first < 0 or last < first or last > 365:
        raise ValueError(f"{value!r} is not a range of days like 3-7")
    return first, last


def _days(config: dict[str, Any], name: str) -> tuple[int, int]:
    try:
        return parse_day_range(config[name])
    except ValueError as error:
        raise ValueError(f"{name}={error}") from None


def check(config: dict[str, Any]) -> None:
    """At start-up: a malformed term stops the shop with a clear line, not a 500 at checkout."""
    shipping_policy(config)
    return_policy(config)


def shipping_policy(config: dict[str, Any] | None = None) -> ShippingPolicy:
    config = config if config is not None else current_app.config
    standard = _days(config, "SHIPPING_STANDARD_DAYS")
    express = _days(config, "SHIPPING_EXPRESS_DAYS")
    handling = _days(config, "SHIPPING_HANDLING_DAYS")
    return ShippingPolicy(
        countries=tuple(config["SHIPPING_COUNTRIES"]),
        handling_min_days=handling[0],
        handling_max_days=handling[1],
        rates=(
            ShippingRate("Standard shipping", config["SHIPPING_STANDARD_CENTS"], *standard,
                         free_over_cents=config["FREE_SHIPPING_OVER_CENTS"]),
            ShippingRate("Express shipping", config["SHIPPING_EXPRESS_CENTS"], *express),
        ),
    )


def return_policy(config: dict[str, Any] | None = None) -> ReturnPolicy:
    config = config if config is not None else current_app.config
    payer = config["RETURN_SHIPPING_PAID_BY"]
    if payer not in RETURN_FEE_PAYERS:
        raise ValueError(f"RETURN_SHIPPING_PAID_BY must be one of {', '.join(RETURN_FEE_PAYERS)}")
    return ReturnPolicy(window_days=config["RETURN_WINDOW_DAYS"], fees_paid_by=payer,
                        countries=tuple(config["SHIPPING_COUNTRIES"]))
