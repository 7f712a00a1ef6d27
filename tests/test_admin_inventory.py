"""Inventory in the admin: adjustments with a reason, conflicts, the ledger, CSV, alerts."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.inventory import (
    BelowReserved,
    InsufficientStock,
    StockConflict,
    StockError,
    adjust_stock,
    commit_sale,
    ledger_total,
    release_stock,
    reserve_stock,
)
from storefront.models import AuditLog, Order, OrderLine, OutboxMessage, StockMovement, Variant
from storefront.stock_import import csv_cell, plan_import
from tests.conftest import deliver_mail, make_product
from tests.test_admin_support import make_admin, owner_client, staff_client


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def stock(app):
    """A product with two sizes (RW-50: 10 on hand, RW-100: 5), ids by SKU."""
    with app.app_context():
        product = make_product(variants=[("RW-50", "50 ml", 2400, 10),
                                         ("RW-100", "100 ml", 3900, 5)])
        return {v.sku: v.id for v in product.variants}


def _variant(app, variant_id: int) -> Variant:
    with app.app_context():
        variant = db.session.get(Variant, variant_id)
        db.session.expunge(variant)
        return variant


def _reserve(app, variant_id: int, quantity: int) -> None:
    with app.app_context():
        reserve_stock(db.session, [(variant_id, quantity)])
        db.session.commit()


def _adjust(client, variant_id, amount, *, mode="delta", reason="restock", expected,
            note="", **query):
    url = f"/admin/inventory/{variant_id}/adjust"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, data={"mode": mode, "amount": str(amount), "reason": reason,
                                  "note": note, "expected_on_hand": str(expected)})


def test_inventory_lists_every_size_with_status_badges(app, stock):
    client = staff_client(app)
    _reserve(app, stock["RW-100"], 4)  # available 1 <= threshold 2: low
    html = client.get("/admin/inventory").get_data(as_text=True)
    assert "RW-50" in html and "RW-100" in html
    assert "In stock" in html and "Low" in html
    assert client.get("/admin/inventory?status=low").get_data(as_text=True).count(
        'id="variant-') == 1
    assert "RW-50" not in client.get("/admin/inventory?status=low").get_data(as_text=True)
    assert "No sizes match" in client.get("/admin/inventory?status=out").get_data(as_text=True)
    assert "RW-100" not in client.get("/admin/inventory?q=rw-50").get_data(as_text=True)
    by_available = client.get("/admin/inventory?sort=available").get_data(as_text=True)
    assert by_available.index("RW-100") < by_available.index("RW-50")
    by_sku = client.get("/admin/inventory?sort=sku").get_data(as_text=True)
    assert by_sku.index(f'id="variant-{stock["RW-100"]}"') < by_sku.index(
        f'id="variant-{stock["RW-50"]}"')
    assert client.get("/admin/inventory?sort=nonsense&status=bad").status_code == 200


def test_restock_by_delta_and_set_by_count_write_one_ledger_row_each(app, stock):
    client = staff_client(app)
    variant_id = stock["RW-50"]
    response = _adjust(client, variant_id, "+12", expected=10, note="delivery", status="ok")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/inventory?status=ok"
    assert _variant(app, variant_id).on_hand == 22
    assert _adjust(client, variant_id, -1, reason="damage", expected=22).status_code == 303
    assert _adjust(client, variant_id, 17, mode="set", reason="correction",
                   expected=21).status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(StockMovement).where(
            StockMovement.variant_id == variant_id).order_by(StockMovement.id)).all()
        assert [(m.delta, m.on_hand_after, m.reason) for m in rows] == [
            (12, 22, "restock"), (-1, 21, "damage"), (-4, 17, "correction")]
        assert all(m.admin_user.email == "staff@example.com" for m in rows)
        assert rows[0].note == "delivery"
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "stock.adjust")
                                   .order_by(AuditLog.id)).all()
        assert [(a.before["on_hand"], a.after["on_hand"]) for a in audit] == [
            (10, 22), (22, 21), (21, 17)]
    history = client.get(f"/admin/inventory/{variant_id}/history").get_data(as_text=True)
    assert (history.index("<td>correction</td>") < history.index("<td>damage</td>")
            < history.index("<td>restock</td>"))
    assert "staff@example.com" in history


def test_below_reserved_is_refused_with_the_reason_beside_the_field(app, stock):
    client = staff_client(app)
    variant_id = stock["RW-100"]
    _reserve(app, variant_id, 3)
    response = _adjust(client, variant_id, 2, mode="set", reason="correction", expected=5,
                       note="counted")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "cannot go below 3" in html
    assert f'id="amount-error-{variant_id}"' in html
    assert 'value="2"' in html and 'value="counted"' in html  # input kept
    assert _adjust(client, variant_id, -3, expected=5, reason="damage").status_code == 422
    assert _variant(app, variant_id).on_hand == 5


def test_bad_input_is_shown_beside_the_field(app, stock):
    client = staff_client(app)
    for amount, message in [("abc", "whole number"), ("0", "how many"), ("1.5", "whole number")]:
        response = _adjust(client, stock["RW-50"], amount, expected=10)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    negative = _adjust(client, stock["RW-50"], -2, mode="set", expected=10)
    assert "cannot be negative" in negative.get_data(as_text=True)
    same = _adjust(client, stock["RW-50"], 10, mode="set", expected=10)
    assert "would not change" in same.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 0


def test_concurrent_edit_is_refused_and_shows_the_new_figure(app, stock):
    first, second = staff_client(app, "a@example.com"), staff_client(app, "b@example.com")
    variant_id = stock["RW-50"]
    assert _adjust(first, variant_id, 5, expected=10).status_code == 303  # now 15
    stale = _adjust(second, variant_id, 8, mode="set", reason="correction", expected=10)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "it is now 15" in html and "you saw 10" in html
    assert 'name="expected_on_hand" value="15"' in html  # retrying starts from the new figure
    assert _variant(app, variant_id).on_hand == 15
    retry = _adjust(second, variant_id, 8, mode="set", reason="correction", expected=15)
    assert retry.status_code == 303
    assert _variant(app, variant_id).on_hand == 8


def test_a_sale_between_looking_and_saving_is_a_conflict_too(app, stock):
    with app.app_context():
        with pytest.raises(StockConflict):
            adjust_stock(db.session, stock["RW-50"], reason="restock", delta=1,
                         expected_on_hand=9)
        with pytest.raises(BelowReserved):
            reserve_stock(db.session, [(stock["RW-50"], 4)])
            adjust_stock(db.session, stock["RW-50"], reason="correction", new_count=3,
                         expected_on_hand=10)
        db.session.rollback()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["sell", "hold", "release", "restock", "damage",
                                           "count"]),
                          st.integers(min_value=1, max_value=12)), max_size=25))
def test_ledger_always_equals_on_hand(app, steps):
    """Whatever mix of sales, restocks and corrections, the ledger explains the count."""
    with app.app_context():
        product = make_product(slug=f"p-{db.session.scalar(select(func.count(Variant.id)))}",
                               variants=[(f"SKU-{uuid.uuid4().hex[:12]}", "50 ml", 2400, 0)])
        variant = product.variants[0]
        variant_id = variant.id
        held = 0
        number = 0
        for action, n in steps:
            try:
                if action == "hold":
                    reserve_stock(db.session, [(variant_id, n)])
                    held += n
                elif action == "release" and held:
                    release_stock(db.session, [(variant_id, min(n, held))])
                    held -= min(n, held)
                elif action == "sell" and held:
                    quantity = min(n, held)
                    number += 1
                    order = Order(number=f"T{variant_id}-{number}", token=f"t{variant_id}-{number}",
                                  currency="usd", subtotal_cents=0, status="pending")
                    order.lines.append(OrderLine(variant_id=variant_id, sku="x", product_name="x",
                                                 variant_label="x", unit_price_cents=1,
                                                 quantity=quantity))
                    db.session.add(order)
                    db.session.flush()
                    commit_sale(db.session, order)
                    held -= quantity
                elif action == "restock":
                    adjust_stock(db.session, variant_id, reason="restock", delta=n)
                elif action == "damage":
                    adjust_stock(db.session, variant_id, reason="damage", delta=-n)
                elif action == "count":
                    adjust_stock(db.session, variant_id, reason="correction", new_count=n)
                db.session.commit()
            except (InsufficientStock, BelowReserved, StockError):
                db.session.rollback()
            variant = db.session.get(Variant, variant_id)
            db.session.refresh(variant)
            assert variant.on_hand == ledger_total(db.session, variant_id)
            assert 0 <= variant.reserved == held <= variant.on_hand


# -- CSV -------------------------------------------------------------------------------------


def test_csv_export_guards_against_formulas(app):
    with app.app_context():
        make_product(name="=HYPERLINK(\"http://evil\")", variants=[("@SUM", "+1", 100, 3)])
    client = staff_client(app)
    response = client.get("/admin/inventory.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["sku", "product", "size", "on_hand"]
    assert rows[1][:3] == ["'@SUM", "'=HYPERLINK(\"http://evil\")", "'+1"]
    assert rows[1][3:] == ["3", "0", "3", "2", "ok"]
    assert csv_cell("-2") == "'-2" and csv_cell("plain") == "plain" and csv_cell(5) == "5"


BAD_CSV = """sku,count,delta,reason,note
RW-50,20,,correction,stocktake
RW-100,,3,restock,
NOPE,1,,restock,
RW-50,,abc,restock,
RW-50,1,2,restock,
RW-100,,,restock,
RW-100,,1,stolen,
RW-100,,-9,damage,
"""


def test_import_dry_run_shows_every_change_and_every_bad_row(app, stock):
    client = staff_client(app)
    response = client.post("/admin/inventory/import", data={"csv_text": BAD_CSV,
                                                            "action": "dry-run"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in ["Unknown SKU &#39;NOPE&#39;", "&#39;abc&#39; is not a whole number",
                    "not both", "Give a count or a delta", "Unknown reason &#39;stolen&#39;",
                    "cannot go below"]:
        assert message in html, message
    assert "Apply these changes" not in html
    assert _variant(app, stock["RW-50"]).on_hand == 10
    with app.app_context():
        plan = plan_import(db.session, BAD_CSV)
        assert [(r.line, r.before, r.after) for r in plan.rows[:2]] == [(2, 10, 20), (3, 5, 8)]
        assert len(plan.bad_rows) == 6


def test_import_applies_all_rows_in_one_go(app, stock):
    client = staff_client(app)
    text = "sku,count,delta,reason,note\nRW-50,20,,correction,stocktake\nRW-100,,3,restock,\n" \
           "RW-100,,-1,damage,broken\n"
    dry = client.post("/admin/inventory/import", data={"csv_text": text, "action": "dry-run"})
    assert dry.status_code == 200
    html = dry.get_data(as_text=True)
    assert "Apply these changes" in html and "+10" in html
    import re

    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    assert _variant(app, stock["RW-50"]).on_hand == 10  # a dry run changes nothing
    applied = client.post("/admin/inventory/import", data={
        "csv_text": text, "action": "apply", "digest": digest})
    assert applied.status_code == 303
    assert _variant(app, stock["RW-50"]).on_hand == 20
    assert _variant(app, stock["RW-100"]).on_hand == 7
    with app.app_context():
        rows = db.session.scalars(select(StockMovement).order_by(StockMovement.id)).all()
        assert [(m.delta, m.reason) for m in rows] == [(10, "correction"), (3, "restock"),
                                                       (-1, "damage")]
        assert ledger_total(db.session, stock["RW-100"]) == 5 + 2 - 5  # 2 rows + opening 5


def test_import_applies_nothing_when_stock_moved_after_the_dry_run(app, stock):
    client = staff_client(app)
    text = "sku,count,delta,reason\nRW-50,,5,restock\nRW-100,2,,correction\n"
    import re

    html = client.post("/admin/inventory/import", data={"csv_text": text}).get_data(as_text=True)
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    _reserve(app, stock["RW-100"], 4)  # a checkout holds 4 meanwhile: count 2 is now too low
    refused = client.post("/admin/inventory/import", data={
        "csv_text": text, "action": "apply", "digest": digest})
    assert refused.status_code == 422
    assert "cannot go below 4" in refused.get_data(as_text=True)
    assert _variant(app, stock["RW-50"]).on_hand == 10  # the good row did not apply either
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 0


def test_import_is_all_or_nothing_when_a_row_fails_at_apply_time(app, stock, monkeypatch):
    """A row refused inside the transaction rolls back the rows already applied."""
    from storefront import stock_import as stock_module

    text = "sku,count,delta,reason\nRW-50,,5,restock\nRW-100,,1,restock\n"
    with app.app_context():
        plan = plan_import(db.session, text)
        plan.rows[1].before = 4  # as if someone changed RW-100 between planning and applying
        with pytest.raises(StockConflict):
            stock_module.apply_import(db.session, plan, None)
        db.session.rollback()
    assert _variant(app, stock["RW-50"]).on_hand == 10
    client = staff_client(app)
    html = client.post("/admin/inventory/import", data={"csv_text": text}).get_data(as_text=True)
    import re

    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    with app.app_context():  # a restock lands after the dry run: the digest no longer matches
        adjust_stock(db.session, stock["RW-100"], reason="restock", delta=1)
        db.session.commit()
    stale = client.post("/admin/inventory/import", data={
        "csv_text": text, "action": "apply", "digest": digest})
    assert stale.status_code == 409 and "changed since the dry run" in stale.get_data(
        as_text=True)
    assert _variant(app, stock["RW-50"]).on_hand == 10


def test_import_refuses_a_bad_header(app, stock):
    client = staff_client(app)
    response = client.post("/admin/inventory/import", data={"csv_text": "a,b\n1,2\n"})
    assert response.status_code == 422 and "The header must be" in response.get_data(
        as_text=True)
    page = client.get("/admin/inventory/import").get_data(as_text=True)
    assert "sku,count,delta,reason,note" in page


# -- low-stock email ---------------------------------------------------------------------------


def low_stock_mail(app) -> list[tuple[list[str], str, str]]:
    """The low-stock emails in the outbox: (recipients, subject, text), oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "low_stock")
                                  .order_by(OutboxMessage.id)).all()
        return [(row.recipients, row.subject, row.text_body) for row in rows]


def test_low_stock_email_once_per_crossing(app, stock):
    with app.app_context():
        make_admin("staff@example.com", "staff")
        make_admin("second-owner@example.com", "owner")
        make_admin("gone@example.com", "owner")
        from storefront.accounts import find_by_email, set_active

        set_active(find_by_email(db.session, "gone@example.com"), False)
        db.session.commit()
    client = owner_client(app)
    variant_id = stock["RW-100"]  # 5 on hand, threshold 2
    assert _adjust(client, variant_id, -3, reason="damage", expected=5).status_code == 303
    assert len(low_stock_mail(app)) == 1
    to, subject, text = low_stock_mail(app)[0]
    assert sorted(to) == ["owner@example.com", "second-owner@example.com"]
    assert "RW-100" in text and "Low stock" in subject and "(2 left)" in subject
    _adjust(client, variant_id, -1, reason="damage", expected=2)
    assert len(low_stock_mail(app)) == 1  # still low: no second email
    _adjust(client, variant_id, 10, expected=1)  # back above: re-armed
    assert len(low_stock_mail(app)) == 1
    _adjust(client, variant_id, 0, mode="set", reason="correction", expected=11)
    assert len(low_stock_mail(app)) == 2


def test_low_stock_email_reaches_smtp(app, stock, smtp_server):
    """Through the real mail module to an SMTP server on loopback."""
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port,
                      SMTP_STARTTLS=False)
    client = owner_client(app)
    assert _adjust(client, stock["RW-100"], 1, mode="set", reason="correction",
                   expected=5).status_code == 303
    assert smtp_server.messages == []  # queued with the change, sent by the worker
    assert deliver_mail(app) == 0
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == ["owner@example.com"]
    assert b"RW-100" in smtp_server.messages[0].content
