"""Refunds against a succeeded PaymentIntent's charge.

Refunds settle instantly (status ``succeeded``), and each one emits
``charge.refunded`` with the charge's *cumulative* ``amount_refunded`` plus
``refund.created``, which is what the shop's webhook handler relies on.
"""

from __future__ import annotations

from typing import Any

from .core import Context, new_id, record_event
from .errors import StripeError, invalid, not_found


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency.upper()}"


def create_refund(ctx: Context, p: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    for key in p:
        if key not in {"payment_intent", "charge", "amount", "reason", "metadata", "expand"}:
            raise invalid(f"The Stripe sandbox does not implement the parameter {key}.", key)
    if not p.get("payment_intent") and not p.get("charge"):
        raise invalid(
            "One of the following params should be provided for this request: "
            "payment_intent or charge.", None, "parameter_missing")
    with ctx.store.tx():
        if p.get("payment_intent"):
            intent = ctx.store.get(p["payment_intent"])
            if not intent or intent["object"] != "payment_intent":
                raise not_found("payment_intent", p["payment_intent"], "payment_intent")
            if intent["status"] != "succeeded" or not intent["latest_charge"]:
                raise StripeError(
                    f"This PaymentIntent ({intent['id']}) does not have a successful charge "
                    "to refund.", param="payment_intent", code="charge_not_refundable")
            charge = ctx.store.get(intent["latest_charge"])
        else:
            charge = ctx.store.get(p["charge"])
            if not charge or charge["object"] != "charge":
                raise not_found("charge", p["charge"], "charge")
        assert charge is not None
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeError(f"Charge {charge['id']} has already been refunded.",
                              code="charge_already_refunded")
        amount = p.get("amount", remaining)
        if amount <= 0:
            raise invalid("Invalid positive integer", "amount", "parameter_invalid_integer")
        if amount > remaining:
            raise StripeError(
                f"Refund amount ({_money(amount, charge['currency'])}) is greater than "
                f"unrefunded amount on charge ({_money(remaining, charge['currency'])})",
                param="amount", code="amount_too_large")
        refund = {
            "id": new_id("re_"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": charge["id"],
            "created": ctx.now(),
            "currency": charge["currency"],
            "metadata": p.get("metadata") or {},
            "payment_intent": charge["payment_intent"],
            "reason": p.get("reason"),
            "status": "succeeded",
        }
        ctx.store.put(refund)
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        ctx.store.put(charge)
        record_event(ctx, "charge.refunded", charge, request, previous)
        record_event(ctx, "refund.created", refund, request)
    return refund
