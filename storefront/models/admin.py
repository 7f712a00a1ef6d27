"""Back-office accounts and the audit log of what they did."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
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
    # Changes whenever the password changes or the account is deactivated, so every session
    # that was logged in before stops working (Flask-Login loads users by this id).
    session_token: Mapped[str] = mapped_column(String(64), unique=True)
    last_login_at: Mapped[datetime | None]

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
