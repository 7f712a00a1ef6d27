"""Back-office accounts, their two-factor codes and settings, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from storefront.models.base import Base, Timestamped, utcnow


class Role(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class AdminUser(UserMixin, Timestamped, Base):
    """A member of staff. Owners may also manage products, articles, refunds and accounts."""

    __tablename__ = "admin_user"
    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default=Role.STAFF)
    active: Mapped[bool] = mapped_column(default=True)
    # Changes on logout, a password or role change, deactivation and "log out everywhere", so
    # every copy of every session logged in before stops working (Flask-Login loads users by
    # this id, never by the account's id).
    session_token: Mapped[str] = mapped_column(String(64), unique=True)
    last_login_at: Mapped[datetime | None]
    # Two-factor codes (TOTP, RFC 6238): the shared secret once confirmed, and the last time
    # step used, so a code seen over someone's shoulder cannot be used a second time.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    totp_last_step: Mapped[int | None]

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="admin_user", cascade="all, delete-orphan", passive_deletes=True)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class RecoveryCode(Base):
    """A one-time code that stands in for a lost authenticator; stored as a SHA-256 hash (the
    codes are random and long, so a slow hash adds nothing), used at most once."""

    __tablename__ = "admin_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_user_id: Mapped[int] = mapped_column(
        ForeignKey("admin_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]

    admin_user: Mapped[AdminUser] = relationship(back_populates="recovery_codes")


class AdminSettings(Base):
    """Back-office rules owners set from the admin (one row, id 1)."""

    __tablename__ = "admin_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every account, staff and owners, must use two-factor codes to get past the login.
    two_factor_required: Mapped[bool] = mapped_column(default=False, server_default=false())


class AuditLog(Base):
    """Who did what to which record, with the values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(120), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    admin_user: Mapped[AdminUser | None] = relationship()
