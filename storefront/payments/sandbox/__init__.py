"""An offline, Stripe-compatible sandbox for development and tests.

The real ``stripe`` SDK talks to it (over loopback HTTP via ``Sandbox.serve``
or in process via ``Sandbox.http_client``), so the shop's payment code runs
unchanged on a laptop with no network access and no Stripe keys.

Typical wiring (the shop's gateway owns this)::

    sb = Sandbox("instance/stripe-sandbox.sqlite", "http://127.0.0.1:5000/webhooks/stripe",
                 "whsec_...", public_url="http://127.0.0.1:5000/_sandbox/stripe")
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/_sandbox/stripe": sb.wsgi_app})
    client = stripe.StripeClient(sb.api_key, max_network_retries=2,
                                 base_addresses={"api": "http://127.0.0.1:5000/_sandbox/stripe"},
                                 http_client=sb.http_client())

Sandbox-only behaviour worth knowing: promotion code ``WELCOME10`` is 10 %
off the subtotal; ``automatic_tax`` is a flat 8 % of (subtotal - discount);
delayed (bank transfer) outcomes settle ``delayed_payment_seconds`` later or
at ``deliver_pending()``.
"""

from .inprocess import SandboxHTTPClient
from .service import Sandbox
from .webhooks import signature_header

__all__ = ["Sandbox", "SandboxHTTPClient", "signature_header"]
