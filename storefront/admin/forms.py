"""The admin's forms. Every one is a FlaskForm, so every POST carries a CSRF token."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from storefront.admin.edit_conflicts import RevisionField
from storefront.admin.money import MoneyError, parse_cents
from storefront.admin.whole_numbers import WholeNumberBetween
from storefront.limits import INT32_MAX, MAX_POSITION, MAX_STOCK

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ADJUST_REASONS = [
    ("restock", "Restock"),
    ("correction", "Correction (counted)"),
    ("damage", "Damaged"),
    ("return", "Customer return"),
    ("other", "Other"),
]
MIN_PASSWORD = 12


class MoneyField(StringField):
    """A decimal amount typed by a person; ``cents`` holds the parsed value after validation."""

    cents: int | None = None

    def pre_validate(self, form) -> None:
        self.cents = None
        if not (self.data or "").strip() and any(
            isinstance(v, Optional) for v in self.validators
        ):
            return
        try:
            self.cents = parse_cents(self.data or "")
        except MoneyError as exc:
            raise ValidationError(str(exc)) from exc


def edit_form(form_class: type[FlaskForm], obj, **values) -> FlaskForm:
    """A form showing ``obj`` for editing, where ``values`` win over the object's attributes.

    WTForms' own ``Form(obj=..., field=value)`` does the opposite: an attribute of the object
    beats a keyword of the same name, so an article's ``tags`` (a list of Tag rows) would be
    shown as Python object text instead of the ``tags`` string given, and saved back as such.
    """
    names = [f.name for f in form_class(formdata=None) if f.name != "csrf_token"]
    data = {name: getattr(obj, name) for name in names if hasattr(obj, name)}
    data.update(values)
    return form_class(formdata=None, data=data)


class ActionForm(FlaskForm):
    """A button that changes something: nothing but the CSRF token."""


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200,
                                           message="Use at least 12 characters.")],
    )
    confirm = PasswordField("New password again", validators=[DataRequired()])

    def validate_confirm(self, field) -> None:
        if field.data != self.password.data:
            raise ValidationError("The two passwords differ.")


class AdjustStockForm(FlaskForm):
    mode = SelectField("Change", choices=[SelectChoice("delta", "Add or remove"),
                                          SelectChoice("set", "Set count to")])
    amount = StringField("Amount", validators=[InputRequired(message="Enter a number.")])
    reason = SelectField("Reason", choices=[SelectChoice(v, label) for v, label in ADJUST_REASONS])
    note = StringField("Note", validators=[Optional(), Length(max=500)])
    expected_on_hand = IntegerField(validators=[InputRequired(),
                                                WholeNumberBetween(0, INT32_MAX)])

    def validate_amount(self, field) -> None:
        text = (field.data or "").strip()
        if not re.fullmatch(r"[+-]?\d{1,7}", text):
            raise ValidationError("Enter a whole number, like 12 or -1.")
        value = int(text)
        if self.mode.data == "set" and value < 0:
            raise ValidationError("A counted number cannot be negative.")
        if self.mode.data == "delta" and value == 0:
            raise ValidationError("Enter how many to add (12) or remove (-1).")
        field.number = value


class ImportForm(FlaskForm):
    file = FileField("CSV file")
    csv_text = TextAreaField("Or paste the CSV", validators=[Optional(), Length(max=200_000)])
    digest = HiddenField()


class ProductForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Slug (web address)",
        validators=[Optional(), Length(max=120),
                    Regexp(SLUG_PATTERN, message="Use lowercase letters, digits and single "
                           "hyphens, like royal-warrior-cream.")],
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=300)])
    description = TextAreaField("Description (Markdown)", validators=[Optional()])
    safety_note = StringField("Safety note for article cards",
                              validators=[Optional(), Length(max=300)])
    revision = RevisionField()


class VariantForm(FlaskForm):
    sku = StringField("SKU", validators=[DataRequired(), Length(max=64),
                                         Regexp(r"^[A-Za-z0-9._-]+$",
                                                message="Letters, digits, . _ and - only.")])
    label = StringField("Size label", validators=[DataRequired(), Length(max=80)])
    price = MoneyField("Price", validators=[DataRequired()])
    low_stock_threshold = IntegerField("Low-stock threshold", default=5,
                                       validators=[InputRequired(),
                                                   WholeNumberBetween(0, MAX_STOCK)])
    gtin = StringField("GTIN (barcode number, if the size has one)",
                       validators=[Optional(), Length(max=14)])
    position = IntegerField("Position", default=0,
                            validators=[Optional(), WholeNumberBetween(0, MAX_POSITION)])
    revision = RevisionField()

    def validate_gtin(self, field) -> None:
        field.data = (field.data or "").replace(" ", "").strip()
        if field.data and not valid_gtin(field.data):
            raise ValidationError("A GTIN has 8, 12, 13 or 14 digits and a correct check "
                                  "digit, like 0012345678905.")


def valid_gtin(text: str) -> bool:
    """GTIN-8, -12, -13 or -14 with a correct check digit (GS1's mod-10 weights 3 and 1)."""
    if not text.isdigit() or len(text) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in text]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


class ImageForm(FlaskForm):
    image = FileField("Image (JPEG, PNG or WebP, up to 5 MB)")
    alt = StringField("Alternative text", validators=[DataRequired(), Length(max=300)])


class PostForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Slug", validators=[Optional(), Length(max=160),
                            Regexp(SLUG_PATTERN, message="Lowercase letters, digits, hyphens.")]
    )
    summary = StringField("Summary", validators=[Optional(), Length(max=300)])
    body = TextAreaField("Body (Markdown)", validators=[Optional()])
    author = StringField("Author", validators=[Optional(), Length(max=120)])
    reviewed_by = StringField("Reviewed by", validators=[Optional(), Length(max=120)])
    reviewed_at = DateField("Last reviewed on", validators=[Optional()])
    is_health = BooleanField("Health article (shows the disclaimer)", default=True)
    is_condition = BooleanField("Discusses a medical condition (products show as a plain link)")
    change_note = TextAreaField(
        "Correction or update note",
        validators=[Optional(), Length(max=1000)],
        description="Shown with today's date under \"Corrections and updates\" when a published "
                    "article's text changes.",
    )
    tags = StringField("Tags (comma separated)", validators=[Optional(), Length(max=500)])
    references = TextAreaField("References (one per line: citation | url)",
                               validators=[Optional()])
    revision = RevisionField()

    def validate_references(self, field) -> None:
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            citation, _, url = line.partition("|")
            if not citation.strip():
                raise ValidationError(f"Line {number}: the citation is missing.")
            url = url.strip()
            if url and not re.match(r"^https?://\S+$", url):
                raise ValidationError(f"Line {number}: the URL must start with http(s)://.")


class PageForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Slug (web address /pages/...)",
        validators=[Optional(), Length(max=120),
                    Regexp(SLUG_PATTERN, message="Lowercase letters, digits, hyphens.")])
    body = TextAreaField("Text (Markdown)", validators=[Optional(), Length(max=200_000)])
    revision = RevisionField()


class FulfilForm(FlaskForm):
    carrier = StringField("Carrier", validators=[DataRequired(), Length(max=60)])
    tracking = StringField("Tracking number", validators=[DataRequired(), Length(max=120)])
    # Asked only for a disputed or fraud-warned order (see admin.orders.order_fulfil).
    confirm_risk = BooleanField("Ship it anyway: I have looked at the dispute or fraud warning")


class RefundForm(FlaskForm):
    amount = MoneyField("Amount to refund", validators=[DataRequired()])
    restock = BooleanField("Put the jars back in stock (reason: return)")


class InviteForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                             Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice("staff", "Staff"),
                                        SelectChoice("owner", "Owner")])


AUTHOR_KINDS = [SelectChoice("person", "Person"), SelectChoice("organization", "Organization")]
# A profile's bio is a paragraph or two of Markdown on the author's page; the column is Text,
# so the form bounds it (ten times a generous bio) rather than the database.
MAX_BIO = 5000


def _trimmed(value):
    return value.strip() if isinstance(value, str) else value


class AuthorForm(FlaskForm):
    name = StringField(
        "Name", filters=[_trimmed],
        validators=[DataRequired(), Length(max=120),
                    Regexp(r"^[^\x00-\x1f\x7f]*$", message="One line, without control "
                           "characters.")],
        description="As articles name them under Author or Reviewed by, e.g. Dr. Ada Lovelace, "
                    "MD.")
    slug = StringField(
        "Slug (web address /blog/authors/...)", filters=[_trimmed],
        validators=[Optional(), Length(max=120),
                    Regexp(SLUG_PATTERN, message="Lowercase letters, digits, hyphens.")])
    kind = SelectField("Kind", choices=AUTHOR_KINDS, default="person",
                       description="A person gets a page listing their articles, and articles "
                                   "link to it; an organization (the brand, its team) links to "
                                   "the shop.")
    bio = TextAreaField("Bio (Markdown)", validators=[Optional(), Length(max=MAX_BIO)],
                        description="Who they are and why readers can trust them: "
                                    "qualifications, affiliations, any interest in the brand.")
    revision = RevisionField()
