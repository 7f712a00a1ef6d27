"""Numbered public list pages (``?page=``) shared by the shop and the blog.

Both lists are small (thousands of rows), so a page is LIMIT/OFFSET with one extra row to
know whether a next page exists: no count query, one query per page.
"""

from __future__ import annotations

import re

from flask import abort, request
from sqlalchemy import Select
from sqlalchemy.orm import Session

PAGE_RE = re.compile(r"[1-9][0-9]{0,5}")  # 1 to 999999


def page_number() -> int:
    """The ``?page=`` number, or 404. ASCII digits only and a sane bound: ``str.isdigit``
    accepts "²" (which ``int`` refuses) and a 20-digit page overflows the database's OFFSET."""
    page = request.args.get("page", "1")
    if not PAGE_RE.fullmatch(page):
        abort(404)
    return int(page)


def paginate(session: Session, query: Select, page: int, per_page: int) -> tuple[list, bool]:
    """One page of the (ordered) query and whether a next page exists; 404 past the end."""
    rows = list(session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))
    if page > 1 and not rows:
        abort(404)
    return rows[:per_page], len(rows) > per_page
