"""The audit log page: owners read who did what, with the values before and after."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin.keyset import keyset_page
from storefront.admin.views import bp
from storefront.extensions import db
from storefront.models import AuditLog

PER_PAGE = 50


@bp.get("/audit")
def audit():
    """Owners: who did what, newest first (keyset pages), with the values before and after."""
    page = keyset_page(db.session, select(AuditLog).options(selectinload(AuditLog.admin_user)),
                       (AuditLog.id,), PER_PAGE)
    return render_template("admin/audit.html", entries=page.items, page=page)
