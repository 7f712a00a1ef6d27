"""The back office's long lists: keyset pages, indexed order search, paged and filtered lists."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from storefront.extensions import db
from storefront.models import (
    AuditLog,
    Order,
    OrderLine,
    Post,
    StockMovement,
    StockReason,
    utcnow,
)
from tests.conftest import make_product
from tests.test_admin_support import owner_client, staff_client
from tests.test_query_counts import count_queries

NUMBER = re.compile(r">(RW-T\d{4})<")


def make_orders(count: int, *, same_time: bool = False) -> list[str]:
    """``count`` paid orders of one jar each, one minute apart (or all at one instant),
    each with its sale in the ledger; their numbers, newest first."""
    product = make_product("keyset-cream", "Keyset Cream", variants=[("KS-1", "50 ml", 100, 0)])
    variant = product.variants[0]
    start = utcnow() - timedelta(days=1)
    numbers = []
    for n in range(count):
        at = start if same_time else start + timedelta(minutes=n)
        order = Order(number=f"RW-T{n:04d}", token=f"t{n}", status="paid",
                      email=f"buyer{n}@example.com", currency="usd", subtotal_cents=100,
                      total_cents=100, created_at=at, paid_at=at)
        order.lines.append(OrderLine(variant_id=variant.id, sku="KS-1", product_name="Keyset",
                                     variant_label="50 ml", unit_price_cents=100, quantity=1))
        db.session.add(order)
        db.session.flush()
        db.session.add(StockMovement(variant_id=variant.id, delta=n + 1, on_hand_after=n + 1,
                                     reason=StockReason.RESTOCK, created_at=at))
        db.session.add(StockMovement(variant_id=variant.id, delta=-1, on_hand_after=n,
                                     reason=StockReason.SALE, order_id=order.id, created_at=at))
        numbers.append(order.number)
    db.session.commit()
    return numbers[::-1]


def _walk(client, path: str, pattern=NUMBER) -> tuple[list[str], list[str]]:
    """Follow "Older" links from ``path`` to the end, then "Newer" links back to the start."""
    seen, back = [], []
    html = client.get(path).get_data(as_text=True)
    for _ in range(50):  # a cursor that leads back to itself fails here, never hangs
        seen += pattern.findall(html)
        older = re.search(r'<a rel="next" href="([^"]+)">Older', html)
        if not older:
            break
        html = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    else:
        raise AssertionError("Older links never end")
    newer_link = re.compile(r'<a rel="prev" href="([^"]+)">← Newer')
    while len(back) < 10_000 and (newer := newer_link.search(html)):
        html = client.get(newer.group(1).replace("&amp;", "&")).get_data(as_text=True)
        back = pattern.findall(html) + back
    return seen, back


def test_orders_page_by_keyset_both_ways_without_offset(app):
    with app.app_context():
        numbers = make_orders(120)
    client = staff_client(app)
    with count_queries(app, with_parameters=True) as statements:
        seen, back = _walk(client, "/admin/orders")
    assert seen == numbers  # every order once, newest first, over three pages
    assert back == numbers[:-20]  # back from the last page: every page before it
    # SQLite's dialect always writes an OFFSET after a LIMIT; it must skip nothing.
    assert not [s for s, p in statements if "OFFSET" in s.upper() and p[-1] != 0]
    assert not [s for s, _ in statements if "count(" in s.lower() and '"order"' in s]


def test_keyset_pages_keep_ties_apart_and_filters(app):
    with app.app_context():
        numbers = make_orders(60, same_time=True)  # one created_at: only the id orders them
    client = staff_client(app)
    seen, _ = _walk(client, "/admin/orders?status=paid")
    assert sorted(seen) == sorted(numbers) and len(seen) == 60
    assert _walk(client, "/admin/orders?status=refunded")[0] == []
    for nonsense in ("x", "1~2~3", "9" * 30, "99999999999999999~1", "-5~-5"):
        assert client.get(f"/admin/orders?before={nonsense}").status_code == 200
        assert client.get(f"/admin/orders?after={nonsense}").status_code == 200


def test_order_search_exact_number_or_email_start(app):
    with app.app_context():
        make_orders(12)
    client = staff_client(app)

    def found(q):
        return NUMBER.findall(client.get(f"/admin/orders?q={q}").get_data(as_text=True))

    assert found("rw-t0007") == ["RW-T0007"]
    assert found("RW-T000") == []  # numbers match whole, never as a fragment
    assert found("buyer1") == ["RW-T0011", "RW-T0010", "RW-T0001"]
    assert found("buyer11@example.com") == ["RW-T0011"]
    assert found("bu") == []  # too short for an indexed email search
    assert found("b%25") == [] and found("buyer_") == []  # wildcards are text, not patterns


def test_order_search_uses_an_index_never_a_scan(app):
    """The email and number conditions are answered from indexes on both databases."""
    with app.app_context():
        make_orders(3)
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            db.session.execute(text("SET enable_seqscan = off"))
            plan = " ".join(db.session.scalars(text(
                "EXPLAIN SELECT id FROM \"order\" WHERE number = 'BUYER1' "
                "OR email ILIKE '%buyer1%'")))
            assert "ix_search_order_email" in plan, plan
        else:
            plan = " ".join(str(r) for r in db.session.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM \"order\" WHERE number = 'BUYER1' "
                "OR (email >= 'buyer1' AND email < 'buyer1' || char(1114111))")))
            assert "ix_search_order_email" in plan and "SCAN order" not in plan, plan


def test_order_detail_reads_its_own_ledger_rows_through_the_index(app):
    with app.app_context():
        make_orders(5)
        order_id = db.session.scalar(db.select(Order.id).where(Order.number == "RW-T0002"))
        dialect = db.engine.dialect.name
    client = staff_client(app)
    with count_queries(app, with_parameters=True) as statements:
        html = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert html.count("stock sale") == 1  # this order's sale only, not its neighbours'
    ledger = [(s, p) for s, p in statements if "FROM stock_movement" in s]
    assert len(ledger) == 1, ledger  # read once, not once for the timeline and again
    if dialect == "sqlite":
        statement, params = ledger[0]
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                plan = " ".join(str(r) for r in raw.execute(
                    "EXPLAIN QUERY PLAN " + statement, params).fetchall())
            finally:
                raw.close()
        assert "ix_stock_movement_order_id" in plan, plan


def test_ledger_history_and_audit_log_page_by_keyset(app):
    with app.app_context():
        make_orders(60)
        variant_id = db.session.scalar(db.select(OrderLine.variant_id).limit(1))
        for n in range(55):
            db.session.add(AuditLog(action="test.entry", target=f"entry:{n:03d}"))
        db.session.commit()
    client = owner_client(app)
    deltas = re.compile(r'<td class="num">([+-]\d+)</td>')
    seen, back = _walk(client, f"/admin/inventory/{variant_id}/history", deltas)
    assert len(seen) == 120 and seen[:2] == ["-1", "+60"]  # newest first, same instant by id
    assert len(back) == 100
    entries = re.compile(r"<td>(entry:\d{3})</td>")
    seen, _ = _walk(client, "/admin/audit", entries)
    assert seen == [f"entry:{n:03d}" for n in range(54, -1, -1)]


def test_products_posts_and_inventory_are_paged_and_filtered(app):
    with app.app_context():
        for n in range(55):
            make_product(f"jar-{n:02d}", f"Jar {n:02d}", variants=[(f"J{n:02d}", "50 ml", 100, 3)])
            db.session.add(Post(slug=f"essay-{n:02d}", title=f"Essay {n:02d}", body="x" * 1000))
        db.session.commit()
    client = owner_client(app)
    for path, item in (("/admin/products", r">Jar (\d\d)<"), ("/admin/posts", r">Essay (\d\d)<"),
                       ("/admin/inventory", r'id="variant-(\d+)"')):
        first = re.findall(item, client.get(path).get_data(as_text=True))
        second = re.findall(item, client.get(path + "?page=2").get_data(as_text=True))
        assert len(first) == 50 and len(second) == 5, path
        assert not set(first) & set(second), path
        assert "Page 1 of 2" in client.get(path).get_data(as_text=True)
    assert re.findall(r">Jar (\d\d)<", client.get("/admin/products?q=jar-4").get_data(
        as_text=True)) == [f"4{n}" for n in range(10)]
    assert re.findall(r">Essay (\d\d)<", client.get("/admin/posts?q=ESSAY 07").get_data(
        as_text=True)) == ["07"]
    assert client.get("/admin/products?q=%25").get_data(as_text=True).count(">Jar ") == 0
    assert 'id="variant-' not in client.get("/admin/inventory?q=nothing-like-it").get_data(
        as_text=True)


def test_dashboard_counts_waiting_orders_only_up_to_a_cap(app, monkeypatch):
    from storefront.admin import dashboard

    monkeypatch.setattr(dashboard, "COUNT_CAP", 3)
    with app.app_context():
        make_orders(5)  # paid, so "To ship"
    client = owner_client(app)
    with count_queries(app, with_parameters=True) as statements:
        html = client.get("/admin/").get_data(as_text=True)
    assert ">3+</a>" in html and ">0</a>" in html  # to ship beyond the cap; none pending
    counts = [s for s, _ in statements if "count(" in s.lower() and '"order".status =' in s]
    assert len(counts) == 2 and all("LIMIT" in s.upper() for s in counts)


def test_content_check_page_checks_one_slice_at_a_time(app, monkeypatch):
    from storefront.admin import content_checks
    from tests.conftest import make_post

    monkeypatch.setattr(content_checks, "PARTS", {
        "articles": (Post, "post_ids", 2), **{k: v for k, v in content_checks.PARTS.items()
                                              if k != "articles"}})
    with app.app_context():
        make_product(description="This cream cures everything.")
        for n in range(3):
            make_post(f"claim-{n}", f"Claim {n}", body="It cures cramps.\n")
    client = owner_client(app)
    first = client.get("/admin/content-checks").get_data(as_text=True)
    assert "post claim-0" in first and "post claim-1" in first and "post claim-2" not in first
    assert "product royal-warrior-cream" not in first and 'rel="next"' in first
    second = client.get("/admin/content-checks?page=2").get_data(as_text=True)
    assert "post claim-2" in second and "post claim-0" not in second
    products = client.get("/admin/content-checks?part=products").get_data(as_text=True)
    assert "product royal-warrior-cream" in products and "post claim-" not in products
    assert client.get("/admin/content-checks?part=nonsense").status_code == 200


def test_article_editor_lists_products_without_their_texts(app):
    from tests.conftest import make_post

    with app.app_context():
        for n in range(25):
            make_product(f"jar-{n:02d}", f"Jar {n:02d}", description="Long text. " * 50,
                         variants=[(f"J{n}", "50 ml", 100, 3)])
        post_id = make_post(body="Text.\n").id
    client = owner_client(app)
    with count_queries(app, with_parameters=True) as statements:
        html = client.get(f"/admin/posts/{post_id}").get_data(as_text=True)
    assert html.count('<option value="jar-') == 25  # every product in the picker
    assert html.count("<code>[[product:jar-") == 20 and "And 5 more" in html
    picker = [s for s, _ in statements
              if s.startswith("SELECT product.slug, product.name, product.active")]
    assert picker and all("description" not in s for s in picker)
