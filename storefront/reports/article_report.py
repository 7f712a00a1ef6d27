"""The article report: per article, what its readers did, from the view to net revenue.

Views, readers, reads, card clicks and adds to cart come from the daily counters. Checkouts,
orders and revenue come from the orders themselves, attributed to the order's last article
touch (``source_post_id``) or, when asked, its first (``first_touch_post_id``); an order with
neither is "direct". An order belongs to the day it was created, on the shop's clock
(``SHOP_TIMEZONE``), the date the orders list filters on, so for any range the report's totals
equal the sum of the orders list's paid orders over the same dates. A refund is taken off its
order's revenue on that same day, whenever it is made: the order's net total is what the
orders list shows too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront import shop_time
from storefront.models import ArticleDay, Order, OrderLine, Post, Variant
from storefront.models.funnel import COUNTER_KINDS
from storefront.models.orders import PAID_STATES

TOUCHES = ("last", "first")
# The days a report may cover: a day's bounds need the next day, and 9999-12-31 has none.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
MAX_DAYS = 3660  # ten years at most in one report: its chart has a bar per day
COLUMNS = ("views", "readers", "read_rate", "card_clicks", "ctr", "add_to_cart", "checkouts",
           "orders", "conversion", "revenue_cents", "revenue_per_1000_views")
CSV_HEADER = ("slug", "title", "views", "readers", "reads", "card_clicks", "add_to_cart",
              "checkouts", "orders", "revenue_cents")


def net_revenue_cents():
    """What an order brought in: its total less what was refunded. The one place the report
    reads ``refunded_cents``."""
    return Order.total_cents - Order.refunded_cents


def touch_column(touch: str):
    return Order.first_touch_post_id if touch == "first" else Order.source_post_id


@dataclass
class Row:
    """One article (or "direct", with no post) over the range."""

    slug: str
    title: str
    post_id: int | None = None
    views: int = 0
    readers: int = 0
    reads: int = 0
    card_clicks: int = 0
    add_to_cart: int = 0
    checkouts: int = 0
    orders: int = 0
    revenue_cents: int = 0

    @staticmethod
    def _ratio(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def read_rate(self) -> float | None:
        return self._ratio(self.reads, self.views)

    @property
    def ctr(self) -> float | None:
        return self._ratio(self.card_clicks, self.views)

    @property
    def conversion(self) -> float | None:
        return self._ratio(self.orders, self.views)

    @property
    def revenue_per_1000_views(self) -> float | None:
        return self.revenue_cents * 1000 / self.views if self.views else None

    def add(self, other: Row) -> None:
        for name in (*COUNTER_KINDS, "checkouts", "orders", "revenue_cents"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    start: date
    end: date
    touch: str
    rows: list[Row]
    direct: Row
    totals: Row
    daily: list[tuple[date, int, int]] = field(default_factory=list)  # day, views, revenue
    demo_days: int = 0  # days in the range whose counts `flask seed-demo` made up
    demo_orders: int = 0  # checkouts in the range that `flask seed-demo` made up


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The range's first moment and the first moment after it, days on the shop's clock."""
    return shop_time.day_bounds(start, end)


def build(session: Session, start: date, end: date, touch: str = "last",
          sort: str = "revenue_cents", post_id: int | None = None) -> Report:
    """The report for ``start`` to ``end`` inclusive; a fixed number of queries."""
    column = touch_column(touch)
    since, until = bounds(start, end)
    counted = select(ArticleDay.post_id, *(func.sum(getattr(ArticleDay, k)) for k in
                                           COUNTER_KINDS)
                     ).where(ArticleDay.day >= start, ArticleDay.day <= end)
    in_range = (Order.created_at >= since, Order.created_at < until)
    checkouts = select(column, func.count(Order.id)).where(*in_range)
    paid = select(column, func.count(Order.id), func.coalesce(func.sum(net_revenue_cents()), 0)
                  ).where(*in_range, Order.status.in_(PAID_STATES))
    if post_id is not None:
        counted = counted.where(ArticleDay.post_id == post_id)
        checkouts, paid = checkouts.where(column == post_id), paid.where(column == post_id)
    rows: dict[int | None, Row] = defaultdict(lambda: Row("", ""))
    for pid, *sums in session.execute(counted.group_by(ArticleDay.post_id)):
        for kind, value in zip(COUNTER_KINDS, sums, strict=True):
            setattr(rows[pid], kind, int(value or 0))
    for pid, n in session.execute(checkouts.group_by(column)):
        rows[pid].checkouts = n
    for pid, n, revenue in session.execute(paid.group_by(column)):
        rows[pid].orders, rows[pid].revenue_cents = n, int(revenue)
    direct = rows.pop(None, Row("", ""))
    direct.slug, direct.title = "direct", "Direct (no article)"
    posts = {p.id: p for p in session.execute(
        select(Post.id, Post.slug, Post.title).where(Post.id.in_(rows))).all()} if rows else {}
    for pid, row in rows.items():
        row.post_id = pid
        row.slug, row.title = posts[pid].slug, posts[pid].title
    ordered = sorted(rows.values(), key=lambda r: (_sort_value(r, sort), r.slug), reverse=True)
    totals = Row("total", "Total")
    for row in (*ordered, direct):
        totals.add(row)
    demo_days = select(func.count(func.distinct(ArticleDay.day))).where(
        ArticleDay.demo, ArticleDay.day >= start, ArticleDay.day <= end)
    demo_orders = select(func.count(Order.id)).where(*in_range, Order.demo)
    if post_id is not None:
        demo_days = demo_days.where(ArticleDay.post_id == post_id)
        demo_orders = demo_orders.where(column == post_id)
    demo_days, demo_orders = session.scalar(demo_days), session.scalar(demo_orders)
    return Report(start, end, touch, ordered, direct, totals,
                  _daily(session, start, end, column, post_id), demo_days or 0,
                  demo_orders or 0)


def _sort_value(row: Row, sort: str) -> float:
    value = getattr(row, sort if sort in COLUMNS else "revenue_cents")
    return -1.0 if value is None else float(value)


def _daily(session: Session, start: date, end: date, column, post_id) -> list:
    """Views and net revenue for each day of the range (days with nothing included)."""
    views_q = select(ArticleDay.day, func.sum(ArticleDay.views)).where(
        ArticleDay.day >= start, ArticleDay.day <= end)
    since, until = bounds(start, end)
    day = shop_time.local_date_sql(Order.created_at, session.get_bind().dialect.name, since,
                                   until)
    revenue_q = select(day, func.sum(net_revenue_cents())).where(
        Order.created_at >= since, Order.created_at < until, Order.status.in_(PAID_STATES))
    if post_id is not None:
        views_q = views_q.where(ArticleDay.post_id == post_id)
        revenue_q = revenue_q.where(column == post_id)
    views = {d: int(n or 0) for d, n in session.execute(views_q.group_by(ArticleDay.day))}
    revenue = {str(d)[:10]: int(n or 0) for d, n in session.execute(revenue_q.group_by(day))}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [(d, views.get(d, 0), revenue.get(d.isoformat(), 0)) for d in days]


def articles_selling(session: Session, product_id: int, limit: int = 10) -> list:
    """(title, orders, jars) of the articles last touched before paid orders of a product."""
    return session.execute(
        select(Post.title, func.count(func.distinct(Order.id)), func.sum(OrderLine.quantity))
        .join(Order, Order.source_post_id == Post.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Variant, Variant.id == OrderLine.variant_id)
        .where(Variant.product_id == product_id, Order.status.in_(PAID_STATES))
        .group_by(Post.id, Post.title)
        .order_by(func.sum(OrderLine.quantity).desc(), Post.title).limit(limit)
    ).all()
