"""On PostgreSQL the page cache hears of content changes instead of asking on every page.

Each process LISTENs for the bumps' notifications (``storefront.content_version``); these tests
check that a change made by another process shows without a local commit, that once listening
a cached page costs no read of the version, and that without the listener pages stay right.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

from storefront import content_version
from storefront.content_version import LISTENER_NAME
from storefront.extensions import db
from storefront.inventory import adjust_stock
from storefront.models import StockReason
from tests.conftest import make_product, make_test_app
from tests.test_page_cache import PRODUCT, _variant

pytestmark = pytest.mark.postgresql


@pytest.fixture
def backend() -> str:
    return "postgresql"


def _versions(app):
    return app.extensions["content_versions"]


def _wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _listening(app) -> bool:
    return _versions(app)._heard is not None


def _count_reads(app, monkeypatch) -> list[int]:
    reads: list[int] = []
    reader = _versions(app)
    original = reader._read
    monkeypatch.setattr(reader, "_read", lambda: reads.append(1) or original())
    return reads


def test_once_listening_a_cached_page_reads_no_version(app, client, monkeypatch):
    with app.app_context():
        make_product()
    client.get(PRODUCT)
    assert _wait_until(lambda: _listening(app))
    reads = _count_reads(app, monkeypatch)
    for _ in range(5):
        assert client.get(PRODUCT).status_code == 200
    assert reads == []


def test_a_change_by_another_process_shows_without_a_local_commit(app, database_url,
                                                                     tmp_path):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 1)])
    client = app.test_client()
    assert "Only 1 left" in client.get(PRODUCT).get_data(as_text=True)
    assert _wait_until(lambda: _listening(app))
    other = make_test_app(database_url, tmp_path)  # another worker, or a CLI command
    with other.app_context():
        adjust_stock(db.session, _variant("RW-50").id, delta=11, reason=StockReason.RESTOCK)
        db.session.commit()
        db.engine.dispose()
    assert _wait_until(lambda: "In stock" in client.get(PRODUCT).get_data(as_text=True))


def test_a_commit_in_this_process_shows_on_the_very_next_page(app, client, monkeypatch):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 1)])
    client.get(PRODUCT)
    assert _wait_until(lambda: _listening(app))
    monkeypatch.setattr(_versions(app), "_listen", lambda generation: None)  # deaf from now
    with app.app_context():
        adjust_stock(db.session, _variant("RW-50").id, delta=11, reason=StockReason.RESTOCK)
        db.session.commit()
    assert "In stock" in client.get(PRODUCT).get_data(as_text=True)


def test_while_the_listener_is_gone_every_page_reads_the_version(app, client, monkeypatch):
    monkeypatch.setattr(content_version, "LISTEN_RETRY_SECONDS", 3.0)  # gone long enough
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 1)])
        client.get(PRODUCT)
        assert _wait_until(lambda: _listening(app))
        db.session.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = :name AND datname = current_database()"),
            {"name": LISTENER_NAME})
        db.session.commit()
    assert _wait_until(lambda: not _listening(app))
    reads = _count_reads(app, monkeypatch)
    assert client.get(PRODUCT).status_code == 200
    assert reads, "with nobody listening, the version is read"
    # A change made behind the app's back (no local commit event, no notification) still shows.
    with psycopg.connect(app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql+psycopg", "postgresql"), autocommit=True) as raw:
        raw.execute("UPDATE variant SET on_hand = 12 WHERE sku = 'RW-50'")
        raw.execute("UPDATE content_version SET counter = counter + 1")
    assert "In stock" in client.get(PRODUCT).get_data(as_text=True)
    assert _wait_until(lambda: _listening(app), seconds=6)  # it comes back by itself
