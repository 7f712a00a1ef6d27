"""A hung database never hangs the shop, and the shop recovers when it comes back.

The database hangs mid-run: the shop talks to PostgreSQL through a small TCP proxy that, once
stalled, keeps every socket open and reads what is sent (so the kernel acknowledges it, as a
hung server's does) but passes nothing on either way. Neither ``statement_timeout`` nor TCP
keepalives can fire then; only the shop's own deadlines can.
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text

from storefront.extensions import db
from tests.conftest import make_product, make_test_app

pytestmark = pytest.mark.postgresql


class StallingProxy:
    """Forwards TCP connections to ``target`` until ``stall()``; ``resume()`` lets the bytes
    held meanwhile through."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.flowing = threading.Event()
        self.flowing.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stall(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.flowing.set()
        self.listener.close()
        for end in self.sockets:
            end.close()


@pytest.fixture
def proxy(pg_url):
    parts = urlsplit(pg_url)
    proxy = StallingProxy((parts.hostname, parts.port or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def hung_app(pg_url, proxy, tmp_path):
    parts = urlsplit(pg_url)
    netloc = f"{parts.username}@127.0.0.1:{proxy.port}"
    url = urlunsplit(parts._replace(netloc=netloc))
    app = make_test_app(url, tmp_path, DATABASE_STATEMENT_TIMEOUT=1.0,
                        DATABASE_CONNECT_TIMEOUT=2, PAGE_CACHE=False,
                        PROPAGATE_EXCEPTIONS=False)  # a failure is the 500 page, as served
    with app.app_context():
        make_product()
    yield app
    proxy.resume()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE product, variant RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def _timed(client, path: str):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_a_database_that_hangs_mid_run_fails_fast_and_the_shop_recovers(hung_app, proxy):
    client = hung_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/products/").status_code == 200  # the pool now holds a connection

    proxy.stall()
    response, seconds = _timed(client, "/healthz")
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["database"] == "down"
    assert seconds < 3.5, seconds  # its own deadline: about 2 s

    # A page waits for the pooled connection's ping (1 s statement timeout + 5 s grace),
    # then for a new connection (2 s), and fails rather than hanging the worker.
    response, seconds = _timed(client, "/products/")
    assert response.status_code == 500
    assert seconds < 12, seconds

    proxy.resume()
    deadline = time.monotonic() + 10
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "the shop did not recover"
        time.sleep(0.2)
    assert client.get("/products/").status_code == 200
    assert "Royal Warrior+ Cream" in client.get("/products/").get_data(as_text=True)


def test_web_requests_have_a_statement_timeout_and_commands_may_run_longer(hung_app):
    import click

    @hung_app.cli.command("show-statement-timeout")
    def show() -> None:
        click.echo(db.session.execute(text("SHOW statement_timeout")).scalar())

    with hung_app.test_request_context("/"):
        assert db.session.execute(text("SHOW statement_timeout")).scalar() == "1s"
        with pytest.raises(Exception, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(3)"))
        db.session.rollback()
    assert hung_app.test_cli_runner().invoke(show).output.strip() == "0"
    with hung_app.test_request_context("/"):  # and back again for the next request
        assert db.session.execute(text("SHOW statement_timeout")).scalar() == "1s"


def test_pooled_connections_have_keepalives_and_timeouts(hung_app):
    with hung_app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            info = connection.connection.dbapi_connection.info
            params = info.get_parameters()
        assert engine.pool.timeout() == 10
    assert params["keepalives"] == "1"
    assert params["tcp_user_timeout"] == "30000"
    assert params["connect_timeout"] == "2"
