"""Fixtures for payment tests: the offline Stripe sandbox on a loopback port (mail goes to
conftest's aiosmtpd server on another), and helpers that read and submit HTML forms like a
browser without JavaScript.

The shop talks to the sandbox with the SDK's default HTTP client (real sockets, real retries);
the sandbox hands its webhooks to the test app in process. Deliveries are synchronous
(``async_delivery=False``): a test decides when webhooks arrive with ``deliver_pending()``.
Use in a module with ``from tests.stripe_fixtures import *  # noqa: F403`` and the
``app_config`` fixture defined there returning ``payment_config``.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from storefront.extensions import db
from storefront.models import Order
from storefront.payments.sandbox import Sandbox
from tests.conftest import free_port, make_product

WEBHOOK_SECRET = "whsec_test_payments"
SANDBOX_KEY = "sk_test_sandbox"

__all__ = ["paid",
    "Form", "WEBHOOK_SECRET", "buy", "find_form", "forms_in", "free_port", "pay_on_hosted_page",
    "payment_config", "shop", "stripe_sandbox",
]


@pytest.fixture
def stripe_sandbox(tmp_path):
    """A sandbox served on 127.0.0.1; ``.target["app"]`` is where its webhooks go."""
    target: dict = {}

    def deliver(body: bytes, headers: dict[str, str]) -> int:
        app = target.get("app")
        if app is None:
            return 0
        return app.test_client().post("/webhooks/stripe", data=body, headers=headers).status_code

    sandbox = Sandbox(str(tmp_path / "stripe-sandbox-served.sqlite3"), webhook_url=None,
                      webhook_secret=WEBHOOK_SECRET, api_key=SANDBOX_KEY, deliver=deliver,
                      async_delivery=False, retry_delays=(0, 0, 0))
    sandbox.target = target
    sandbox.base_url = sandbox.serve()
    yield sandbox
    sandbox.shutdown()


@pytest.fixture
def payment_config(stripe_sandbox, smtp_server) -> dict:
    return {
        "STRIPE_SECRET_KEY": SANDBOX_KEY,
        "STRIPE_API_BASE": stripe_sandbox.base_url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SMTP_HOST": smtp_server.host,
        "SMTP_PORT": smtp_server.port,
        "SMTP_STARTTLS": False,
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture
def shop(app, stripe_sandbox):
    """The app, with the sandbox's webhooks pointed at it."""
    stripe_sandbox.target["app"] = app
    return app


# -- reading forms -------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    buttons: list[tuple[str, str, str]]  # (name, value, text)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._button: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), {}, []))
            return
        if not self.forms:
            return
        fields = self.forms[-1].fields
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
                elif kind == "radio":
                    fields.setdefault(a["name"], a.get("value", ""))
            elif kind != "submit":
                fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")
        elif tag == "button":
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data):
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "button" and self._button is not None and self.forms:
            name, value, text = self._button
            self.forms[-1].buttons.append((name, value, " ".join(text.split())))
            self._button = None


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def find_form(html: str, action_contains: str, method: str = "post") -> Form:
    for form in forms_in(html):
        if action_contains in form.action and form.method == method:
            return form
    raise AssertionError(f"no {method} form whose action contains {action_contains!r}")


def pay_on_hosted_page(url: str, email: str = "buyer@example.com", outcome: str = "paid",
                       **overrides: str) -> tuple[int, str]:
    """Fill and submit the sandbox's hosted page like a customer; returns (status, Location)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        html = response.read().decode()
    form = find_form(html, "/pay/")
    buttons = {text: value for _, value, text in form.buttons}
    assert "Pay" in buttons, form.buttons
    fields = {**form.fields, "email": email, **overrides, "outcome": outcome}
    action = urllib.parse.urljoin(url, form.action)
    request = urllib.request.Request(action, data=urllib.parse.urlencode(fields).encode(),
                                     method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def path_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def buy(app, variant_id: int, quantity: int = 1, email: str = "buyer@example.com",
        outcome: str = "paid") -> int:
    """A customer buys through the shop and the hosted page; returns the order's id.

    Webhooks are not delivered: the test decides when (``stripe_sandbox.deliver_pending()``).
    """
    from sqlalchemy import select

    from storefront.extensions import db
    from storefront.models import Order

    buyer = app.test_client()
    assert buyer.post("/cart/add", data={"variant_id": variant_id, "quantity": quantity}
                      ).status_code == 303
    checkout = buyer.post("/checkout")
    assert checkout.status_code == 303, checkout.get_data(as_text=True)
    status, _ = pay_on_hosted_page(checkout.headers["Location"], email=email, outcome=outcome)
    assert status == 303
    with app.app_context():
        return db.session.scalars(select(Order.id).order_by(Order.id.desc())).first()


@pytest.fixture
def paid(shop, session, stripe_sandbox):
    """A $72 order (3 x $24, free shipping), paid and settled by its webhook."""
    variant_id = make_product(variants=[("RW-50", "50 ml", 2400, 10)]).variants[0].id
    order_id = buy(shop, variant_id, 3, email="ada@example.com")
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    return order_id


def reloaded_order(order_id: int) -> Order:
    """The order as the database holds it now (after webhooks changed it elsewhere)."""
    db.session.expire_all()
    return db.session.get(Order, order_id)
