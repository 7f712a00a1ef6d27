"""What the shop's order emails say, and queuing them with the change that causes them.

Every email has a plain-text part, names the order number, and goes to the address stored on
the order. Nothing here sends: storefront.outbox.queue_email writes a row in the caller's
transaction and storefront.mail_delivery delivers it (SMTP settings: SMTP_HOST, SMTP_PORT,
SMTP_USERNAME, SMTP_PASSWORD, SMTP_STARTTLS, SMTP_TIMEOUT, MAIL_FROM; without SMTP_HOST,
``.eml`` files in ``instance/outbox/``).
"""

from __future__ import annotations

from flask import current_app, has_request_context, render_template, request, url_for

from storefront.models import Order, OutboxMessage
from storefront.outbox import queue_email
from storefront.tracking import tracking_url


def shop_url(endpoint: str, base_url: str | None = None, **values) -> str:
    """A full link into the shop for an email (which has no request to go by).

    SERVER_NAME, when configured, wins; otherwise ``base_url`` (the address the customer
    checked out on, kept in the Stripe session's metadata), else the current request's host.
    """
    app = current_app
    path = app.url_map.bind("localhost", script_name=app.config.get("APPLICATION_ROOT") or "/"
                            ).build(endpoint, values)
    if app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    if not base_url and has_request_context():
        base_url = request.host_url
    return (base_url or "http://localhost/").rstrip("/") + path


def order_status_url(order, base_url: str | None = None) -> str:
    """The order's status page as a full link, for the customer's emails."""
    return shop_url("checkout.order_status", base_url, token=order.token)


def order_admin_url(order) -> str:
    """The order's page in the admin, for the owners' emails."""
    return shop_url("admin.order_detail", order_id=order.id)


# Customer emails: kind -> (outbox kind, subject). Each has templates/mail/<name>.txt and .html,
# both built on the shop's frame (_layout.html) with the order summary (_summary.*).
CUSTOMER_EMAILS = {
    "order_confirmation": ("order_paid", "Your {shop} order {number}"),
    "order_shipped": ("order_fulfilled", "Your order {number} is on its way"),
    "order_refunded": ("order_refunded", "Refund of {amount} for order {number}"),
    "payment_failed": ("payment_failed", "Your payment for order {number} did not go through"),
}


def _address_lines(order: Order) -> list[str]:
    address = order.shipping_address or {}
    keys = ("line1", "line2", "city", "state", "postal_code", "country")
    return [str(address[key]) for key in keys if address.get(key)]


def customer_email(name: str, order: Order, base_url: str | None = None,
                   **extra) -> dict[str, str]:
    """One customer email, rendered: ``to``, ``subject``, ``text`` and ``html``.

    ``extra`` carries what a kind needs beyond the order (the refunded ``amount``). The admin
    previews every kind through this same function with a demo order.
    """
    _, subject = CUSTOMER_EMAILS[name]
    context = {
        "order": order,
        "status_url": order_status_url(order, base_url),
        "shop_home": shop_url("catalog.home", base_url),
        "contact_url": shop_url("site.page", base_url, slug="contact"),
        "address_lines": _address_lines(order),
        "tracking": tracking_url(order.carrier, order.tracking_number),
        **extra,
    }
    context["subject"] = subject.format(shop=current_app.config["SHOP_NAME"],
                                        number=order.number, amount=extra.get("amount", ""))
    return {"to": order.email, "subject": context["subject"],
            "text": render_template(f"mail/{name}.txt", **context),
            "html": render_template(f"mail/{name}.html", **context)}


def queue_customer_email(name: str, order: Order, base_url: str | None = None,
                         **extra) -> OutboxMessage | None:
    """Queue one customer email in the caller's transaction; None when the order has no
    address to write to."""
    if not order.email:
        return None
    message = customer_email(name, order, base_url, **extra)
    return queue_email(message["to"], message["subject"], message["text"], message["html"],
                       kind=CUSTOMER_EMAILS[name][0], order_id=order.id)


def queue_order_confirmation(order: Order, base_url: str | None = None) -> OutboxMessage | None:
    """Queue the confirmation (paid, or resent by staff)."""
    return queue_customer_email("order_confirmation", order, base_url)


def queue_order_shipped(order: Order) -> OutboxMessage | None:
    """Queue "your order is on its way" with carrier, tracking number and link."""
    return queue_customer_email("order_shipped", order)
