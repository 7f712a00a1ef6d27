"""The one StripeClient the shop uses, built from configuration, and the calls it makes.

- STRIPE_SECRET_KEY set: a client for Stripe itself (test or live keys). STRIPE_API_BASE, a
  setting tests give, points the same client at a sandbox served on a loopback port.
- No key (development, ``make run``): the offline sandbox (storefront.payments.sandbox), kept in
  ``instance/stripe-sandbox.sqlite3`` (or STRIPE_SANDBOX_PATH), mounted on the app at
  ``/_sandbox/stripe`` for its hosted payment page, and reached by the SDK in process, so a
  single sync worker never waits on itself. Its webhooks are handed to the shop's own WSGI app
  in process, signed with STRIPE_WEBHOOK_SECRET like Stripe's. The sandbox is created on first
  use, so apps that never take a payment (most tests, the CLI) pay nothing for it.
- Production: config.py refuses to start without real keys; this module refuses too, so the
  sandbox can never be mounted there.

Everything here is a thin, named wrapper over one API call, so the rest of the shop reads in
the shop's words and tests can see exactly which requests reach Stripe.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import stripe
from flask import Flask, current_app

from storefront.policies import ShippingRate, shipping_policy

SANDBOX_MOUNT = "/_sandbox/stripe"
SANDBOX_API_KEY = "sk_test_sandbox"
MAX_NETWORK_RETRIES = 2
# Stripe refuses an expires_at less than 30 minutes ahead *of its own clock*; a minute of slack
# keeps a checkout from failing on clock skew or a slow request.
EXPIRY_SLACK_SECONDS = 60


class _SandboxHolder:
    """Creates the in-process sandbox and its client on first use, once per app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._sandbox = None

    def get(self):
        with self._lock:
            if self._sandbox is None:
                from storefront.payments.sandbox import Sandbox

                config = self.app.config
                path = config["STRIPE_SANDBOX_PATH"] or str(
                    Path(self.app.instance_path) / "stripe-sandbox.sqlite3")
                self._sandbox = Sandbox(
                    state_path=path,
                    webhook_url=None,
                    webhook_secret=config["STRIPE_WEBHOOK_SECRET"],
                    api_key=SANDBOX_API_KEY,
                    deliver=self._deliver,
                    public_url=SANDBOX_MOUNT,
                )
            return self._sandbox

    def _deliver(self, body: bytes, headers: dict[str, str]) -> int:
        """Post a webhook to the shop's own WSGI app, in process (no port, no self-deadlock)."""
        response = self.app.test_client().post("/webhooks/stripe", data=body, headers=headers)
        return response.status_code

    def wsgi_app(self, environ, start_response):
        return self.get().wsgi_app(environ, start_response)


class _LazyClient:
    """Builds the sandbox-backed StripeClient when first asked for."""

    def __init__(self, holder: _SandboxHolder) -> None:
        self.holder = holder
        self._client: stripe.StripeClient | None = None

    def get(self) -> stripe.StripeClient:
        if self._client is None:
            self._client = stripe.StripeClient(
                SANDBOX_API_KEY,
                http_client=self.holder.get().http_client(
                    timeout=self.holder.app.config["STRIPE_TIMEOUT_SECONDS"]),
                base_addresses={"api": "http://sandbox.internal"},
                max_network_retries=MAX_NETWORK_RETRIES,
            )
        return self._client


def init_app(app: Flask) -> None:
    """Build the app's Stripe client (and, without keys, mount the offline sandbox)."""
    key = app.config["STRIPE_SECRET_KEY"]
    if key:
        base = app.config["STRIPE_API_BASE"]
        client = stripe.StripeClient(
            key,
            base_addresses={"api": base} if base else None,
            max_network_retries=MAX_NETWORK_RETRIES,
            # The SDK's default is 80 s per try: three tries could hold a checkout for 4 min.
            http_client=stripe.new_default_http_client(
                timeout=app.config["STRIPE_TIMEOUT_SECONDS"]),
        )
        app.extensions["stripe_client"] = client
        app.extensions["stripe_sandbox"] = None
        return
    if app.config["PRODUCTION"]:
        from storefront.config import ConfigError

        raise ConfigError("The offline Stripe sandbox is never used in production.")
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    holder = _SandboxHolder(app)
    app.extensions["stripe_client"] = _LazyClient(holder)
    app.extensions["stripe_sandbox"] = holder
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {SANDBOX_MOUNT: holder.wsgi_app})


def client(app: Flask | None = None) -> stripe.StripeClient:
    """The app's StripeClient."""
    app = app or current_app
    found = app.extensions["stripe_client"]
    return found.get() if isinstance(found, _LazyClient) else found


def sandbox(app: Flask | None = None):
    """The in-process sandbox when the app runs without keys, else None."""
    holder = (app or current_app).extensions.get("stripe_sandbox")
    return holder.get() if holder is not None else None


# -- the calls the shop makes ------------------------------------------------------------------


def shipping_options(config: dict[str, Any], subtotal_cents: int, currency: str) -> list[dict]:
    """The shop's shipping rates (storefront.policies) as Checkout's inline shipping options."""
    return [_rate(rate, rate.amount_for(subtotal_cents), currency, config["STRIPE_TAX_BEHAVIOR"])
            for rate in shipping_policy(config).rates]


def _rate(rate: ShippingRate, cents: int, currency: str, tax_behavior: str) -> dict[str, Any]:
    return {
        "shipping_rate_data": {
            "type": "fixed_amount",
            "tax_behavior": tax_behavior,
            "display_name": rate.name,
            "fixed_amount": {"amount": cents, "currency": currency},
            "delivery_estimate": {
                "minimum": {"unit": "business_day", "value": rate.min_days},
                "maximum": {"unit": "business_day", "value": rate.max_days},
            },
        }
    }


def shipping_method_name(config: dict[str, Any], shipping_cents: int) -> str:
    """Which configured option a paid session used, told apart by its amount.

    Inline shipping rates cannot be expanded on a session, and the shop offers options with
    different prices, so the amount identifies the option (a free one is the first rate).
    """
    rates = shipping_policy(config).rates
    for rate in rates[1:]:
        if shipping_cents == rate.amount_cents:
            return rate.name
    return rates[0].name


def create_checkout_session(
    stripe_client: stripe.StripeClient,
    order,
    *,
    success_url: str,
    cancel_url: str,
    config: dict[str, Any],
    shop_url: str = "",
) -> stripe.checkout.Session:
    """The Stripe Checkout Session for a pending order (DESIGN 3.2).

    Prices come from the order's lines (copied from the database), never from the browser.
    The idempotency key is derived from the order, so the SDK's retries after a 500 or a
    dropped connection can never create a second session for one order.
    """
    expires_at = int(time.time()) + config["CHECKOUT_EXPIRY_MINUTES"] * 60 + EXPIRY_SLACK_SECONDS
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": line.quantity,
                "price_data": {
                    "currency": order.currency,
                    "unit_amount": line.unit_price_cents,
                    "tax_behavior": config["STRIPE_TAX_BEHAVIOR"],
                    "product_data": {
                        "name": f"{line.product_name} ({line.variant_label})",
                        "metadata": {"sku": line.sku},
                    },
                },
            }
            for line in order.lines
        ],
        # shop_url: where the customer bought, for links in emails sent from a webhook.
        "metadata": {"order_id": str(order.id), "order_number": order.number,
                     **({"shop_url": shop_url} if shop_url else {})},
        "client_reference_id": str(order.id),
        # Known when the customer pays again after a failed payment: saves retyping it.
        **({"customer_email": order.email} if order.email else {}),
        "expires_at": expires_at,
        "shipping_address_collection": {"allowed_countries": list(config["SHIPPING_COUNTRIES"])},
        "shipping_options": shipping_options(config, order.subtotal_cents, order.currency),
        "allow_promotion_codes": True,
        "automatic_tax": {"enabled": bool(config["STRIPE_AUTOMATIC_TAX"])},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    return stripe_client.v1.checkout.sessions.create(
        params=params, options={"idempotency_key": f"checkout-{order.number}"}
    )


def retrieve_checkout_session(stripe_client: stripe.StripeClient, session_id: str):
    return stripe_client.v1.checkout.sessions.retrieve(session_id)


def expire_checkout_session(stripe_client: stripe.StripeClient, session_id: str):
    return stripe_client.v1.checkout.sessions.expire(session_id)


def list_checkout_sessions(stripe_client: stripe.StripeClient, created_gte: int,
                           **filters: Any):
    """Every checkout session created since ``created_gte`` (all pages)."""
    params: dict[str, Any] = {"created": {"gte": created_gte}, "limit": 100, **filters}
    return stripe_client.v1.checkout.sessions.list(params=params).auto_paging_iter()


def list_events(stripe_client: stripe.StripeClient, created_gte: int, types: list[str]):
    params: dict[str, Any] = {"created": {"gte": created_gte}, "limit": 100, "types": types}
    return stripe_client.v1.events.list(params=params).auto_paging_iter()


def construct_event(payload: bytes, signature: str | None, secret: str) -> stripe.Event:
    """Verify ``Stripe-Signature`` on the raw body; raises ValueError or SignatureError."""
    if not signature:
        raise stripe.SignatureVerificationError("No Stripe-Signature header", signature, payload)
    return stripe.Webhook.construct_event(payload, signature, secret)


def create_refund(stripe_client: stripe.StripeClient, order, cents: int, idempotency_key: str):
    """Refund ``cents`` of the order's payment; the key makes a double click refund once."""
    return stripe_client.v1.refunds.create(
        params={"payment_intent": order.stripe_payment_intent_id, "amount": cents,
                "metadata": {"order_id": str(order.id), "order_number": order.number}},
        options={"idempotency_key": idempotency_key},
    )


def list_refunds(stripe_client: stripe.StripeClient, payment_intent: str):
    """Every refund of one payment, whatever its status (all pages)."""
    params: dict[str, Any] = {"payment_intent": payment_intent, "limit": 100}
    return stripe_client.v1.refunds.list(params=params).auto_paging_iter()


def retrieve_dispute(stripe_client: stripe.StripeClient, dispute_id: str):
    return stripe_client.v1.disputes.retrieve(dispute_id)


def retrieve_early_fraud_warning(stripe_client: stripe.StripeClient, warning_id: str):
    return stripe_client.v1.radar.early_fraud_warnings.retrieve(warning_id)


def dashboard_payment_url(config: dict[str, Any], payment_intent: str) -> str:
    """The payment's page in Stripe's dashboard (test mode for test keys and the sandbox)."""
    live = config["STRIPE_SECRET_KEY"].startswith("sk_live_")
    return f"https://dashboard.stripe.com/{'' if live else 'test/'}payments/{payment_intent}"
