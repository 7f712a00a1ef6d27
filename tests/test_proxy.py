"""Behind a proxy: X-Forwarded-* believed only from TRUSTED_PROXIES, rate limits on the real
client address, failed logins per account and address, and logins with Redis down."""

from __future__ import annotations

import logging
import re

import pytest

from storefront.extensions import db, limiter
from storefront.payments import gateway
from tests.conftest import make_product
from tests.test_admin_support import PASSWORD, csrf_token, make_admin

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches the app from the proxy
FORWARDED = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "shop.example.com"}
BEHIND_ONE_PROXY = {"TRUSTED_PROXIES": 1, "SERVER_NAME": None, "RATELIMIT_ENABLED": True}
NO_PROXY_TRUSTED = {"TRUSTED_PROXIES": 0, "SERVER_NAME": None, "RATELIMIT_ENABLED": True}


def from_client(address: str) -> dict:
    """Request options for a client at ``address`` whose request passed through the proxy."""
    return {"environ_base": PROXY, "headers": {"X-Forwarded-For": address}}


def login(client, email: str = "owner@example.com", password: str = PASSWORD, **request):
    """Log in through the form, both requests sent with ``request``'s environ and headers."""
    page = client.get("/admin/login", **request).get_data(as_text=True)
    return client.post("/admin/login", data={"email": email, "password": password,
                                             "csrf_token": csrf_token(page)}, **request)


def _owner(app) -> None:
    limiter.reset()
    with app.app_context():
        make_admin()


def _canonical(html: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)


@pytest.mark.parametrize("app_config", [BEHIND_ONE_PROXY])
def test_absolute_links_follow_the_proxys_host_and_scheme(app, client):
    with app.app_context():
        make_product()
    page = client.get("/products/royal-warrior-cream", headers=FORWARDED, environ_base=PROXY)
    assert _canonical(page.get_data(as_text=True)) == (
        "https://shop.example.com/products/royal-warrior-cream")
    sitemap = client.get("/sitemap-products-1.xml", headers=FORWARDED, environ_base=PROXY)
    assert "<loc>https://shop.example.com/products/royal-warrior-cream</loc>" in \
        sitemap.get_data(as_text=True)
    # the page cache keeps the two hosts apart
    direct = client.get("/products/royal-warrior-cream", environ_base=PROXY)
    assert _canonical(direct.get_data(as_text=True)) == (
        "http://localhost/products/royal-warrior-cream")


@pytest.mark.parametrize("app_config", [NO_PROXY_TRUSTED])
def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client):
    with app.app_context():
        make_product()
    page = client.get("/products/royal-warrior-cream", headers=FORWARDED)
    assert _canonical(page.get_data(as_text=True)) == (
        "http://localhost/products/royal-warrior-cream")
    assert "https://shop.example.com" not in client.get(
        "/sitemap.xml", headers=FORWARDED).get_data(as_text=True)


@pytest.mark.parametrize("app_config", [BEHIND_ONE_PROXY | {"WTF_CSRF_ENABLED": False}])
def test_stripes_return_urls_follow_the_proxy(app, client):
    with app.app_context():
        variant_id = make_product().variants[0].id
    client.post("/cart/add", data={"variant_id": variant_id, "quantity": 1},
                headers=FORWARDED, environ_base=PROXY)
    response = client.post("/checkout", headers=FORWARDED, environ_base=PROXY)
    assert response.status_code == 303
    session_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        checkout = gateway.client(app).v1.checkout.sessions.retrieve(session_id)
    assert checkout.success_url.startswith("https://shop.example.com/checkout/success")
    assert checkout.cancel_url.startswith("https://shop.example.com/")


@pytest.mark.parametrize("app_config", [BEHIND_ONE_PROXY | {"ADMIN_LOGIN_LIMIT_PER_IP":
                                                             "20 per minute"}])
def test_the_address_limit_counts_each_client_behind_the_proxy(app, client):
    _owner(app)
    for number in range(20):
        response = login(client, f"nobody{number}@example.com", **from_client("198.51.100.7"))
        assert response.status_code == 401
    assert login(client, **from_client("198.51.100.7")).status_code == 429
    assert login(app.test_client(), **from_client("203.0.113.9")).status_code == 303


@pytest.mark.parametrize("app_config", [NO_PROXY_TRUSTED | {"ADMIN_LOGIN_LIMIT_PER_IP":
                                                            "20 per minute"}])
def test_a_forged_forwarded_for_does_not_escape_the_address_limit(app, client):
    _owner(app)
    for number in range(20):
        response = login(client, f"nobody{number}@example.com",
                         headers={"X-Forwarded-For": f"192.0.2.{number}"})
        assert response.status_code == 401
    assert login(client, headers={"X-Forwarded-For": "192.0.2.200"}).status_code == 429


@pytest.mark.parametrize("app_config", [BEHIND_ONE_PROXY])
def test_failed_logins_lock_an_account_only_from_where_they_came(app, client):
    """Five wrong passwords from the attacker's address; the owner, elsewhere, logs in."""
    _owner(app)
    attacker = from_client("198.51.100.7")
    for _ in range(5):
        assert login(client, password="wrong password!", **attacker).status_code == 401
    assert login(client, **attacker).status_code == 429  # even the right one, from there
    owner = app.test_client()
    assert login(owner, **from_client("203.0.113.9")).status_code == 303


@pytest.mark.parametrize("app_config", [BEHIND_ONE_PROXY])
def test_successful_logins_do_not_use_up_the_accounts_allowance(app):
    _owner(app)
    for _ in range(8):
        assert login(app.test_client(), **from_client("203.0.113.9")).status_code == 303


@pytest.mark.parametrize("app_config", [NO_PROXY_TRUSTED | {
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1"}])
def test_login_works_with_redis_down_and_limits_fall_back_to_memory(app, client, caplog):
    with app.app_context():
        make_admin()
    # The limiter is one object per process: forget an earlier test's Redis outage, so this
    # one sees the switch to memory (and its warning) happen.
    limiter._storage_dead = False
    logging.getLogger("flask-limiter").disabled = False
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        assert login(client).status_code == 303
    assert "falling back to in-memory storage" in caplog.text
    for _ in range(5):
        assert login(app.test_client(), password="wrong password!").status_code == 401
    assert login(app.test_client(), password=PASSWORD).status_code == 429  # still limited


def test_trusted_proxies_default_to_none(app):
    assert app.config["TRUSTED_PROXIES"] == 0
    with app.app_context():
        assert db.engine is not None
    assert "ProxyFix" not in type(app.wsgi_app).__name__
