"""Backups that restore: `flask backup` of a running SQLite shop, and the README's pg_dump and
pg_restore for PostgreSQL, each restored into a fresh instance that must be the same shop,
every table row for row."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Base, Order, OrderStatus, StockMovement, Variant
from tests.conftest import (
    PG_SKIP_REASON,
    make_post,
    make_product,
    make_test_app,
    pg_fresh_database,
)
from tests.stripe_fixtures import find_form
from tests.test_admin_support import make_admin, staff_client

PAGES = ("/", "/products/royal-warrior-cream", "/articles/magnesium-for-back-pain", "/sitemap.xml")


def _open_shop(url: str, tmp_path: Path, name: str):
    return make_test_app(url, tmp_path / name, WTF_CSRF_ENABLED=False,
                         STRIPE_SANDBOX_PATH=str(tmp_path / "stripe-sandbox.sqlite3"))


def _buy(app, variant_id: int, quantity: int, pay: bool) -> None:
    """A customer's checkout through the shop and, if ``pay``, the sandbox's hosted page."""
    buyer = app.test_client()
    buyer.post("/cart/add", data={"variant_id": variant_id, "quantity": quantity})
    hosted = buyer.post("/checkout")
    assert hosted.status_code == 303, hosted.get_data(as_text=True)
    if not pay:
        return
    page = buyer.get(hosted.headers["Location"])
    form = find_form(page.get_data(as_text=True), "/pay/")
    done = buyer.post(form.action, data={**form.fields, "email": "ada@example.com",
                                         "outcome": "paid"})
    assert buyer.get(done.headers["Location"]).status_code == 200


def _stock_a_shop(app) -> dict:
    """A catalogue, articles, admins, paid and pending orders and a ledger, as a shop runs."""
    with app.app_context():
        product = make_product()
        make_post()
        make_admin("owner@example.com", "owner")
        make_admin("staff@example.com", "staff")
        ids = [v.id for v in product.variants]
    _buy(app, ids[0], 2, pay=True)
    _buy(app, ids[1], 1, pay=False)
    with app.app_context():
        statuses = sorted(db.session.scalars(select(Order.status)))
        assert statuses == [OrderStatus.PAID, OrderStatus.PENDING]
    return {"variants": ids}


def _sqlite_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of the file (the search index's too), its rows in a stable order."""
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in names}


def _pages(app) -> dict[str, bytes]:
    client = app.test_client()
    return {path: client.get(path).get_data() for path in PAGES}


def test_flask_backup_of_a_running_sqlite_shop_restores_the_same_shop(tmp_path):
    live = tmp_path / "shop.sqlite3"
    app = _open_shop(f"sqlite:///{live}", tmp_path, "live")
    with app.app_context():
        Base.metadata.create_all(db.engine)
    shop = _stock_a_shop(app)

    # Staff keep restocking through the shop while the backup is taken.
    staff = staff_client(app, "stocker@example.com")
    stop = threading.Event()
    writes = []

    def restock() -> None:
        while not stop.is_set():
            with app.app_context():
                on_hand = db.session.get(Variant, shop["variants"][0]).on_hand
            writes.append(staff.post(f"/admin/inventory/{shop['variants'][0]}/adjust", data={
                "mode": "delta", "amount": "1", "reason": "restock",
                "expected_on_hand": str(on_hand)}).status_code)

    writer = threading.Thread(target=restock)
    writer.start()
    try:
        while len(writes) < 3:
            stop.wait(0.01)
        during = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "during.sqlite3")])
    finally:
        stop.set()
        writer.join()
    assert during.exit_code == 0, during.output
    assert set(writes) == {303}
    # A consistent snapshot: every count is still the sum of its ledger.
    restored = _open_shop(f"sqlite:///{tmp_path / 'during.sqlite3'}", tmp_path, "during")
    with restored.app_context():
        for variant in db.session.scalars(select(Variant)):
            ledger = db.session.scalar(select(func.coalesce(func.sum(StockMovement.delta), 0))
                                       .where(StockMovement.variant_id == variant.id))
            assert variant.on_hand == ledger + {0: 10, 1: 5}[variant.position]
        db.engine.dispose()

    # At rest: the copy, put where a fresh instance's DATABASE_URL points, is the same shop.
    backup = tmp_path / "backup.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0 and "Backed up" in result.output
    with app.app_context():
        db.engine.dispose()
    fresh = tmp_path / "fresh" / "shop.sqlite3"
    fresh.parent.mkdir()
    shutil.copy(backup, fresh)
    tables = _sqlite_tables(fresh)
    assert tables == _sqlite_tables(live)
    assert len(tables["order"]) == 2 and len(tables["order_line"]) == 2
    assert len(tables["stock_movement"]) == 1 + len(writes)  # the sale and each restock
    assert len(tables["admin_user"]) == 3 and tables["search_fts"]  # the search index too
    again = _open_shop(f"sqlite:///{fresh}", tmp_path, "fresh")
    assert _pages(again) == _pages(app)
    assert staff_client(again, "another@example.com").get("/admin/orders").status_code == 200

    refused = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert refused.exit_code != 0 and "already exists" in refused.output


def _pg_tables(url: str) -> dict[str, list[tuple]]:
    """Every table in the public schema with its rows, and every sequence's position."""
    with psycopg.connect(url) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        found = {name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                 for name in tables}
        for (sequence,) in connection.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").fetchall():
            found[f"sequence {sequence}"] = connection.execute(
                f'SELECT last_value, is_called FROM "{sequence}"').fetchall()
        return found


@pytest.mark.postgresql
def test_pg_dump_and_pg_restore_as_the_readme_shows_restore_the_same_shop(tmp_path,
                                                                         worker_id_safe):
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (Debian: postgresql-client)")
    source = pg_fresh_database(worker_id_safe, "backup")
    app = _open_shop(source, tmp_path, "live")
    with app.app_context():
        Base.metadata.create_all(db.engine)
    _stock_a_shop(app)
    with app.app_context():
        db.engine.dispose()

    dump = tmp_path / "shop.dump"
    dumped = subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source],
                            capture_output=True, text=True, timeout=120)
    if dumped.returncode and "server version mismatch" in dumped.stderr:
        pytest.skip(dumped.stderr.strip().splitlines()[-1])
    assert dumped.returncode == 0, dumped.stderr
    target = pg_fresh_database(worker_id_safe, "restored")  # the README's createdb
    restored = subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(dump)],
                              capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr

    before, after = _pg_tables(source), _pg_tables(target)
    assert after == before
    assert len(after["order"]) == 2 and len(after["order_line"]) == 2
    assert len(after["stock_movement"]) == 1 and after["sequence order_id_seq"] == [(2, True)]
    fresh = _open_shop(target, tmp_path, "fresh")
    assert _pages(fresh) == _pages(app)
    # New rows continue after the restored ones (the sequences came back too).
    staff = staff_client(fresh, "another@example.com")
    assert staff.get("/admin/orders").status_code == 200
    for shop in (app, fresh):
        with shop.app_context():
            db.engine.dispose()
