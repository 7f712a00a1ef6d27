"""Admin-side stock work built on storefront.inventory: CSV import plans.

The stock rules themselves (conflicts, never below reserved, one ledger row per change) live in
storefront.inventory; this module only reads files and plans.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storefront.inventory import adjust_stock
from storefront.limits import MAX_STOCK
from storefront.models import StockMovement, Variant

IMPORT_REASONS = ("restock", "correction", "damage", "return", "import", "other")
IMPORT_COLUMNS = ("sku", "count", "delta", "reason", "note")
_INTEGER = re.compile(r"^[+-]?\d{1,7}$")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportRow:
    """One line of an import file, with what it would do or why it cannot."""

    line: int
    sku: str
    reason: str = ""
    note: str = ""
    variant_id: int | None = None
    name: str = ""
    before: int | None = None
    after: int | None = None
    reserved: int = 0
    error: str | None = None

    @property
    def delta(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def changes(self) -> bool:
        return self.error is None and self.delta not in (None, 0)


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    error: str | None = None  # a problem with the file as a whole (header, encoding)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.error]

    @property
    def ok(self) -> bool:
        return self.error is None and not self.bad_rows and bool(self.rows)

    def digest(self, text: str) -> str:
        """Fingerprint of the file and of the counts it was planned against."""
        seen = [(row.sku, row.before) for row in self.rows]
        return hashlib.sha256((text + json.dumps(seen)).encode()).hexdigest()


def plan_import(session: Session, text: str) -> ImportPlan:
    """Read ``sku,count,delta,reason,note`` rows and work out every change, without writing.

    Rows for the same SKU chain (the second starts from the first's result), so the plan is
    exactly what applying the rows in order would do.
    """
    # newline="" lets the csv module see line ends itself: a bare CR (old spreadsheets) ends a
    # row instead of raising "new-line character seen in unquoted field".
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header, raw_rows = _read_rows(reader)
    except csv.Error as exc:
        return ImportPlan([], _csv_problem(reader.line_num, exc))
    if not header:
        return ImportPlan([], "The file is empty. The first row must be the header.")
    unknown = [name for name in header if name not in IMPORT_COLUMNS]
    if unknown or "sku" not in header or "reason" not in header or not (
        "count" in header or "delta" in header
    ):
        return ImportPlan([], "The header must be sku,count,delta,reason,note (count or delta "
                              "may be left out; note is optional)"
                              + (f"; unknown column: {', '.join(unknown)}" if unknown else "."))

    skus = {values.get("sku", "") for _, values, _ in raw_rows}
    variants = {
        v.sku: v for v in session.scalars(
            select(Variant).options(joinedload(Variant.product)).where(Variant.sku.in_(skus))
        )
    }
    running: dict[int, int] = {}
    rows: list[ImportRow] = []
    for line, values, extra in raw_rows:
        row = ImportRow(line=line, sku=values.get("sku", ""),
                        reason=values.get("reason", "").lower(), note=values.get("note", ""))
        rows.append(row)
        variant = variants.get(row.sku)
        count, delta = values.get("count", ""), values.get("delta", "")
        if extra:
            row.error = "More cells than columns in the header."
        elif not row.sku:
            row.error = "The SKU is missing."
        elif variant is None:
            row.error = f"Unknown SKU {row.sku!r}."
        elif bool(count) == bool(delta):
            row.error = ("Give either a count or a delta, not both." if count
                         else "Give a count or a delta.")
        elif not _INTEGER.fullmatch(count or delta):
            row.error = f"{count or delta!r} is not a whole number."
        elif row.reason not in IMPORT_REASONS:
            row.error = (f"Unknown reason {row.reason!r}; use one of "
                         f"{', '.join(IMPORT_REASONS)}.")
        elif len(row.note) > 500:
            row.error = "The note is longer than 500 characters."
        if variant is not None:
            row.variant_id = variant.id
            row.name = f"{variant.product.name} {variant.label}"
            row.reserved = variant.reserved
            row.before = running.get(variant.id, variant.on_hand)
        if row.error:
            continue
        assert variant is not None and row.before is not None
        number = int(count or delta)
        row.after = number if count else row.before + number
        if count and number < 0:
            row.error = "A count cannot be negative."
        elif row.after > MAX_STOCK:
            row.error = f"On hand can be at most {MAX_STOCK} (this row would make it {row.after})."
        elif row.after < variant.reserved:
            row.error = (f"On hand cannot go below {variant.reserved}: that many are held for "
                         f"pending orders (this row would make it {row.after}).")
        else:
            running[variant.id] = row.after
    if not rows:
        return ImportPlan([], "The file has a header but no rows.")
    return ImportPlan(rows)


def _read_rows(reader: csv.DictReader) -> tuple[list[str], list[tuple[int, dict, bool]]]:
    """The lower-cased header and the non-blank rows as (line, values, extra cells?)."""
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header or any(name not in IMPORT_COLUMNS for name in header):
        return header, []
    reader.fieldnames = header
    raw_rows = []
    for record in reader:
        extra = None in record
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        if extra or any(values.values()):
            raw_rows.append((reader.line_num, values, extra))
    return header, raw_rows


def _csv_problem(line: int, exc: csv.Error) -> str:
    """What a parse error means for the person who made the file."""
    if "field larger than field limit" in str(exc):
        return (f"Line {line}: a cell is longer than {csv.field_size_limit():,} characters. "
                "Nothing was read; shorten it (notes hold up to 500).")
    return f"Line {line}: the file is not valid CSV ({exc}). Nothing was read."


def apply_import(
    session: Session, plan: ImportPlan, admin_user_id: int | None
) -> list[StockMovement]:
    """Apply a clean plan through adjust_stock, each row checked against the count planned.

    Raises StockError (conflict or below reserved) on the first row that no longer fits; the
    caller rolls back, so the file applies entirely or not at all.
    """
    movements = []
    for row in plan.rows:
        if not row.changes:
            continue
        assert row.variant_id is not None
        movements.append(adjust_stock(
            session, row.variant_id, reason=row.reason, new_count=row.after,
            expected_on_hand=row.before, note=row.note or f"CSV import, line {row.line}",
            admin_user_id=admin_user_id,
        ))
    return movements


def csv_cell(value: object) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ gets a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
