"""The audit log page: owners read who did what, with the values before and after."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storefront.admin.paging import page_number
from storefront.admin.views import bp
from storefront.extensions import db
from storefront.models import AuditLog

PER_PAGE = 50


@bp.get("/audit")
def audit():
    """Owners: who did what, newest first, with the values before and after."""
    page = page_number()
    total = db.session.scalar(select(func.count()).select_from(AuditLog))
    entries = db.session.scalars(
        select(AuditLog).options(selectinload(AuditLog.admin_user))
        .order_by(AuditLog.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    pages = max(1, -(-total // PER_PAGE))
    return render_template("admin/audit.html", entries=entries, page=page, pages=pages,
                           total=total)
