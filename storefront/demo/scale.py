"""A synthetic shop at a chosen size, for measuring pages with real amounts of data.

``flask seed-scale --size M`` adds products with three sizes each, published articles with
tags and product embeds, paid orders with their lines, and a stock ledger whose sums equal
each size's ``on_hand`` (the shop's own invariant). PostgreSQL gets the rows through COPY,
SQLite through batched INSERTs, so L (5M ledger rows) loads in minutes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import Connection, func, insert, select

from storefront.models import (
    Order,
    OrderLine,
    Post,
    Product,
    StockMovement,
    Tag,
    Variant,
    post_product,
    post_tag,
)


@dataclass(frozen=True)
class Size:
    products: int
    articles: int
    orders: int
    ledger: int


SIZES = {
    "S": Size(products=20, articles=100, orders=2_000, ledger=20_000),
    "M": Size(products=200, articles=1_000, orders=50_000, ledger=500_000),
    "L": Size(products=2_000, articles=10_000, orders=1_000_000, ledger=5_000_000),
}
BATCH = 20_000
TAGS = 40
SPAN = timedelta(days=730)
WORDS = ("magnesium skin cream sleep muscle study evidence dose oil hemp trial review "
         "absorption cramps recovery balm jar daily routine research").split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _copy(conn: Connection, table, columns: list[str], rows: Iterable[tuple]) -> None:
    """Write rows to ``table``: COPY on PostgreSQL, batched INSERTs elsewhere."""
    rows = iter(rows)
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in columns)
        with conn.connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        return
    while batch := list(islice(rows, BATCH)):
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in batch])


def _next_id(conn: Connection, model) -> int:
    return (conn.scalar(select(func.max(model.id))) or 0) + 1


def seed_scale(conn: Connection, size: Size, seed: int = 7) -> dict[str, int]:
    """Add a synthetic shop of ``size`` in the connection's transaction; counts added."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = now - SPAN
    run = _next_id(conn, Product)  # keeps slugs, SKUs and numbers unique on a second run

    product_id, variant_id, tag_id, post_id, order_id, line_id, movement_id = (
        _next_id(conn, m) for m in (Product, Variant, Tag, Post, Order, OrderLine,
                                    StockMovement))
    products = [(product_id + n, f"scale-{run}-{n}", f"Scale cream {run}-{n}",
                 "Magnesium and hemp seed oil", _text(rng, 300), "", True, 1, now, now)
                for n in range(size.products)]
    _copy(conn, Product.__table__, ["id", "slug", "name", "tagline", "description",
                                    "safety_note", "active", "revision", "created_at",
                                    "updated_at"], products)
    variants = [(variant_id + 3 * n + k, p[0], f"SC{run}-{n}-{k}", label, price)
                for n, p in enumerate(products)
                for k, (label, price) in enumerate((("50 ml", 2400), ("100 ml", 3900),
                                                    ("200 ml", 6400)))]

    tags = [(tag_id + n, f"scale-{run}-topic-{n}", f"Topic {run}-{n}") for n in range(TAGS)]
    _copy(conn, Tag.__table__, ["id", "slug", "name"], tags)
    posts = []
    for n in range(size.articles):
        at = start + SPAN * (n + 1) / (size.articles + 1)
        embed = products[n % len(products)]
        posts.append((post_id + n, f"scale-{run}-article-{n}", f"Article {run}-{n}",
                      _text(rng, 20), f"{_text(rng, 600)}\n\n[[product:{embed[1]}]]\n",
                      "Editorial team", True, False, "", at, 1, at, at, embed[0]))
    _copy(conn, Post.__table__, ["id", "slug", "title", "summary", "body", "author",
                                 "is_health", "is_condition", "cover_alt", "published_at",
                                 "revision", "created_at", "updated_at"],
          (p[:-1] for p in posts))
    _copy(conn, post_tag, ["post_id", "tag_id"],
          ((p[0], tags[(p[0] + k) % TAGS][0]) for p in posts for k in range(2)))
    _copy(conn, post_product, ["post_id", "product_id"], ((p[0], p[-1]) for p in posts))

    on_hand = {v[0]: 0 for v in variants}
    sales = _orders(conn, rng, size, variants, run, start, order_id, line_id)
    movements = _ledger(rng, size, variants, sales, on_hand, start, movement_id)
    # Sizes first (their on_hand is the ledger's sum, known once the ledger is drawn).
    _copy(conn, Variant.__table__, ["id", "product_id", "sku", "label", "price_cents",
                                    "currency", "on_hand", "reserved", "low_stock_threshold",
                                    "low_stock_alerted", "position", "revision", "created_at",
                                    "updated_at"],
          ((v[0], v[1], v[2], v[3], v[4], "usd", on_hand[v[0]], 0, 5, False, v[0] % 3, 1,
            now, now) for v in variants))
    _copy(conn, Order.__table__, ORDER_COLUMNS, sales.orders)
    _copy(conn, OrderLine.__table__, ["id", "order_id", "variant_id", "sku", "product_name",
                                      "variant_label", "unit_price_cents", "quantity"],
          sales.lines)
    _copy(conn, StockMovement.__table__, ["id", "variant_id", "delta", "on_hand_after",
                                          "reason", "note", "order_id", "created_at"],
          movements)
    return {"products": len(products), "sizes": len(variants), "articles": len(posts),
            "orders": size.orders, "ledger rows": size.ledger}


ORDER_COLUMNS = ["id", "number", "token", "status", "email", "currency", "subtotal_cents",
                 "shipping_cents", "discount_cents", "tax_cents", "total_cents",
                 "refunded_cents", "refund_pending_cents", "shipping_name", "shipping_method",
                 "carrier", "tracking_number", "dispute_status", "dispute_reason",
                 "dispute_amount_cents", "fraud_warning_type", "created_at", "updated_at",
                 "paid_at", "stripe_checkout_session_id"]


@dataclass
class _Sales:
    orders: list[tuple]
    lines: list[tuple]
    sold: list[tuple[int, int, datetime]]  # (order id, variant id, when) per line


def _orders(conn, rng, size: Size, variants, run: int, start: datetime, order_id: int,
            line_id: int) -> _Sales:
    sales = _Sales([], [], [])
    for n in range(size.orders):
        at = start + SPAN * (n + 1) / (size.orders + 1)
        oid = order_id + n
        variant = variants[rng.randrange(len(variants))]
        sales.orders.append((
            oid, f"RW-S{run}-{n}", f"scale-{run}-{n}", "fulfilled" if n % 3 else "paid",
            f"customer{n}@example.com", "usd", variant[4], 0, 0, 0, variant[4], 0, 0,
            f"Customer {n}", "Standard", "", "", "", "", 0, "", at, at, at,
            f"cs_scale_{run}_{n}"))
        sales.lines.append((line_id + n, oid, variant[0], variant[2], "Scale cream",
                            variant[3], variant[4], 1))
        sales.sold.append((oid, variant[0], at))
    return sales


def _ledger(rng, size: Size, variants, sales: _Sales, on_hand: dict[int, int],
            start: datetime, movement_id: int) -> Iterator[tuple]:
    """Restocks ahead of the sales, in time order per size, so on_hand never dips below 0."""
    restocks = max(0, size.ledger - len(sales.sold) - len(variants))
    events = [(start, v[0], None) for v in variants]  # the first delivery of every size
    events += [(start + SPAN * rng.random(), v[0], None) for n in range(restocks)
               for v in (variants[n % len(variants)],)]
    events += [(at, vid, oid) for oid, vid, at in sales.sold]
    events.sort(key=lambda e: (e[0], e[2] is not None))
    sold_per_variant: dict[int, int] = {}
    for _oid, vid, _at in sales.sold:
        sold_per_variant[vid] = sold_per_variant.get(vid, 0) + 1
    restock_count = {v[0]: 0 for v in variants}
    for _at, vid, oid in events:
        if oid is None:
            restock_count[vid] += 1
    # Each restock brings enough jars that the sales, wherever they fall, never go below 0.
    per_restock = {vid: -(-sold_per_variant.get(vid, 0) // max(1, restock_count[vid])) + 12
                   for vid in restock_count}
    rows = []
    for n, (at, vid, oid) in enumerate(events):
        delta = -1 if oid is not None else per_restock[vid]
        if on_hand[vid] + delta < 0:  # a sale before any restock: restock it in place
            delta = 0
        on_hand[vid] += delta
        rows.append((movement_id + n, vid, delta, on_hand[vid],
                     "sale" if oid else "restock", "", oid, at))
    return iter(rows)
