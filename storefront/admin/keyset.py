"""Keyset pages for the back office's long lists (orders, ledger, audit log).

OFFSET makes the database walk past every skipped row and an exact COUNT reads them all, so
both grow with the table. A keyset page instead starts just after the last row seen:
``WHERE (created_at, id) < (:c, :i) ORDER BY created_at DESC, id DESC LIMIT n``, which an index
on those columns answers in the same time on page 1 and page 20,000. Links carry the boundary
row as an opaque cursor (``?before=`` for older rows, ``?after=`` for newer ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import request
from sqlalchemy import DateTime, Select, literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"-?\d{1,18}(?:~-?\d{1,18})*")


@dataclass
class KeysetPage:
    """One page of rows, newest first, and the cursors of the pages on either side."""

    items: list[Any]
    newer: str | None
    older: str | None


def _encode(values: tuple) -> str:
    parts = []
    for value in values:
        if isinstance(value, datetime):
            value = (value - _EPOCH) // timedelta(microseconds=1)
        parts.append(str(int(value)))
    return "~".join(parts)


def _decode(cursor: str, keys: tuple[InstrumentedAttribute, ...]) -> tuple | None:
    """The key values of a cursor, or None when it is not one of ours."""
    if not _CURSOR.fullmatch(cursor) or cursor.count("~") != len(keys) - 1:
        return None
    values = []
    try:
        for key, part in zip(keys, cursor.split("~"), strict=True):
            number = int(part)
            if isinstance(getattr(key.type, "impl", key.type), DateTime):
                values.append(_EPOCH + timedelta(microseconds=number))
            elif abs(number) < 2**31:  # an INTEGER column: larger values overflow it
                values.append(number)
            else:
                return None
    except OverflowError:
        return None
    return tuple(values)


def keyset_page(session: Session, query: Select, keys: tuple[InstrumentedAttribute, ...],
                per_page: int) -> KeysetPage:
    """The page of ``query`` (newest first by ``keys``) that ``?before=``/``?after=`` ask for.

    ``keys`` must end in a unique column (the id), so no two rows share a cursor. A cursor
    that is not ours is ignored: the first page is shown.
    """
    row = tuple_(*keys)
    after = _decode(request.args.get("after", ""), keys)
    before = None if after else _decode(request.args.get("before", ""), keys)

    def boundary(values: tuple):
        return tuple_(*(literal(v, k.type) for k, v in zip(keys, values, strict=True)))

    if after:
        found = list(session.scalars(
            query.where(row > boundary(after)).order_by(*(k.asc() for k in keys))
            .limit(per_page + 1)))
        items = found[:per_page][::-1]
        has_newer, has_older = len(found) > per_page, True
    else:
        if before:
            query = query.where(row < boundary(before))
        found = list(session.scalars(
            query.order_by(*(k.desc() for k in keys)).limit(per_page + 1)))
        items = found[:per_page]
        has_newer, has_older = before is not None, len(found) > per_page
    if not items:
        return KeysetPage(items, None, None)

    def cursor(item) -> str:
        return _encode(tuple(getattr(item, k.key) for k in keys))

    return KeysetPage(items, cursor(items[0]) if has_newer else None,
                      cursor(items[-1]) if has_older else None)
