"""Shared fixtures: the app on SQLite and PostgreSQL, a client, a CLI runner, and factories.

Every test that takes ``app`` runs once on SQLite and once on PostgreSQL. PostgreSQL is the
server named by TEST_DATABASE_URL, else the local one on 127.0.0.1:5432; where none answers,
the PostgreSQL half is skipped with the reason shown (CI sets the URL, so there it runs).
Each xdist worker gets its own PostgreSQL database; tests are isolated by truncating every
table afterwards (a fresh SQLite file per test on the other side).
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from storefront import create_app
from storefront.extensions import db
from storefront.models import Base, Post, Product, Tag, Variant, utcnow

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reason() -> str | None:
    """None when PostgreSQL answers, else why its tests are skipped."""
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {PG_URL.split('@')[-1]}: {exc}".splitlines()[0]
    return None


PG_SKIP_REASON = _pg_reason()
if PG_SKIP_REASON and os.environ.get("REQUIRE_POSTGRES") == "1":
    pytest.exit(f"REQUIRE_POSTGRES=1 but {PG_SKIP_REASON}", returncode=3)


# Databases are named per checkout as well as per xdist worker, so two checkouts on one machine
# (a developer's tree and a CI clone) never truncate each other's tables mid-run.
CHECKOUT_TAG = hashlib.sha1(str(Path(__file__).resolve().parent).encode()).hexdigest()[:8]


def _pg_database(worker: str, purpose: str) -> str:
    """A database of our own on the test server (created if missing), as a SQLAlchemy URL."""
    name = f"storefront_{CHECKOUT_TAG}_{purpose}_{worker}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{name}"


def pg_fresh_database(worker: str, purpose: str) -> str:
    """An empty PostgreSQL database (dropped and created again), for migration tests."""
    name = f"storefront_{CHECKOUT_TAG}_{purpose}_{worker}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def worker_id_safe(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def pg_url(worker_id_safe) -> str:
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    url = _pg_database(worker_id_safe, "test")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url})
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        db.engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'shop.sqlite3'}"


def make_test_app(database_url: str, tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SERVER_NAME": "shop.test",
        "RATELIMIT_ENABLED": False,
        # Tests flush the article counters themselves: no background thread per app.
        "COUNTER_FLUSH_SECONDS": 0,
        # The in-process Stripe sandbox keeps its state per test, never in instance/.
        "STRIPE_SANDBOX_PATH": str(tmp_path / "stripe-sandbox.sqlite3"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration for its tests."""
    return {}


@pytest.fixture
def app(database_url, backend, tmp_path, app_config) -> Iterator:
    app = make_test_app(database_url, tmp_path, **app_config)
    with app.app_context():
        if backend == "sqlite":
            Base.metadata.create_all(db.engine)
    yield app
    with app.app_context():
        db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The app's database session inside an app context."""
    with app.app_context():
        yield db.session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SMTPServer:
    host: str
    port: int
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port; ``.messages`` holds envelopes."""
    from aiosmtpd.controller import Controller

    server = SMTPServer("127.0.0.1", free_port())

    class Sink:
        async def handle_DATA(self, _server, _session, envelope):
            server.messages.append(envelope)
            return "250 OK"

    controller = Controller(Sink(), hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()


def deliver_mail(app) -> int:
    """What the mail worker does: one `flask deliver-mail` pass; returns its exit code."""
    result = app.test_cli_runner().invoke(args=["deliver-mail"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def make_product(
    slug: str = "royal-warrior-cream",
    name: str = "Royal Warrior+ Cream",
    *,
    variants: list[tuple[str, str, int, int]] | None = None,
    active: bool = True,
    description: str = "A **magnesium** cream.",
) -> Product:
    """A product with variants given as (sku, label, price_cents, on_hand); committed."""
    product = Product(slug=slug, name=name, description=description, active=active,
                      tagline="Magnesium and hemp seed oil")
    for position, (sku, label, price, on_hand) in enumerate(
        variants
        or [(f"{slug[:10]}-50", "50 ml", 2400, 10), (f"{slug[:10]}-100", "100 ml", 3900, 5)]
    ):
        product.variants.append(
            Variant(sku=sku, label=label, price_cents=price, currency="usd", on_hand=on_hand,
                    reserved=0, low_stock_threshold=2, position=position)
        )
    db.session.add(product)
    db.session.commit()
    return product


def make_post(
    slug: str = "magnesium-for-back-pain",
    title: str = "Magnesium for back pain: is it effective?",
    *,
    body: str = "Some text.\n\n[[product:royal-warrior-cream]]\n",
    published: bool = True,
    tags: tuple[str, ...] = ("magnesium",),
    **fields,
) -> Post:
    """A post, published a minute ago unless ``published=False``; committed with its embeds."""
    from storefront.blog.content import sync_post_products

    post = Post(slug=slug, title=title, body=body, summary=fields.pop("summary", title),
                author=fields.pop("author", "Editorial team"),
                published_at=fields.pop("published_at", utcnow() if published else None),
                **fields)
    for tag_slug in tags:
        tag = db.session.scalar(db.select(Tag).filter_by(slug=tag_slug))
        post.tags.append(tag or Tag(slug=tag_slug, name=tag_slug.replace("-", " ").title()))
    db.session.add(post)
    sync_post_products(db.session, post)
    db.session.commit()
    return post
