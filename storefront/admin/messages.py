"""Messages from the contact form, newest first, for whoever answers customers (staff)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from storefront.admin.views import bp
from storefront.extensions import db
from storefront.models import ContactMessage

PER_PAGE = 50


@bp.get("/messages")
def messages():
    """Keyset pages (``?before=<id>``): the list stays fast however many messages there are."""
    query = select(ContactMessage).order_by(ContactMessage.id.desc()).limit(PER_PAGE + 1)
    before = request.args.get("before", "")
    if before.isdigit() and len(before) <= 9:
        query = query.where(ContactMessage.id < int(before))
    found = db.session.scalars(query).all()
    older = found[PER_PAGE - 1].id if len(found) > PER_PAGE else None
    return render_template("admin/messages.html", messages=found[:PER_PAGE], older=older)
