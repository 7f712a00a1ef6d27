"""Writing the audit log: every state-changing admin action adds one row in its transaction."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy.orm import Session

from storefront.models import AuditLog


def record(
    session: Session,
    action: str,
    target: str = "",
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    admin_user_id: int | None = None,
) -> AuditLog:
    """Add an audit row in the caller's transaction, so it commits (or not) with the change."""
    if admin_user_id is None and current_user and current_user.is_authenticated:
        admin_user_id = current_user.id
    entry = AuditLog(admin_user_id=admin_user_id, action=action, target=target,
                     before=before, after=after)
    session.add(entry)
    return entry
