"""Reading the ``?page=`` of the back office's paginated lists."""

from __future__ import annotations

from flask import request

MAX_PAGE = 1_000_000


def page_number() -> int:
    """The ``?page=`` of a paginated list, 1 when missing or nonsense.

    Capped, because a 20-digit page overflows the database's OFFSET (a 500)."""
    try:
        return min(max(1, int(request.args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1
