"""The beacon intake: ``POST /beacon`` from static/js/beacon.js, counted without a database.

Public pages are cached, so the server never sees most views; the page's own script reports
them with ``navigator.sendBeacon``. The view does no database work and never opens the
session (so it sets no cookie): it checks the beacon, then appends to the counter buffer
(storefront.reports.counters). It answers 204 to what it accepts and to what it ignores on
purpose (crawlers, prefetches), and 400 to what no page of ours sends: an oversized or
malformed body, an unknown kind, an article whose signature does not match. Each article page
carries ``beacon_signature(slug)``, an HMAC of its slug with the secret key, so a made-up slug
cannot fill the buffer. A flood from one address is capped by ``BEACON_LIMIT_PER_IP``; past
the cap, beacons are dropped with 204 and count nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from flask import Blueprint, Response, current_app, request

from storefront.extensions import csrf, limiter
from storefront.reports.counters import counters

bp = Blueprint("beacon", __name__)

MAX_BODY = 512
KINDS = {"view": ("views",), "read": ("reads",), "card_click": ("card_clicks",)}
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,159}")
# What crawlers, link previews, audits and scripts say about themselves. A real browser,
# headless Chromium included, says none of these.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|lighthouse|"
    r"pagespeed|curl|wget|python-|httpx|aiohttp|go-http|okhttp|java/|libwww|scrapy|"
    r"headless-shell|phantomjs|feedfetcher|mediapartners", re.IGNORECASE)


def beacon_signature(slug: str) -> str:
    """The token an article page sends with its beacons; the same for every visitor."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"beacon:{slug}".encode(), hashlib.sha256).hexdigest()[:20]


def is_robot() -> bool:
    """A known crawler, preview or script, or no user agent at all."""
    agent = request.headers.get("User-Agent", "")
    return not agent or bool(BOT_RE.search(agent))


def is_prefetch() -> bool:
    """A prefetch or prerender the reader may never see (Sec-Purpose, Purpose, X-Moz)."""
    purpose = " ".join(request.headers.get(name, "")
                       for name in ("Sec-Purpose", "Purpose", "X-Moz", "X-Purpose"))
    return "prefetch" in purpose.lower() or "preview" in purpose.lower()


def _cross_site() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    return site is not None and site != "same-origin"


def _no_content() -> Response:
    response = Response(status=204)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refuse(reason: str) -> Response:
    response = Response(f"{reason}\n", status=400, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


def _parse(body: bytes) -> tuple[str, str] | None:
    """(kind, slug) from a well-formed, correctly signed beacon; None otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    kind, slug, signature = data.get("k"), data.get("p"), data.get("s")
    if kind not in KINDS or not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        return None
    if not isinstance(signature, str) or not hmac.compare_digest(
            signature, beacon_signature(slug)):
        return None
    return kind, slug


@bp.post("/beacon")
@csrf.exempt  # no session, nothing to protect: forgeries are checked below instead
@limiter.limit(lambda: current_app.config["BEACON_LIMIT_PER_IP"],
               on_breach=lambda _limit: _no_content())
def beacon():
    """Count one view, read or card click of an article (sent by static/js/beacon.js)."""
    if (request.content_length or 0) > MAX_BODY:
        return _refuse("Too large.")
    body = request.stream.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _refuse("Too large.")
    if is_robot() or is_prefetch():
        return _no_content()
    if _cross_site():
        return _refuse("Beacons come from the shop's own pages.")
    parsed = _parse(body)
    if parsed is None:
        return _refuse("Not a beacon of ours.")
    kind, slug = parsed
    kinds = KINDS[kind]
    app_counters = counters(current_app)
    if kind == "view" and app_counters.new_reader(
            slug, request.remote_addr or "", request.headers.get("User-Agent", "")):
        kinds = (*kinds, "readers")
    app_counters.record(slug, *kinds)
    return _no_content()


@bp.record_once
def _register_globals(state) -> None:
    state.app.jinja_env.globals["beacon_signature"] = beacon_signature
