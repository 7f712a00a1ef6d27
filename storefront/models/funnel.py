"""The article funnel's daily counters: aggregates only, one row per article and day.

Nothing here names a person: views, readers, reads, card clicks and adds to cart are plain
counts, incremented in batches by ``storefront.reports.counters.flush`` (never by a web
request). Checkouts, orders and revenue are not counted here: they are read from the orders
themselves, so the report reconciles exactly with the orders list.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from storefront.models.base import Base

# The counters a beacon or the cart may increment, in the order the report shows them.
COUNTER_KINDS = ("views", "readers", "reads", "card_clicks", "add_to_cart")


class ArticleDay(Base):
    """One article's counts for one day on the shop's clock (``SHOP_TIMEZONE``)."""

    __tablename__ = "article_day"

    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    views: Mapped[int] = mapped_column(default=0)
    readers: Mapped[int] = mapped_column(default=0)
    reads: Mapped[int] = mapped_column(default=0)
    card_clicks: Mapped[int] = mapped_column(default=0)
    add_to_cart: Mapped[int] = mapped_column(default=0)
    # Made up by `flask seed-demo` so a new shop's report is not empty; the report says so.
    demo: Mapped[bool] = mapped_column(default=False, server_default="0")
