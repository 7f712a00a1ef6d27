"""A whole-number bound for IntegerFields that is safe with any text a client sends.

WTForms' NumberRange passes the number to ``math.isnan()`` before it compares it with ``max``,
so a 400-digit number (which ``int()`` still parses) raised OverflowError: a 500. This
validator looks at the typed text first and refuses long numbers before any arithmetic.
"""

from __future__ import annotations

from wtforms.validators import StopValidation

from storefront.limits import MAX_DIGITS


class WholeNumberBetween:
    """Refuse anything but a whole number from ``low`` to ``high``, with one clear message."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high
        self.message = f"Enter a whole number between {low} and {high}."

    def __call__(self, form, field) -> None:
        text = (field.raw_data[0] if field.raw_data else "") or ""
        digits = text.strip().lstrip("+-")
        if (len(digits) > MAX_DIGITS or field.data is None
                or not self.low <= field.data <= self.high):
            field.errors[:] = []  # one message, not "Not a valid integer value." as well
            raise StopValidation(self.message)
