"""Order and stock emails: one ``send_email`` for everything the shop sends.

SMTP settings come from configuration (SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD,
SMTP_STARTTLS, MAIL_FROM). With no SMTP_HOST (a laptop, the demo) each message is written as
an ``.eml`` file under ``instance/outbox/`` instead, so nothing is lost and a developer can open
it in a mail client. Callers send *after* committing: an email cannot be taken back, so it must
never go out for a change that was then rolled back.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app, has_request_context, render_template, request, url_for

from storefront.models import utcnow

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 15


def send_email(to: str | list[str], subject: str, text: str, html: str | None = None) -> None:
    """Send one message (plain text, plus an HTML alternative if given) to one or more people.

    Raises on an SMTP failure so the caller can decide whether to log or retry; order code
    logs and carries on, because a paid order must stay paid even when the mail server is down.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [r.strip() for r in recipients if r and r.strip()]
    if not recipients:
        raise ValueError("send_email needs at least one recipient")
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    sender_domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=sender_domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")

    if not config["SMTP_HOST"]:
        _write_to_outbox(message)
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"],
                      timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message, to_addrs=recipients)
    logger.info("sent %r to %s", subject, ", ".join(recipients))


def _write_to_outbox(message: EmailMessage) -> Path:
    """Development delivery: one .eml file per message, named so they sort by time."""
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    logger.info("wrote %r to %s (SMTP_HOST is not set)", message["Subject"], path.name)
    return path


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

    storefront.orders renders it inside the paying transaction (sent once, after commit); the
    back office renders it again to resend it.
    """
    context = confirmation_context(order, base_url)
    return {
        "to": context["to"],
        "subject": context["subject"],
        "text": render_template("mail/order_confirmation.txt", **context),
        "html": render_template("mail/order_confirmation.html", **context),
    }


def send_order_confirmation(order, base_url: str | None = None) -> None:
    """Send the confirmation now (a resend asked for by staff)."""
    message = order_confirmation(order, base_url)
    send_email(message["to"], message["subject"], message["text"], message["html"])
