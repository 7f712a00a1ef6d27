"""Refunds against a succeeded PaymentIntent's charge, with Stripe's lifecycle.

A card refund normally succeeds at once; some stay ``pending`` for days, and a few fail later
(the card was closed), even after they first succeeded. The sandbox follows the API: each
refund emits ``charge.refunded`` (the charge's ``amount_refunded`` counts pending refunds too)
and ``refund.created``; a pending refund that goes through emits ``refund.updated``; a refund
that fails emits ``refund.failed`` and gives its amount back to the charge.

Controls: ``Sandbox.next_refunds_pending(True)`` makes new refunds start ``pending``;
``Sandbox.settle_refund(id, "succeeded" | "failed")`` decides one.
"""

from __future__ import annotations

from typing import Any

from .core import Context, new_id, record_event
from .errors import StripeError, invalid, not_found

FAILURE_REASON = "expired_or_canceled_card"


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
        pending = bool(ctx.store.meta("refunds_pending", False))
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
            "pending_reason": "processing" if pending else None,
            "reason": p.get("reason"),
            "status": "pending" if pending else "succeeded",
        }
        ctx.store.put(refund)
        _add_to_charge(ctx, charge, amount, request)
        record_event(ctx, "refund.created", refund, request)
    return refund


def _add_to_charge(ctx: Context, charge: dict[str, Any], amount: int,
                   request: dict[str, Any] | None) -> None:
    previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    ctx.store.put(charge)
    if amount > 0:
        record_event(ctx, "charge.refunded", charge, request, previous)


def settle_refund(ctx: Context, refund_id: str, outcome: str) -> dict[str, Any]:
    """A pending refund goes through (``succeeded``), or any refund fails (``failed``)."""
    if outcome not in ("succeeded", "failed"):
        raise ValueError("outcome must be 'succeeded' or 'failed'")
    with ctx.store.tx():
        refund = ctx.store.get(refund_id)
        if not refund or refund["object"] != "refund":
            raise not_found("refund", refund_id, "refund")
        if refund["status"] not in ("pending", "succeeded") or refund["status"] == outcome:
            raise StripeError(f"Refund {refund_id} is {refund['status']}.")
        previous = {"status": refund["status"]}
        refund["status"] = outcome
        refund["pending_reason"] = None
        if outcome == "failed":
            refund["failure_reason"] = FAILURE_REASON
            charge = ctx.store.get(refund["charge"])
            assert charge is not None
            charge["amount_refunded"] -= refund["amount"]
            charge["refunded"] = False
            ctx.store.put(charge)
            ctx.store.put(refund)
            record_event(ctx, "refund.failed", refund, None, previous)
        else:
            ctx.store.put(refund)
            record_event(ctx, "refund.updated", refund, None, previous)
    return refund
