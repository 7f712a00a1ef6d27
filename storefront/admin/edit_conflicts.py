"""A save that came too late: what the other editor saved, shown beside this editor's text.

Products, sizes and articles carry a revision (``models.base.Revisioned``). When a save is
refused as stale, the editor keeps everything they typed; this module lists each field where
the saved version now differs from theirs, and who saved it when, so they can merge by hand
and save again (the form then carries the new revision).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import HiddenField

from storefront.models import AuditLog
from storefront.models.base import Revisioned, StaleRevision

Row = TypeVar("Row", bound=Revisioned)

NOT_COMPARED = {"csrf_token", "revision"}


class RevisionField(HiddenField):
    """The revision the form was opened at; anything but a plain number reads as none."""

    def process_formdata(self, valuelist) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = int(text) if text.isdigit() and len(text) <= 9 else None

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


@dataclass(frozen=True)
class Difference:
    label: str
    saved: str


@dataclass(frozen=True)
class Conflict:
    differences: list[Difference]
    saved_by: str | None
    saved_at: datetime | None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("\r\n", "\n").strip()


def find_conflict(session: Session, submitted: FlaskForm, saved: FlaskForm,
                  target: str) -> Conflict:
    """Compare the editor's form with the saved row shown in the same form; ``target`` is the
    audit log's name for the row (``post:12``), which says who saved last."""
    differences = [
        Difference(str(field.label.text), _text(saved[field.name].data))
        for field in submitted
        if field.name not in NOT_COMPARED and field.name in saved
        and _text(field.data) != _text(saved[field.name].data)
    ]
    last = session.scalar(select(AuditLog).where(AuditLog.target == target)
                          .order_by(AuditLog.id.desc()).limit(1))
    return Conflict(differences,
                    last.admin_user.email if last and last.admin_user else None,
                    last.created_at if last else None)


def claim_for_save(session: Session, load: Callable[[], Row], form: FlaskForm,
                   saved_form: Callable[[Row], FlaskForm], target: str
                   ) -> tuple[Row, Conflict | None]:
    """Claim the next revision of the row ``load()`` returns, for ``form``'s save: the row
    and None. If another editor saved since the form was opened, roll back and return the row
    as saved now with the Conflict to show; the form then carries the new revision, so
    pressing Save again replaces the saved version knowingly."""
    row = load()
    try:
        row.claim_revision(session, form.revision.data)
    except StaleRevision:
        session.rollback()
        row = load()
        found = find_conflict(session, form, saved_form(row), target)
        form.revision.data = row.revision
        return row, found
    return row, None
