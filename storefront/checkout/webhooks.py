"""Stripe's webhook: verify, record once, dispatch through storefront.payment_events.

The event id is inserted into StripeEvent in the same transaction as the handler's changes:
a repeat finds the row and does nothing, and a failure half-way rolls both back and answers
500, so Stripe retries and the work is done then. Only a genuinely repeated event id (found
before handling, or the primary key another worker committed at the same moment) answers
200 "duplicate": any other error, an IntegrityError from the handler's own writes included,
must be retried, or the payment it reports is lost.
"""

from __future__ import annotations

import logging

import stripe
from flask import current_app, request
from sqlalchemy.exc import IntegrityError

from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import StripeEvent
from storefront.payment_events import HANDLERS
from storefront.payments import gateway

logger = logging.getLogger(__name__)


def receive():
    """POST /webhooks/stripe: 400 for a bad signature (nothing changed), 2xx once handled
    or ignored, 500 when handling failed (Stripe retries)."""
    payload = request.get_data()
    try:
        event = gateway.construct_event(payload, request.headers.get("Stripe-Signature"),
                                        current_app.config["STRIPE_WEBHOOK_SECRET"])
    except (ValueError, stripe.SignatureVerificationError):
        return {"error": "invalid payload or signature"}, 400
    handler = HANDLERS.get(event.type)
    if handler is None:
        return {"status": "ignored", "type": event.type}, 200
    session = db.session
    begin_write(session)
    try:
        if session.get(StripeEvent, event.id) is not None:
            session.rollback()
            return {"status": "duplicate"}, 200
        session.add(StripeEvent(id=event.id, type=event.type))
        session.flush()
        handler(session, gateway.client(), event.data.object)
        session.commit()
    except IntegrityError:
        session.rollback()
        if _already_handled(event.id):
            return {"status": "duplicate"}, 200  # another worker handled it this moment
        logger.exception("webhook %s (%s) failed; Stripe will retry", event.id, event.type)
        return {"error": "handler failed"}, 500
    except Exception:
        session.rollback()
        logger.exception("webhook %s (%s) failed; Stripe will retry", event.id, event.type)
        return {"error": "handler failed"}, 500
    return {"status": "ok"}, 200


def _already_handled(event_id: str) -> bool:
    """Whether the event's row is committed (by the worker that won the race)."""
    session = db.session
    try:
        return session.get(StripeEvent, event_id) is not None
    finally:
        session.rollback()
