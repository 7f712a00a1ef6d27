"""Queue an email: one outbox row in the caller's transaction (DESIGN 2, "OutboxMessage").

An email cannot be taken back, and an email sent inside a request makes the customer wait for
the mail server. So nothing here talks to SMTP: ``queue_email`` adds a row to the current
session without committing, the row commits or rolls back with the change that caused it, and
storefront.mail delivers it (``flask deliver-mail``; in development, at commit, as a file).
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app

from storefront.extensions import db
from storefront.models import OutboxMessage, OutboxStatus, utcnow

KINDS = (
    "order_paid", "order_fulfilled", "order_refunded", "refund_failed", "payment_failed",
    "low_stock", "dispute", "fraud_warning", "staff_invite", "contact_message",
)
RETRY_WINDOW = timedelta(hours=24)


def queue_email(to: str | list[str], subject: str, text: str, html: str | None = None, *,
                kind: str, order_id: int | None = None) -> OutboxMessage:
    """Add one email (a plain-text part, an optional HTML alternative) to the outbox.

    Adds to ``db.session`` and never commits: the caller's commit sends it, its rollback
    forgets it. Raises ValueError for an unknown kind, no recipient or no text part.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}; one of {', '.join(KINDS)}")
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [r.strip() for r in recipients if r and r.strip()]
    if not recipients:
        raise ValueError("an email needs at least one recipient")
    if not text.strip():
        raise ValueError("every email has a plain-text part")
    now = utcnow()
    sender_domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2]
    message = OutboxMessage(
        kind=kind, recipients=recipients, subject=subject, text_body=text, html_body=html,
        order_id=order_id, message_id=make_msgid(domain=sender_domain or "localhost"),
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now,
        give_up_at=now + RETRY_WINDOW, last_error="", created_at=now,
    )
    db.session.add(message)
    return message
