"""The low-stock email fires on sales too: whenever a committed change takes a size's available
stock to or below its threshold (a paid order from the webhook, the success page or reconcile,
an admin's count, a CSV import, a new threshold), once per crossing, re-armed above it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, OutboxMessage, Variant
from tests.conftest import make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import forms_in, path_of, pay_on_hosted_page
from tests.test_admin_support import make_admin, owner_client


@pytest.fixture
def app_config(payment_config):
    return payment_config


@pytest.fixture
def jar(shop, session):
    """RW-50: 6 on hand, alert at 2 or fewer; two owners and a member of staff."""
    make_admin("owner@example.com", "owner")
    make_admin("partner@example.com", "owner")
    make_admin("staff@example.com", "staff")
    return make_product(variants=[("RW-50", "50 ml", 2400, 6)]).variants[0].id


def _alerts() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "low_stock")
                              .order_by(OutboxMessage.id)).all()


def _checkout(app, variant_id: int, quantity: int):
    client = app.test_client()
    assert client.post("/cart/add", data={"variant_id": variant_id, "quantity": quantity}
                       ).status_code == 303
    started = client.post("/checkout")
    assert started.status_code == 303, started.get_data(as_text=True)
    return client, started.headers["Location"]


def _buy(app, variant_id: int, quantity: int):
    """Pay on the hosted page; returns the client and the success page's path."""
    client, url = _checkout(app, variant_id, quantity)
    status, location = pay_on_hosted_page(url)
    assert status == 303
    return client, path_of(location)


def test_a_sale_through_the_webhook_alerts_the_owners(shop, jar, stripe_sandbox):
    _buy(shop, jar, 4)
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    (alert,) = _alerts()
    assert sorted(alert.recipients) == ["owner@example.com", "partner@example.com"]
    assert "RW-50" in alert.text_body and "(2 left)" in alert.subject
    assert db.session.get(Variant, jar).low_stock_alerted


def test_a_sale_settled_by_the_success_page_alerts(shop, jar, stripe_sandbox):
    stripe_sandbox.hold_webhooks(True)
    client, success = _buy(shop, jar, 5)
    assert client.get(success).status_code == 200
    assert [a.subject for a in _alerts()] == ["Low stock: Royal Warrior+ Cream 50 ml (1 left)"]


def test_a_sale_settled_by_reconcile_alerts(shop, jar, stripe_sandbox, runner):
    stripe_sandbox.hold_webhooks(True)
    _buy(shop, jar, 4)
    assert _alerts() == []
    assert runner.invoke(args=["stripe-reconcile"]).exit_code == 0
    assert len(_alerts()) == 1


def test_once_per_crossing_and_re_armed_above_the_threshold(shop, jar, stripe_sandbox):
    _buy(shop, jar, 4)  # 6 -> 2: alert
    _buy(shop, jar, 1)  # 2 -> 1: still low, no second alert
    stripe_sandbox.deliver_pending()
    assert len(_alerts()) == 1
    owner = owner_client(shop, "restocker@example.com")
    assert owner.post(f"/admin/inventory/{jar}/adjust", data={
        "mode": "delta", "amount": "5", "reason": "restock", "note": "",
        "expected_on_hand": "1"}).status_code == 303  # 1 -> 6: re-armed, no alert
    assert len(_alerts()) == 1 and not db.session.get(Variant, jar).low_stock_alerted
    _buy(shop, jar, 4)  # 6 -> 2: a new crossing
    stripe_sandbox.deliver_pending()
    assert len(_alerts()) == 2


def test_a_released_checkout_re_arms_the_alert(shop, jar, stripe_sandbox):
    held_client, _ = _checkout(shop, jar, 2)  # 6 -> 4 available while it is held
    _buy(shop, jar, 2)  # 4 -> 2: alert
    stripe_sandbox.deliver_pending()
    assert len(_alerts()) == 1
    token = db.session.scalars(select(Order).where(Order.status == "pending")).one().token
    held_client.get(f"/checkout/cancel?order={token}")  # 2 -> 4: above again, re-armed
    assert not db.session.get(Variant, jar).low_stock_alerted
    _buy(shop, jar, 2)  # 4 -> 2: a new crossing
    stripe_sandbox.deliver_pending()
    assert len(_alerts()) == 2


def test_raising_the_threshold_alerts_at_once(shop, jar):
    owner = owner_client(shop, "editor@example.com")
    page = owner.get(f"/admin/variants/{jar}").get_data(as_text=True)
    (form,) = [f for f in forms_in(page) if "low_stock_threshold" in f.fields]
    assert form.fields["low_stock_threshold"] == "2"
    url = f"/admin/variants/{jar}"  # the form posts to its own page
    saved = owner.post(url, data={**form.fields, "low_stock_threshold": "6"})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    (alert,) = _alerts()
    assert "Low-stock threshold: 6" in alert.text_body
    page = owner.get(url).get_data(as_text=True)  # the saved form (its revision moved on)
    (form,) = [f for f in forms_in(page) if "low_stock_threshold" in f.fields]
    lowered = owner.post(url, data={**form.fields, "low_stock_threshold": "1"})  # re-armed
    assert lowered.status_code == 303, lowered.get_data(as_text=True)
    assert not db.session.get(Variant, jar).low_stock_alerted and len(_alerts()) == 1


def test_a_csv_import_that_leaves_stock_low_alerts(shop, jar):
    owner = owner_client(shop, "importer@example.com")
    text = "sku,count,reason\nRW-50,1,correction\n"
    html = owner.post("/admin/inventory/import", data={"csv_text": text}).get_data(as_text=True)
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    applied = owner.post("/admin/inventory/import", data={
        "csv_text": text, "action": "apply", "digest": digest})
    assert applied.status_code == 303
    assert [a.subject for a in _alerts()] == ["Low stock: Royal Warrior+ Cream 50 ml (1 left)"]


def test_a_change_rolled_back_sends_no_alert(shop, jar):
    """The alert is a row in the change's own transaction: a refused change leaves none."""
    owner = owner_client(shop, "stale@example.com")
    stale = owner.post(f"/admin/inventory/{jar}/adjust", data={
        "mode": "set", "amount": "1", "reason": "correction", "note": "",
        "expected_on_hand": "5"})  # the count is 6: refused
    assert stale.status_code == 409
    assert _alerts() == [] and not db.session.get(Variant, jar).low_stock_alerted
