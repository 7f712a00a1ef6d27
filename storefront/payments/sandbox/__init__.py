"""An offline, Stripe-compatible sandbox for development and tests.

The real ``stripe`` SDK talks to it (over loopback HTTP via ``Sandbox.serve``
or in process via ``Sandbox.http_client``), so the shop's payment code runs
unchanged on a laptop with no network access and no Stripe keys.
"""

from .inprocess import SandboxHTTPClient
from .service import Sandbox
from .webhooks import signature_header

__all__ = ["Sandbox", "SandboxHTTPClient", "signature_header"]
