"""Many buyers for the last jars: exactly as many reservations as jars, never oversold.

Threads each get their own app context (so their own session and connection) and call the
same service the checkout view calls (orders.open_checkout). Then once through real
processes: gunicorn with four workers on PostgreSQL, fifty HTTP buyers with their own cookies.
"""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storefront import inventory, orders
from storefront.extensions import db
from storefront.inventory import InsufficientStock
from storefront.models import Base, Order, OrderStatus, Variant
from tests.conftest import _pg_database, make_product, make_test_app
from tests.stripe_fixtures import free_port

ROOT = Path(__file__).resolve().parents[1]
BUYERS = 24
JARS = 5


def _race(app, variant_id: int, buyers: int) -> tuple[list[str], list[str]]:
    barrier = threading.Barrier(buyers)
    won: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def buy() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                order = orders.open_checkout(db.session, {variant_id: 1})
                won.append(order.number)
            except InsufficientStock as short:
                refused.append(str(short))
            except BaseException as error:  # anything else fails the test below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy) for _ in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return won, refused


@pytest.mark.xdist_group("concurrency")
def test_threads_race_for_the_last_jars(app, session):
    """Runs on SQLite (begin_write serialises writers) and PostgreSQL (row locks)."""
    variant_id = make_product(variants=[("RW-50", "50 ml", 2400, JARS)]).variants[0].id
    started = time.perf_counter()
    won, refused = _race(app, variant_id, BUYERS)
    elapsed = time.perf_counter() - started
    print(f"{db.engine.dialect.name}: {BUYERS} buyers, {len(won)} reserved, "
          f"{len(refused)} refused in {elapsed:.2f}s")
    assert len(won) == JARS and len(refused) == BUYERS - JARS
    assert all("sold out" in message for message in refused)
    db.session.expire_all()
    variant = db.session.get(Variant, variant_id)
    assert (variant.on_hand, variant.reserved) == (JARS, JARS)
    assert db.session.scalar(select(func.count()).select_from(Order)) == JARS
    assert inventory.ledger_total(db.session, variant_id) == 0  # nothing sold yet: no rows


# -- real processes ----------------------------------------------------------------------


class Buyer:
    """One customer with a cookie jar, no JavaScript, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            # As a browser's form post: Origin says it comes from the shop (test_csrf_origin).
            headers = {"Origin": self.base} if data is not None else {}
            request = urllib.request.Request(self.base + path, data=body, headers=headers)
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location", ""), \
                    response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def browse(self) -> None:
        self.request("/products/royal-warrior-cream")


@pytest.fixture
def gunicorn_shop(worker_id_safe, tmp_path, request):
    from tests.conftest import PG_SKIP_REASON

    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    url = _pg_database(worker_id_safe, "gunicorn")
    setup = make_test_app(url, tmp_path)
    with setup.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        variant_id = make_product(variants=[("RW-50", "50 ml", 2400, JARS)]).variants[0].id
        db.session.remove()
    port = free_port()
    sandbox_path = str(tmp_path / "stripe-sandbox.sqlite3")
    factory = (f"storefront:create_app({{'STRIPE_SANDBOX_PATH': {sandbox_path!r}, "
               "'RATELIMIT_ENABLED': False})")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "gunicorn-test-secret",
           "STRIPE_SECRET_KEY": "", "STRIPE_WEBHOOK_SECRET": "", "SMTP_HOST": ""}
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(gunicorn), "-w", "4", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--timeout", "60", factory],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        pytest.fail("gunicorn did not answer /healthz: " + (tmp_path / "gunicorn.log").read_text())
    yield base, setup, variant_id
    process.terminate()
    process.wait(timeout=20)
    log.close()
    with setup.app_context():
        db.engine.dispose()


@pytest.mark.postgresql
@pytest.mark.xdist_group("gunicorn")
def test_gunicorn_crowd_for_the_last_jars(gunicorn_shop):
    base, setup, variant_id = gunicorn_shop
    crowd = 50
    buyers = [Buyer(base) for _ in range(crowd)]
    ready = []
    for buyer in buyers:  # each has its own session cookie
        buyer.browse()
        status, _, _ = buyer.request("/cart/add", {"variant_id": variant_id, "quantity": 1})
        assert status == 303
        ready.append(buyer)
    barrier = threading.Barrier(crowd)
    results: list[tuple[Buyer, int, str]] = []

    def check_out(buyer: Buyer) -> None:
        barrier.wait(timeout=30)
        status, location, _ = buyer.request("/checkout", {})
        results.append((buyer, status, location))

    started = time.perf_counter()
    threads = [threading.Thread(target=check_out, args=(buyer,)) for buyer in ready]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - started
    statuses = sorted({status for _, status, _ in results})
    to_payment = [loc for _, _, loc in results if "/_sandbox/stripe/pay/cs_" in loc]
    back_to_cart = [buyer for buyer, _, loc in results if loc.endswith("/cart")]
    print(f"gunicorn 4 workers: {crowd} checkouts in {elapsed:.2f}s; {len(to_payment)} to "
          f"payment, {len(back_to_cart)} back to the cart; statuses {statuses}")
    assert len(results) == crowd and statuses == [303]
    assert len(to_payment) == JARS and len(back_to_cart) == crowd - JARS
    _, _, cart_page = back_to_cart[0].request("/cart")
    assert "sold out" in cart_page and 'value="1"' in cart_page  # told why, cart kept
    status, _, hosted = buyers[0].request(to_payment[0].removeprefix(base))
    assert status == 200 and "Pay" in hosted  # the sandbox page answers on the shop's host
    with setup.app_context():
        variant = db.session.get(Variant, variant_id)
        assert (variant.on_hand, variant.reserved) == (JARS, JARS)
        pending = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.status == OrderStatus.PENDING))
        assert pending == JARS
        db.session.remove()
