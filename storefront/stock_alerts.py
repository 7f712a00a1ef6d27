"""The low-stock alert: owners are told once each time a size's available stock falls to or
below its threshold, in the transaction of the change that took it there.

Every committed change of available stock calls ``check_low_stock``: a paid order (the webhook,
the success page and the sweeps all settle through storefront.orders), a released order, an
admin's count or CSV import, a refund's restock, and a changed threshold. The armed state is
``Variant.low_stock_alerted`` (storefront.inventory.sync_low_stock_flags flips it with
conditional UPDATEs), so a crossing alerts once, and going back above re-arms it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storefront.inventory import sync_low_stock_flags
from storefront.models import AdminUser, Role, Variant
from storefront.outbox import queue_email


def check_low_stock(session: Session, variant_ids: Iterable[int]) -> list[int]:
    """Re-arm or fire the alert of each variant; queue one email per new crossing.

    Returns the variants that crossed. Does not commit: the email goes (or not) with the
    caller's change. Without an active owner the crossing is still recorded, so nobody is
    mailed about it later out of context.
    """
    session.flush()
    crossed = sync_low_stock_flags(session, variant_ids)
    if not crossed:
        return []
    owners = session.scalars(
        select(AdminUser.email).where(AdminUser.role == Role.OWNER, AdminUser.active)
        .order_by(AdminUser.id)
    ).all()
    if not owners:
        return crossed
    shop = current_app.config["SHOP_NAME"]
    variants = session.scalars(
        select(Variant).options(joinedload(Variant.product)).where(Variant.id.in_(crossed))
        .order_by(Variant.id)
    ).all()
    for variant in variants:
        name = f"{variant.product.name} {variant.label}"
        text = (
            f"{variant.product.name}, {variant.label} (SKU {variant.sku}) is low at {shop}.\n\n"
            f"Available to sell: {variant.available}\n"
            f"On hand: {variant.on_hand}, held for pending orders: {variant.reserved}\n"
            f"Low-stock threshold: {variant.low_stock_threshold}\n\n"
            "You will not be told again until it has gone back above the threshold.\n"
        )
        queue_email(list(owners), f"Low stock: {name} ({variant.available} left)", text,
                    kind="low_stock")
    return crossed
