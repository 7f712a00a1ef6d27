"""The article report: totals reconcile with the orders for any range (a Hypothesis
property, on SQLite and PostgreSQL), refunds reduce revenue, orders without an article are
"direct"; the page, its CSV and ``flask report articles`` show the same rows."""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from storefront.extensions import db
from storefront.models import (
    ArticleDay,
    Order,
    OrderLine,
    OrderStatus,
    StockMovement,
    Variant,
)
from storefront.models.orders import PAID_STATES
from storefront.reports import article_report
from tests.conftest import make_post, make_product
from tests.test_admin_support import owner_client, staff_client

DAY0 = date(2026, 3, 1)

orders_strategy = st.lists(st.fixed_dictionaries({
    "day": st.integers(0, 20),
    "hour": st.integers(0, 23),
    "minute": st.sampled_from([0, 14, 15, 29, 30, 44, 45, 59]),
    "status": st.sampled_from(list(OrderStatus)),
    "total": st.integers(0, 20_000),
    "refund_share": st.integers(0, 4),  # 0..4 quarters of the total refunded
    "first": st.sampled_from([None, 0, 1]),
    "last": st.sampled_from([None, 0, 1]),
}), max_size=25)


def _add_orders(posts, specs) -> list[Order]:
    made = []
    for spec in specs:
        ids = [None if i is None else posts[i] for i in (spec["first"], spec["last"])]
        total = spec["total"]
        order = Order(number=secrets.token_hex(6), token=secrets.token_hex(16), currency="usd",
                      status=spec["status"], subtotal_cents=total, total_cents=total,
                      refunded_cents=total * spec["refund_share"] // 4,
                      first_touch_post_id=ids[0], source_post_id=ids[1],
                      created_at=datetime.combine(DAY0 + timedelta(days=spec["day"]),
                                                  datetime.min.time(), UTC)
                      + timedelta(hours=spec["hour"], minutes=spec.get("minute", 0)))
        db.session.add(order)
        made.append(order)
    db.session.commit()
    return made


@pytest.fixture
def posts(session):
    make_product()
    return [make_post("why-magnesium", "Why magnesium").id,
            make_post("hemp-seed-oil", "Hemp seed oil").id]


def _placed(spec) -> datetime:
    return (datetime.combine(DAY0 + timedelta(days=spec["day"]), datetime.min.time(), UTC)
            + timedelta(hours=spec["hour"], minutes=spec.get("minute", 0)))


# The orders are placed at UTC times; the shop's days are cut in its own zone: UTC, one with
# daylight saving starting inside the generated weeks (8 March 2026 in New York), and one
# 5:45 ahead of UTC.
@pytest.mark.parametrize("app_config", [{"SHOP_TIMEZONE": "UTC"},
                                        {"SHOP_TIMEZONE": "America/New_York"},
                                        {"SHOP_TIMEZONE": "Asia/Kathmandu"}],
                         ids=["UTC", "New_York", "Kathmandu"])
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=orders_strategy, start=st.integers(0, 22), length=st.integers(0, 22),
       touch=st.sampled_from(article_report.TOUCHES))
def test_totals_reconcile_with_the_orders_for_any_range(app, session, posts, specs, start,
                                                        length, touch):
    session.execute(delete(Order))
    session.commit()
    _add_orders(posts, specs)
    first_day, last_day = DAY0 + timedelta(days=start), DAY0 + timedelta(days=start + length)
    report = article_report.build(session, first_day, last_day, touch)
    zone = ZoneInfo(app.config["SHOP_TIMEZONE"])

    def local_day(spec) -> date:
        return _placed(spec).astimezone(zone).date()

    def in_range(spec):
        return first_day <= local_day(spec) <= last_day

    listed = [s for s in specs if in_range(s) and s["status"] in PAID_STATES]
    net = [s["total"] - s["total"] * s["refund_share"] // 4 for s in listed]
    assert report.totals.orders == len(listed)
    assert report.totals.revenue_cents == sum(net)
    assert report.totals.checkouts == len([s for s in specs if in_range(s)])
    key = "first" if touch == "first" else "last"
    direct = [n for s, n in zip(listed, net, strict=True) if s[key] is None]
    assert (report.direct.orders, report.direct.revenue_cents) == (len(direct), sum(direct))
    assert sum(r.revenue_cents for r in report.rows) + report.direct.revenue_cents == sum(net)
    by_day = defaultdict(int)
    for spec, amount in zip(listed, net, strict=True):
        by_day[local_day(spec)] += amount
    assert {day: revenue for day, _, revenue in report.daily if revenue} == {
        day: amount for day, amount in by_day.items() if amount}
    # The orders list, filtered on the same dates, lists exactly these orders.
    since, until = article_report.bounds(first_day, last_day)
    assert {o.number for o in session.scalars(select(Order).where(
        Order.created_at >= since, Order.created_at < until))} == {
        o.number for o, s in zip(session.scalars(select(Order).order_by(Order.id)), specs,
                                 strict=True) if in_range(s)}


def test_a_refund_reduces_the_articles_revenue(session, posts):
    [order] = _add_orders(posts, [{"day": 0, "hour": 1, "status": OrderStatus.PAID,
                                   "total": 3900, "refund_share": 0, "first": 0, "last": 1}])
    before = article_report.build(session, DAY0, DAY0).rows[0].revenue_cents
    order.status, order.refunded_cents = OrderStatus.PARTIALLY_REFUNDED, 1000
    session.commit()
    report = article_report.build(session, DAY0, DAY0)
    assert (before, report.rows[0].revenue_cents) == (3900, 2900)
    assert report.rows[0].slug == "hemp-seed-oil"
    assert article_report.build(session, DAY0, DAY0, "first").rows[0].slug == "why-magnesium"


def _seed(session, posts):
    session.add(ArticleDay(post_id=posts[0], day=DAY0, views=200, readers=150, reads=80,
                           card_clicks=20, add_to_cart=6))
    session.commit()
    _add_orders(posts, [
        {"day": 0, "hour": 9, "status": OrderStatus.PAID, "total": 4800, "refund_share": 0,
         "first": 0, "last": 0},
        {"day": 0, "hour": 10, "status": OrderStatus.PENDING, "total": 2400,
         "refund_share": 0, "first": 0, "last": 0},
        {"day": 0, "hour": 11, "status": OrderStatus.PAID, "total": 2400, "refund_share": 0,
         "first": None, "last": None},
    ])


def test_the_page_shows_rows_direct_totals_and_a_chart(app, session, posts):
    _seed(session, posts)
    client = owner_client(app)
    html = client.get(f"/admin/reports/articles?from={DAY0}&to={DAY0}").get_data(as_text=True)
    assert "Why magnesium" in html and "Direct (no article)" in html
    assert "$48.00" in html and "$72.00" in html  # the article, and the total with direct
    assert "10.0%" in html  # click-through: 20 clicks / 200 views
    assert "$240.00" in html  # revenue per 1,000 views: 4800 * 1000 / 200 cents
    assert "<svg" in html and "<script" not in html.split("<main", 1)[-1]
    assert 'aria-sort="descending"' in html
    for days in (7, 30, 90):
        assert f">{days} days</a>" in html


def test_the_csv_has_the_same_rows(app, session, posts):
    _seed(session, posts)
    client = owner_client(app)
    response = client.get(f"/admin/reports/articles.csv?from={DAY0}&to={DAY0}")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["slug"] for r in rows] == ["why-magnesium", "direct", "total"]
    assert rows[0]["views"] == "200" and rows[0]["card_clicks"] == "20"
    assert rows[0]["add_to_cart"] == "6" and rows[0]["checkouts"] == "2"
    assert rows[0]["orders"] == "1" and rows[0]["revenue_cents"] == "4800"
    assert rows[-1]["revenue_cents"] == "7200"


def test_only_owners_see_the_report(app):
    assert staff_client(app).get("/admin/reports/articles").status_code == 403
    assert owner_client(app).get("/admin/reports/articles").status_code == 200


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=yesterday", "from", "Write the date as YYYY-MM-DD"),
    ("from=2026-05-01&to=2026-04-01", "to", "The end date is before the start date."),
    ("from=2026-02-30", "from", "Write the date as YYYY-MM-DD"),
    ("from=2000-01-01&to=2026-01-01", "to", "Choose at most 3,660 days."),
    ("from=2999-01-01", "to", "The end date is before the start date."),  # To is today
    ("to=0001-01-01", "to", "Choose a day from 2000-01-01 to 2999-12-31."),
    ("to=9999-12-31", "to", "Choose a day from 2000-01-01 to 2999-12-31."),
    ("from=0001-01-01&to=2026-01-01", "from", "Choose a day from 2000-01-01 to 2999-12-31."),
])
def test_a_bad_range_reshows_the_form_with_the_message_beside_the_date(app, query, field,
                                                                       message):
    client = owner_client(app)
    response = client.get(f"/admin/reports/articles?{query}&touch=first")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}' in html
    assert f'aria-describedby="{field}-error"' in html
    typed = dict(part.split("=") for part in query.split("&"))
    for name, value in typed.items():
        assert f'name="{name}" type="date" value="{value}"' in html  # what was typed is kept
    assert '<option value="first" selected>' in html
    assert "<table" not in html and "Download CSV" not in html  # no figures for a bad range
    csv_response = client.get(f"/admin/reports/articles.csv?{query}")
    assert csv_response.status_code == 400 and message.encode() in csv_response.data


@pytest.mark.parametrize("args", [["--to", "9999-12-31"], ["--to", "0001-01-01"],
                                  ["--from", "1999-12-31"], ["--from", "2026-02-01", "--to",
                                                             "2026-01-01"]])
def test_the_command_refuses_days_it_cannot_report(app, runner, args):
    result = runner.invoke(args=["report", "articles", *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--from" in result.output or "--to" in result.output


def test_the_command_prints_the_same_table(app, session, posts, runner):
    _seed(session, posts)
    result = runner.invoke(args=["report", "articles", "--from", str(DAY0), "--to", str(DAY0)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split("\t")[:3] == ["slug", "title", "views"]
    assert lines[2].startswith("why-magnesium\tWhy magnesium\t200\t")
    assert lines[-1].split("\t")[-1] == "7200"


def test_the_article_product_and_dashboard_pages_show_their_part(app, posts):
    with app.app_context():
        session = db.session
        _seed(session, posts)
        order = session.scalar(select(Order).where(Order.status == OrderStatus.PAID,
                                                   Order.source_post_id == posts[0]))
        variant = session.scalar(select(Variant))
        session.add(OrderLine(order_id=order.id, variant_id=variant.id, sku=variant.sku,
                              product_name="Cream", variant_label="50 ml",
                              unit_price_cents=2400, quantity=2))
        today = datetime.now(UTC).date()
        for row in session.scalars(select(ArticleDay)):
            row.day = today
        for made in session.scalars(select(Order)):
            made.created_at = datetime.now(UTC)
        session.commit()
        product_id = variant.product_id
    client = owner_client(app)
    post_page = client.get(f"/admin/posts/{posts[0]}").get_data(as_text=True)
    assert "Readers to orders, last 30 days" in post_page and "$48.00" in post_page
    product_page = client.get(f"/admin/products/{product_id}").get_data(as_text=True)
    assert "Articles that sold it" in product_page
    assert re.search(r"<td>Why magnesium</td><td class=\"num\">1</td><td class=\"num\">2</td>",
                     product_page)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "Top articles, last 30 days" in dashboard
    assert "Why magnesium: $48.00 from 1 order, 200 views" in dashboard
    assert 'class="sparkline"' in dashboard


def test_seed_demo_loads_90_days_of_history_labelled_as_demo(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert "90 days of demo article counts" in result.output, result.output
    assert "demo article counts" not in runner.invoke(args=["seed-demo"]).output
    with app.app_context():
        session = db.session
        days = session.scalars(select(ArticleDay.day).distinct()).all()
        assert len(days) == 90 and all(session.scalars(select(ArticleDay.demo)))
        orders = session.scalars(select(Order)).all()
        paid = [o for o in orders if o.status in PAID_STATES]
        assert len(paid) > 50 and all(o.demo for o in orders)
        assert all(o.lines and o.stripe_checkout_session_id is None for o in orders)
        assert not [o for o in orders if o.status == OrderStatus.PAID]  # nothing to ship
        assert session.scalar(select(func.count(StockMovement.id)).where(
            StockMovement.reason == "sale")) == 0
        end = max(days)
        report = article_report.build(session, end - timedelta(days=89), end)
        assert report.totals.orders == len(paid)
        assert report.totals.revenue_cents == sum(o.total_cents - o.refunded_cents for o in paid)
        assert report.totals.checkouts == len(orders)
        assert 0 < report.direct.orders < report.totals.orders / 2
        number = orders[0].number
    client = owner_client(app)
    html = client.get("/admin/reports/articles?from=&to=").get_data(as_text=True)
    assert "Demo data:" in html and "29 days" in html  # yesterday back: 29 of the 30 shown
    assert "checkouts with their orders and revenue" in html
    listed = client.get(f"/admin/orders?q={number}").get_data(as_text=True)
    assert 'class="badge badge-demo">demo<' in listed


def test_remove_demo_data_keeps_the_shops_own_counts_and_orders(app, session, posts, runner):
    assert "demo article counts" in runner.invoke(args=["seed-demo"]).output
    real = _add_orders(posts, [{"day": 0, "hour": 12, "status": OrderStatus.PAID, "total": 2400,
                                "refund_share": 0, "first": 0, "last": 0}])[0]
    real.lines.append(OrderLine(sku="RW-50", product_name="Cream", variant_label="50 ml",
                                unit_price_cents=2400, quantity=1))
    session.add(ArticleDay(post_id=posts[0], day=DAY0, views=7))
    session.commit()
    real_id = real.id
    demo_orders = session.scalar(select(func.count(Order.id)).where(Order.demo))
    assert demo_orders > 50

    declined = runner.invoke(args=["remove-demo-data"], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert session.scalar(select(func.count(Order.id)).where(Order.demo)) == demo_orders

    result = runner.invoke(args=["remove-demo-data", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"and {demo_orders} demo orders." in result.output
    session.expire_all()
    assert session.scalars(select(Order.id)).all() == [real_id]
    assert session.scalars(select(ArticleDay.views)).all() == [7]
    lines = session.scalars(select(OrderLine.order_id)).all()
    assert lines and set(lines) == {real_id}  # the demo orders' lines went with them
    assert "0 demo article-day counts and 0 demo orders" in runner.invoke(
        args=["remove-demo-data", "--yes"]).output


@pytest.mark.parametrize("app_config", [{"SHOP_TIMEZONE": "America/New_York"}])
def test_days_are_the_shops_around_midnight(app, session, posts, runner):
    # 1 March 2026 04:30 UTC is 23:30 on 28 February in New York; 05:30 UTC is 00:30 on 1 March.
    evening, night = _add_orders(posts, [
        {"day": 0, "hour": 4, "minute": 30, "status": OrderStatus.PAID, "total": 1500,
         "refund_share": 0, "first": 0, "last": 0},
        {"day": 0, "hour": 5, "minute": 30, "status": OrderStatus.PAID, "total": 2000,
         "refund_share": 2, "first": 0, "last": 0},
    ])
    session.add(ArticleDay(post_id=posts[0], day=DAY0, views=10))
    session.commit()
    march_1 = article_report.build(session, DAY0, DAY0)
    assert (march_1.totals.orders, march_1.totals.revenue_cents) == (1, 1000)  # half refunded
    assert march_1.daily == [(DAY0, 10, 1000)]
    eve = DAY0 - timedelta(days=1)
    february_28 = article_report.build(session, eve, eve)
    assert (february_28.totals.orders, february_28.totals.revenue_cents) == (1, 1500)
    assert february_28.daily == [(eve, 0, 1500)]

    client = owner_client(app)
    listed = client.get(f"/admin/orders?from={DAY0}&to={DAY0}").get_data(as_text=True)
    assert night.number in listed and evening.number not in listed
    assert "2026-03-01 00:30" in listed and "America/New_York" in listed
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/admin/reports/articles.csv?from={DAY0}&to={DAY0}").get_data(as_text=True))))
    assert rows[-1]["orders"] == "1" and rows[-1]["revenue_cents"] == "1000"
    page = client.get(f"/admin/reports/articles?from={DAY0}&to={DAY0}").get_data(as_text=True)
    assert "America/New_York" in page
    result = runner.invoke(args=["report", "articles", "--from", str(DAY0), "--to", str(DAY0)])
    assert result.output.splitlines()[-1].split("\t")[-2:] == ["1", "1000"]
