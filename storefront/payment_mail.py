"""Emails to the owners about money at risk: a refund that failed, a dispute, a fraud warning.

Each goes into the outbox (storefront.outbox) in the transaction of the change it reports, so
it is sent once that commits and never for a change that was rolled back.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.models import AdminUser, Order
from storefront.models.admin import Role
from storefront.outbox import queue_email


def owner_emails(session: Session) -> list[str]:
    """Every active owner's address: who hears about money at risk."""
    return list(session.scalars(
        select(AdminUser.email).where(AdminUser.role == Role.OWNER, AdminUser.active)).all())


def tell_owners(session: Session, order: Order, kind: str, subject: str, text: str) -> None:
    """Queue one email to the owners about ``order``, with a link to it in the admin."""
    owners = owner_emails(session)
    if not owners:
        return
    from storefront.mail import order_admin_url

    shop = current_app.config["SHOP_NAME"]
    queue_email(owners, f"[{shop}] {subject}",
                f"{text}\n\nOrder {order.number}: {order_admin_url(order)}\n",
                kind=kind, order_id=order.id)
