"""Two-factor codes for admin accounts: set up by QR code, asked for at login, recovery codes
used once, the code step rate-limited, and required by an owner or by production."""

from __future__ import annotations

import html
import re
import time
from types import SimpleNamespace

import pyotp
import pytest
from sqlalchemy import select

from storefront.extensions import db, limiter
from storefront.models import AdminUser, AuditLog, RecoveryCode
from tests.test_admin_support import PASSWORD, csrf_token, login, owner_client, staff_client
from tests.test_proxy import login as login_from
from tests.test_sessions import copy_of, is_logged_in, post


def enrol(client) -> tuple[str, list[str]]:
    """Set up codes through the pages; returns the secret and the recovery codes shown."""
    page = client.get("/admin/account/two-factor")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="QR code', text)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', text).group(1)
    response = client.post("/admin/account/two-factor", data={
        "csrf_token": csrf_token(text), "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 201
    codes = re.findall(r'<code class="secret">([0-9a-f]{6}-[0-9a-f]{6})</code>',
                       response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next time step (the current one was spent setting up)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def code_step(client, code: str, **kwargs):
    page = client.get("/admin/login/code", **kwargs).get_data(as_text=True)
    return client.post("/admin/login/code", data={"csrf_token": csrf_token(page),
                                                  "code": code}, **kwargs)


def test_setting_up_codes_then_logging_in_asks_for_one(app):
    owner = owner_client(app)
    other_session = copy_of(app, owner)
    secret, _ = enrol(owner)
    assert is_logged_in(owner)
    assert not is_logged_in(other_session)  # turning codes on ends other sessions
    with app.app_context():
        user = db.session.scalar(select(AdminUser))
        assert user.totp_enabled and user.totp_secret == secret
        assert db.session.scalar(select(AuditLog.action).where(
            AuditLog.action == "account.two_factor.enable"))

    client = app.test_client()
    response = login(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/login/code"
    assert not is_logged_in(client)  # the password alone is not enough
    response = code_step(client, "000000")
    assert response.status_code == 401
    assert "That code is not right" in response.get_data(as_text=True)
    assert code_step(client, next_code(secret)).status_code == 303
    assert is_logged_in(client)


def test_a_code_is_accepted_once(app):
    owner = owner_client(app)
    secret, recovery_codes = enrol(owner)
    code = next_code(secret)
    first, second = app.test_client(), app.test_client()
    login(first)
    login(second)
    assert code_step(first, code).status_code == 303
    assert code_step(second, code).status_code == 401  # seen over a shoulder: no use
    assert code_step(second, recovery_codes[0]).status_code == 303


def test_a_recovery_code_works_once(app):
    owner = owner_client(app)
    _, codes = enrol(owner)
    client = app.test_client()
    login(client)
    assert code_step(client, codes[3].upper().replace("-", " ")).status_code == 303
    client = app.test_client()
    login(client)
    assert code_step(client, codes[3]).status_code == 401
    with app.app_context():
        assert len(db.session.scalars(select(RecoveryCode).where(
            RecoveryCode.used_at.is_(None))).all()) == 9
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert not set(codes) & set(stored)  # only hashes are kept


def test_a_wrong_code_while_setting_up_is_shown_beside_the_field(app):
    owner = owner_client(app)
    page = owner.get("/admin/account/two-factor").get_data(as_text=True)
    response = owner.post("/admin/account/two-factor", data={
        "csrf_token": csrf_token(page), "code": "123456"})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(select(AdminUser.totp_enabled))


def test_the_code_step_expires_and_needs_the_password_step(app, monkeypatch):
    from storefront.admin import auth

    owner = owner_client(app)
    secret, _ = enrol(owner)
    client = app.test_client()
    response = client.get("/admin/login/code")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    login(client)
    token = csrf_token(client.get("/admin/login/code").get_data(as_text=True))
    later = time.time() + 301
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: later))
    response = client.post("/admin/login/code", data={"csrf_token": token,
                                                      "code": next_code(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert not is_logged_in(client)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "ADMIN_CODE_LIMIT": "3 per minute"}])
def test_the_code_step_is_rate_limited_per_account_and_address(app):
    limiter.reset()
    owner = owner_client(app)
    secret, _ = enrol(owner)
    attacker = app.test_client()
    here = {"environ_base": {"REMOTE_ADDR": "203.0.113.5"}}
    login_from(attacker, **here)
    for _ in range(3):
        assert code_step(attacker, "000000", **here).status_code == 401
    assert code_step(attacker, next_code(secret), **here).status_code == 429
    elsewhere = app.test_client()
    login(elsewhere)
    assert code_step(elsewhere, next_code(secret)).status_code == 303


def test_an_owner_can_require_codes_of_every_account(app):
    owner = owner_client(app)
    staff = staff_client(app)
    assert post(owner, "/admin/accounts/security", {"two_factor_required": "1"},
                page="/admin/accounts").status_code == 303
    response = staff.get("/admin/inventory")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/account/two-factor"
    assert "must use two-factor codes" in staff.get("/admin/account/two-factor").get_data(
        as_text=True)
    assert owner.get("/admin/orders").status_code == 302  # owners too
    secret, _ = enrol(staff)
    assert staff.get("/admin/inventory").status_code == 200
    response = post(staff, "/admin/account/two-factor/disable",
                    {"disable-password": PASSWORD}, page="/admin/account/two-factor")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(AdminUser.totp_enabled).where(
            AdminUser.email == "staff@example.com"))


@pytest.mark.parametrize("app_config", [{"REQUIRE_OWNER_TWO_FACTOR": True}])
def test_production_can_require_codes_of_owners(app):
    owner = owner_client(app)
    staff = staff_client(app)
    assert owner.get("/admin/products").status_code == 302
    assert staff.get("/admin/inventory").status_code == 200
    enrol(owner)
    assert owner.get("/admin/products").status_code == 200


def test_codes_can_be_turned_off_and_recovery_codes_renewed_with_the_password(app):
    owner = owner_client(app)
    _, old_codes = enrol(owner)
    page = owner.get("/admin/account/two-factor").get_data(as_text=True)
    assert "10 unused recovery codes left" in page
    response = post(owner, "/admin/account/two-factor/recovery-codes",
                    {"recovery-password": "wrong password!"}, page="/admin/account/two-factor")
    assert response.status_code == 422
    assert "That is not your password." in html.unescape(response.get_data(as_text=True))
    response = post(owner, "/admin/account/two-factor/recovery-codes",
                    {"recovery-password": PASSWORD}, page="/admin/account/two-factor")
    assert response.status_code == 201
    new_codes = re.findall(r'<code class="secret">([0-9a-f]{6}-[0-9a-f]{6})</code>',
                           response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    response = post(owner, "/admin/account/two-factor/disable",
                    {"disable-password": PASSWORD}, page="/admin/account/two-factor")
    assert response.status_code == 303
    client = app.test_client()
    assert login(client).headers["Location"] == "/admin/"  # no code step any more


def test_an_owner_resets_another_accounts_codes(app):
    owner = owner_client(app)
    staff = staff_client(app)
    enrol(staff)
    with app.app_context():
        staff_id = db.session.scalar(select(AdminUser.id).where(
            AdminUser.email == "staff@example.com"))
    assert post(owner, f"/admin/accounts/{staff_id}/two-factor").status_code == 303
    assert not is_logged_in(staff)
    assert login(staff, "staff@example.com").headers["Location"] == "/admin/"
