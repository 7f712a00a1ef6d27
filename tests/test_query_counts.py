"""No N+1: each public page runs a small, fixed number of SQL queries (DESIGN 8: at most 4)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

from storefront.extensions import db
from storefront.models import (
    AuditLog,
    Order,
    OrderLine,
    ProductImage,
    StockMovement,
    utcnow,
)
from tests.conftest import make_post, make_product


@contextmanager
def count_queries(app, with_parameters: bool = False):
    """Every SQL statement run while the block runs, with its parameters if asked."""
    statements: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters) if with_parameters else statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _get(client, app, path: str) -> list[str]:
    with count_queries(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


def _products(session, count: int) -> list[str]:
    slugs = []
    for n in range(count):
        product = make_product(f"cream-{n}", f"Cream {n}", variants=[
            (f"C{n}-50", "50 ml jar", 2400, 10), (f"C{n}-100", "100 ml jar", 3900, 1),
            (f"C{n}-200", "200 ml jar", 6400, 0)])
        for position in range(2):
            product.images.append(ProductImage(key=f"cream-{n}-{position}", alt="jar",
                                               width=1200, height=1200, widths="320,640,960",
                                               position=position))
        session.commit()
        slugs.append(product.slug)
    return slugs


def _embed_body(slugs) -> str:
    return "Intro.[^1]\n\n" + "\n\n".join(f"[[product:{slug}]]\n\nMore text." for slug in slugs)


def test_article_with_three_embeds_runs_as_many_queries_as_with_one(app, client, session):
    slugs = _products(session, 3)
    now = utcnow()
    for n in range(4):  # neighbours and related posts to find
        make_post(f"other-{n}", f"Other {n}", body="x", published_at=now - timedelta(days=n + 2))
    make_post("one-embed", "One", body=_embed_body(slugs[:1]),
              published_at=now - timedelta(hours=1))
    make_post("three-embeds", "Three", body=_embed_body(slugs),
              published_at=now - timedelta(hours=2))

    one = _get(client, app, "/blog/one-embed")
    three = _get(client, app, "/blog/three-embeds")
    html = client.get("/blog/three-embeds").get_data(as_text=True)
    assert html.count('class="product-card"') == 3
    assert len(three) == len(one), (one, three)
    assert len(three) <= 4, three


def test_product_page_count_does_not_grow_with_articles(app, client, session):
    _products(session, 1)
    make_post("a", "A", body="[[product:cream-0]]")
    few = _get(client, app, "/products/cream-0")
    for n in range(6):
        make_post(f"more-{n}", f"More {n}", body="[[product:cream-0]]", tags=(f"tag-{n}", "x"))
    many = _get(client, app, "/products/cream-0")
    html = client.get("/products/cream-0").get_data(as_text=True)
    assert "More 5" in html
    assert len(many) == len(few) <= 4, many


def test_blog_index_count_does_not_grow_with_posts(app, client, session):
    make_post("first", "First", body="x", cover_key="c1", cover_alt="c")
    few = _get(client, app, "/blog/")
    for n in range(9):
        make_post(f"p-{n}", f"P {n}", body="x", tags=(f"t{n}",), cover_key=f"c-{n}",
                  cover_alt="c")
    many = _get(client, app, "/blog/")
    assert len(many) == len(few) <= 3, many  # 2 to render + the page cache's version check
    tag_page = _get(client, app, "/blog/tag/t3")
    assert len(tag_page) <= 3, tag_page


def test_home_and_product_list_are_fixed(app, client, session):
    _products(session, 1)
    make_post("x", "X", body="x")
    home_few = _get(client, app, "/")
    list_few = _get(client, app, "/products/")
    for n in range(1, 4):
        make_product(f"balm-{n}", f"Balm {n}", variants=[(f"B{n}", "30 ml", 1000, 3)])
        make_post(f"y-{n}", f"Y {n}", body="y")
    assert len(_get(client, app, "/")) == len(home_few) <= 4
    assert len(_get(client, app, "/products/")) == len(list_few) <= 4
    assert len(_get(client, app, "/sitemap.xml")) <= 3
    assert len(_get(client, app, "/blog/feed.xml")) <= 3


def _admin_counts(app, client, paths) -> dict[str, int]:
    return {path: len(_get(client, app, path)) for path in paths}


def test_admin_list_pages_run_a_bounded_number_of_queries(app, session):
    """Orders (with their lines), ledger, audit log, products, articles and stock sizes: a
    full page of 50 runs no more queries than a page of 3 (one per eager-loaded relation at
    most; a relation with nothing to load on the page costs none)."""
    from tests.test_admin_lists import make_orders
    from tests.test_admin_support import owner_client

    def fill(first: int, count: int) -> None:
        for n in range(first, first + count):
            make_product(f"jar-{n}", f"Jar {n}", variants=[(f"J{n}", "50 ml", 100, 3)])
            make_post(f"essay-{n}", f"Essay {n}", body="x", tags=(f"t{n}",))
            session.add(AuditLog(action="test", target=str(n)))
        session.commit()

    make_orders(3)
    fill(0, 3)
    variant_id = session.scalar(select(OrderLine.variant_id).limit(1))
    session.close()
    client = owner_client(app)
    paths = ["/admin/orders", "/admin/orders?q=buyer1", "/admin/audit", "/admin/products",
             "/admin/posts", "/admin/inventory", f"/admin/inventory/{variant_id}/history"]
    few = _admin_counts(app, client, paths)
    with app.app_context():
        make_orders_more = [Order(number=f"RW-M{n:04d}", token=f"m{n}", status="paid",
                                  email=f"more{n}@example.com", currency="usd",
                                  subtotal_cents=100, total_cents=100,
                                  lines=[OrderLine(variant_id=variant_id, sku="KS-1",
                                                   product_name="Keyset", variant_label="50 ml",
                                                   unit_price_cents=100, quantity=2)])
                            for n in range(80)]
        db.session.add_all(make_orders_more)
        db.session.add_all(StockMovement(variant_id=variant_id, delta=1, on_hand_after=n,
                                         reason="restock") for n in range(80))
        db.session.commit()
        fill(3, 60)
    many = _admin_counts(app, client, paths)
    for path in paths:
        assert many[path] <= 6 and few[path] <= 6, (path, few, many)
    assert many["/admin/orders"] == few["/admin/orders"], (few, many)
