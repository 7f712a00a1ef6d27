"""Sessions that really end: a copied admin cookie stops working at logout, a password or role
change, deactivation and "log out everywhere"; sessions time out when idle and with age."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from storefront import accounts
from storefront.extensions import db
from storefront.models import AdminUser, AuditLog
from tests.test_admin_support import (
    PASSWORD,
    csrf_token,
    login,
    make_admin,
    owner_client,
    staff_client,
)


def copy_of(app, client):
    """A second client carrying a copy of ``client``'s session cookie, as a thief would."""
    domain = app.config["SERVER_NAME"] or "localhost"
    cookie = client.get_cookie("session", domain=domain)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain=domain)
    return thief


def is_logged_in(client) -> bool:
    response = client.get("/admin/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/admin/login"), response.status_code
    return False


def post(client, url: str, data: dict | None = None, page: str = "/admin/"):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(AdminUser.id).where(AdminUser.email == email))


def test_logout_ends_every_copy_of_the_session(app):
    owner = owner_client(app)
    thief = copy_of(app, owner)
    assert is_logged_in(thief)
    assert post(owner, "/admin/logout").status_code == 303
    assert not is_logged_in(owner)
    assert not is_logged_in(thief)
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == \
            "logout"


def test_password_change_ends_copies_and_keeps_this_session(app):
    owner = owner_client(app)
    thief = copy_of(app, owner)
    response = post(owner, "/admin/account/password", {
        "current": PASSWORD, "password": "another long password", "confirm":
        "another long password"}, page="/admin/account/password")
    assert response.status_code == 303
    assert is_logged_in(owner)
    assert not is_logged_in(thief)


def test_deactivation_ends_the_accounts_sessions(app):
    owner = owner_client(app)
    staff = staff_client(app)
    thief = copy_of(app, staff)
    staff_id = _user_id(app, "staff@example.com")
    post(owner, f"/admin/accounts/{staff_id}/active", {"action": "deactivate"})
    assert not is_logged_in(staff)
    assert not is_logged_in(thief)


def test_a_role_change_ends_the_accounts_sessions_and_applies_at_next_login(app):
    owner = owner_client(app)
    other = owner_client(app, "second-owner@example.com")
    thief = copy_of(app, other)
    assert other.get("/admin/accounts").status_code == 200
    other_id = _user_id(app, "second-owner@example.com")
    response = post(owner, f"/admin/accounts/{other_id}/role", {"role": "staff"})
    assert response.status_code == 303
    assert not is_logged_in(other)
    assert not is_logged_in(thief)
    assert login(other, "second-owner@example.com").status_code == 303
    assert other.get("/admin/accounts").status_code == 403  # staff now
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account.role"))
        assert (entry.action, entry.before, entry.after) == (
            "account.role", {"role": "owner"}, {"role": "staff"})


def test_a_role_change_of_ones_own_account_or_to_nonsense_is_refused(app):
    owner = owner_client(app)
    staff_client(app)
    owner_id, staff_id = _user_id(app, "owner@example.com"), _user_id(app, "staff@example.com")
    assert post(owner, f"/admin/accounts/{owner_id}/role", {"role": "staff"}).status_code == 400
    response = post(owner, f"/admin/accounts/{staff_id}/role", {"role": "emperor"})
    assert response.status_code == 303
    assert "The role must be owner or staff." in owner.get("/admin/accounts").get_data(
        as_text=True)
    with app.app_context():
        assert db.session.get(AdminUser, staff_id).role == "staff"


def test_log_out_everywhere_ends_all_of_ones_own_sessions(app):
    laptop = owner_client(app)
    phone = app.test_client()
    assert login(phone).status_code == 303
    response = post(laptop, "/admin/account/sessions", page="/admin/account/password")
    assert response.status_code == 303
    assert not is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert login(phone).status_code == 303  # the password still works


def test_an_owner_logs_another_account_out_everywhere(app):
    owner = owner_client(app)
    staff = staff_client(app)
    thief = copy_of(app, staff)
    staff_id = _user_id(app, "staff@example.com")
    assert post(owner, f"/admin/accounts/{staff_id}/sessions").status_code == 303
    assert not is_logged_in(staff)
    assert not is_logged_in(thief)
    assert is_logged_in(owner)
    staff_only = staff_client(app, "staff2@example.com")
    owner_id = _user_id(app, "owner@example.com")
    assert post(staff_only, f"/admin/accounts/{owner_id}/sessions").status_code == 403
    assert is_logged_in(owner)


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock the session checks read, by ``clock.hours += n``."""
    real = time.time
    state = SimpleNamespace(hours=0.0)
    monkeypatch.setattr(accounts, "time",
                        SimpleNamespace(time=lambda: real() + state.hours * 3600))
    return state


@pytest.mark.parametrize("app_config", [{"ADMIN_SESSION_IDLE_HOURS": 12}])
def test_an_idle_session_ends_after_the_idle_timeout(app, clock):
    owner = owner_client(app)
    for _ in range(3):  # used every 11 hours: still logged in after 33
        clock.hours += 11
        assert is_logged_in(owner)
    clock.hours += 12.1
    response = owner.get("/admin/")
    assert response.status_code == 302
    assert "Your session has ended" in owner.get(response.headers["Location"]).get_data(
        as_text=True)
    clock.hours -= 12.1  # the ended session does not come back
    assert not is_logged_in(owner)


@pytest.mark.parametrize("app_config", [{"ADMIN_SESSION_MAX_HOURS": 48}])
def test_a_session_ends_at_its_absolute_lifetime_however_busy(app, clock):
    owner = owner_client(app)
    for _ in range(7):  # used every 6 hours: still logged in 42 hours after logging in
        clock.hours += 6
        assert is_logged_in(owner)
    clock.hours += 7  # 49 hours: past the lifetime, however busy the session was
    assert not is_logged_in(owner)
    assert login(owner).status_code == 303
    assert is_logged_in(owner)


def test_settings_default_to_twelve_idle_hours():
    from storefront.config import SETTINGS

    assert SETTINGS["ADMIN_SESSION_IDLE_HOURS"][0] == "12"


def test_a_session_without_its_login_time_counts_as_ended(app):
    """Sessions made before the timeouts existed (no login time) must log in again."""
    with app.app_context():
        token = make_admin().session_token
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    assert not is_logged_in(client)
