"""Checkout Sessions and the PaymentIntents/Charges they create.

Only ``mode=payment`` with inline ``price_data`` exists here because that is
what the shop sends; anything else Stripe would accept is refused loudly by
``create_session`` rather than silently ignored, so a change in the shop that
the sandbox does not model shows up at once.

Money rules that the real Stripe account would apply through its dashboard
configuration are fixed stand-ins here and documented as such:

* promotion code ``WELCOME10`` takes 10 % off the subtotal (rounded half up);
* ``automatic_tax[enabled]=true`` charges a flat 8 % of each line after discount, rounded
  half up, instead of real tax calculation: added on top for ``tax_behavior=exclusive``
  prices, taken out of the price (``amount - amount * 100 / 108``) for ``inclusive`` ones.
  As at Stripe, automatic tax refuses a price or shipping rate whose tax behaviour is
  unspecified. Shipping itself is not taxed here.
"""

from __future__ import annotations

import re
from typing import Any

from .core import Context, new_id, public, record_event
from .errors import StripeError, invalid, missing, not_found

PROMOTION_CODES = {"WELCOME10": 10}  # code -> percent off the subtotal
TAX_PERCENT = 8
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 60 * 60
OUTCOMES = ("paid", "delayed_success", "delayed_failure", "declined")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Harmless presentation parameters: accepted and echoed, otherwise ignored.
IGNORED = {"locale", "submit_type", "billing_address_collection", "phone_number_collection",
           "payment_method_types", "expand"}
SUPPORTED = {
    "mode", "line_items", "customer_email", "client_reference_id", "metadata", "success_url",
    "cancel_url", "expires_at", "shipping_address_collection", "shipping_options",
    "allow_promotion_codes", "automatic_tax", "payment_intent_data", "custom_text",
} | IGNORED
CUSTOM_TEXT_KEYS = ("after_submit", "shipping_address", "submit", "terms_of_service_acceptance")


def percent_half_up(amount: int, percent: int) -> int:
    return (amount * percent + 50) // 100


def _spread(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` over lines in proportion to ``weights``; last line takes the rest."""
    whole = sum(weights)
    if not weights or not whole:
        return [0] * len(weights)
    shares = [total * w // whole for w in weights[:-1]]
    return [*shares, total - sum(shares)]


# -- creation ---------------------------------------------------------------


def create_session(
    ctx: Context, p: dict[str, Any], base_url: str, request: dict[str, Any]
) -> dict[str, Any]:
    for key in p:
        if key not in SUPPORTED:
            raise invalid(
                f"The Stripe sandbox does not implement the parameter {key} "
                "(Stripe accepts it; extend storefront/payments/sandbox if the shop needs it).",
                key,
            )
    if p.get("mode") is None:
        raise missing("mode")
    if p["mode"] != "payment":
        raise invalid("The Stripe sandbox only implements mode=payment.", "mode")
    if not p.get("success_url"):
        raise missing("success_url")
    now = ctx.now()
    expires_at = p.get("expires_at", now + MAX_EXPIRY)
    if expires_at < now + MIN_EXPIRY:
        raise invalid(
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
            "creation.", "expires_at")
    if expires_at > now + MAX_EXPIRY:
        raise invalid(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session "
            "creation.", "expires_at")
    email = p.get("customer_email")
    if email is not None and not EMAIL.match(email):
        raise invalid(f"Invalid email address: {email}", "customer_email", "email_invalid")
    if len(p.get("client_reference_id") or "") > 200:
        raise invalid("client_reference_id must be at most 200 characters.",
                      "client_reference_id")
    _check_metadata(p.get("metadata") or {}, "metadata")
    lines, currency = _line_items(p.get("line_items") or [], now)
    rates = _shipping_rates(p.get("shipping_options") or [], currency, now)
    countries = (p.get("shipping_address_collection") or {}).get("allowed_countries")
    if p.get("shipping_address_collection") is not None and not countries:
        raise missing("shipping_address_collection[allowed_countries]")
    tax_enabled = bool((p.get("automatic_tax") or {}).get("enabled"))
    if tax_enabled:
        _require_tax_behavior(lines, rates)
    session_id = new_id("cs_test_", 58)
    session: dict[str, Any] = {
        "id": session_id,
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": p.get("allow_promotion_codes"),
        "automatic_tax": {"enabled": tax_enabled, "liability": None,
                          "status": "complete" if tax_enabled else None},
        "billing_address_collection": p.get("billing_address_collection"),
        "cancel_url": p.get("cancel_url"),
        "client_reference_id": p.get("client_reference_id"),
        "collected_information": None,
        "created": now,
        "currency": currency,
        "custom_fields": [],
        "custom_text": {key: ((p.get("custom_text") or {}).get(key) or None)
                        for key in CUSTOM_TEXT_KEYS},
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": email,
        "discounts": [],
        "expires_at": expires_at,
        "livemode": False,
        "locale": p.get("locale"),
        "metadata": p.get("metadata") or {},
        "mode": "payment",
        "payment_intent": None,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "shipping_address_collection": (
            {"allowed_countries": countries} if countries else None),
        "shipping_cost": None,
        "shipping_options": [
            {"shipping_amount": r["fixed_amount"]["amount"], "shipping_rate": r["id"]}
            for r in rates
        ],
        "status": "open",
        "submit_type": p.get("submit_type"),
        "success_url": p["success_url"],
        "total_details": None,
        "ui_mode": "hosted_page",
        "url": f"{(ctx.public_url or base_url).rstrip('/')}/pay/{session_id}",
        "_private": {
            "line_items": lines,
            "shipping_rates": rates,
            "payment_intent_data": p.get("payment_intent_data") or {},
            "promotion_code": None,
            "settle": None,
        },
    }
    apply_choices(session, rates[0]["id"] if rates else None, None)
    ctx.store.put(session)
    return session


def _require_tax_behavior(lines: list[dict[str, Any]], rates: list[dict[str, Any]]) -> None:
    for n, line in enumerate(lines):
        if line["price"]["tax_behavior"] == "unspecified":
            raise invalid(
                "Automatic tax requires a tax behavior on every price: set "
                f"line_items[{n}][price_data][tax_behavior] to exclusive or inclusive.",
                f"line_items[{n}][price_data][tax_behavior]")
    for n, rate in enumerate(rates):
        if rate["tax_behavior"] == "unspecified":
            raise invalid(
                "Automatic tax requires a tax behavior on every shipping rate: set "
                f"shipping_options[{n}][shipping_rate_data][tax_behavior].",
                f"shipping_options[{n}][shipping_rate_data][tax_behavior]")


def _check_metadata(metadata: dict[str, str], param: str) -> None:
    if len(metadata) > 50:
        raise invalid("You can specify up to 50 keys in metadata.", param)
    for key, value in metadata.items():
        if len(key) > 40:
            raise invalid("Metadata keys can be at most 40 characters.", f"{param}[{key}]")
        if len(value) > 500:
            raise invalid("Metadata values can be at most 500 characters.", f"{param}[{key}]")


def _line_items(items: list[dict[str, Any]], now: int) -> tuple[list[dict[str, Any]], str]:
    if not items:
        raise invalid("`line_items` is required in `payment` mode.", "line_items",
                      "parameter_missing")
    currency = None
    lines = []
    for n, item in enumerate(items):
        at = f"line_items[{n}]"
        if "price" in item:
            raise StripeError(f"No such price: '{item['price']}'", param=f"{at}[price]",
                              code="resource_missing", validation=True)
        data = item.get("price_data")
        if data is None:
            raise missing(f"{at}[price_data]")
        if "product" in data:
            raise StripeError(f"No such product: '{data['product']}'",
                              param=f"{at}[price_data][product]", code="resource_missing",
                              validation=True)
        if "recurring" in data:
            raise invalid("You specified `payment` mode but passed a recurring price.",
                          f"{at}[price_data][recurring]")
        product = data.get("product_data")
        if not product or not product.get("name"):
            raise missing(f"{at}[price_data][product_data][name]")
        if "unit_amount" not in data:
            raise missing(f"{at}[price_data][unit_amount]")
        if data["unit_amount"] < 0:
            raise invalid("This value must be greater than or equal to 0.",
                          f"{at}[price_data][unit_amount]")
        if "quantity" not in item:
            raise missing(f"{at}[quantity]")
        if item["quantity"] < 1:
            raise invalid("This value must be greater than or equal to 1.", f"{at}[quantity]")
        line_currency = data["currency"].lower()
        if currency is None:
            currency = line_currency
        elif line_currency != currency:
            raise invalid("All line items must have the same currency.",
                          f"{at}[price_data][currency]")
        _check_metadata(product.get("metadata") or {}, f"{at}[price_data][product_data][metadata]")
        amount = data["unit_amount"] * item["quantity"]
        lines.append({
            "id": new_id("li_"),
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": amount,
            "amount_tax": 0,
            "amount_total": amount,
            "currency": line_currency,
            "description": product["name"],
            "metadata": {},
            "price": {
                "id": new_id("price_"),
                "object": "price",
                "active": False,
                "billing_scheme": "per_unit",
                "created": now,
                "currency": line_currency,
                "livemode": False,
                "metadata": {},
                "product": new_id("prod_"),
                "tax_behavior": data.get("tax_behavior", "unspecified"),
                "type": "one_time",
                "unit_amount": data["unit_amount"],
                "unit_amount_decimal": str(data["unit_amount"]),
            },
            "quantity": item["quantity"],
            "_product_data": product,
        })
    assert currency is not None
    return lines, currency


def _shipping_rates(options: list[dict[str, Any]], currency: str, now: int) -> list[dict]:
    rates = []
    for n, option in enumerate(options):
        at = f"shipping_options[{n}]"
        if "shipping_rate" in option:
            raise StripeError(f"No such shipping rate: '{option['shipping_rate']}'",
                              param=f"{at}[shipping_rate]", code="resource_missing",
                              validation=True)
        data = option.get("shipping_rate_data")
        if data is None:
            raise missing(f"{at}[shipping_rate_data]")
        if data.get("type", "fixed_amount") != "fixed_amount":
            raise invalid("Only fixed_amount shipping rates exist.", f"{at}[type]")
        fixed = data.get("fixed_amount")
        if fixed is None:
            raise missing(f"{at}[shipping_rate_data][fixed_amount]")
        if fixed["amount"] < 0:
            raise invalid("This value must be greater than or equal to 0.",
                          f"{at}[shipping_rate_data][fixed_amount][amount]")
        if fixed["currency"].lower() != currency:
            raise invalid("Shipping rate currency must match the line items' currency.",
                          f"{at}[shipping_rate_data][fixed_amount][currency]")
        rates.append({
            "id": new_id("shr_"),
            "object": "shipping_rate",
            "active": True,
            "created": now,
            "delivery_estimate": data.get("delivery_estimate"),
            "display_name": data["display_name"],
            "fixed_amount": {"amount": fixed["amount"], "currency": currency},
            "livemode": False,
            "metadata": data.get("metadata") or {},
            "tax_behavior": data.get("tax_behavior", "unspecified"),
            "type": "fixed_amount",
        })
    return rates


def apply_choices(session: dict[str, Any], rate_id: str | None, code: str | None) -> None:
    """Recompute every amount on ``session`` for a shipping rate and promotion code."""
    priv = session["_private"]
    lines = priv["line_items"]
    subtotal = sum(li["amount_subtotal"] for li in lines)
    discount = percent_half_up(subtotal, PROMOTION_CODES[code]) if code else 0
    rate = next((r for r in priv["shipping_rates"] if r["id"] == rate_id), None)
    shipping = rate["fixed_amount"]["amount"] if rate else 0
    weights = [li["amount_subtotal"] for li in lines]
    tax = added_tax = 0
    for li, d in zip(lines, _spread(discount, weights), strict=True):
        net = li["amount_subtotal"] - d
        inclusive = li["price"].get("tax_behavior") == "inclusive"
        t = 0
        if session["automatic_tax"]["enabled"]:
            t = (net - (net * 100 * 2 + 100 + TAX_PERCENT) // (2 * (100 + TAX_PERCENT))
                 if inclusive else percent_half_up(net, TAX_PERCENT))
        li["amount_discount"], li["amount_tax"] = d, t
        li["amount_total"] = net if inclusive else net + t
        tax += t
        added_tax += 0 if inclusive else t
    priv["promotion_code"] = code
    session["discounts"] = [{"coupon": None, "promotion_code": f"promo_{code.lower()}"}] if code \
        else []
    session["amount_subtotal"] = subtotal
    session["amount_total"] = subtotal - discount + shipping + added_tax
    session["shipping_cost"] = ({
        "amount_subtotal": shipping, "amount_tax": 0, "amount_total": shipping,
        "shipping_rate": rate["id"],
    } if rate else None)
    session["total_details"] = {
        "amount_discount": discount, "amount_shipping": shipping, "amount_tax": tax,
    }


# -- reading ----------------------------------------------------------------


def get_session(ctx: Context, session_id: str) -> dict[str, Any]:
    session = ctx.store.get(session_id)
    if not session or session["object"] != "checkout.session":
        raise not_found("checkout.session", session_id, "session")
    return session


def line_items_list(session: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [public(li) for li in session["_private"]["line_items"]],
        "has_more": False,
        "url": f"/v1/checkout/sessions/{session['id']}/line_items",
    }


# -- state changes ------------------------------------------------------------


def expire_session(ctx: Context, session_id: str, request: dict | None = None) -> dict:
    with ctx.store.tx():
        session = get_session(ctx, session_id)
        if session["status"] != "open":
            raise StripeError(
                'Only Checkout Sessions with a status in ["open"] can be expired. This '
                f'Checkout Session has a status of "{session["status"]}".')
        _expire(ctx, session, request)
    return session


def _expire(ctx: Context, session: dict[str, Any], request: dict | None) -> None:
    session["status"] = "expired"
    session["url"] = None
    ctx.store.put(session)
    record_event(ctx, "checkout.session.expired", session, request)


def pay(
    ctx: Context,
    session_id: str,
    outcome: str,
    *,
    email: str,
    name: str,
    address: dict[str, Any] | None,
    shipping_rate: str | None = None,
    promotion_code: str | None = None,
) -> dict[str, Any]:
    """Complete an open session the way the hosted page's buttons do.

    ``declined`` leaves the session open and records nothing, like a failed
    card attempt on Stripe's page.  The delayed outcomes complete the session
    unpaid now and settle after ``delayed_payment_seconds`` (see ``tick``).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    with ctx.store.tx():
        session = get_session(ctx, session_id)
        if session["status"] != "open":
            raise StripeError(f"This Checkout Session is {session['status']}.")
        if outcome == "declined":
            return session
        apply_choices(session, shipping_rate or (session["shipping_cost"] or {}).get(
            "shipping_rate"), promotion_code)
        session["customer_details"] = {
            "address": address, "email": email, "name": name, "phone": None,
            "tax_exempt": "none", "tax_ids": [],
        }
        if session["shipping_address_collection"]:
            session["collected_information"] = {
                "shipping_details": {"name": name, "address": address},
            }
        session["status"] = "complete"
        session["url"] = None
        if session["amount_total"] == 0:
            session["payment_status"] = "no_payment_required"
        else:
            delayed = outcome != "paid"
            intent = _payment_intent(ctx, session, "processing" if delayed else "succeeded")
            session["payment_intent"] = intent["id"]
            session["payment_status"] = "unpaid" if delayed else "paid"
            if delayed:
                session["_private"]["settle"] = {
                    "outcome": outcome, "at": ctx.now() + ctx.delayed_payment_seconds,
                }
        ctx.store.put(session)
        record_event(ctx, "checkout.session.completed", session)
    return session


def _payment_intent(ctx: Context, session: dict[str, Any], status: str) -> dict[str, Any]:
    intent_id = new_id("pi_")
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": session["amount_total"],
        "amount_capturable": 0,
        "amount_received": 0,
        "capture_method": "automatic_async",
        "client_secret": f"{intent_id}_secret_{new_id('', 20)}",
        "confirmation_method": "automatic",
        "created": ctx.now(),
        "currency": session["currency"],
        "customer": None,
        "description": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": session["_private"]["payment_intent_data"].get("metadata", {}),
        "payment_method": new_id("pm_"),
        "payment_method_types": ["card"] if status == "succeeded" else ["customer_balance"],
        "receipt_email": None,
        "status": status,
    }
    if status == "succeeded":
        _charge(ctx, intent, session)
    ctx.store.put(intent)
    return intent


def _charge(ctx: Context, intent: dict[str, Any], session: dict[str, Any]) -> None:
    charge = {
        "id": new_id("ch_"),
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"],
        "amount_refunded": 0,
        "billing_details": {
            "address": (session["customer_details"] or {}).get("address"),
            "email": (session["customer_details"] or {}).get("email"),
            "name": (session["customer_details"] or {}).get("name"),
            "phone": None,
        },
        "captured": True,
        "created": ctx.now(),
        "currency": intent["currency"],
        "disputed": False,
        "livemode": False,
        "metadata": {},
        "paid": True,
        "payment_intent": intent["id"],
        "refunded": False,
        "status": "succeeded",
    }
    ctx.store.put(charge)
    intent["latest_charge"] = charge["id"]
    intent["amount_received"] = intent["amount"]


def _settle(ctx: Context, session: dict[str, Any]) -> None:
    outcome = session["_private"]["settle"]["outcome"]
    session["_private"]["settle"] = None
    intent = ctx.store.get(session["payment_intent"])
    assert intent is not None
    if outcome == "delayed_success":
        intent["status"] = "succeeded"
        _charge(ctx, intent, session)
        session["payment_status"] = "paid"
        event = "checkout.session.async_payment_succeeded"
    else:
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "type": "invalid_request_error", "code": "payment_method_customer_decline",
            "message": "The customer's bank transfer did not arrive.",
        }
        event = "checkout.session.async_payment_failed"
    ctx.store.put(intent)
    ctx.store.put(session)
    record_event(ctx, event, session)


def tick(ctx: Context, settle_all: bool = False) -> int:
    """Apply what the passage of time causes: expiries and delayed payment results.

    Stripe does this on its own schedule; the sandbox does it lazily on every
    request, on ``advance_clock`` and on ``deliver_pending`` (``settle_all``
    settles delayed payments even before their time).  Returns how many
    sessions changed.
    """
    now = ctx.now()
    due = ("SELECT id FROM objects WHERE kind = 'checkout.session' AND ("
           "(json_extract(data, '$.status') = 'open' AND json_extract(data, '$.expires_at') <= ?)"
           " OR json_extract(data, '$._private.settle.at') <= ?)")
    horizon = 10**15 if settle_all else now
    if not ctx.store.read(due, (now, horizon)):
        return 0
    changed = 0
    with ctx.store.tx():
        for (session_id,) in ctx.store.read(due, (now, horizon)):
            session = get_session(ctx, session_id)
            if session["status"] == "open" and session["expires_at"] <= now:
                _expire(ctx, session, None)
                changed += 1
            elif session["_private"].get("settle"):
                _settle(ctx, session)
                changed += 1
    return changed


def next_settle_at(ctx: Context) -> float | None:
    """Sandbox-clock time of the earliest pending delayed payment, if any."""
    rows = ctx.store.read(
        "SELECT MIN(json_extract(data, '$._private.settle.at')) FROM objects "
        "WHERE kind = 'checkout.session'")
    return rows[0][0] if rows and rows[0][0] is not None else None
