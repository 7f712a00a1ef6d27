"""Owners see every email customers get, rendered with a demo order, before any customer does.

The demo order is built in memory and never saved. The HTML part is served on its own, framed
by the preview page, with a policy that lets its inline styles apply (mail clients need them)
and still allows no script, no remote content and no framing by other sites.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, render_template

from storefront.admin.views import bp
from storefront.mail import CUSTOMER_EMAILS, customer_email
from storefront.models import Order, OrderLine, utcnow
from storefront.money import format_money

EMAIL_FRAME_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                      "frame-ancestors 'self'")


def demo_order() -> Order:
    """A plausible paid and shipped order, in the shop's currency, for previews only."""
    currency = current_app.config["SHOP_CURRENCY"]
    order = Order(
        number="RW-DEMO2026", token="preview-only", status="fulfilled",
        email="reader@example.com", currency=currency, subtotal_cents=6300,
        shipping_cents=600, discount_cents=0, tax_cents=0, total_cents=6900,
        shipping_name="Jordan Reader", shipping_method="Standard shipping",
        shipping_address={"line1": "12 Example Street", "city": "Springfield",
                          "postal_code": "12345", "country": "US"},
        carrier="USPS", tracking_number="9400100000000000000000",
        paid_at=utcnow() - timedelta(days=2), fulfilled_at=utcnow(),
    )
    order.lines = [
        OrderLine(sku="RW-50", product_name="Royal Warrior+ Cream", variant_label="50 ml jar",
                  unit_price_cents=2400, quantity=1),
        OrderLine(sku="RW-100", product_name="Royal Warrior+ Cream",
                  variant_label="100 ml jar", unit_price_cents=3900, quantity=1),
    ]
    return order


def _render(name: str) -> dict[str, str]:
    if name not in CUSTOMER_EMAILS:
        abort(404)
    order = demo_order()
    return customer_email(name, order, amount=format_money(2400, order.currency))


@bp.get("/emails")
def email_previews():
    """Every customer email: subject, the HTML part as a customer sees it, and the text part."""
    previews = [(name, _render(name)) for name in CUSTOMER_EMAILS]
    return render_template("admin/email_previews.html", previews=previews)


@bp.get("/emails/<name>.html")
def email_preview_html(name: str):
    return _render(name)["html"], 200, {"Content-Security-Policy": EMAIL_FRAME_POLICY,
                                        "X-Frame-Options": "SAMEORIGIN",
                                        "Cache-Control": "no-store"}
