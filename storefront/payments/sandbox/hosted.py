"""The hosted payment page that stands in for checkout.stripe.com.

Plain HTML forms, no JavaScript and no inline styles (the shop's CSP forbids
them), readable on a phone.  Each button is one payment outcome so a
developer or a browser test can walk every path the shop must handle; the
same actions are available to tests as ``Sandbox.pay``.
"""

from __future__ import annotations

import copy
from html import escape
from typing import Any

from werkzeug.wrappers import Request, Response

from . import checkout
from .core import Context
from .errors import StripeError

BUTTONS = (
    ("delayed_success", "Pay later (bank transfer) — succeeds"),
    ("delayed_failure", "Pay later (bank transfer) — fails"),
    ("declined", "Decline card"),
)
DEMO_ADDRESSES = {
    "US": ("Jenny Rosen", "510 Townsend St", "San Francisco", "94103", "CA"),
    "DE": ("Erika Mustermann", "Musterstraße 1", "Berlin", "10115", ""),
    "GB": ("Jane Doe", "10 Downing St", "London", "SW1A 2AA", ""),
}
# Prefilled like the address, so one click on "Pay" completes a test purchase; editable.
DEMO_EMAIL = "jenny.rosen@example.com"
ADDRESS_FIELDS = ("line1", "line2", "city", "postal_code", "state", "country")
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx",
                "vnd", "vuv", "xaf", "xof", "xpf"}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}
CSS = """\
body { font-family: system-ui, sans-serif; margin: 0; padding: 1rem; line-height: 1.4; }
main { max-width: 36rem; margin: 0 auto; }
.banner { background: #fff3cd; border: 1px solid #e0c36a; padding: .75rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .25rem; border-bottom: 1px solid #ddd; }
td.num, th.num { text-align: right; }
label { display: block; margin-top: .75rem; font-weight: 600; }
input, select { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
input[type=radio] { width: auto; }
label.choice { font-weight: normal; }
fieldset { margin-top: 1rem; }
.error, .notice { color: #a00; font-weight: 600; }
button { display: block; width: 100%; padding: .75rem; margin-top: .5rem; font-size: 1rem; }
button.primary { background: #635bff; color: #fff; border: 0; font-weight: 700; }
"""


def money(amount: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        text = f"{amount}"
    else:
        text = f"{amount / 100:.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


def _rate_price(rate: dict[str, Any], currency: str) -> str:
    amount = rate["fixed_amount"]["amount"]
    return money(amount, currency) if amount else "Free"


def stylesheet() -> Response:
    return Response(CSS, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


def success_link(session: dict[str, Any]) -> str:
    return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])


def handle(ctx: Context, request: Request, session_id: str) -> Response:
    checkout.tick(ctx)
    try:
        session = checkout.get_session(ctx, session_id)
    except StripeError:
        return _page(request, "Checkout session not found",
                     "<p>This checkout link is not valid.</p>", status=404)
    if session["status"] != "open":
        return _closed(request, session)
    values = _defaults(session)
    if request.method == "GET":
        return _form(request, session, values, {}, None)
    # Fields a client did not send keep their defaults (browsers send them all).
    values.update({k: request.form[k].strip() for k in values if k in request.form})
    outcome = request.form.get("outcome", "paid")
    errors = _check(session, values)
    if errors or outcome not in checkout.OUTCOMES:
        return _form(request, session, values, errors, None)
    if outcome == "declined":
        return _form(request, session, values, {}, "Your card was declined.")
    address = {k: values[k] or None for k in ADDRESS_FIELDS}
    try:
        session = checkout.pay(
            ctx, session_id, outcome, email=values["email"], name=values["name"],
            address=address if session["shipping_address_collection"] else None,
            shipping_rate=values["shipping_rate"] or None,
            promotion_code=values["promotion_code"].upper() or None)
    except StripeError:  # another tab or process finished it first
        return _closed(request, checkout.get_session(ctx, session_id))
    return Response(status=303, headers={"Location": success_link(session)})


def _defaults(session: dict[str, Any]) -> dict[str, str]:
    allowed = (session["shipping_address_collection"] or {}).get("allowed_countries") or []
    country = "US" if not allowed or "US" in allowed else allowed[0]
    name, line1, city, postal_code, state = DEMO_ADDRESSES.get(country, DEMO_ADDRESSES["DE"])
    return {
        "email": session["customer_email"] or DEMO_EMAIL, "name": name, "line1": line1, "line2": "",
        "city": city, "postal_code": postal_code, "state": state, "country": country,
        "shipping_rate": (session["shipping_cost"] or {}).get("shipping_rate", ""),
        "promotion_code": "",
    }


def _check(session: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if not checkout.EMAIL.match(values["email"]):
        errors["email"] = "Enter a valid email address."
    if not values["name"]:
        errors["name"] = "Enter the name on the order."
    collection = session["shipping_address_collection"]
    if collection:
        for field, label in (("line1", "an address"), ("city", "a city"),
                             ("postal_code", "a postal code")):
            if not values[field]:
                errors[field] = f"Enter {label}."
        if values["country"] not in collection["allowed_countries"]:
            errors["country"] = "We cannot ship to this country."
    rates = [r["id"] for r in session["_private"]["shipping_rates"]]
    if rates and values["shipping_rate"] not in rates:
        errors["shipping_rate"] = "Choose a shipping method."
    code = values["promotion_code"].upper()
    if code and session["allow_promotion_codes"] and code not in checkout.PROMOTION_CODES:
        errors["promotion_code"] = "This code is invalid."
    if not session["allow_promotion_codes"]:
        values["promotion_code"] = ""
    return errors


def _page(request: Request, title: str, body: str, status: int = 200) -> Response:
    css = f"{request.script_root}/pay/static/sandbox.css"
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · Stripe sandbox</title>\n"
        f'<link rel="stylesheet" href="{escape(css)}">\n</head>\n<body>\n<main>\n'
        '<p class="banner"><strong>Stripe sandbox — no real payment is taken.</strong> '
        "This page imitates Stripe Checkout for development and tests.</p>\n"
        f"<h1>{escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def _closed(request: Request, session: dict[str, Any]) -> Response:
    if session["status"] == "complete":
        link = success_link(session)
        text = "<p>This checkout is already complete.</p>"
        label = "Return to the shop"
    else:
        link = session["cancel_url"]
        text = "<p>This checkout session has expired. Nothing was charged.</p>"
        label = "Back to the shop"
    if link:
        text += f'\n<p><a href="{escape(link)}">{label}</a></p>'
    return _page(request, "Checkout " + session["status"], text)


def _field(name: str, label: str, values: dict[str, str], errors: dict[str, str],
           kind: str = "text", extra: str = "") -> str:
    described = f' aria-describedby="{name}-error"' if name in errors else ""
    html = (f'<label for="{name}">{label}</label>\n'
            f'<input id="{name}" name="{name}" type="{kind}" '
            f'value="{escape(values[name])}"{described}{extra}>\n')
    return html + _error(name, errors)


def _error(name: str, errors: dict[str, str]) -> str:
    if name not in errors:
        return ""
    return f'<p class="error" id="{name}-error">{escape(errors[name])}</p>\n'


def _form(request: Request, session: dict[str, Any], values: dict[str, str],
          errors: dict[str, str], notice: str | None) -> Response:
    preview = copy.deepcopy(session)
    code = values["promotion_code"].upper()
    checkout.apply_choices(
        preview, values["shipping_rate"] or None,
        code if code in checkout.PROMOTION_CODES and session["allow_promotion_codes"] else None)
    cur = session["currency"]
    parts = []
    if notice:
        parts.append(f'<p class="notice" role="alert">{escape(notice)}</p>')
    rows = "".join(
        f'<tr><td>{escape(li["description"])}</td><td class="num">{li["quantity"]}</td>'
        f'<td class="num">{money(li["price"]["unit_amount"], cur)}</td>'
        f'<td class="num">{money(li["amount_subtotal"], cur)}</td></tr>\n'
        for li in session["_private"]["line_items"])
    parts.append(
        '<table>\n<thead><tr><th>Item</th><th class="num">Qty</th>'
        '<th class="num">Unit price</th><th class="num">Total</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table>")
    action = f"{request.script_root}/pay/{session['id']}"
    parts.append(f'<form method="post" action="{escape(action)}">')
    rates = session["_private"]["shipping_rates"]
    if rates:
        radios = "".join(
            f'<label class="choice"><input type="radio" name="shipping_rate" value="{r["id"]}"'
            f'{" checked" if r["id"] == values["shipping_rate"] else ""}> '
            f'{escape(r["display_name"])} — '
            f'{_rate_price(r, cur)}</label>\n' for r in rates)
        parts.append(f"<fieldset>\n<legend>Shipping method</legend>\n{radios}"
                     f"{_error('shipping_rate', errors)}</fieldset>")
    totals = preview["total_details"]
    lines = [("Subtotal", preview["amount_subtotal"])]
    if totals["amount_discount"]:
        lines.append(("Discount (WELCOME10)", -totals["amount_discount"]))
    if rates:
        lines.append(("Shipping", totals["amount_shipping"]))
    if session["automatic_tax"]["enabled"]:
        lines.append(("Tax (sandbox flat 8%)", totals["amount_tax"]))
    lines.append(("Total", preview["amount_total"]))
    parts.append("<dl>\n" + "".join(
        f"<dt>{label}</dt><dd>{money(amount, cur)}</dd>\n" for label, amount in lines) + "</dl>")
    parts.append(_field("email", "Email", values, errors, "email", ' autocomplete="email"'))
    collection = session["shipping_address_collection"]
    parts.append("<fieldset>\n<legend>" + ("Shipping address" if collection else "Your name")
                 + "</legend>")
    parts.append(_field("name", "Full name", values, errors, extra=' autocomplete="name"'))
    if collection:
        for name, label in (("line1", "Address line 1"), ("line2", "Address line 2 (optional)"),
                            ("city", "City"), ("postal_code", "Postal code"),
                            ("state", "State / region (optional)")):
            parts.append(_field(name, label, values, errors))
        options = "".join(
            f'<option value="{escape(c)}"{" selected" if c == values["country"] else ""}>'
            f"{escape(c)}</option>" for c in collection["allowed_countries"])
        parts.append(f'<label for="country">Country</label>\n'
                     f'<select id="country" name="country">{options}</select>\n'
                     + _error("country", errors))
    parts.append("</fieldset>")
    if session["allow_promotion_codes"]:
        parts.append(_field("promotion_code", "Promotion code (optional)", values, errors))
    parts.append('<button type="submit" name="outcome" value="update">Update totals</button>')
    parts.append('<button type="submit" class="primary" name="outcome" value="paid">Pay</button>')
    parts.extend(f'<button type="submit" name="outcome" value="{value}">{escape(text)}</button>'
                 for value, text in BUTTONS)
    parts.append("</form>")
    if session["cancel_url"]:
        parts.append(f'<p><a href="{escape(session["cancel_url"])}">Cancel and return to the '
                     "shop</a></p>")
    return _page(request, "Checkout", "\n".join(parts))
