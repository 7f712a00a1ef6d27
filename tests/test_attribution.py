"""Attribution: the cart keeps the first and last article that touched it within 30 days,
the order copies both at checkout, and Sec-GPC or DNT keep no touch (yet still count)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import ArticleDay, Order
from storefront.reports.counters import counters, flush
from tests.conftest import make_post, make_product
from tests.stripe_fixtures import *  # noqa: F403


@pytest.fixture
def app_config(payment_config):
    return {**payment_config, "COUNTER_FLUSH_SECONDS": 0}


@pytest.fixture
def articles(shop, session):
    cream = make_product()
    first = make_post("why-magnesium", "Why magnesium")
    last = make_post("hemp-seed-oil", "Hemp seed oil")
    return cream, first, last


def _add(client, variant_id, from_post=None, **headers):
    data = {"variant_id": variant_id, "quantity": "1"}
    if from_post:
        data["from_post"] = from_post
    return client.post("/cart/add", data=data, headers=headers)


def _order_after_checkout(client) -> Order:
    assert client.post("/checkout").status_code == 303
    db.session.expire_all()
    return db.session.scalars(select(Order).order_by(Order.id.desc())).first()


def test_the_order_copies_the_first_and_the_last_touch(client, articles):
    cream, first, last = articles
    _add(client, cream.variants[0].id, "why-magnesium")
    _add(client, cream.variants[1].id)  # from the cart or a plain product page: no touch
    _add(client, cream.variants[0].id, "hemp-seed-oil")
    order = _order_after_checkout(client)
    assert (order.first_touch_post_id, order.source_post_id) == (first.id, last.id)


def test_without_a_touch_the_order_is_direct(client, articles):
    cream, _, _ = articles
    _add(client, cream.variants[0].id)
    order = _order_after_checkout(client)
    assert (order.first_touch_post_id, order.source_post_id) == (None, None)


def test_touches_older_than_30_days_are_forgotten(client, articles):
    cream, _, last = articles
    _add(client, cream.variants[0].id, "why-magnesium")
    with client.session_transaction() as cookie:
        cart = cookie["cart"]
        old_day = int(time.time() // 86400) - 31
        cart["first"][1] = cart["last"][1] = old_day
        cookie["cart"] = cart
    order_without = _order_after_checkout(client)
    assert order_without.source_post_id is None

    _add(client, cream.variants[1].id, "hemp-seed-oil")
    with client.session_transaction() as cookie:
        assert cookie["cart"]["first"][0] == "hemp-seed-oil"  # the stale first touch is gone


@pytest.mark.parametrize("header", [{"Sec-GPC": "1"}, {"DNT": "1"}])
def test_gpc_and_dnt_store_no_touch_but_still_count(app, client, articles, header):
    cream, _, _ = articles
    _add(client, cream.variants[0].id, "why-magnesium", **header)
    with client.session_transaction() as cookie:
        assert "first" not in cookie["cart"] and "last" not in cookie["cart"]
    order = _order_after_checkout(client)
    assert (order.first_touch_post_id, order.source_post_id) == (None, None)
    flush(db.session, counters(app).buffer)
    row = db.session.scalar(select(ArticleDay))
    assert row is not None and row.add_to_cart == 1  # an aggregate, kept for everyone


def test_adds_from_a_card_are_counted_per_article(app, client, articles):
    cream, first, _ = articles
    _add(client, cream.variants[0].id, "why-magnesium")
    _add(client, cream.variants[0].id, "no-such-article")
    _add(client, cream.variants[0].id)
    flush(db.session, counters(app).buffer)
    rows = db.session.scalars(select(ArticleDay)).all()
    assert [(r.post_id, r.add_to_cart) for r in rows] == [(first.id, 1)]
