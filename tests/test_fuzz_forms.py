"""Every form of the shop, fuzzed: no input a client can send answers 5xx.

The forms are found by crawling (tests/form_crawler.py) as each role sees the shop: a visitor,
staff and an owner. Hypothesis then fills every field with hostile values (long strings,
control characters, NUL, invalid UTF-8, huge and negative numbers, floats, nothing), leaves
fields out or repeats them, and posts the form with its real CSRF token, so each case reaches
the view behind it. Any status of 500 or more, or an exception, fails the test with the
smallest case Hypothesis can find.

Depth is a Hypothesis settings profile: ``forms`` (the default, for ``make test``) or
``forms-deep`` (``make fuzz``), chosen by FUZZ_PROFILE; FUZZ_EXAMPLES overrides the number of
cases per form. The count of cases and statuses per database and role is written to
test-artifacts/fuzz-summary.json.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import secrets
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select

from storefront.extensions import db
from storefront.images import add_product_image
from storefront.models import Author, Order, OrderLine, OrderStatus, Variant, utcnow
from tests.conftest import make_post, make_product
from tests.form_crawler import Field, Form, crawl
from tests.test_admin_support import PASSWORD, csrf_token, login, make_admin
from tests.test_hostile_input import TOO_MUCH_TEXT, _chunk, _png

settings.register_profile(
    "forms", max_examples=50, deadline=None, database=None, derandomize=True,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck))
settings.register_profile("forms-deep", parent=settings.get_profile("forms"),
                          max_examples=400, derandomize=False)
PROFILE = os.environ.get("FUZZ_PROFILE", "forms")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or settings.get_profile(PROFILE).max_examples
SUMMARY = Path(__file__).resolve().parents[1] / "test-artifacts" / "fuzz-summary.json"

# Forms that end or weaken the session fuzzing it go last, so they cost the others nothing.
LAST = ("/logout", "/account", "/accounts", "/login")

# -- values --------------------------------------------------------------------------------

NUMBERS = st.sampled_from([
    "0", "1", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "99999999999999999999", "9" * 400,
    "9" * 5000, "1e308", "1.5", "-0.0", "nan", "inf", "-inf", "0x10", "1_000", " 7 ", "+3",
    "\u0663", "\u00b2", "92233720368547758.07", "999999.99", "1,024.10", "$5", "-",
])
SPECIAL = st.sampled_from([
    "", " ", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00",
    "https://evil.example/", "//evil.example", "/\\evil.example", "/cart\r\nX: y", "\r\n",
    "2026-13-45", "9999-12-31", "0001-01-01", "9999-12-31T23:59", "0001-01-01T00:00",
    "2026-02-30T25:61", "true", "on", "y", "null", "[]", "{}", "\U0001F600" * 100,
    "[[product:royal-warrior-cream]]", "[[product:" + "a" * 300 + "]]", "\ufeffsku,count",
    "sku,count,reason\rRW-50,1,restock", "a,b\n" * 1000, "\u202e\u2028\u2029",
    # The real accounts, so a fuzzed login can get past the password to what follows it.
    "owner@example.com", "staff@example.com", PASSWORD,
])
CONTROL = st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\ufeff"),
                  min_size=1, max_size=20)
LONG = st.sampled_from([256, 1_001, 5_000, 70_000, 200_001]).flatmap(
    lambda n: st.sampled_from(["x" * n, "9" * n, "\u00e9" * n, "a\n" * (n // 2), "- " * n]))
RAW_BYTES = st.binary(min_size=1, max_size=40)  # mostly invalid UTF-8
NUL = st.sampled_from(["\x00", "a\x00b", "%00\x00"])
FLOATS = st.floats(allow_nan=True, allow_infinity=True).map(repr)
INTEGERS = st.integers().map(str)


def _values(f: Field) -> st.SearchStrategy:
    own = [f.value, *f.options] if f.value or f.options else [""]
    return st.one_of(st.sampled_from(own), NUMBERS, SPECIAL, st.text(max_size=40), CONTROL,
                     LONG, RAW_BYTES, NUL, FLOATS, INTEGERS)


MISSING = object()


def _png_file(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


FILES = st.sampled_from([
    b"", b"sku,count,reason\nRW-50,3,restock\n", b"\xff\xfe\x00garbage", _png_file(8, 8),
    _png_file(1, 1), _png(width=1, height=20000), _png(_chunk(b"gAMA", b"\x00")),
    _png(_chunk(b"zTXt", b"c\x00\x00" + TOO_MUCH_TEXT)), _png(_chunk(b"eXIf", b"XXXX")),
    b"GIF89a" + b"\x00" * 20, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
]) | st.binary(max_size=200)


def _field(f: Field) -> st.SearchStrategy:
    if f.kind == "file":
        value = st.tuples(FILES, st.sampled_from(["a.png", "a.csv", "", "x" * 300, "..\\a"]))
    else:
        value = _values(f)
    return st.one_of(st.just(MISSING), value.map(lambda v: [v]),
                     st.lists(value, min_size=2, max_size=3))


def _cases(form: Form) -> st.SearchStrategy:
    fields = [f for f in form.fields if f.name != "csrf_token"]
    return st.fixed_dictionaries({f.name: _field(f) for f in fields}) | st.fixed_dictionaries(
        {f.name: st.just([f.value]) for f in fields})  # the form as the page filled it in


# -- sending -------------------------------------------------------------------------------


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


def _urlencoded(pairs: list[tuple[str, object]]) -> bytes:
    return b"&".join(quote_from_bytes(_bytes(k)).encode() + b"=" + quote_from_bytes(_bytes(v))
                     .encode() for k, v in pairs)


def _multipart(pairs: list[tuple[str, object]]) -> tuple[bytes, str]:
    boundary = "fuzz" + secrets.token_hex(8)
    body = io.BytesIO()
    for name, value in pairs:
        body.write(f"--{boundary}\r\n".encode())
        if isinstance(value, tuple):
            data, filename = value
            body.write(b'Content-Disposition: form-data; name="' + _bytes(name)
                       + b'"; filename="' + _bytes(filename) + b'"\r\n'
                       b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
        else:
            body.write(b'Content-Disposition: form-data; name="' + _bytes(name) + b'"\r\n\r\n'
                       + _bytes(value) + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def send(client, form: Form, case: dict, token: str | None):
    pairs: list[tuple[str, object]] = []
    if token and any(f.name == "csrf_token" for f in form.fields):
        pairs.append(("csrf_token", token))
    for name, values in case.items():
        if values is not MISSING:
            pairs.extend((name, v) for v in values)
    target = urlsplit(form.action)
    if form.method == "get":
        query = _urlencoded([(k, v[0] if isinstance(v, tuple) else v) for k, v in pairs])
        return client.get(target.path, query_string=query.decode("ascii"))
    path = target.path + (f"?{target.query}" if target.query else "")
    if "multipart" in form.enctype:
        body, content_type = _multipart(pairs)
    else:
        pairs = [(k, v[0] if isinstance(v, tuple) else v) for k, v in pairs]
        body, content_type = _urlencoded(pairs), "application/x-www-form-urlencoded"
    return client.post(path, data=body, content_type=content_type)


# -- the shop and its visitors -------------------------------------------------------------


def _seed(app) -> None:
    """A shop with something on every page: sizes, an image, articles, orders in each state."""
    with app.app_context():
        product = make_product(variants=[("RW-50", "50 ml", 2400, 10),
                                         ("RW-100", "100 ml", 3900, 5)])
        add_product_image(db.session, product, Image.new("RGB", (400, 300), "white"), "A jar")
        product.images[0].position = 0
        make_post(published=True)
        make_post(slug="draft-article", title="A draft", published=False)
        # One author named by the articles (a rename rewrites them), one no article names (it
        # has a delete button).
        db.session.add_all([Author(slug="editorial-team", name="Editorial team",
                                   kind="organization"),
                            Author(slug="ada", name="Dr. Ada", kind="person", bio="A *GP*.")])
        variant = product.variants[0]
        for status, intent in ((OrderStatus.PAID, "pi_fuzz_paid"), (OrderStatus.PENDING, None),
                               (OrderStatus.FULFILLED, "pi_fuzz_done")):
            order = Order(number=f"RW-FUZZ{status[:3].upper()}", token=secrets.token_urlsafe(16),
                          status=status, email="ada@example.com", currency="usd",
                          subtotal_cents=4800, total_cents=4800, stripe_payment_intent_id=intent,
                          paid_at=utcnow() if intent else None, expires_at=utcnow())
            order.lines.append(OrderLine(variant_id=variant.id, sku=variant.sku,
                                         product_name=product.name, variant_label=variant.label,
                                         unit_price_cents=2400, quantity=2))
            db.session.add(order)
        make_admin("owner@example.com", "owner")
        make_admin("staff@example.com", "staff")
        make_admin("other@example.com", "staff")
        db.session.commit()


class Visitor:
    """A client as one role, logged in again whenever a fuzzed form ended its session."""

    def __init__(self, app, role: str) -> None:
        self.app, self.role = app, role
        self.client = app.test_client()
        self.token: str | None = None
        self.logins = 0
        self.refresh()

    def refresh(self) -> None:
        if self.role != "anonymous":
            self.client = self.app.test_client()
            assert login(self.client, f"{self.role}@example.com", PASSWORD).status_code == 303
            self.logins += 1
        page = "/admin/" if self.role != "anonymous" else "/admin/login"
        self.token = csrf_token(self.client.get(page, follow_redirects=True)
                                .get_data(as_text=True))

    def session_lost(self, response) -> bool:
        if self.role == "anonymous":
            return False
        location = response.headers.get("Location", "")
        return ("/admin/login" in location or (
            response.status_code == 400 and b"CSRF" in response.data))


# -- the test ------------------------------------------------------------------------------


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": None}


def _record(backend: str, role: str, forms: list[Form], statuses: Counter, per_form: dict,
            logins: int) -> None:
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    with open(SUMMARY.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            summary = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {}
        except ValueError:
            summary = {}
        summary.setdefault(backend, {})[role] = {
            "profile": PROFILE, "examples_per_form": EXAMPLES,
            "forms": sum(not f.link for f in forms), "pages": sum(f.link for f in forms),
            "cases": sum(statuses.values()), "statuses": dict(sorted(statuses.items())),
            "relogins": logins - (role != "anonymous"), "per_form": per_form}
        totals = Counter()
        for name, role_summary in summary[backend].items():
            if name != "total":
                totals.update(role_summary["statuses"])
        summary[backend]["total"] = {"cases": sum(totals.values()),
                                     "statuses": dict(sorted(totals.items()))}
        SUMMARY.write_text(json.dumps(summary, indent=2, sort_keys=True))


def _fuzz_form(visitor: Visitor, form: Form, statuses: Counter, per_form: dict) -> None:
    """Hypothesis runs ``form`` EXAMPLES times, shrinking any case that answers 5xx."""
    started = time.perf_counter()
    cases = Counter()

    # A page's query string is a cheaper, broader target than a form: a quarter of the cases.
    examples = max(5, EXAMPLES // 4) if form.link else EXAMPLES

    @settings(settings.get_profile(PROFILE), max_examples=examples)
    @given(case=_cases(form))
    def fuzz(case):
        try:
            response = send(visitor.client, form, case, visitor.token)
        except Exception:
            statuses["exception"] += 1
            raise
        statuses[str(response.status_code)] += 1
        cases[str(response.status_code)] += 1
        assert response.status_code < 500, (str(form), case)
        if visitor.session_lost(response):
            visitor.refresh()

    fuzz()
    per_form[str(form)] = {"cases": sum(cases.values()), "statuses": dict(sorted(cases.items())),
                           "seconds": round(time.perf_counter() - started, 2)}


@pytest.mark.parametrize("role", ["anonymous", "staff", "owner"])
def test_no_form_answers_5xx(app, backend, tmp_path, role):
    app.instance_path = str(tmp_path / "instance")  # emails written as files land here
    _seed(app)
    visitor = Visitor(app, role)
    with app.app_context():  # a cart with a jar in it shows its own forms and checkout's
        variant_id = db.session.scalar(select(Variant.id).order_by(Variant.id))
    visitor.client.post("/cart/add", data={"variant_id": variant_id})
    forms = crawl(visitor.client)
    assert len(forms) >= (3 if role == "anonymous" else 12), [str(f) for f in forms]
    forms.sort(key=lambda f: any(part in urlsplit(f.action).path for part in LAST))
    statuses: Counter = Counter()
    per_form: dict[str, int] = {}

    for form in forms:
        if visitor.session_lost(visitor.client.get("/admin/")):
            visitor.refresh()
        _fuzz_form(visitor, form, statuses, per_form)
    _record(backend, role, forms, statuses, per_form, visitor.logins)
    assert not any(int(code) >= 500 for code in statuses if code.isdigit())
