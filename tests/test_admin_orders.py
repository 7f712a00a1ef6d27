"""Orders in the admin: list and search, detail, shipping email, refunds through the sandbox."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.inventory import ledger_total
from storefront.models import AuditLog, Order, OrderStatus, StockMovement, Variant
from tests.conftest import deliver_mail, make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import path_of, pay_on_hosted_page
from tests.test_admin_support import make_admin, owner_client, staff_client


@pytest.fixture
def app_config(payment_config):
    return payment_config


@pytest.fixture
def paid_order(shop, stripe_sandbox):
    """A real order for 3 x RW-50 ($24) paid on the sandbox's hosted page: $72 (free shipping)."""
    app = shop
    with app.app_context():
        product = make_product(variants=[("RW-50", "50 ml", 2400, 10)])
        variant_id = product.variants[0].id
    buyer = app.test_client()
    assert buyer.post("/cart/add", data={"variant_id": variant_id, "quantity": 3}
                      ).status_code == 303
    redirect = buyer.post("/checkout")
    status, location = pay_on_hosted_page(redirect.headers["Location"], email="ada@example.com")
    assert status == 303
    stripe_sandbox.deliver_pending()
    buyer.get(path_of(location))
    deliver_mail(app)  # the confirmation is out of the way
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.status == OrderStatus.PAID
        return {"id": order.id, "number": order.number, "total": order.total_cents,
                "variant_id": variant_id}


def _order(app, order_id) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def _on_hand(app, variant_id) -> int:
    with app.app_context():
        return db.session.get(Variant, variant_id).on_hand


def test_order_list_filters_and_detail(app, paid_order):
    client = staff_client(app)
    listing = client.get("/admin/orders").get_data(as_text=True)
    assert paid_order["number"] in listing
    assert paid_order["number"] in client.get("/admin/orders?q=ada@").get_data(as_text=True)
    assert paid_order["number"] in client.get(
        f"/admin/orders?q={paid_order['number'].lower()}").get_data(as_text=True)
    assert paid_order["number"] not in client.get("/admin/orders?status=refunded").get_data(
        as_text=True)
    assert paid_order["number"] not in client.get("/admin/orders?from=2099-01-01").get_data(
        as_text=True)
    assert paid_order["number"] in client.get("/admin/orders?status=paid&to=2099-01-01"
                                              ).get_data(as_text=True)
    detail = client.get(f"/admin/orders/{paid_order['id']}").get_data(as_text=True)
    assert "RW-50" in detail and "ada@example.com" in detail and "pi_" in detail
    assert "cs_" in detail and "stock sale" in detail  # ledger rows are on the timeline
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "$72.00" in dashboard


def test_mark_fulfilled_emails_the_customer(app, paid_order, smtp_server):
    client = staff_client(app)
    before = len(smtp_server.messages)
    response = client.post(f"/admin/orders/{paid_order['id']}/fulfil", data={
        "carrier": "Royal Mail", "tracking": "RM123456789GB"})
    assert response.status_code == 303
    order = _order(app, paid_order["id"])
    assert (order.status, order.carrier, order.tracking_number) == (
        "fulfilled", "Royal Mail", "RM123456789GB")
    assert len(smtp_server.messages) == before
    assert deliver_mail(app) == 0
    assert len(smtp_server.messages) == before + 1
    mail = smtp_server.messages[-1]
    assert mail.rcpt_tos == ["ada@example.com"] and b"RM123456789GB" in mail.content
    assert order.number.encode() in mail.content
    again = client.post(f"/admin/orders/{paid_order['id']}/fulfil", data={
        "carrier": "Royal Mail", "tracking": "RM123456789GB"})
    assert again.status_code == 303 and deliver_mail(app) == 0
    assert len(smtp_server.messages) == before + 1


def test_staff_resend_the_confirmation(app, paid_order, smtp_server):
    client = staff_client(app)
    detail = client.get(f"/admin/orders/{paid_order['id']}").get_data(as_text=True)
    assert "Resend the confirmation to ada@example.com" in detail
    before = len(smtp_server.messages)
    response = client.post(f"/admin/orders/{paid_order['id']}/resend-confirmation")
    assert response.status_code == 303
    assert deliver_mail(app) == 0
    assert len(smtp_server.messages) == before + 1
    mail = smtp_server.messages[-1]
    assert mail.rcpt_tos == ["ada@example.com"]
    assert _order(app, paid_order["id"]).number.encode() in mail.content
    timeline = client.get(f"/admin/orders/{paid_order['id']}").get_data(as_text=True)
    assert "Confirmation queued again for ada@example.com by staff@example.com" in timeline


def test_staff_cannot_refund(app, paid_order):
    client = staff_client(app)
    assert client.post(f"/admin/orders/{paid_order['id']}/refund",
                       data={"amount": "1"}).status_code == 403


def test_partial_refund_without_restock_then_the_rest_with_restock(app, paid_order,
                                                                   stripe_sandbox):
    client = owner_client(app)
    order_id, variant_id = paid_order["id"], paid_order["variant_id"]
    assert _on_hand(app, variant_id) == 7
    too_much = client.post(f"/admin/orders/{order_id}/refund", data={"amount": "72.01"})
    assert too_much.status_code == 422 and "At most $72.00 can" in too_much.get_data(as_text=True)
    bad = client.post(f"/admin/orders/{order_id}/refund", data={"amount": "ten"})
    assert bad.status_code == 422

    partial = client.post(f"/admin/orders/{order_id}/refund", data={"amount": "24"})
    assert partial.status_code == 303
    order = _order(app, order_id)
    assert (order.status, order.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 2400)
    assert _on_hand(app, variant_id) == 7  # no restock asked for
    # Stripe's charge.refunded webhook reports the same total: nothing changes twice
    deliveries = stripe_sandbox.deliver_pending()
    assert deliveries and all(code == 200 for _, code in deliveries)
    assert _order(app, order_id).refunded_cents == 2400

    with app.app_context():
        line_id = db.session.get(Order, order_id).lines[0].id
    over = client.post(f"/admin/orders/{order_id}/refund", data={
        "amount": "48", f"restock_{line_id}": "4"})
    assert over.status_code == 422 and "At most 3 can come back" in over.get_data(as_text=True)
    rest = client.post(f"/admin/orders/{order_id}/refund", data={
        "amount": "48.00", f"restock_{line_id}": "2"})
    assert rest.status_code == 303
    order = _order(app, order_id)
    assert (order.status, order.refunded_cents) == (OrderStatus.REFUNDED, 7200)
    assert _on_hand(app, variant_id) == 9
    stripe_sandbox.deliver_pending()
    assert _order(app, order_id).status == OrderStatus.REFUNDED
    with app.app_context():
        returns = db.session.scalars(select(StockMovement).where(
            StockMovement.reason == "return")).all()
        assert [(m.delta, m.order_id) for m in returns] == [(2, order_id)]
        # make_product puts 10 on the shelf without a ledger row: the rows explain the rest
        assert 10 + ledger_total(db.session, variant_id) == 9
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "order.refund")
                                   ).all()
        assert [a.after["amount_cents"] for a in audit] == [2400, 4800]
    detail = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "stock return" in detail
    timeline = detail[detail.index("<h2>Timeline</h2>"):]
    assert "of $24.00 requested by" in timeline and "of $48.00" in timeline
    assert not re.search(r"\b(2400|4800|7200)\b", timeline)  # money as everywhere else
    assert client.post(f"/admin/orders/{order_id}/refund", data={"amount": "1"}
                       ).status_code == 422


def test_full_refund_with_restock_everything(app, paid_order, stripe_sandbox):
    client = owner_client(app)
    response = client.post(f"/admin/orders/{paid_order['id']}/refund", data={
        "amount": "72.00", "restock": "y"})
    assert response.status_code == 303
    order = _order(app, paid_order["id"])
    assert (order.status, order.refunded_cents) == (OrderStatus.REFUNDED, 7200)
    assert _on_hand(app, paid_order["variant_id"]) == 10
    history = client.get(f"/admin/inventory/{paid_order['variant_id']}/history").get_data(
        as_text=True)
    assert f"Order {paid_order['number']}" in history  # sale and return link to the order
    assert history.count(f"/admin/orders/{paid_order['id']}") == 2


@pytest.mark.parametrize("restock", ["\u00b2", "9" * 5000, "-1", "1.5"])
def test_odd_restock_counts_are_a_form_error(app, paid_order, restock):
    """str.isdigit() passed "\u00b2" and 5000 nines, which int() then refused: a 500."""
    client = owner_client(app)
    with app.app_context():
        line_id = db.session.get(Order, paid_order["id"]).lines[0].id
    response = client.post(f"/admin/orders/{paid_order['id']}/refund", data={
        "amount": "24", f"restock_{line_id}": restock})
    assert response.status_code == 422 and "Enter a whole number." in response.get_data(
        as_text=True)
    assert _order(app, paid_order["id"]).refunded_cents == 0


def test_refund_refused_by_stripe_changes_nothing(app, paid_order, stripe_sandbox):
    client = owner_client(app)
    stripe_sandbox.inject("500", times=3)
    response = client.post(f"/admin/orders/{paid_order['id']}/refund", data={"amount": "5"})
    assert response.status_code == 502
    assert "Stripe refused the refund" in response.get_data(as_text=True)
    assert _order(app, paid_order["id"]).refunded_cents == 0


def test_dashboard_counts_pending_and_low_stock(app):
    with app.app_context():
        make_product(variants=[("RW-200", "200 ml", 6900, 1)])
        make_admin("staff@example.com", "staff")
    from tests.test_admin_support import login

    client = app.test_client()
    login(client, "staff@example.com")
    html = client.get("/admin/").get_data(as_text=True)
    assert "RW-200" in html and "Low" in html



@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=2026-13-40", "from", "Write the date as YYYY-MM-DD"),
    ("to=soon", "to", "Write the date as YYYY-MM-DD"),
    ("from=2026-05-01&to=2026-04-01", "to", "The end date is before the start date."),
])
def test_a_bad_date_filter_reshows_the_filter_instead_of_listing_every_order(app, paid_order,
                                                                            query, field,
                                                                            message):
    response = staff_client(app).get(f"/admin/orders?status=paid&{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}' in html
    for name, value in (part.split("=") for part in query.split("&")):
        assert f'name="{name}" type="date" value="{value}"' in html
    assert '<option value="paid" selected>' in html
    assert paid_order["number"] not in html and "Correct the dates above" in html
