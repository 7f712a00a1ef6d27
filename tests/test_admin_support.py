"""Helpers shared by the admin tests (this module holds no tests of its own).

Requests must not run inside an app context the test holds open: Flask would reuse it, and
with it ``g`` (where Flask-Login caches the user and Flask-WTF the CSRF token) and the database
session, so a test would see one long request instead of several. Tests therefore set up and
check the database in short ``with app.app_context():`` blocks.
"""

from __future__ import annotations

import re

from storefront import accounts
from storefront.extensions import db
from storefront.models import AdminUser

PASSWORD = "correct horse battery"


def make_admin(email: str = "owner@example.com", role: str = "owner",
               password: str = PASSWORD) -> AdminUser:
    """An account, committed."""
    user = accounts.create_admin(db.session, email, password, role)
    db.session.commit()
    return user


def login(client, email: str = "owner@example.com", password: str = PASSWORD, **extra):
    """Log in through the form (fetching a CSRF token first, in case CSRF is on)."""
    page = client.get("/admin/login").get_data(as_text=True)
    data = {"email": email, "password": password, **extra}
    token = csrf_token(page)
    if token:
        data["csrf_token"] = token
    return client.post("/admin/login", data=data)


def csrf_token(html: str) -> str | None:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return found.group(1) if found else None


def logged_in_client(app, email: str, role: str):
    """A test client logged in as a new admin with ``role``."""
    with app.app_context():
        make_admin(email, role)
    client = app.test_client()
    assert login(client, email).status_code == 303
    return client


def owner_client(app, email: str = "owner@example.com"):
    return logged_in_client(app, email, "owner")


def staff_client(app, email: str = "staff@example.com"):
    return logged_in_client(app, email, "staff")
