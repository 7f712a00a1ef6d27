"""Numbered pages for the back office's short lists (products, articles, stock sizes).

These tables hold thousands of rows, not millions, so OFFSET and an exact count stay cheap;
the long lists (orders, ledger, audit log) use keyset pages instead (storefront.admin.keyset).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

MAX_PAGE = 1_000_000
MAX_FILTER = 100


@dataclass
class NumberedPage:
    items: list[Any]
    page: int
    pages: int
    total: int


def page_number() -> int:
    """The ``?page=`` of a paginated list, 1 when missing or nonsense.

    Capped, because a 20-digit page overflows the database's OFFSET (a 500)."""
    try:
        return min(max(1, int(request.args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


def numbered_page(session: Session, query: Select, per_page: int) -> NumberedPage:
    """The ``?page=`` of ``query`` (already ordered); a page past the end shows the last."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(page_number(), pages)
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return NumberedPage(items, page, pages, total)


def text_filter() -> str:
    """The list's ``?q=`` filter text, trimmed and bounded."""
    return request.args.get("q", "").strip()[:MAX_FILTER]


def matching(text: str, *columns):
    """Rows where any of ``columns`` contains ``text``, case-insensitively (wildcards escaped)."""
    return or_(*(column.icontains(text, autoescape=True) for column in columns))
