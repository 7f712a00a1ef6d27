"""Admin accounts: loading the logged-in admin for Flask-Login, creating and retiring accounts."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.extensions import db, login_manager
from storefront.models import AdminUser, Role

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class AccountError(ValueError):
    """An account could not be created or changed; the message is fit to show."""


@login_manager.user_loader
def load_admin(session_token: str) -> AdminUser | None:
    """Sessions carry the account's session token, so a password change logs everyone out."""
    return db.session.scalar(
        select(AdminUser).where(AdminUser.session_token == session_token, AdminUser.active)
    )


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


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
    user.session_token = new_session_token()


def set_active(user: AdminUser, active: bool) -> None:
    """Deactivating also rotates the session token, so open sessions stop working at once."""
    user.active = active
    user.session_token = new_session_token()


def temporary_password() -> str:
    return secrets.token_urlsafe(12)
