"""Admin access: login, sessions, roles from one table, CSRF on every POST, the CLI."""

from __future__ import annotations

import uuid

import pytest
from flask import url_for
from sqlalchemy import func, select

from storefront.admin.access import ACCESS, PUBLIC, safe_next
from storefront.extensions import db
from storefront.models import AdminUser, AuditLog, Role, Variant
from tests.conftest import make_product
from tests.test_admin_support import PASSWORD, csrf_token, login, make_admin


@pytest.fixture
def app_config() -> dict:
    """Most tests here post without tokens; the CSRF tests turn it back on."""
    return {"WTF_CSRF_ENABLED": False}


def _admin_rules(app):
    """Every /admin rule as (endpoint, url with placeholder ids, methods)."""
    rules = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith("/admin"):
                url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1))
                rules.append((rule.endpoint, url, rule.methods - {"HEAD", "OPTIONS"}))
    assert len(rules) > 20
    return rules


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _admins(app, *accounts: tuple[str, str]) -> None:
    with app.app_context():
        for email, role in accounts:
            make_admin(email, role)


def test_every_admin_endpoint_is_in_the_access_table(app):
    endpoints = {endpoint for endpoint, _, _ in _admin_rules(app)}
    assert endpoints <= set(ACCESS), endpoints - set(ACCESS)


def test_an_endpoint_missing_from_the_table_is_refused(app, client):
    """Fail closed: a view nobody listed is forbidden even to owners."""
    from storefront.admin.access import role_allows

    assert not role_allows(Role.OWNER, "admin.forgotten")
    _admins(app, ("owner@example.com", "owner"))
    login(client)
    app.view_functions["admin.audit"], original = (lambda: "x"), app.view_functions["admin.audit"]
    try:
        ACCESS.pop("admin.audit")
        assert client.get("/admin/audit").status_code == 403
    finally:
        ACCESS["admin.audit"] = Role.OWNER
        app.view_functions["admin.audit"] = original
    assert client.get("/admin/audit").status_code == 200


def test_anonymous_is_sent_to_login_everywhere(app, client):
    for endpoint, url, methods in _admin_rules(app):
        for method in methods:
            response = client.open(url, method=method)
            if endpoint == "admin.login_code":  # no password step passed: back to it
                assert response.status_code == 303, (method, url)
                assert response.headers["Location"].startswith("/admin/login")
                continue
            if ACCESS[endpoint] == PUBLIC:
                assert response.status_code in (200, 401), (method, url)
                continue
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/admin/login"), url
            if method == "GET":
                assert "next=" in response.headers["Location"]


def test_staff_get_403_on_owner_pages(app, client):
    _admins(app, ("staff@example.com", "staff"))
    login(client, "staff@example.com")
    checked = 0
    for endpoint, url, methods in _admin_rules(app):
        if ACCESS[endpoint] != Role.OWNER:
            continue
        for method in methods:
            assert client.open(url, method=method).status_code == 403, (method, url)
            checked += 1
    assert checked > 15
    assert client.get("/admin/inventory").status_code == 200
    assert client.get("/admin/orders").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_ids_and_pages_past_the_database_are_404_or_clamped(app, client):
    """An id past the INTEGER column (or a 20-digit ?page=) reached the database and
    overflowed there: a 500 on every admin page that takes one."""
    _admins(app, ("owner@example.com", "owner"))
    login(client)
    checked = 0
    with app.test_request_context():
        rules = [(rule.endpoint, rule.arguments) for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/admin") and rule.arguments
                 and "GET" in rule.methods]
    for endpoint, arguments in rules:
        with app.test_request_context():
            url = url_for(endpoint, **dict.fromkeys(arguments, 1))
        huge = url.replace("/1", "/" + "9" * 20)
        assert client.get(huge).status_code == 404, huge
        checked += 1
    assert checked >= 4
    with app.app_context():
        variant_id = make_product().variants[0].id
    for path in ("/admin/audit", "/admin/orders", f"/admin/inventory/{variant_id}/history"):
        assert client.get(path + "?page=" + "9" * 20).status_code == 200, path


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_every_post_without_csrf_token_is_400(app, client):
    _admins(app, ("owner@example.com", "owner"))
    assert login(client).status_code == 303
    posts = [url for _, url, methods in _admin_rules(app) if "POST" in methods]
    assert len(posts) > 10
    audit_rows = _count(app, AuditLog)
    for url in posts:
        response = client.post(url, data={"email": "x@example.com", "amount": "5"})
        assert response.status_code == 400, url
    assert _count(app, AuditLog) == audit_rows
    # the same session with its token works
    page = client.get("/admin/accounts").get_data(as_text=True)
    response = client.post("/admin/accounts", data={
        "csrf_token": csrf_token(page), "email": "new@example.com", "role": "staff"})
    assert response.status_code == 201


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_login_needs_csrf_and_logout_is_a_post(app, client):
    _admins(app, ("owner@example.com", "owner"))
    response = client.post("/admin/login", data={"email": "owner@example.com",
                                                 "password": PASSWORD})
    assert response.status_code == 400
    assert login(client).status_code == 303
    assert client.get("/admin/logout").status_code == 405
    page = client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200
    assert client.post("/admin/logout", data={"csrf_token": csrf_token(page)}).status_code == 303
    assert client.get("/admin/").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(app, client):
    _admins(app, ("owner@example.com", "owner"))
    wrong = login(client, password="not the password!")
    unknown = login(client, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    text = wrong.get_data(as_text=True)
    assert "do not match" in text
    assert text.replace("owner@example.com", "") == unknown.get_data(as_text=True).replace(
        "nobody@example.com", "")
    assert client.get("/admin/").status_code == 302


def test_login_renews_the_session(app, client):
    _admins(app, ("owner@example.com", "owner"))
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    assert login(client).status_code == 303
    with client.session_transaction() as s:
        assert "planted" not in s
        user_id = s["_user_id"]
    with app.app_context():
        assert user_id == db.session.scalar(select(AdminUser.session_token))
        assert db.session.scalar(select(AdminUser.last_login_at)) is not None


def test_deactivated_staff_cannot_log_in_and_their_sessions_end(app, client):
    _admins(app, ("owner@example.com", "owner"), ("staff@example.com", "staff"))
    staff = app.test_client()
    assert login(staff, "staff@example.com").status_code == 303
    assert staff.get("/admin/inventory").status_code == 200
    assert login(client).status_code == 303
    with app.app_context():
        staff_id = db.session.scalar(select(AdminUser.id).where(AdminUser.role == "staff"))
    response = client.post(f"/admin/accounts/{staff_id}/active", data={"action": "deactivate"})
    assert response.status_code == 303
    assert staff.get("/admin/inventory").status_code == 302  # the old session is dead
    assert login(staff, "staff@example.com").status_code == 401
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action)).all()
    assert "account.deactivate" in actions
    client.post(f"/admin/accounts/{staff_id}/active", data={"action": "activate"})
    assert login(staff, "staff@example.com").status_code == 303


def test_owner_invites_staff_with_a_one_time_password(app, client):
    _admins(app, ("owner@example.com", "owner"))
    login(client)
    response = client.post("/admin/accounts", data={"email": "New@Example.com", "role": "staff"})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    import re

    password = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    assert password not in client.get("/admin/accounts").get_data(as_text=True)
    assert login(app.test_client(), "new@example.com", password).status_code == 303
    again = client.post("/admin/accounts", data={"email": "new@example.com", "role": "staff"})
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)


def test_password_change_ends_other_sessions(app):
    _admins(app, ("owner@example.com", "owner"))
    first, second = app.test_client(), app.test_client()
    login(first)
    login(second)
    new = "a brand new passphrase"
    short = first.post("/admin/account/password", data={
        "current": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 200 and "at least 12" in short.get_data(as_text=True)
    response = first.post("/admin/account/password", data={
        "current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 303
    assert first.get("/admin/").status_code == 200
    assert second.get("/admin/").status_code == 302
    assert login(second, password=new).status_code == 303


@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "http://evil.com/admin", "/\\evil.com", "\\\\evil.com",
    "/\\/evil.com", "javascript:alert(1)", " //evil.com", "/\r\nLocation: https://evil.com",
    "///evil.com", "/\tevil.com", "evil.com", "https:/evil.com",
])
def test_open_redirects_are_refused(app, client, target):
    _admins(app, ("owner@example.com", "owner"))
    response = login(client, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/", response.headers["Location"]


def test_local_next_is_followed(app, client):
    _admins(app, ("owner@example.com", "owner"))
    location = client.get("/admin/inventory?status=low").headers["Location"]
    assert location == "/admin/login?next=/admin/inventory?status%3Dlow"
    page = client.get(location).get_data(as_text=True)
    assert 'value="/admin/inventory?status=low"' in page
    response = login(client, next="/admin/inventory?status=low")
    assert response.headers["Location"] == "/admin/inventory?status=low"


def test_safe_next_unit():
    assert safe_next("/admin/orders", "/d") == "/admin/orders"
    for bad in ("//x", "https://x", "/\\x", None, "", "x", "/a\nb"):
        assert safe_next(bad, "/d") == "/d"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False}])
def test_login_is_rate_limited_per_account(app):
    _admins(app, ("owner@example.com", "owner"), ("other@example.com", "staff"))
    client = app.test_client()
    codes = [login(client, password="wrong password!!").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert login(client).status_code == 429  # even the right password, while limited
    # the same address may still log in to another account
    assert login(app.test_client(), "other@example.com").status_code == 303


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False,
                                         "ADMIN_LOGIN_LIMIT_PER_IP": "4 per minute"}])
def test_login_is_rate_limited_per_ip(app):
    client = app.test_client()
    codes = [login(client, email=f"user{n}@example.com").status_code for n in range(5)]
    assert codes == [401] * 4 + [429]
    limited = login(client, email="user9@example.com")
    assert limited.status_code == 429 and "Too many attempts" in limited.get_data(as_text=True)


def test_default_login_limits_are_strict_enough():
    from storefront.config import SETTINGS

    assert SETTINGS["ADMIN_LOGIN_LIMIT_PER_ACCOUNT"][0].startswith("5 per minute")
    assert SETTINGS["ADMIN_LOGIN_LIMIT_PER_IP"][0].startswith("20 per minute")


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
    # Redis outlives a test run and its per-IP counters last an hour: a prefix of this run's
    # own keeps earlier runs (or another checkout's) from counting against this one.
    "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
}])
def test_limiter_uses_the_configured_storage_shared_by_workers(app):
    """RATELIMIT_STORAGE_URI (Redis) is where Flask-Limiter keeps its counters."""
    import redis

    from storefront.extensions import limiter

    try:
        redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"]).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert type(limiter.storage).__name__ == "RedisStorage"
    email = f"{uuid.uuid4().hex}@example.com"  # other workers share this Redis
    codes = [login(app.test_client(), email=email).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


# -- flask create-admin ------------------------------------------------------------------------


def test_create_admin_from_stdin(app, runner):
    result = runner.invoke(args=["create-admin", "Boss@Example.com", "--role", "owner"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(AdminUser))
        assert (user.email, user.role, user.active) == ("boss@example.com", "owner", True)
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("a long enough password")


def test_create_admin_refuses_short_password_bad_email_and_duplicates(app, runner):
    short = runner.invoke(args=["create-admin", "a@example.com"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    bad = runner.invoke(args=["create-admin", "not-an-email"], input="a long enough password\n")
    assert bad.exit_code != 0 and "not a valid email" in bad.output
    ok = runner.invoke(args=["create-admin", "a@example.com"], input="a long enough password\n")
    assert ok.exit_code == 0
    again = runner.invoke(args=["create-admin", "A@example.com", "--role", "owner"],
                          input="a long enough password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    assert _count(app, AdminUser) == 1


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_owner_scenario_from_cli_to_storefront(app, runner, client):
    """TRYING's owner: create-admin, log in, restock with a reason, see it in the shop."""
    with app.app_context():
        product = make_product(variants=[("RW-50", "50 ml", 2400, 0)])
        variant_id, slug = product.variants[0].id, product.slug
    result = runner.invoke(args=["create-admin", "owner@example.com", "--role", "owner"],
                           input=f"{PASSWORD}\n")
    assert result.exit_code == 0
    assert login(client).status_code == 303
    page = client.get("/admin/inventory").get_data(as_text=True)
    response = client.post(f"/admin/inventory/{variant_id}/adjust", data={
        "csrf_token": csrf_token(page), "mode": "delta", "amount": "12", "reason": "restock",
        "note": "delivery", "expected_on_hand": "0"})
    assert response.status_code == 303
    assert "RW-50: on hand 0 → 12" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    anonymous = app.test_client()
    refused = anonymous.post(f"/admin/inventory/{variant_id}/adjust", data={
        "mode": "delta", "amount": "5", "reason": "restock", "expected_on_hand": "12"})
    assert refused.status_code == 303 and "/admin/login" in refused.location  # no session
    with app.app_context():
        assert db.session.get(Variant, variant_id).on_hand == 12
    assert anonymous.get(f"/products/{slug}").status_code == 200
