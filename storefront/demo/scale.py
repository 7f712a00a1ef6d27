"""A synthetic shop at a chosen size, for measuring pages with real amounts of data.

``flask seed-scale --size M`` adds products with three sizes each, published articles with
tags and product embeds, paid orders with their lines, and a stock ledger whose sums equal
each size's ``on_hand`` (the shop's own invariant). PostgreSQL gets the rows through COPY,
SQLite through batched INSERTs, so L (5M ledger rows) loads in minutes.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import Connection, bindparam, func, insert, select, update

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
_SPAN_US = SPAN // timedelta(microseconds=1)
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
    """Add a synthetic shop of ``size`` in the connection's transaction; counts added.

    Rows are generated as they are written, so memory stays flat whatever the size: only the
    sizes (a few thousand), one small integer per order (which size it bought) and each
    size's running stock are held.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = now - SPAN
    run = _next_id(conn, Product)  # keeps slugs, SKUs and numbers unique on a second run

    product_id, variant_id, tag_id, post_id, order_id, line_id, movement_id = (
        _next_id(conn, m) for m in (Product, Variant, Tag, Post, Order, OrderLine,
                                    StockMovement))
    slugs = [f"scale-{run}-{n}" for n in range(size.products)]
    _copy(conn, Product.__table__, ["id", "slug", "name", "tagline", "description",
                                    "safety_note", "active", "revision", "created_at",
                                    "updated_at"],
          ((product_id + n, slugs[n], f"Scale cream {run}-{n}", "Magnesium and hemp seed oil",
            _text(rng, 300), "", True, 1, now, now) for n in range(size.products)))
    variants = [(variant_id + 3 * n + k, product_id + n, f"SC{run}-{n}-{k}", label, price)
                for n in range(size.products)
                for k, (label, price) in enumerate((("50 ml", 2400), ("100 ml", 3900),
                                                    ("200 ml", 6400)))]
    # Sizes go in before the ledger that points at them; their on_hand (the ledger's sum,
    # known once the ledger is written) is set at the end.
    _copy(conn, Variant.__table__, ["id", "product_id", "sku", "label", "price_cents",
                                    "currency", "on_hand", "reserved", "low_stock_threshold",
                                    "low_stock_alerted", "position", "revision", "created_at",
                                    "updated_at"],
          ((v[0], v[1], v[2], v[3], v[4], "usd", 0, 0, 5, False, v[0] % 3, 1, now, now)
           for v in variants))

    tags = [tag_id + n for n in range(TAGS)]
    _copy(conn, Tag.__table__, ["id", "slug", "name"],
          ((tags[n], f"scale-{run}-topic-{n}", f"Topic {run}-{n}") for n in range(TAGS)))
    _copy(conn, Post.__table__, ["id", "slug", "title", "summary", "body", "author",
                                 "is_health", "is_condition", "cover_alt", "published_at",
                                 "revision", "created_at", "updated_at"],
          _posts(rng, size, run, post_id, start, slugs))
    _copy(conn, post_tag, ["post_id", "tag_id"],
          ((post_id + n, tags[(post_id + n + k) % TAGS]) for n in range(size.articles)
           for k in range(2)))
    _copy(conn, post_product, ["post_id", "product_id"],
          ((post_id + n, product_id + n % size.products) for n in range(size.articles)))

    # Which size each order bought: the one thing the orders, lines and ledger share.
    bought = array("l", (rng.randrange(len(variants)) for _ in range(size.orders)))
    _copy(conn, Order.__table__, ORDER_COLUMNS,
          _orders(size, variants, bought, run, start, order_id))
    _copy(conn, OrderLine.__table__, ["id", "order_id", "variant_id", "sku", "product_name",
                                      "variant_label", "unit_price_cents", "quantity"],
          ((line_id + n, order_id + n, variants[i][0], variants[i][2], "Scale cream",
            variants[i][3], variants[i][4], 1) for n, i in enumerate(bought)))
    on_hand = [0] * len(variants)
    _copy(conn, StockMovement.__table__, ["id", "variant_id", "delta", "on_hand_after",
                                          "reason", "note", "order_id", "created_at"],
          _ledger(size, variants, bought, on_hand, start, order_id, movement_id))
    table = Variant.__table__
    conn.execute(update(table).where(table.c.id == bindparam("variant"))
                 .values(on_hand=bindparam("on_hand")),
                 [{"variant": v[0], "on_hand": on_hand[i]} for i, v in enumerate(variants)])
    return {"products": size.products, "sizes": len(variants), "articles": size.articles,
            "orders": size.orders, "ledger rows": size.ledger}


def _at(start: datetime, n: int, count: int) -> datetime:
    """The n-th of ``count`` moments spread evenly over the span."""
    return start + timedelta(microseconds=_SPAN_US * (n + 1) // (count + 1))


def _posts(rng, size: Size, run: int, post_id: int, start: datetime,
           slugs: list[str]) -> Iterator[tuple]:
    for n in range(size.articles):
        at = _at(start, n, size.articles)
        yield (post_id + n, f"scale-{run}-article-{n}", f"Article {run}-{n}", _text(rng, 20),
               f"{_text(rng, 600)}\n\n[[product:{slugs[n % len(slugs)]}]]\n",
               "Editorial team", True, False, "", at, 1, at, at)


ORDER_COLUMNS = ["id", "number", "token", "status", "email", "currency", "subtotal_cents",
                 "shipping_cents", "discount_cents", "tax_cents", "total_cents",
                 "refunded_cents", "refund_pending_cents", "shipping_name", "shipping_method",
                 "carrier", "tracking_number", "dispute_status", "dispute_reason",
                 "dispute_amount_cents", "fraud_warning_type", "created_at", "updated_at",
                 "paid_at", "stripe_checkout_session_id"]


def _orders(size: Size, variants, bought: array, run: int, start: datetime,
            order_id: int) -> Iterator[tuple]:
    for n, i in enumerate(bought):
        at = _at(start, n, size.orders)
        price = variants[i][4]
        yield (order_id + n, f"RW-S{run}-{n}", f"scale-{run}-{n}",
               "fulfilled" if n % 3 else "paid", f"customer{n}@example.com", "usd", price,
               0, 0, 0, price, 0, 0, f"Customer {n}", "Standard", "", "", "", "", 0, "", at,
               at, at, f"cs_scale_{run}_{n}")


def _ledger(size: Size, variants, bought: array, on_hand: list[int], start: datetime,
            order_id: int, movement_id: int) -> Iterator[tuple]:
    """Every size's first delivery, then restocks and sales merged in time order.

    Restocks come evenly over the span, the sizes in turn, each bringing enough jars that the
    sales, wherever they fall, never take a size below 0; ``on_hand`` ends as each size's sum.
    """
    count = len(variants)
    restocks = max(0, size.ledger - size.orders - count)
    sold = [0] * count
    for i in bought:
        sold[i] += 1
    deliveries = [1 + restocks // count + (i < restocks % count) for i in range(count)]
    per_delivery = [-(-sold[i] // deliveries[i]) + 12 for i in range(count)]
    n = movement_id

    def move(i: int, delta: int, at: datetime, order: int | None) -> tuple:
        nonlocal n
        if on_hand[i] + delta < 0:  # a sale before any delivery: never below 0
            delta = 0
        on_hand[i] += delta
        n += 1
        return (n - 1, variants[i][0], delta, on_hand[i], "sale" if order else "restock", "",
                order, at)

    for i in range(count):
        yield move(i, per_delivery[i], start, None)
    sale = 0
    for r in range(restocks):
        at = _at(start, r, restocks)
        while sale < size.orders and _at(start, sale, size.orders) < at:
            yield move(bought[sale], -1, _at(start, sale, size.orders), order_id + sale)
            sale += 1
        yield move(r % count, per_delivery[r % count], at, None)
    for rest in range(sale, size.orders):
        yield move(bought[rest], -1, _at(start, rest, size.orders), order_id + rest)
