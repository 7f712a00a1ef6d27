"""``Sandbox``: one object that owns the state, the WSGI app and the controls.

Several ``Sandbox`` objects (one per gunicorn worker, one in a test) may point
at the same ``state_path``; they then behave as one Stripe account because
every piece of state, including faults, the clock and the webhook hold,
lives in that SQLite file.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from . import api, checkout, disputes, faults, hosted, refunds
from .core import Context
from .inprocess import SandboxHTTPClient
from .state import Store
from .webhooks import Deliverer, http_post


class Sandbox:
    """An offline, Stripe-compatible service for exactly the API the shop uses."""

    def __init__(
        self,
        state_path: str,
        webhook_url: str | None,
        webhook_secret: str,
        api_key: str = "sk_test_sandbox",
        deliver: Callable[[bytes, dict[str, str]], int] | None = None,
        public_url: str = "",
        retry_delays: tuple[float, ...] = (0.5, 2.0, 5.0),
        async_delivery: bool = True,
        delayed_payment_seconds: float = 3.0,
    ) -> None:
        self.api_key = api_key
        self.async_delivery = async_delivery
        self.store = Store(state_path)
        transport = deliver or (http_post(webhook_url) if webhook_url else None)
        self.ctx = Context(self.store, transport is not None, public_url,
                           delayed_payment_seconds)
        self.deliverer = Deliverer(self.store, transport, webhook_secret, tuple(retry_delays),
                                   self._on_wake)
        self._server: BaseWSGIServer | None = None
        self._server_thread: threading.Thread | None = None

    # -- the WSGI app ----------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serves ``/v1/...`` and ``/pay/...``; honours SCRIPT_NAME when mounted."""
        request = Request(environ)
        path = request.path
        if path.startswith("/v1/"):
            try:
                response = api.handle(self.ctx, self.api_key, request)
            except api.Refused:
                if environ.get("stripe_sandbox.in_process"):
                    raise
                sock = environ.get("werkzeug.socket")
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                # werkzeug's server treats this as a dropped connection and
                # stays quiet; other servers will answer 500 instead.
                raise ConnectionAbortedError("sandbox fault: connection refused") from None
        elif path == "/pay/static/sandbox.css":
            response = hosted.stylesheet()
        elif path.startswith("/pay/") and path.count("/") == 2:
            response = hosted.handle(self.ctx, request, path.rsplit("/", 1)[1])
        else:
            response = Response("Not found", status=404, content_type="text/plain")
        if self.async_delivery:
            # Deliver only after the response went out, as Stripe does.
            response.call_on_close(self.deliverer.kick)
        return response(environ, start_response)

    def http_client(self, timeout: float | None = 80.0) -> SandboxHTTPClient:
        return SandboxHTTPClient(self.wsgi_app, timeout=timeout)

    # -- loopback server -----------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve ``wsgi_app`` over real HTTP in a daemon thread; returns the base URL."""
        if self._server is None:
            self._server = make_server(host, port, self.wsgi_app, threaded=True)
            self._server_thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                name="stripe-sandbox-http", daemon=True)
            self._server_thread.start()
        return f"http://{host}:{self._server.server_port}"

    def shutdown(self) -> None:
        """Stop the loopback server and the webhook worker."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.deliverer.stop()

    # -- controls for tests and the developer ------------------------------------

    def inject(self, kind: str, times: int = 1, delay: float = 0.0) -> None:
        faults.inject(self.store, kind, times, delay)

    def clear_faults(self) -> None:
        faults.clear(self.store)

    def hold_webhooks(self, hold: bool = True) -> None:
        self.store.set_meta("hold_webhooks", bool(hold))
        if not hold and self.async_delivery:
            self.deliverer.kick()

    def pay(
        self,
        session_id: str,
        outcome: str = "paid",
        email: str | None = None,
        shipping: dict[str, Any] | None = None,
        shipping_rate: str | None = None,
        promotion_code: str | None = None,
    ) -> dict[str, Any]:
        """Press one of the hosted page's buttons; returns the session (private keys dropped).

        ``shipping`` is ``{"name": ..., "address": {line1, line2, city, postal_code,
        state, country}}``; it defaults to the page's demo address.
        """
        checkout.tick(self.ctx)
        session = checkout.get_session(self.ctx, session_id)
        demo = hosted._defaults(session)
        shipping = shipping or {
            "name": demo["name"], "address": {k: demo[k] or None for k in hosted.ADDRESS_FIELDS},
        }
        if promotion_code and promotion_code.upper() not in checkout.PROMOTION_CODES:
            raise ValueError(f"unknown promotion code {promotion_code!r}")
        session = checkout.pay(
            self.ctx, session_id, outcome, email=email or demo["email"],
            name=shipping["name"],
            address=shipping["address"] if session["shipping_address_collection"] else None,
            shipping_rate=shipping_rate,
            promotion_code=promotion_code.upper() if promotion_code else None)
        self._after_change()
        return {k: v for k, v in session.items() if not k.startswith("_")}

    def next_refunds_pending(self, pending: bool = True) -> None:
        """New refunds start ``pending`` (as bank refunds do) until ``settle_refund``."""
        self.store.set_meta("refunds_pending", bool(pending))

    def settle_refund(self, refund_id: str, outcome: str = "succeeded") -> dict[str, Any]:
        """A pending refund goes through, or a refund fails (``outcome="failed"``)."""
        refund = refunds.settle_refund(self.ctx, refund_id, outcome)
        self._after_change()
        return refund

    def dispute(self, payment: str, reason: str = "fraudulent",
                amount: int | None = None) -> dict[str, Any]:
        """The customer's bank disputes a payment (PaymentIntent or charge id)."""
        dispute = disputes.open_dispute(self.ctx, payment, reason, amount)
        self._after_change()
        return dispute

    def update_dispute(self, dispute_id: str, status: str) -> dict[str, Any]:
        """Move a dispute on: ``under_review``, ``won``, ``lost``..."""
        dispute = disputes.update_dispute(self.ctx, dispute_id, status)
        self._after_change()
        return dispute

    def early_fraud_warning(self, payment: str,
                            fraud_type: str = "made_with_stolen_card") -> dict[str, Any]:
        """The card issuer warns that a payment (PaymentIntent or charge id) looks fraudulent."""
        warning = disputes.early_fraud_warning(self.ctx, payment, fraud_type)
        self._after_change()
        return warning

    def advance_clock(self, seconds: float) -> None:
        """Pretend ``seconds`` passed: expire overdue sessions, settle due payments."""
        self.ctx.advance(seconds)
        checkout.tick(self.ctx)
        self._after_change()

    def deliver_pending(self) -> list[tuple[str, int]]:
        """Settle delayed payments now, then attempt every undelivered event once.

        Returns ``(event_id, http_status)`` per attempt (0 = connection failed);
        nothing while webhooks are held.
        """
        checkout.tick(self.ctx, settle_all=True)
        return self.deliverer.deliver_pending()

    def wait_for_webhooks(self, timeout: float = 10.0) -> None:
        """Deliver now every event not yet tried, and wait for those the background worker
        is posting; for a command that must not exit before its webhooks arrived."""
        deadline = time.monotonic() + timeout
        while True:
            self.deliverer.deliver_pending()
            untried = self.store.read(
                "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND attempts = '[]'")
            if not untried[0][0] or self.deliverer.held() or time.monotonic() > deadline:
                return
            time.sleep(0.05)

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """Recorded events, oldest first, each with a sandbox-only ``delivery`` key:
        ``{"state": pending|delivered|gave_up, "attempts": [http statuses]}`` (None
        when no webhook target was configured)."""
        info = self.deliverer.delivery_info()
        return [
            {**e, "delivery": info.get(e["id"])}
            for e in self.store.all("event") if type is None or e["type"] == type
        ]

    @property
    def request_log(self) -> list[tuple[str, str, str | None]]:
        rows = self.store.read(
            "SELECT method, path, idempotency_key FROM request_log ORDER BY seq")
        return [tuple(r) for r in rows]  # type: ignore[misc]

    # -- internals ---------------------------------------------------------

    def _after_change(self) -> None:
        if self.async_delivery:
            self.deliverer.kick()

    def _on_wake(self) -> float | None:
        checkout.tick(self.ctx)
        settle_at = checkout.next_settle_at(self.ctx)
        return None if settle_at is None else max(0.05, settle_at - self.ctx.now())
