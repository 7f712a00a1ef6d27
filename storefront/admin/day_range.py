"""The From/To day filter of the orders list and the article report.

Both pages filter with ``?from=&to=`` (YYYY-MM-DD, days on the shop's clock). A date that is
not a date, or a range that ends before it starts, re-shows the filter with the message beside
the field and what was typed kept, and shows no rows: a silently ignored filter would list
every order as if it were the answer, and a bare 400 page would lose the form.
"""

from __future__ import annotations

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form
from wtforms.validators import Optional


class DayRangeForm(Form):
    """A GET filter: no CSRF token, since it changes nothing."""

    start = DateField("From", name="from", validators=[Optional()])
    end = DateField("To", name="to", validators=[Optional()])

    def __init__(self, args: MultiDict, max_days: int | None = None,
                 bounds: tuple[date, date] | None = None):
        super().__init__(args)
        self.max_days = max_days
        self.bounds = bounds

    def validate(self, extra_validators=None) -> bool:
        for field in (self.start, self.end):
            field.process_errors = [
                "Write the date as YYYY-MM-DD, for example 2026-03-31." for _ in
                field.process_errors]
        if not super().validate(extra_validators):
            return False
        if self.bounds:
            first, last = self.bounds
            for field in (self.start, self.end):
                if field.data and not first <= field.data <= last:
                    field.errors.append(f"Choose a day from {first} to {last}.")
            if self.start.errors or self.end.errors:
                return False
        start, end = self.start.data, self.end.data
        if start and end and end < start:
            self.end.errors.append("The end date is before the start date.")
            return False
        if start and end and self.max_days and (end - start).days >= self.max_days:
            self.end.errors.append(f"Choose at most {self.max_days:,} days.")
            return False
        return True

    def fill_blanks(self, end: date, days: int) -> None:
        """Give a blank To the day ``end``, and a blank From the start of the ``days``-day
        range that ends on To (checked by ``validate`` like typed dates)."""
        if not _typed(self.end):
            self.end.data, self.end.raw_data = end, []
        if not _typed(self.start) and self.end.data:
            self.start.raw_data = []
            try:
                self.start.data = self.end.data - timedelta(days=days - 1)
            except OverflowError:  # To near 0001-01-01, which validate() then refuses
                self.start.data = date.min

    @property
    def days(self) -> tuple[date | None, date | None]:
        return self.start.data, self.end.data


def _typed(field: DateField) -> bool:
    return bool(field.raw_data and "".join(field.raw_data).strip())
