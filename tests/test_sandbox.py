"""The offline Stripe sandbox, driven by the real stripe SDK.

Every API test runs twice: over loopback HTTP with the SDK's default HTTP
client, and in process through ``Sandbox.http_client()``, because the shop
uses both depending on how it is deployed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe
from stripe import HTTPClient
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from storefront.payments.sandbox import Sandbox

SECRET = "whsec_test_sandbox_secret"
KEY = "sk_test_sandbox"


@pytest.fixture(autouse=True)
def fast_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK sleeps >= 0.5 s between retries; the logic under test is the same at 10 ms."""
    monkeypatch.setattr(HTTPClient, "_sleep_time_seconds", lambda self, n: 0.01)


class Receiver:
    """A tiny webhook endpoint that verifies signatures like the shop must."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.answers: list[int] = []  # planned statuses; 200 once exhausted
        self.calls = 0
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/stripe"

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.calls += 1
        try:
            event = stripe.Webhook.construct_event(
                request.get_data(), request.headers["Stripe-Signature"], SECRET)
        except (ValueError, stripe.SignatureVerificationError):
            return Response("bad signature", status=400)(environ, start_response)
        status = self.answers.pop(0) if self.answers else 200
        if status == 200:
            self.events.append(event)
        return Response("ok", status=status)(environ, start_response)

    def types(self) -> list[str]:
        return [e.type for e in self.events]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def sb(tmp_path: Any, receiver: Receiver) -> Iterator[Sandbox]:
    sandbox = Sandbox(str(tmp_path / "stripe.sqlite"), receiver.url, SECRET,
                      retry_delays=(0.05, 0.05), async_delivery=False)
    yield sandbox
    sandbox.shutdown()


@pytest.fixture(params=["loopback", "in_process"])
def client(request: pytest.FixtureRequest, sb: Sandbox) -> stripe.StripeClient:
    if request.param == "loopback":
        return stripe.StripeClient(KEY, base_addresses={"api": sb.serve()},
                                   max_network_retries=2)
    return stripe.StripeClient(KEY, base_addresses={"api": "http://stripe.sandbox.test"},
                               max_network_retries=2, http_client=sb.http_client())


def session_params(**extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "mode": "payment",
        "success_url": "http://shop.test/thanks?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://shop.test/cart",
        "customer_email": "ada@example.com",
        "client_reference_id": "order-42",
        "metadata": {"order_id": "42"},
        "line_items": [
            {"price_data": {"currency": "eur", "unit_amount": 1990,
                            "product_data": {"name": "Magnesium cream 100 ml",
                                             "metadata": {"sku": "MAG-100"}}},
             "quantity": 2},
            {"price_data": {"currency": "eur", "unit_amount": 990,
                            "product_data": {"name": "Travel tin"}},
             "quantity": 1},
        ],
        "shipping_address_collection": {"allowed_countries": ["DE", "AT", "US"]},
        "shipping_options": [
            {"shipping_rate_data": {"display_name": "Standard", "type": "fixed_amount",
                                    "fixed_amount": {"amount": 490, "currency": "eur"}}},
            {"shipping_rate_data": {"display_name": "Free pickup", "type": "fixed_amount",
                                    "fixed_amount": {"amount": 0, "currency": "eur"}}},
        ],
        "payment_intent_data": {"metadata": {"order_id": "42"}},
    }
    params.update(extra)
    return params


def create(client: stripe.StripeClient, **extra: Any) -> stripe.checkout.Session:
    return client.v1.checkout.sessions.create(params=session_params(**extra))  # type: ignore


def taxed_params(behavior: str, **extra: Any) -> dict[str, Any]:
    """Session parameters with automatic tax and ``tax_behavior`` on every price and rate."""
    params = session_params(automatic_tax={"enabled": True}, **extra)
    for item in params["line_items"]:
        item["price_data"]["tax_behavior"] = behavior
    for option in params["shipping_options"]:
        option["shipping_rate_data"]["tax_behavior"] = behavior
    return params


# -- API --------------------------------------------------------------------------


def test_create_retrieve_expand_line_items_list_and_expire(client: stripe.StripeClient,
                                                           sb: Sandbox) -> None:
    session = create(client)
    assert session.id.startswith("cs_test_")
    assert (session.status, session.payment_status, session.payment_intent) == (
        "open", "unpaid", None)
    assert session.amount_subtotal == 2 * 1990 + 990
    assert session.amount_total == session.amount_subtotal + 490  # first option preselected
    assert session.url.endswith(f"/pay/{session.id}")
    assert session.metadata["order_id"] == "42" and session.client_reference_id == "order-42"

    fetched = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["line_items"]})
    assert [li.description for li in fetched.line_items.data] == [
        "Magnesium cream 100 ml", "Travel tin"]
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(li.quantity, li.amount_total) for li in items.data] == [(2, 3980), (1, 990)]

    second = create(client)
    listed = client.v1.checkout.sessions.list(params={"limit": 1})
    assert listed.has_more and listed.data[0].id == second.id
    assert [s.id for s in listed.auto_paging_iter()] == [second.id, session.id]

    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired" and expired.url is None
    with pytest.raises(stripe.InvalidRequestError, match="can be expired"):
        client.v1.checkout.sessions.expire(session.id)
    open_ids = [s.id for s in client.v1.checkout.sessions.list(params={"status": "open"}).data]
    assert open_ids == [second.id]
    assert [e["type"] for e in sb.events()] == ["checkout.session.expired"]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"


def test_unknown_parameter_is_rejected_by_name(client: stripe.StripeClient) -> None:
    params = session_params()
    params["line_items"][0]["price_data"]["unit_ammount"] = 5
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=params)
    assert error.value.http_status == 400
    assert error.value.param == "line_items[0][price_data][unit_ammount]"
    assert str(error.value.user_message).startswith(
        "Received unknown parameter: line_items[0][price_data][unit_ammount]")


@pytest.mark.parametrize(("bad", "param"), [
    ({"mode": "paymnet"}, "mode"),
    ({"allow_promotion_codes": "yes"}, "allow_promotion_codes"),
    ({"line_items": []}, "line_items"),
    ({"success_url": None}, "success_url"),
])
def test_type_and_semantic_checks(client: stripe.StripeClient, bad: dict, param: str) -> None:
    params = session_params()
    for key, value in bad.items():
        if value is None:
            params.pop(key)
        else:
            params[key] = value
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=params)
    assert error.value.param == param


def test_quantity_and_currency_rules(client: stripe.StripeClient) -> None:
    params = session_params()
    params["line_items"][1]["quantity"] = 0
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=params)
    assert error.value.param == "line_items[1][quantity]"
    params = session_params()
    params["line_items"][1]["price_data"]["currency"] = "usd"
    with pytest.raises(stripe.InvalidRequestError, match="same currency"):
        client.v1.checkout.sessions.create(params=params)


@pytest.mark.parametrize("minutes", [10, 25 * 60])
def test_expires_at_outside_30_minutes_to_24_hours(client: stripe.StripeClient,
                                                   minutes: int) -> None:
    with pytest.raises(stripe.InvalidRequestError) as error:
        create(client, expires_at=int(time.time()) + minutes * 60)
    assert error.value.param == "expires_at"
    assert create(client, expires_at=int(time.time()) + 3600).expires_at > time.time()


def test_wrong_api_key_is_an_authentication_error(sb: Sandbox) -> None:
    wrong = stripe.StripeClient("sk_test_wrong", base_addresses={"api": sb.serve()})
    with pytest.raises(stripe.AuthenticationError):
        wrong.v1.events.list()
    inproc = stripe.StripeClient("sk_test_wrong", http_client=sb.http_client(),
                                 base_addresses={"api": "http://x.test"})
    with pytest.raises(stripe.AuthenticationError):
        inproc.v1.events.list()


def test_idempotent_replay_and_conflicting_reuse(client: stripe.StripeClient,
                                                 sb: Sandbox) -> None:
    first = client.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "order-42-attempt-1"})
    again = client.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "order-42-attempt-1"})
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.checkout.sessions.list().data) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(
            params=session_params(client_reference_id="other"),
            options={"idempotency_key": "order-42-attempt-1"})


def test_500_then_success_creates_exactly_one_session(client: stripe.StripeClient,
                                                      sb: Sandbox) -> None:
    sb.inject("500")
    session = create(client)
    posts = [entry for entry in sb.request_log if entry[0] == "POST"]
    assert len(posts) == 2 and posts[0][2] and posts[0][2] == posts[1][2]
    assert [s.id for s in client.v1.checkout.sessions.list().data] == [session.id]


def test_refused_connection_exhausts_retries(client: stripe.StripeClient, sb: Sandbox) -> None:
    sb.inject("refuse", times=3)
    with pytest.raises(stripe.APIConnectionError):
        create(client)
    assert len([e for e in sb.request_log if e[0] == "POST"]) == 3
    sb.inject("refuse", times=5)
    sb.clear_faults()
    assert client.v1.checkout.sessions.list().data == []


def test_slow_answer_times_out_then_retry_replays_one_session(sb: Sandbox) -> None:
    impatient = stripe.StripeClient(KEY, base_addresses={"api": sb.serve()},
                                    max_network_retries=2,
                                    http_client=stripe.RequestsClient(timeout=0.3))
    sb.inject("slow", delay=0.8)
    session = impatient.v1.checkout.sessions.create(params=session_params())
    time.sleep(0.8)  # let the abandoned first request finish on the server
    sessions = impatient.v1.checkout.sessions.list().data
    assert [s.id for s in sessions] == [session.id]

    inproc = stripe.StripeClient(KEY, base_addresses={"api": "http://x.test"},
                                 max_network_retries=2, http_client=sb.http_client(timeout=0.3))
    sb.inject("slow", delay=0.8)
    assert inproc.v1.checkout.sessions.retrieve(session.id).id == session.id


# -- hosted page and webhooks ----------------------------------------------------------


def test_hosted_page_shows_sandbox_banner_and_pay_button(client: stripe.StripeClient,
                                                         sb: Sandbox) -> None:
    session = create(client, allow_promotion_codes=True)
    page = Client(sb.wsgi_app).get(f"/pay/{session.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Stripe sandbox — no real payment is taken" in html
    assert '<button type="submit" class="primary" name="outcome" value="paid">Pay</button>' in html
    assert 'name="viewport"' in html and "<style" not in html and "<script" not in html
    assert 'value="ada@example.com"' in html and 'name="promotion_code"' in html
    assert "Magnesium cream 100 ml" in html and "€39.80" in html
    assert Client(sb.wsgi_app).get("/pay/static/sandbox.css").status_code == 200


def test_pay_with_the_prefilled_form_needs_no_typing(client: stripe.StripeClient,
                                                     sb: Sandbox) -> None:
    """A plain-HTML client that only presses "Pay" completes a purchase (no email given)."""
    session = create(client, customer_email=None)
    html = Client(sb.wsgi_app).get(f"/pay/{session.id}").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    fields["country"] = "DE"
    page = Client(sb.wsgi_app).post(f"/pay/{session.id}", data=fields | {"outcome": "paid"})
    assert page.status_code == 303
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert paid.payment_status == "paid"
    assert paid.customer_details.email == "jenny.rosen@example.com"


def form(**extra: str) -> dict[str, str]:
    data = {"email": "ada@example.com", "name": "Ada L", "line1": "Main St 1", "line2": "",
            "city": "Berlin", "postal_code": "10115", "state": "", "country": "DE",
            "outcome": "paid"}
    data.update(extra)
    return data


def test_pay_redirects_and_delivers_a_signed_event(client: stripe.StripeClient, sb: Sandbox,
                                                   receiver: Receiver) -> None:
    session = create(client)
    page = Client(sb.wsgi_app).post(f"/pay/{session.id}", data=form())
    assert page.status_code == 303
    assert page.headers["Location"] == f"http://shop.test/thanks?session_id={session.id}"
    paid = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (paid.status, paid.payment_status, paid.url) == ("complete", "paid", None)
    assert paid.payment_intent.status == "succeeded"
    assert paid.payment_intent.latest_charge.startswith("ch_")
    assert paid.payment_intent.metadata["order_id"] == "42"
    shipping = paid.collected_information.shipping_details
    assert (shipping.name, shipping.address.city, shipping.address.country) == (
        "Ada L", "Berlin", "DE")
    assert receiver.events == []  # delivered after the fact, not inside the request
    assert [status for _, status in sb.deliver_pending()] == [200]
    event = receiver.events[0]
    assert event.type == "checkout.session.completed"
    assert event.data.object.id == session.id and event.api_version == stripe.api_version
    assert Client(sb.wsgi_app).get(f"/pay/{session.id}").get_data(
        as_text=True).count("already complete") == 1


def test_failed_delivery_is_retried_in_the_background(tmp_path: Any,
                                                      receiver: Receiver) -> None:
    sb = Sandbox(str(tmp_path / "s.sqlite"), receiver.url, SECRET,
                 retry_delays=(0.05, 0.1), async_delivery=True)
    receiver.answers = [500]
    api = stripe.StripeClient(KEY, base_addresses={"api": "http://x.test"},
                              http_client=sb.http_client())
    session = api.v1.checkout.sessions.create(params=session_params())
    sb.pay(session.id)
    deadline = time.time() + 5
    # The receiver sees the event before the sandbox has recorded the 200.
    while sb.events()[0]["delivery"]["state"] != "delivered" and time.time() < deadline:
        time.sleep(0.02)
    assert receiver.types() == ["checkout.session.completed"]
    assert sb.events()[0]["delivery"] == {"state": "delivered", "attempts": [500, 200]}
    sb.shutdown()


def test_held_webhooks_are_recorded_but_never_delivered(client: stripe.StripeClient,
                                                        sb: Sandbox,
                                                        receiver: Receiver) -> None:
    sb.hold_webhooks(True)
    sb.pay(create(client).id)
    assert sb.deliver_pending() == []
    assert receiver.calls == 0
    listed = client.v1.events.list(params={"type": "checkout.session.completed"})
    assert [e.type for e in listed.data] == ["checkout.session.completed"]
    sb.hold_webhooks(False)
    assert [s for _, s in sb.deliver_pending()] == [200]


@pytest.mark.parametrize(("outcome", "event", "status"), [
    ("delayed_success", "checkout.session.async_payment_succeeded", "paid"),
    ("delayed_failure", "checkout.session.async_payment_failed", "unpaid"),
])
def test_delayed_payments_settle_later(client: stripe.StripeClient, sb: Sandbox,
                                       receiver: Receiver, outcome: str, event: str,
                                       status: str) -> None:
    session = create(client)
    done = sb.pay(session.id, outcome)
    assert (done["status"], done["payment_status"]) == ("complete", "unpaid")
    sb.deliver_pending()
    assert receiver.types() == ["checkout.session.completed", event]
    after = client.v1.checkout.sessions.retrieve(session.id)
    assert after.payment_status == status


def test_declined_card_keeps_the_session_open(client: stripe.StripeClient, sb: Sandbox) -> None:
    session = create(client)
    page = Client(sb.wsgi_app).post(f"/pay/{session.id}", data=form(outcome="declined"))
    assert "Your card was declined." in page.get_data(as_text=True)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert sb.events() == []


def test_form_errors_are_shown_next_to_the_field(client: stripe.StripeClient,
                                                 sb: Sandbox) -> None:
    session = create(client, allow_promotion_codes=True)
    page = Client(sb.wsgi_app).post(
        f"/pay/{session.id}", data=form(email="not-an-email", promotion_code="FREEBIE"))
    html = page.get_data(as_text=True)
    assert 'id="email-error">Enter a valid email address.' in html
    assert 'id="promotion_code-error">This code is invalid.' in html
    assert 'value="not-an-email"' in html and 'value="Main St 1"' in html
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_advance_clock_expires_sessions(client: stripe.StripeClient, sb: Sandbox,
                                        receiver: Receiver) -> None:
    # A few seconds over the 30-minute minimum: a busy machine may cross a second boundary.
    session = create(client, expires_at=int(time.time()) + 1805)
    sb.advance_clock(1806)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert [e["type"] for e in sb.events()] == ["checkout.session.expired"]
    sb.deliver_pending()
    assert receiver.types() == ["checkout.session.expired"]
    html = Client(sb.wsgi_app).get(f"/pay/{session.id}").get_data(as_text=True)
    assert "expired" in html and 'href="http://shop.test/cart"' in html


def test_refunds_partial_then_full(client: stripe.StripeClient, sb: Sandbox,
                                   receiver: Receiver) -> None:
    session = create(client)
    sb.pay(session.id)
    intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    total = client.v1.payment_intents.retrieve(intent).amount
    partial = client.v1.refunds.create(params={"payment_intent": intent, "amount": 1000,
                                              "reason": "requested_by_customer"})
    assert (partial.amount, partial.status) == (1000, "succeeded")
    with pytest.raises(stripe.InvalidRequestError) as over:
        client.v1.refunds.create(params={"payment_intent": intent, "amount": total})
    assert over.value.param == "amount"
    rest = client.v1.refunds.create(params={"payment_intent": intent})
    assert rest.amount == total - 1000
    assert client.v1.refunds.retrieve(rest.id).amount == rest.amount
    with pytest.raises(stripe.InvalidRequestError, match="already been refunded"):
        client.v1.refunds.create(params={"payment_intent": intent})
    sb.deliver_pending()
    charges = [e.data.object for e in receiver.events if e.type == "charge.refunded"]
    assert [(c.amount_refunded, c.refunded) for c in charges] == [
        (1000, False), (total, True)]
    assert receiver.types().count("refund.created") == 2


def test_promotion_code_and_tax_math(client: stripe.StripeClient, sb: Sandbox) -> None:
    session = client.v1.checkout.sessions.create(
        params=taxed_params("exclusive", allow_promotion_codes=True))  # type: ignore
    subtotal = 2 * 1990 + 990  # 4970
    # Tax is worked out per line, as Stripe Tax does: 8 % of 3980 and of 990, each rounded.
    assert session.total_details.amount_tax == (3980 * 8 + 50) // 100 + (990 * 8 + 50) // 100
    free = session.shipping_options[1].shipping_rate
    page = Client(sb.wsgi_app).post(f"/pay/{session.id}", data=form(
        promotion_code="welcome10", shipping_rate=free))
    assert page.status_code == 303
    paid = client.v1.checkout.sessions.retrieve(session.id)
    discount = 497  # 10 % of 4970
    tax = 358  # 8 % of 4473 = 357.84 -> half up
    assert paid.total_details.amount_discount == discount
    assert paid.total_details.amount_tax == tax
    assert paid.total_details.amount_shipping == 0
    assert paid.amount_total == subtotal - discount + tax
    assert paid.shipping_cost.shipping_rate == free


def test_two_sandboxes_on_one_state_file_are_one_account(tmp_path: Any) -> None:
    path = str(tmp_path / "shared.sqlite")
    worker_a = Sandbox(path, None, SECRET, async_delivery=False)
    worker_b = Sandbox(path, None, SECRET, async_delivery=False)
    api_a = stripe.StripeClient(KEY, base_addresses={"api": "http://a.test"},
                                http_client=worker_a.http_client())
    api_b = stripe.StripeClient(KEY, base_addresses={"api": worker_b.serve()})
    session = api_a.v1.checkout.sessions.create(params=session_params())
    worker_b.pay(session.id)
    assert api_a.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    worker_a.inject("500", times=1)
    with pytest.raises(stripe.APIError):
        api_b.v1.events.list(params={"limit": 3}, options={"max_network_retries": 0})
    assert len(worker_a.events()) == len(worker_b.events()) == 1
    worker_b.shutdown()


def test_mounted_under_a_prefix(tmp_path: Any) -> None:
    sb = Sandbox(str(tmp_path / "s.sqlite"), None, SECRET, async_delivery=False,
                 public_url="http://shop.test/_sandbox/stripe")
    shop = DispatcherMiddleware(lambda e, s: Response("shop")(e, s),
                                {"/_sandbox/stripe": sb.wsgi_app})
    api = stripe.StripeClient(KEY, base_addresses={"api": "http://shop.test/_sandbox/stripe"},
                              http_client=sb.http_client())
    session = api.v1.checkout.sessions.create(params=session_params())
    assert session.url == f"http://shop.test/_sandbox/stripe/pay/{session.id}"
    html = Client(shop).get(f"/_sandbox/stripe/pay/{session.id}").get_data(as_text=True)
    assert f'action="/_sandbox/stripe/pay/{session.id}"' in html
    assert 'href="/_sandbox/stripe/pay/static/sandbox.css"' in html


def test_another_process_sees_and_changes_the_same_state(tmp_path: Any) -> None:
    path = str(tmp_path / "shared.sqlite")
    here = Sandbox(path, None, SECRET, async_delivery=False)
    api = stripe.StripeClient(KEY, base_addresses={"api": "http://a.test"},
                              http_client=here.http_client())
    session = api.v1.checkout.sessions.create(params=session_params())
    script = (
        "import sys\n"
        "from storefront.payments.sandbox import Sandbox\n"
        "sb = Sandbox(sys.argv[1], None, 'whsec_x', async_delivery=False)\n"
        "sb.pay(sys.argv[2], 'paid')\n"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", script, path, session.id], check=True, cwd=root,
                   env={**os.environ, "PYTHONPATH": str(root)}, timeout=30)
    assert api.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    assert [e["type"] for e in here.events()] == ["checkout.session.completed"]


def test_list_filters(client: stripe.StripeClient, sb: Sandbox) -> None:
    old = create(client)
    sb.advance_clock(3600)
    new = create(client)
    since = client.v1.checkout.sessions.list(params={"created": {"gte": new.created}})
    assert [s.id for s in since.data] == [new.id]
    sb.pay(new.id)
    by_intent = client.v1.checkout.sessions.list(
        params={"payment_intent": client.v1.checkout.sessions.retrieve(new.id).payment_intent})
    assert [s.id for s in by_intent.data] == [new.id]
    client.v1.checkout.sessions.expire(old.id)
    events = client.v1.events.list(params={"types": ["checkout.session.expired"]})
    assert [e.data.object.id for e in events.data] == [old.id]
    assert len(client.v1.events.list(params={"type": "checkout.session.*"}).data) == 2
