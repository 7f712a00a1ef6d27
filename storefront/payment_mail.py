"""Emails about payment outcomes (refund failed, payment failed, disputes), sent once the
change that causes them commits.

``queue_email`` has the signature of the durable outbox's, so switching to it is a change of
import: until then a message waits in the session and goes out through ``mail.send_email``
after commit, and is dropped with a rollback (an email must never report a change that did
not happen). A mail failure is logged; the payment change it reports stays committed.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from storefront.models import AdminUser, Order
from storefront.models.admin import Role

logger = logging.getLogger(__name__)

_QUEUE = "storefront.payment_mail"


def queue_email(to: str | list[str], subject: str, text: str, html: str | None = None, *,
                kind: str, order_id: int | None = None, session: Session | None = None) -> None:
    """Send this message after the current transaction commits (never if it rolls back)."""
    if session is None:
        from storefront.extensions import db

        session = db.session()
    session.info.setdefault(_QUEUE, []).append(
        {"to": to, "subject": subject, "text": text, "html": html, "kind": kind,
         "order_id": order_id})


def owner_emails(session: Session) -> list[str]:
    """Every active owner's address: who hears about money at risk."""
    return list(session.scalars(
        select(AdminUser.email).where(AdminUser.role == Role.OWNER, AdminUser.active)).all())


def tell_owners(session: Session, order: Order, kind: str, subject: str, text: str) -> None:
    """Email the owners about ``order`` (a link to it in the admin is added)."""
    owners = owner_emails(session)
    if not owners:
        return
    from storefront.mail import order_admin_url

    shop = current_app.config["SHOP_NAME"]
    queue_email(owners, f"[{shop}] {subject}",
                f"{text}\n\nOrder {order.number}: {order_admin_url(order)}\n",
                kind=kind, order_id=order.id, session=session)


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    messages = session.info.pop(_QUEUE, [])
    if not messages:
        return
    from storefront.mail import send_email

    for message in messages:
        try:
            send_email(message["to"], message["subject"], message["text"], message["html"])
        except Exception:
            logger.exception("%s email for order id %s failed", message["kind"],
                             message["order_id"])


@event.listens_for(Session, "after_rollback")
def _drop_queued(session: Session) -> None:
    session.info.pop(_QUEUE, None)
