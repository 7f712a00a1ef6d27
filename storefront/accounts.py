"""Admin accounts and their sessions: creating, changing and retiring accounts, and the
Flask-Login loader that decides whether a session still counts.

A session names the account by its ``session_token``. Rotating the token (logout, a password
or role change, deactivation, "log out everywhere") ends every copy of every session the
account had, wherever its cookie was copied to. A session also ends after
``ADMIN_SESSION_IDLE_HOURS`` without use and ``ADMIN_SESSION_MAX_HOURS`` after its login.
"""

from __future__ import annotations

import re
import secrets
import time

from flask import current_app, flash
from flask import session as web_session
from flask_login import login_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.extensions import db, login_manager
from storefront.models import AdminUser, Role

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class AccountError(ValueError):
    """An account could not be created or changed; the message is fit to show."""


LOGGED_IN_AT, SEEN_AT = "admin_logged_in_at", "admin_seen_at"
_FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember")
SEEN_RESOLUTION_SECONDS = 60  # the cookie is rewritten at most once a minute to note use


@login_manager.user_loader
def load_admin(session_token: str) -> AdminUser | None:
    """The account whose current token the session carries, if the session has not timed out."""
    now = int(time.time())
    config = current_app.config
    logged_in_at, seen_at = web_session.get(LOGGED_IN_AT, 0), web_session.get(SEEN_AT, 0)
    if (now - seen_at > config["ADMIN_SESSION_IDLE_HOURS"] * 3600
            or now - logged_in_at > config["ADMIN_SESSION_MAX_HOURS"] * 3600):
        for key in (*_FLASK_LOGIN_KEYS, LOGGED_IN_AT, SEEN_AT):
            web_session.pop(key, None)
        flash("Your session has ended. Please log in again.", "info")
        return None
    user = db.session.scalar(
        select(AdminUser).where(AdminUser.session_token == session_token, AdminUser.active)
    )
    if user is not None and now - seen_at >= SEEN_RESOLUTION_SECONDS:
        web_session[SEEN_AT] = now
    return user


def start_session(user: AdminUser) -> None:
    """Log ``user`` in on a fresh session: nothing from before the login carries over."""
    web_session.clear()
    login_user(user)
    web_session[LOGGED_IN_AT] = web_session[SEEN_AT] = int(time.time())


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def end_sessions(user: AdminUser) -> None:
    """End every session of the account, on every device and every copy of a cookie."""
    user.session_token = new_session_token()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )


def find_by_email(session: Session, email: str) -> AdminUser | None:
    return session.scalar(
        select(AdminUser).where(func.lower(AdminUser.email) == normalise_email(email))
    )


def create_admin(session: Session, email: str, password: str, role: str = Role.STAFF) -> AdminUser:
    """Add an account (the caller commits). Refuses a bad email, a short password, a duplicate."""
    email = normalise_email(email)
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise AccountError(f"{email or 'That'} is not a valid email address.")
    if role not in (Role.OWNER, Role.STAFF):
        raise AccountError("The role must be owner or staff.")
    check_password_rules(password)
    if find_by_email(session, email) is not None:
        raise AccountError(f"An account for {email} already exists.")
    user = AdminUser(email=email, role=str(role), active=True, session_token=new_session_token())
    user.set_password(password)
    session.add(user)
    return user


def change_password(user: AdminUser, password: str) -> None:
    """Set a new password and end every session the account had."""
    check_password_rules(password)
    user.set_password(password)
    end_sessions(user)


def set_active(user: AdminUser, active: bool) -> None:
    """Deactivating also ends the account's sessions, so they stop working at once."""
    user.active = active
    end_sessions(user)


def change_role(user: AdminUser, role: str) -> None:
    """Give the account another role; its sessions end, so the new role applies from the next
    login and no session keeps rights the account has lost."""
    if role not in (Role.OWNER, Role.STAFF):
        raise AccountError("The role must be owner or staff.")
    user.role = str(role)
    end_sessions(user)


def temporary_password() -> str:
    return secrets.token_urlsafe(12)
