"""90 days of made-up article history, so a new shop's article report has something to show.

The counters (views to adds to cart) are rows of ``article_day`` marked ``demo``. Checkouts,
orders and revenue are never counted apart: the report reads them from the orders, which is
what keeps it equal to the orders list for any range. So the demo's revenue comes from demo
orders, real rows marked ``demo``: some of each day's adds to cart became checkouts, most of
those were paid and shipped, a few were refunded in full or in part, the rest expired; a few
orders came from no article ("direct"). They list the sizes the article embeds at today's
prices. No payment, stock movement, email or Stripe session stands behind them, nothing is
left for the owner to ship, and the orders list, the order page and the report say they are
demo data.

Loaded once: if any demo counts exist, nothing is added. Days are the shop's (SHOP_TIMEZONE).
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from storefront import shop_time
from storefront.models import ArticleDay, Order, OrderLine, OrderStatus, Post, Product, Variant
from storefront.orders import new_order_number

DAYS = 90
CHECKOUT_SHARE = 0.45  # of adds to cart
PAID_SHARE = 0.75  # of checkouts
DIRECT_PER_DAY = 0.35  # checkouts with no article, on average
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivo", "June",
               "Kofi", "Lena", "Mo", "Nia", "Omar", "Pia", "Rui", "Sana", "Tom", "Uma")


def load_demo_history(session: Session) -> str | None:
    if session.scalar(select(ArticleDay.post_id).where(ArticleDay.demo).limit(1)) is not None:
        return None
    posts = session.scalars(select(Post).where(Post.published_at.is_not(None))
                            .options(selectinload(Post.products).selectinload(Product.variants))
                            .order_by(Post.id)).all()
    if not posts:
        return None
    shop_sizes = session.scalars(select(Variant).join(Variant.product)
                                 .where(Product.active).order_by(Variant.id)).all()
    rng = random.Random(11)  # the same history on every laptop
    orders = _Orders(rng, current_app.config)
    end = shop_time.today() - timedelta(days=1)
    tz = shop_time.zone()
    for back in range(DAYS):
        day = end - timedelta(days=back)
        weekday = 0.75 if day.weekday() >= 5 else 1.0
        start = shop_time.day_start(day, tz)
        length = (shop_time.day_start(day + timedelta(days=1), tz) - start).total_seconds()
        for rank, post in enumerate(posts):
            base = 120 / (rank + 1)
            views = max(0, int(rng.gauss(base * weekday, base * 0.25)))
            readers = int(views * rng.uniform(0.7, 0.9))
            reads = int(readers * rng.uniform(0.35, 0.6))
            clicks = int(views * rng.uniform(0.03, 0.09))
            adds = int(clicks * rng.uniform(0.2, 0.4))
            session.add(ArticleDay(post_id=post.id, day=day, views=views, readers=readers,
                                   reads=reads, card_clicks=clicks, add_to_cart=adds,
                                   demo=True))
            sizes = [v for p in post.products if p.active for v in p.variants] or shop_sizes
            for _ in range(_share(rng, adds, CHECKOUT_SHARE)):
                first = post if rng.random() < 0.8 else rng.choice(posts)
                orders.add(start + timedelta(seconds=rng.uniform(0, length)), sizes,
                           first, post)
        for _ in range(_share(rng, 2, DIRECT_PER_DAY / 2)):
            orders.add(start + timedelta(seconds=rng.uniform(0, length)), shop_sizes,
                       None, None)
    session.add_all(orders.made)
    paid = sum(o.status != OrderStatus.EXPIRED for o in orders.made)
    return (f"{DAYS} days of demo article counts for {len(posts)} articles, "
            f"with {len(orders.made)} demo checkouts ({paid} paid)")


def remove_demo_history(session: Session) -> tuple[int, int]:
    """Delete the made-up article counts and the demo orders, so a shop that began from the demo
    reports only its own readers and sales; returns how many count rows and orders went.

    Demo counts are the days before ``seed-demo`` ran, so real counts never share their rows.
    An order's lines and events go with it (ON DELETE CASCADE); demo orders moved no stock and
    sent no email. The demo product, articles and pages stay: the admin edits or removes them.
    """
    days = session.execute(delete(ArticleDay).where(ArticleDay.demo)).rowcount
    orders = session.execute(delete(Order).where(Order.demo)).rowcount
    return days, orders


def _share(rng: random.Random, n: int, p: float) -> int:
    """How many of ``n`` tries succeed with probability ``p`` each."""
    return sum(rng.random() < p for _ in range(n))


class _Orders:
    """Demo orders as a shop makes them: lines at the sizes' prices, shipping by the shop's
    rates, paid ones shipped a day later, refunds taken off ``refunded_cents``."""

    def __init__(self, rng: random.Random, config) -> None:
        self.rng = rng
        self.currency = config.get("SHOP_CURRENCY", "usd")
        self.shipping = config.get("SHIPPING_STANDARD_CENTS", 600)
        self.free_over = config.get("FREE_SHIPPING_OVER_CENTS", 5000)
        self.made: list[Order] = []

    def add(self, placed, sizes: list[Variant], first: Post | None, last: Post | None) -> None:
        if not sizes:
            return
        rng = self.rng
        lines = [OrderLine(variant_id=v.id, sku=v.sku, product_name=v.product.name,
                           variant_label=v.label, unit_price_cents=v.price_cents,
                           quantity=rng.choice((1, 1, 1, 2)))
                 for v in rng.sample(sizes, k=min(len(sizes), rng.choice((1, 1, 2))))]
        subtotal = sum(line.total_cents for line in lines)
        shipping = 0 if subtotal >= self.free_over else self.shipping
        name = f"{rng.choice(FIRST_NAMES)} {chr(rng.randrange(65, 91))}."
        order = Order(number=new_order_number(), token=secrets.token_urlsafe(32), demo=True,
                      email=f"reader{len(self.made) + 1}@example.com", currency=self.currency,
                      subtotal_cents=subtotal, shipping_cents=shipping,
                      total_cents=subtotal + shipping, shipping_name=name,
                      shipping_method="Standard", first_touch_post_id=first and first.id,
                      source_post_id=last and last.id, created_at=placed, updated_at=placed,
                      lines=lines)
        if rng.random() >= PAID_SHARE:
            order.status, order.expires_at = OrderStatus.EXPIRED, placed + timedelta(minutes=30)
        else:
            order.paid_at = placed + timedelta(minutes=rng.uniform(1, 6))
            order.fulfilled_at = order.paid_at + timedelta(hours=rng.uniform(16, 40))
            order.status, order.carrier = OrderStatus.FULFILLED, "Demo Post"
            refund = rng.random()
            if refund < 0.04:
                order.status, order.refunded_cents = OrderStatus.REFUNDED, order.total_cents
            elif refund < 0.08:
                order.status = OrderStatus.PARTIALLY_REFUNDED
                order.refunded_cents = min(lines[0].unit_price_cents, order.total_cents // 2)
        self.made.append(order)
