"""The offline sandbox answers like the API version it claims (checked against the pinned
SDK's own types), covers disputes, fraud warnings and refund outcomes through the real SDK,
and the shop's Stripe calls carry tax_behavior and give up on a slow Stripe in seconds."""

from __future__ import annotations

import time
from typing import Any

import pytest
import stripe
from sqlalchemy import select

from storefront import create_app
from storefront.config import ConfigError
from storefront.extensions import db
from storefront.models import Order, OrderStatus
from storefront.payments import gateway
from storefront.payments.sandbox import Sandbox
from storefront.payments.sandbox.core import public
from storefront.payments.sandbox.fidelity import problems
from tests.conftest import make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import SANDBOX_KEY, buy

SECRET = "whsec_fidelity"


@pytest.fixture
def app_config(request, payment_config):
    """The payment configuration, plus whatever a test passes with indirect parametrize."""
    return {**payment_config, **getattr(request, "param", {})}


@pytest.fixture
def sdk(tmp_path) -> tuple[Sandbox, stripe.StripeClient]:
    sandbox = Sandbox(str(tmp_path / "fidelity.sqlite3"), None, SECRET, async_delivery=False)
    client = stripe.StripeClient(SANDBOX_KEY, base_addresses={"api": "http://sandbox.test"},
                                 http_client=sandbox.http_client(), max_network_retries=0)
    return sandbox, client


def _session_params(**extra: Any) -> dict[str, Any]:
    return {
        "mode": "payment", "success_url": "https://shop.test/ok", "cancel_url": "https://shop.test/",
        "line_items": [{"quantity": 2, "price_data": {
            "currency": "usd", "unit_amount": 2400, "tax_behavior": "exclusive",
            "product_data": {"name": "Cream"}}}],
        "shipping_address_collection": {"allowed_countries": ["US"]},
        "shipping_options": [{"shipping_rate_data": {
            "type": "fixed_amount", "display_name": "Standard", "tax_behavior": "exclusive",
            "fixed_amount": {"amount": 600, "currency": "usd"}}}],
        **extra,
    }


def _walk_every_outcome(sandbox: Sandbox, client: stripe.StripeClient) -> list[Any]:
    """Every kind of object and event the shop meets, fetched through the SDK."""
    paid = client.v1.checkout.sessions.create(params=_session_params(
        custom_text={"submit": {"message": "We ship within two days."}}))
    sandbox.pay(paid.id)
    later = client.v1.checkout.sessions.create(params=_session_params())
    sandbox.pay(later.id, "delayed_failure")
    sandbox.deliver_pending()
    intent_id = client.v1.checkout.sessions.retrieve(paid.id).payment_intent
    intent = client.v1.payment_intents.retrieve(intent_id)
    sandbox.next_refunds_pending(True)
    pending = client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 100})
    sandbox.settle_refund(pending.id, "failed")
    dispute = sandbox.dispute(intent_id)
    sandbox.update_dispute(dispute["id"], "under_review")
    warning = sandbox.early_fraud_warning(intent_id)
    return [
        client.v1.checkout.sessions.retrieve(paid.id),
        client.v1.checkout.sessions.retrieve(later.id),
        *client.v1.checkout.sessions.line_items.list(paid.id).data,
        intent,
        client.v1.charges.retrieve(intent.latest_charge),
        client.v1.refunds.retrieve(pending.id),
        *client.v1.refunds.list(params={"payment_intent": intent_id}).data,
        client.v1.disputes.retrieve(dispute["id"]),
        client.v1.radar.early_fraud_warnings.retrieve(warning["id"]),
        *client.v1.events.list(params={"limit": 100}).data,
    ]


def test_every_answer_matches_the_pinned_sdks_types(sdk):
    sandbox, client = sdk
    answers = _walk_every_outcome(sandbox, client)
    kinds = {answer.object for answer in answers}
    assert {"checkout.session", "item", "payment_intent", "charge", "refund", "dispute",
            "radar.early_fraud_warning", "event"} <= kinds
    found = []
    for answer in answers:
        plain = answer.to_dict()
        found += problems(plain)
        if answer.object == "event":
            found += problems(plain["data"]["object"])
    assert found == []
    event_types = {a.type for a in answers if a.object == "event"}
    assert {"refund.created", "refund.failed", "charge.refunded", "charge.dispute.created",
            "charge.dispute.updated", "radar.early_fraud_warning.created",
            "checkout.session.async_payment_failed"} <= event_types


def test_session_fields_of_this_api_version(sdk):
    sandbox, client = sdk
    session = client.v1.checkout.sessions.create(params=_session_params(
        custom_text={"submit": {"message": "We ship within two days."}}))
    assert session.ui_mode == "hosted_page"
    assert session.custom_fields == []
    assert session.custom_text.submit.message == "We ship within two days."
    assert session.custom_text.after_submit is None
    dispute = client.v1.disputes.retrieve(sandbox.dispute(_paid_intent(sandbox, client))["id"])
    assert isinstance(dispute, stripe.Dispute)
    assert dispute.status == "needs_response" and dispute.evidence_details.due_by > time.time()


def _paid_intent(sandbox: Sandbox, client: stripe.StripeClient) -> str:
    session = client.v1.checkout.sessions.create(params=_session_params())
    sandbox.pay(session.id)
    return client.v1.checkout.sessions.retrieve(session.id).payment_intent


@pytest.mark.parametrize("mutation, expected", [
    (("ui_mode", "hosted"), "ui_mode: 'hosted' not one of"),
    (("custom_fields", None), "custom_fields: null, but not nullable"),
    (("invented_field", 1), "invented_field: not a field"),
])
def test_the_check_catches_what_the_old_sandbox_got_wrong(sdk, mutation, expected):
    sandbox, client = sdk
    session = client.v1.checkout.sessions.create(params=_session_params()).to_dict()
    key, value = mutation
    session[key] = value
    assert any(expected in problem for problem in problems(session))
    del session["custom_text"]
    assert "checkout.session.custom_text: missing" in problems(session)


def test_refund_lifecycle_controls(sdk):
    sandbox, client = sdk
    intent = _paid_intent(sandbox, client)
    sandbox.next_refunds_pending(True)
    refund = client.v1.refunds.create(params={"payment_intent": intent, "amount": 1000})
    assert (refund.status, refund.pending_reason) == ("pending", "processing")
    charge = client.v1.charges.retrieve(client.v1.payment_intents.retrieve(intent).latest_charge)
    assert charge.amount_refunded == 1000  # Stripe counts pending refunds on the charge
    sandbox.settle_refund(refund.id, "succeeded")
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"
    sandbox.settle_refund(refund.id, "failed")
    failed = client.v1.refunds.retrieve(refund.id)
    assert (failed.status, failed.failure_reason) == ("failed", "expired_or_canceled_card")
    assert client.v1.charges.retrieve(charge.id).amount_refunded == 0
    types = [e["type"] for e in sandbox.events() if e["type"].startswith("refund.")]
    assert types == ["refund.created", "refund.updated", "refund.failed"]


def test_automatic_tax_needs_tax_behavior_and_inclusive_prices_hold_their_tax(sdk):
    sandbox, client = sdk
    bare = _session_params(automatic_tax={"enabled": True})
    del bare["line_items"][0]["price_data"]["tax_behavior"]
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(params=bare)
    assert refused.value.param == "line_items[0][price_data][tax_behavior]"
    inclusive = _session_params(automatic_tax={"enabled": True})
    inclusive["line_items"][0]["price_data"]["tax_behavior"] = "inclusive"
    session = client.v1.checkout.sessions.create(params=inclusive)
    assert session.amount_total == 4800 + 600  # the tax is inside the price
    assert session.total_details.amount_tax == 4800 - (4800 * 100 * 2 + 108) // 216


# -- the shop's side --------------------------------------------------------------------------


@pytest.fixture
def cream(shop, session):
    return make_product(variants=[("RW-50", "50 ml", 2400, 10)]).variants[0].id


def _created_session(stripe_sandbox) -> dict[str, Any]:
    return stripe_sandbox.store.all("checkout.session")[-1]


def test_every_price_and_rate_the_shop_sends_has_tax_behavior(shop, cream, stripe_sandbox):
    buy(shop, cream, 5)  # $120: the free shipping rate and express
    created = _created_session(stripe_sandbox)
    assert [li["price"]["tax_behavior"] for li in created["_private"]["line_items"]] == [
        "exclusive"]
    rates = created["_private"]["shipping_rates"]
    assert len(rates) >= 2 and {r["tax_behavior"] for r in rates} == {"exclusive"}


@pytest.mark.parametrize("app_config", [
    {"STRIPE_AUTOMATIC_TAX": True},
    {"STRIPE_AUTOMATIC_TAX": True, "STRIPE_TAX_BEHAVIOR": "inclusive"},
], indirect=True)
def test_automatic_tax_checkout_is_accepted(shop, cream, stripe_sandbox, app_config):
    order_id = buy(shop, cream, 1)
    stripe_sandbox.deliver_pending()
    order = db.session.get(Order, order_id)
    assert order.status == OrderStatus.PAID and order.tax_cents > 0
    behavior = app_config.get("STRIPE_TAX_BEHAVIOR", "exclusive")
    created = _created_session(stripe_sandbox)
    assert created["_private"]["line_items"][0]["price"]["tax_behavior"] == behavior
    shipping = order.shipping_cents
    expected_total = 2400 + shipping + (order.tax_cents if behavior == "exclusive" else 0)
    assert order.total_cents == expected_total


def test_an_unknown_tax_behavior_stops_start_up(monkeypatch):
    monkeypatch.setenv("STRIPE_TAX_BEHAVIOR", "sometimes")
    with pytest.raises(ConfigError, match="STRIPE_TAX_BEHAVIOR='sometimes' is not one of"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})


def test_the_stripe_client_waits_about_10_s_and_retries_twice(shop):
    client = gateway.client(shop)
    assert client._requestor._client._timeout == 10
    assert client._requestor._options.max_network_retries == 2


@pytest.mark.parametrize("app_config", [{"STRIPE_TIMEOUT_SECONDS": 0.5}], indirect=True)
def test_a_hung_stripe_fails_a_checkout_within_seconds(shop, cream, stripe_sandbox):
    stripe_sandbox.inject("slow", times=3, delay=2.0)
    buyer = shop.test_client()
    buyer.post("/cart/add", data={"variant_id": cream, "quantity": 1})
    started = time.monotonic()
    response = buyer.post("/checkout")
    elapsed = time.monotonic() - started
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    creates = [r for r in stripe_sandbox.request_log if r[:2] == ("POST", "/v1/checkout/sessions")]
    assert len(creates) == 3  # the first try and two retries, one idempotency key
    assert len({key for _, _, key in creates}) == 1
    assert elapsed < 6, elapsed
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.FAILED


@pytest.mark.parametrize("app_config", [{"STRIPE_SECRET_KEY": "", "STRIPE_API_BASE": ""}],
                         indirect=True)
def test_sandbox_commands_raise_disputes_warnings_and_refund_outcomes(shop, cream, runner):
    """`make run` has no Stripe keys: the in-process sandbox, driven from the command line."""
    sandbox = gateway.sandbox(shop)
    buyer = shop.test_client()
    buyer.post("/cart/add", data={"variant_id": cream, "quantity": 1})
    session_id = buyer.post("/checkout").headers["Location"].rsplit("/", 1)[1]
    sandbox.pay(session_id)
    sandbox.wait_for_webhooks()
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.PAID

    result = runner.invoke(args=["stripe-sandbox", "dispute", order.number])
    assert result.exit_code == 0, result.output
    assert "webhook charge.dispute.created" in result.output and "HTTP 200" in result.output
    db.session.expire_all()
    assert order.dispute_status == "needs_response"
    result = runner.invoke(args=["stripe-sandbox", "dispute-status", order.stripe_dispute_id,
                                 "lost"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert order.dispute_status == "lost"

    result = runner.invoke(args=["stripe-sandbox", "fraud-warning", order.number])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert order.fraud_warning_type == "made_with_stolen_card"

    assert runner.invoke(args=["stripe-sandbox", "refunds-pending", "on"]).exit_code == 0
    gateway.client(shop).v1.refunds.create(params={"payment_intent":
                                                   order.stripe_payment_intent_id})
    sandbox.wait_for_webhooks()
    db.session.expire_all()
    assert (order.refunded_cents, order.refund_pending_cents) == (0, order.total_cents)
    result = runner.invoke(args=["stripe-sandbox", "settle-refund", order.number, "failed"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (order.refunded_cents, order.refund_pending_cents) == (0, 0)
    assert order.refunds[0].status == "failed"

    nonsense = runner.invoke(args=["stripe-sandbox", "dispute", "RW-NOSUCH"])
    assert nonsense.exit_code != 0 and "no order RW-NOSUCH" in nonsense.output

    # What the sandbox refuses is one line of error and exit status 1, not a traceback.
    for args, message in [
        (["dispute", order.number], "is already disputed"),
        (["dispute-status", order.stripe_dispute_id, "won"], "is closed (lost)"),
        (["dispute-status", "dp_nosuch", "won"], "No such dispute: 'dp_nosuch'"),
        (["settle-refund", "re_nosuch", "failed"], "No such refund: 're_nosuch'"),
    ]:
        refused = runner.invoke(args=["stripe-sandbox", *args])
        assert refused.exit_code == 1, refused.output
        assert refused.output.startswith("Error: ") and message in refused.output
        assert refused.exception is None or isinstance(refused.exception, SystemExit)


def test_sandbox_commands_refuse_when_the_shop_talks_to_stripe(shop, runner):
    result = runner.invoke(args=["stripe-sandbox", "refunds-pending", "on"])
    assert result.exit_code != 0 and "only drive the offline sandbox" in result.output


def test_public_objects_have_every_nullable_field(sdk):
    sandbox, client = sdk
    session = client.v1.checkout.sessions.create(params=_session_params())
    stored = sandbox.store.get(session.id)
    assert "adaptive_pricing" not in stored  # the sandbox does not model it...
    assert public(stored)["adaptive_pricing"] is None  # ...and answers null, as Stripe does
