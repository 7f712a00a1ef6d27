"""Disputes and Radar's early fraud warnings, raised on a charge by the sandbox's controls.

At Stripe these come from the card network, never from an API call of the shop, so the
sandbox offers them as controls (``Sandbox.dispute``, ``Sandbox.early_fraud_warning`` and the
``flask stripe-sandbox`` commands). The objects and events follow the pinned API version:
``charge.dispute.created`` (plus ``funds_withdrawn``), ``charge.dispute.updated`` while the
case moves, ``charge.dispute.closed`` (plus ``funds_reinstated`` when won), and
``radar.early_fraud_warning.created``.
"""

from __future__ import annotations

from typing import Any

from .core import Context, new_id, record_event
from .errors import StripeError, not_found

EVIDENCE_DAYS = 7
DISPUTE_STATUSES = ("warning_needs_response", "warning_under_review", "warning_closed",
                    "needs_response", "under_review", "won", "lost")
CLOSED = ("won", "lost", "warning_closed")
FRAUD_TYPES = ("card_never_received", "fraudulent_card_application", "made_with_counterfeit_card",
               "made_with_lost_card", "made_with_stolen_card", "misc", "unauthorized_use_of_card")


def charge_of(ctx: Context, payment: str) -> dict[str, Any]:
    """The succeeded charge of a PaymentIntent id (or a charge id itself)."""
    obj = ctx.store.get(payment)
    if obj and obj["object"] == "payment_intent":
        obj = ctx.store.get(obj["latest_charge"]) if obj["latest_charge"] else None
    if not obj or obj["object"] != "charge":
        raise not_found("charge", payment, "charge")
    return obj


def open_dispute(ctx: Context, payment: str, reason: str = "fraudulent",
                 amount: int | None = None) -> dict[str, Any]:
    """The cardholder's bank disputes the payment: funds are withdrawn, evidence is due."""
    with ctx.store.tx():
        charge = charge_of(ctx, payment)
        if charge["disputed"]:
            raise StripeError(f"Charge {charge['id']} is already disputed.")
        now = ctx.now()
        dispute = {
            "id": new_id("dp_"),
            "object": "dispute",
            "amount": amount if amount is not None else charge["amount"],
            "balance_transactions": [],
            "charge": charge["id"],
            "created": now,
            "currency": charge["currency"],
            "enhanced_eligibility_types": [],
            "evidence": {"enhanced_evidence": {}},
            "evidence_details": {
                "due_by": now + EVIDENCE_DAYS * 24 * 3600,
                "enhanced_eligibility": {},
                "has_evidence": False,
                "past_due": False,
                "submission_count": 0,
                "submission_method": "not_submitted",
            },
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "status": "needs_response",
        }
        ctx.store.put(dispute)
        charge["disputed"] = True
        ctx.store.put(charge)
        record_event(ctx, "charge.dispute.created", dispute)
        record_event(ctx, "charge.dispute.funds_withdrawn", dispute)
    return dispute


def update_dispute(ctx: Context, dispute_id: str, status: str) -> dict[str, Any]:
    """Move a dispute on (evidence under review, won, lost) with the events Stripe sends."""
    if status not in DISPUTE_STATUSES:
        raise ValueError(f"status must be one of {DISPUTE_STATUSES}")
    with ctx.store.tx():
        dispute = ctx.store.get(dispute_id)
        if not dispute or dispute["object"] != "dispute":
            raise not_found("dispute", dispute_id, "dispute")
        if dispute["status"] in CLOSED:
            raise StripeError(f"Dispute {dispute_id} is closed ({dispute['status']}).")
        previous = {"status": dispute["status"]}
        dispute["status"] = status
        ctx.store.put(dispute)
        if status in CLOSED:
            record_event(ctx, "charge.dispute.closed", dispute, None, previous)
            if status == "won":
                record_event(ctx, "charge.dispute.funds_reinstated", dispute)
        else:
            record_event(ctx, "charge.dispute.updated", dispute, None, previous)
    return dispute


def early_fraud_warning(ctx: Context, payment: str,
                        fraud_type: str = "made_with_stolen_card") -> dict[str, Any]:
    """The card issuer reports the payment as likely fraud (Radar's early fraud warning)."""
    if fraud_type not in FRAUD_TYPES:
        raise ValueError(f"fraud_type must be one of {FRAUD_TYPES}")
    with ctx.store.tx():
        charge = charge_of(ctx, payment)
        warning = {
            "id": new_id("issfr_"),
            "object": "radar.early_fraud_warning",
            "actionable": not charge["refunded"] and not charge["disputed"],
            "charge": charge["id"],
            "created": ctx.now(),
            "fraud_type": fraud_type,
            "livemode": False,
            "payment_intent": charge["payment_intent"],
        }
        ctx.store.put(warning)
        record_event(ctx, "radar.early_fraud_warning.created", warning)
    return warning
