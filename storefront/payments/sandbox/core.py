"""Shared plumbing for the domain modules: ids, the sandbox clock, events.

The clock is an offset stored in the shared state so that ``advance_clock``
in a test process moves time for the shop's worker processes too.
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

import stripe

from .fidelity import with_nulls
from .state import Store

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class Context:
    """What the domain functions need from the ``Sandbox`` that owns them."""

    store: Store
    has_webhook_target: bool
    public_url: str = ""
    delayed_payment_seconds: float = 3.0

    def now(self) -> int:
        return int(time.time() + float(self.store.meta("clock_offset", 0.0)))

    def advance(self, seconds: float) -> None:
        with self.store.tx():
            offset = float(self.store.meta("clock_offset", 0.0))
            self.store.set_meta("clock_offset", offset + seconds)


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the API shows it: without the sandbox's private notes, and with the
    fields the sandbox does not model present as null, as Stripe sends them."""
    return with_nulls({k: v for k, v in obj.items() if not k.startswith("_")})


def record_event(
    ctx: Context,
    type: str,
    obj: dict[str, Any],
    request: dict[str, Any] | None = None,
    previous_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store an event (and, if someone listens, a pending delivery) atomically."""
    data: dict[str, Any] = {"object": public(obj)}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    event = {
        "id": new_id("evt_"),
        "object": "event",
        "api_version": stripe.api_version,
        "created": ctx.now(),
        "data": data,
        "livemode": False,
        "pending_webhooks": 1 if ctx.has_webhook_target else 0,
        "request": request or {"id": None, "idempotency_key": None},
        "type": type,
    }
    with ctx.store.tx() as db:
        ctx.store.put(event)
        if ctx.has_webhook_target:
            db.execute(
                "INSERT INTO deliveries (event_id, state, next_at) VALUES (?, 'pending', ?)",
                (event["id"], time.time()),
            )
    return event
