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


def confirmation_context(order, base_url: str | None = None) -> dict:
    """Everything the confirmation templates need, including recipient and subject."""
    return {
        "order": order,
        "to": order.email,
        "subject": f"Your {current_app.config['SHOP_NAME']} order {order.number}",
        "status_url": order_status_url(order, base_url),
    }


def order_confirmation(order, base_url: str | None = None) -> dict[str, str]:
    """The "thank you, we got your order" email, rendered: ``to``, ``subject``, ``text``, ``html``.
    """
    context = confirmation_context(order, base_url)
    return {
        "to": context["to"],
        "subject": context["subject"],
        "text": render_template("mail/order_confirmation.txt", **context),
        "html": render_template("mail/order_confirmation.html", **context),
    }


def queue_order_confirmation(order: Order, base_url: str | None = None) -> OutboxMessage | None:
    """Queue the confirmation (paid, or resent by staff); None when the order has no address."""
    if not order.email:
        return None
    message = order_confirmation(order, base_url)
    return queue_email(message["to"], message["subject"], message["text"], message["html"],
                       kind="order_paid", order_id=order.id)


def queue_order_shipped(order: Order) -> OutboxMessage | None:
    """Queue "your order is on its way" with carrier and tracking number."""
    if not order.email:
        return None
    text = render_template("mail/order_shipped.txt", order=order,
                           status_url=order_status_url(order))
    return queue_email(order.email, f"Your order {order.number} is on its way", text,
                       kind="order_fulfilled", order_id=order.id)
