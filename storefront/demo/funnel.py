"""90 days of made-up article counts, so a new shop's article report has something to show.

Marked ``demo`` on every row; the report says when the range includes them. Only counters are
invented (views to adds to cart): orders and revenue stay real, so nothing here reaches the
orders list, the stock ledger or the money figures. Loaded once: if any demo row exists,
nothing is added.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.models import ArticleDay, Post
from storefront.shop_time import today

DAYS = 90


def load_demo_history(session: Session) -> str | None:
    if session.scalar(select(ArticleDay.post_id).where(ArticleDay.demo).limit(1)) is not None:
        return None
    posts = session.scalars(select(Post).where(Post.published_at.is_not(None))
                            .order_by(Post.id)).all()
    if not posts:
        return None
    rng = random.Random(11)  # the same history on every laptop
    end = today() - timedelta(days=1)
    for rank, post in enumerate(posts):
        base = 120 / (rank + 1)
        for back in range(DAYS):
            day = end - timedelta(days=back)
            weekday = 0.75 if day.weekday() >= 5 else 1.0
            views = max(0, int(rng.gauss(base * weekday, base * 0.25)))
            readers = int(views * rng.uniform(0.7, 0.9))
            reads = int(readers * rng.uniform(0.35, 0.6))
            clicks = int(views * rng.uniform(0.03, 0.09))
            session.add(ArticleDay(post_id=post.id, day=day, views=views, readers=readers,
                                   reads=reads, card_clicks=clicks,
                                   add_to_cart=int(clicks * rng.uniform(0.2, 0.4)), demo=True))
    return f"{DAYS} days of demo article counts for {len(posts)} articles"
