"""The ``/v1`` endpoints, with Stripe's request/response conventions.

Everything the SDK relies on is reproduced here so that the shop's gateway
code is exercised for real: Bearer auth, form-encoded parameters checked
against the SDK's TypedDicts, Stripe's error JSON and status codes,
idempotency keys with replay and conflict detection, list pagination, and the
``Request-Id`` header.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import stripe
from stripe.params import (
    ChargeRetrieveParams,
    DisputeRetrieveParams,
    EventListParams,
    EventRetrieveParams,
    PaymentIntentRetrieveParams,
    RefundCreateParams,
    RefundListParams,
    RefundRetrieveParams,
)
from stripe.params.checkout import (
    SessionCreateParams,
    SessionExpireParams,
    SessionListLineItemsParams,
    SessionListParams,
    SessionRetrieveParams,
)
from stripe.params.radar import EarlyFraudWarningRetrieveParams
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import checkout, faults, refunds
from .core import Context, new_id, public
from .errors import StripeError, invalid, not_found
from .params import parse_form, validate

ROUTES = Map([
    Rule("/v1/checkout/sessions", methods=["POST"], endpoint="session_create"),
    Rule("/v1/checkout/sessions", methods=["GET"], endpoint="session_list"),
    Rule("/v1/checkout/sessions/<oid>", methods=["GET"], endpoint="session_retrieve"),
    Rule("/v1/checkout/sessions/<oid>/line_items", methods=["GET"], endpoint="line_items"),
    Rule("/v1/checkout/sessions/<oid>/expire", methods=["POST"], endpoint="session_expire"),
    Rule("/v1/payment_intents/<oid>", methods=["GET"], endpoint="intent_retrieve"),
    Rule("/v1/charges/<oid>", methods=["GET"], endpoint="charge_retrieve"),
    Rule("/v1/refunds", methods=["POST"], endpoint="refund_create"),
    Rule("/v1/refunds", methods=["GET"], endpoint="refund_list"),
    Rule("/v1/refunds/<oid>", methods=["GET"], endpoint="refund_retrieve"),
    Rule("/v1/disputes/<oid>", methods=["GET"], endpoint="dispute_retrieve"),
    Rule("/v1/radar/early_fraud_warnings/<oid>", methods=["GET"],
         endpoint="early_fraud_warning_retrieve"),
    Rule("/v1/events", methods=["GET"], endpoint="event_list"),
    Rule("/v1/events/<oid>", methods=["GET"], endpoint="event_retrieve"),
])
PARAMS = {
    "session_create": SessionCreateParams,
    "session_list": SessionListParams,
    "session_retrieve": SessionRetrieveParams,
    "line_items": SessionListLineItemsParams,
    "session_expire": SessionExpireParams,
    "intent_retrieve": PaymentIntentRetrieveParams,
    "charge_retrieve": ChargeRetrieveParams,
    "refund_create": RefundCreateParams,
    "refund_list": RefundListParams,
    "refund_retrieve": RefundRetrieveParams,
    "dispute_retrieve": DisputeRetrieveParams,
    "early_fraud_warning_retrieve": EarlyFraudWarningRetrieveParams,
    "event_list": EventListParams,
    "event_retrieve": EventRetrieveParams,
}


class Refused(Exception):
    """A "refuse" fault: the transport must drop the connection unanswered."""


def _json(status: int, body: Any, headers: dict[str, str]) -> Response:
    return Response(json.dumps(body, indent=2), status=status, headers=headers,
                    content_type="application/json")


def handle(ctx: Context, api_key: str, request: Request) -> Response:
    """Serve one ``/v1`` request (faults, auth, idempotency, then the endpoint)."""
    key = request.headers.get("Idempotency-Key")
    with ctx.store.tx() as db:
        db.execute("INSERT INTO request_log (method, path, idempotency_key) VALUES (?, ?, ?)",
                   (request.method, request.path, key))
    request_id = new_id("req_", 14)
    headers = {"Request-Id": request_id, "Stripe-Version": stripe.api_version}
    if key:
        headers["Idempotency-Key"] = key
    fault = faults.take(ctx.store)
    if fault and fault[0] == "500":
        error = StripeError("Sandbox fault: injected internal server error.", status=500,
                            type="api_error")
        return _json(500, error.body(), headers)
    if fault and fault[0] == "slow":
        time.sleep(fault[1])
    if fault and fault[0] == "refuse":
        raise Refused()
    try:
        _authenticate(request, api_key)
        checkout.tick(ctx)
    except StripeError as error:
        return _json(error.status, error.body(), headers)
    if request.method != "POST" or not key:
        return _respond(ctx, request, headers, request_id, key)
    return _idempotent(ctx, request, headers, request_id, key)


def _authenticate(request: Request, api_key: str) -> None:
    auth = request.headers.get("Authorization", "")
    given = auth[7:] if auth.startswith("Bearer ") else (
        request.authorization.username if request.authorization else "")
    if not given:
        raise StripeError(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth "
            "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            status=401)
    if given != api_key:
        shown = given[:8] + "*" * max(0, len(given) - 12) + given[-4:]
        raise StripeError(f"Invalid API Key provided: {shown}", status=401)


def _idempotent(ctx: Context, request: Request, headers: dict[str, str], request_id: str,
                key: str) -> Response:
    pairs = sorted(request.form.items(multi=True))
    fingerprint = hashlib.sha256(
        json.dumps([request.method, request.path, pairs]).encode()).hexdigest()
    with ctx.store.tx() as db:
        row = db.execute("SELECT fingerprint, status, headers, body FROM idempotency "
                         "WHERE key = ?", (key,)).fetchone()
        if row is None:
            db.execute("INSERT INTO idempotency (key, fingerprint) VALUES (?, ?)",
                       (key, fingerprint))
    if row is not None:
        if row[0] != fingerprint:
            error = StripeError(
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.", type="idempotency_error")
            return _json(400, error.body(), headers)
        if row[1] is None:
            error = StripeError(
                "There is currently another in-progress request using this Idempotent Key "
                "(that probably means you submitted twice, and the other request is still "
                "going through). Please retry in a moment.", status=409,
                type="idempotency_error", code="idempotency_key_in_use")
            return _json(409, error.body(), headers)
        stored = json.loads(row[2])
        stored.update({"Idempotent-Replayed": "true", "Request-Id": request_id,
                       "Original-Request": stored.get("Request-Id", "")})
        return Response(row[3], status=row[1], headers=stored, content_type="application/json")
    response = None
    try:
        response = _respond(ctx, request, headers, request_id, key, keep_validation=True)
    finally:
        with ctx.store.tx() as db:
            if response is None or response.status_code >= 500 or getattr(
                    response, "validation_failed", False):
                # Stripe saves no result when validation failed or the server broke,
                # so a corrected or retried request may reuse the key.
                db.execute("DELETE FROM idempotency WHERE key = ?", (key,))
            else:
                db.execute(
                    "UPDATE idempotency SET status = ?, headers = ?, body = ? WHERE key = ?",
                    (response.status_code, json.dumps(headers), response.get_data(), key))
    return response


def _respond(ctx: Context, request: Request, headers: dict[str, str], request_id: str,
             key: str | None, keep_validation: bool = False) -> Response:
    try:
        endpoint, args = ROUTES.bind_to_environ(request.environ).match()
    except (NotFound, MethodNotAllowed):
        error = StripeError(
            f"Unrecognized request URL ({request.method}: {request.path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/.", status=404)
        return _json(404, error.body(), headers)
    pairs = list((request.form if request.method == "POST" else request.args).items(multi=True))
    try:
        params = validate(parse_form(pairs), PARAMS[endpoint])
        body = ENDPOINTS[endpoint](ctx, params, args.get("oid"), {
            "id": request_id, "idempotency_key": key,
            "base_url": request.host_url.rstrip("/") + request.script_root,
        })
        return _json(200, body, headers)
    except StripeError as error:
        response = _json(error.status, error.body(), headers)
        response.validation_failed = error.validation  # type: ignore[attr-defined]
        return response
    except Exception:
        error = StripeError("An unknown error occurred in the Stripe sandbox.", status=500,
                            type="api_error")
        return _json(500, error.body(), headers)


# -- endpoints ---------------------------------------------------------------


def _event_request(info: dict[str, Any]) -> dict[str, Any]:
    return {"id": info["id"], "idempotency_key": info["idempotency_key"]}


def _expand(ctx: Context, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Replace ids by objects for each dotted ``expand`` path, like Stripe."""
    out = public(obj)
    for path in paths:
        head, _, rest = path.partition(".")
        if obj.get("object") == "checkout.session" and head == "line_items":
            out["line_items"] = checkout.line_items_list(obj)
            continue
        value = obj.get(head)
        if isinstance(value, str) and (target := ctx.store.get(value)):
            out[head] = _expand(ctx, target, [rest] if rest else [])
        elif isinstance(value, dict) and rest:
            out[head] = _expand(ctx, value, [rest])
        elif value is None and head in obj:
            continue
        else:
            raise invalid(f"This property cannot be expanded ({path}).", "expand")
    return out


def _get(ctx: Context, kind: str, oid: str, param: str = "id") -> dict[str, Any]:
    obj = ctx.store.get(oid)
    if not obj or obj["object"] != kind:
        raise not_found(kind, oid, param)
    return obj


def _list(ctx: Context, kind: str, p: dict[str, Any], url: str, filters: dict[str, Any],
          expand_prefix: str = "data.") -> dict[str, Any]:
    limit = p.get("limit", 10)
    if not 1 <= limit <= 100:
        raise invalid("This value must be between 1 and 100.", "limit")
    where, args = [], []
    for field, value in filters.items():
        if value is None:
            continue
        if field == "type" and "*" in value:
            where.append("json_extract(data, '$.type') LIKE ?")
            args.append(value.replace("*", "%"))
        elif field == "types":
            where.append(f"json_extract(data, '$.type') IN ({','.join('?' * len(value))})")
            args.extend(value)
        else:
            where.append(f"json_extract(data, '$.{field}') = ?")
            args.append(value)
    created = p.get("created")
    if isinstance(created, int):
        created = {"gte": created, "lte": created}
    for op, sql in (("gt", ">"), ("gte", ">="), ("lt", "<"), ("lte", "<=")):
        if created and op in created:
            where.append(f"created {sql} ?")
            args.append(created[op])
    cursors = {}
    for name in ("starting_after", "ending_before"):
        if p.get(name):
            seq = ctx.store.seq_of(p[name])
            if seq is None:
                raise StripeError(f"No such {kind}: '{p[name]}'", param=name,
                                  code="resource_missing", status=404)
            cursors[name] = seq
    items, has_more = ctx.store.page(
        kind, " AND ".join(where), tuple(args), limit=limit,
        before_seq=cursors.get("starting_after"), after_seq=cursors.get("ending_before"))
    paths = []
    for path in p.get("expand", []):
        if not path.startswith(expand_prefix):
            raise invalid(f"This property cannot be expanded ({path}).", "expand")
        paths.append(path[len(expand_prefix):])
    return {"object": "list", "data": [_expand(ctx, o, paths) for o in items],
            "has_more": has_more, "url": url}


def session_create(ctx: Context, p: dict, oid: None, info: dict) -> dict:
    session = checkout.create_session(ctx, p, info["base_url"], _event_request(info))
    return _expand(ctx, session, p.get("expand", []))


def session_list(ctx: Context, p: dict, oid: None, info: dict) -> dict:
    filters = {"status": p.get("status"), "payment_intent": p.get("payment_intent"),
               "customer": p.get("customer"), "payment_link": p.get("payment_link"),
               "subscription": p.get("subscription"), "customer_account": p.get("customer_account"),
               "customer_details.email": (p.get("customer_details") or {}).get("email")}
    return _list(ctx, "checkout.session", p, "/v1/checkout/sessions", filters)


def session_retrieve(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    return _expand(ctx, checkout.get_session(ctx, oid), p.get("expand", []))


def line_items(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    listing = checkout.line_items_list(checkout.get_session(ctx, oid))
    if p.get("expand"):
        raise invalid(f"This property cannot be expanded ({p['expand'][0]}).", "expand")
    limit = p.get("limit", 10)
    data = listing["data"]
    if p.get("starting_after"):
        ids = [li["id"] for li in data]
        data = data[ids.index(p["starting_after"]) + 1:] if p["starting_after"] in ids else []
    listing["has_more"] = len(data) > limit
    listing["data"] = data[:limit]
    return listing


def session_expire(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    session = checkout.expire_session(ctx, oid, _event_request(info))
    return _expand(ctx, session, p.get("expand", []))


def intent_retrieve(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    intent = _get(ctx, "payment_intent", oid, "intent")
    return _expand(ctx, intent, p.get("expand", []))


def refund_create(ctx: Context, p: dict, oid: None, info: dict) -> dict:
    refund = refunds.create_refund(ctx, p, _event_request(info))
    return _expand(ctx, refund, p.get("expand", []))


def refund_retrieve(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    return _expand(ctx, _get(ctx, "refund", oid, "refund"), p.get("expand", []))


def refund_list(ctx: Context, p: dict, oid: None, info: dict) -> dict:
    return _list(ctx, "refund", p, "/v1/refunds",
                 {"charge": p.get("charge"), "payment_intent": p.get("payment_intent")})


def charge_retrieve(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    return _expand(ctx, _get(ctx, "charge", oid, "charge"), p.get("expand", []))


def dispute_retrieve(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    return _expand(ctx, _get(ctx, "dispute", oid, "dispute"), p.get("expand", []))


def early_fraud_warning_retrieve(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    return _expand(ctx, _get(ctx, "radar.early_fraud_warning", oid, "early_fraud_warning"),
                   p.get("expand", []))


def event_list(ctx: Context, p: dict, oid: None, info: dict) -> dict:
    return _list(ctx, "event", p, "/v1/events",
                 {"type": p.get("type"), "types": p.get("types") or None})


def event_retrieve(ctx: Context, p: dict, oid: str, info: dict) -> dict:
    return _expand(ctx, _get(ctx, "event", oid), p.get("expand", []))


ENDPOINTS = {
    "session_create": session_create,
    "session_list": session_list,
    "session_retrieve": session_retrieve,
    "line_items": line_items,
    "session_expire": session_expire,
    "intent_retrieve": intent_retrieve,
    "charge_retrieve": charge_retrieve,
    "refund_create": refund_create,
    "refund_list": refund_list,
    "refund_retrieve": refund_retrieve,
    "dispute_retrieve": dispute_retrieve,
    "early_fraud_warning_retrieve": early_fraud_warning_retrieve,
    "event_list": event_list,
    "event_retrieve": event_retrieve,
}
