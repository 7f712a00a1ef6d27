"""The admin's first page: today's and this week's orders and revenue, what waits, what is low."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from storefront import shop_time
from storefront.admin.views import bp
from storefront.extensions import db
from storefront.models import Order, OrderStatus, Product, Variant
from storefront.models.orders import OPEN_DISPUTE_STATUSES, PAID_STATES


def _sales_since(since) -> tuple[int, int]:
    count, revenue = db.session.execute(
        select(func.count(Order.id),
               func.coalesce(func.sum(Order.total_cents - Order.refunded_cents), 0))
        .where(Order.status.in_(PAID_STATES), Order.paid_at >= since)
    ).one()
    return count, revenue


@bp.get("/")
def dashboard():
    """Orders and revenue today and this week, pending orders, and sizes running low."""
    day = shop_time.today()  # today and this week on the shop's clock, as the reports
    today = shop_time.day_start(day)
    week = shop_time.day_start(day - timedelta(days=day.weekday()))
    pending = _count_upto(OrderStatus.PENDING)
    to_ship = _count_upto(OrderStatus.PAID)
    available = Variant.on_hand - Variant.reserved
    low = db.session.scalars(
        select(Variant).join(Variant.product).options(contains_eager(Variant.product))
        .where(available <= Variant.low_stock_threshold)
        .order_by(available, Product.name, Variant.position)
    ).all()
    return render_template(
        "admin/dashboard.html", today=_sales_since(today), week=_sales_since(week),
        pending=pending, to_ship=to_ship, low=low, at_risk=_at_risk(),
    )


COUNT_CAP = 1000


def _count_upto(status: OrderStatus) -> str:
    """Orders in ``status``, counted up to COUNT_CAP ("1000+" beyond): a shop with a backlog
    of a hundred thousand would otherwise count them all on every visit."""
    found = db.session.scalar(select(func.count()).select_from(
        select(Order.id).where(Order.status == status).limit(COUNT_CAP + 1).subquery()))
    return f"{COUNT_CAP}+" if found > COUNT_CAP else str(found)


def _at_risk(limit: int = 20) -> list[Order]:
    """Orders with an open dispute or an early fraud warning, soonest evidence due first.

    Each branch starts from an indexed column only a handful of orders ever fill, so this
    stays cheap with a million orders."""
    return list(db.session.scalars(
        select(Order).where(or_(
            and_(Order.stripe_dispute_id.is_not(None),
                 Order.dispute_status.in_(OPEN_DISPUTE_STATUSES)),
            and_(Order.fraud_warning_at.is_not(None), Order.dispute_status == "",
                 Order.status != OrderStatus.REFUNDED)))
        .order_by(Order.dispute_evidence_due_by.is_(None), Order.dispute_evidence_due_by,
                  Order.id.desc())
        .limit(limit)
    ))
