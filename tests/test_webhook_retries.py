"""A webhook whose handler fails answers 5xx, so Stripe retries; only a repeated event id is
answered 200 without doing the work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storefront import inventory
from storefront.extensions import db
from storefront.models import Order, OrderStatus, StockMovement, StripeEvent, Variant
from tests.conftest import deliver_mail, make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import buy


@pytest.fixture
def app_config(payment_config):
    return payment_config


@pytest.fixture
def cream(shop, session):
    return make_product(variants=[("RW-50", "50 ml", 2400, 10)]).variants[0].id


def test_handler_integrity_error_is_retried_and_settles_once(shop, cream, stripe_sandbox,
                                                             smtp_server, monkeypatch):
    """An IntegrityError inside the handler (not a repeated event) must not be taken for a
    duplicate: the first delivery answers 500, Stripe's retry settles the order, once."""
    stripe_sandbox.hold_webhooks(True)
    order_id = buy(shop, cream, 2)
    real_commit_sale = inventory.commit_sale
    failures = []

    def commit_sale_failing_once(session, order):
        if not failures:
            failures.append(order.id)
            raise IntegrityError("UPDATE variant ...", {}, Exception("constraint failed"))
        return real_commit_sale(session, order)

    monkeypatch.setattr(inventory, "commit_sale", commit_sale_failing_once)
    stripe_sandbox.hold_webhooks(False)

    first = stripe_sandbox.deliver_pending()
    assert [code for _, code in first] == [500]
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == OrderStatus.PENDING
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0

    retry = stripe_sandbox.deliver_pending()  # Stripe's retry of the same event
    assert [code for _, code in retry] == [200]
    again = stripe_sandbox.deliver_pending()  # nothing left to deliver
    assert again == []
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert order.status == OrderStatus.PAID
    variant = db.session.get(Variant, cream)
    assert (variant.on_hand, variant.reserved) == (8, 0)
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1
    assert deliver_mail(shop) == 0
    assert len(smtp_server.messages) == 1  # one confirmation
    event = stripe_sandbox.events("checkout.session.completed")[0]
    assert event["delivery"]["attempts"] == [500, 200]


def test_a_repeated_event_id_is_answered_200_and_changes_nothing(shop, cream, stripe_sandbox,
                                                                 smtp_server):
    buy(shop, cream, 1)
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    event = stripe_sandbox.events("checkout.session.completed")[0]
    replay = stripe_sandbox.deliverer.attempt(event["id"])  # Stripe sends it once more
    assert replay == 200
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1
    assert deliver_mail(shop) == 0
    assert len(smtp_server.messages) == 1


def test_any_other_handler_error_is_500(shop, cream, stripe_sandbox, monkeypatch):
    from storefront import payment_events

    def broken(session, client, obj):
        raise RuntimeError("database went away")

    monkeypatch.setitem(payment_events.HANDLERS, "checkout.session.completed", broken)
    buy(shop, cream, 1)
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [500]
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0
