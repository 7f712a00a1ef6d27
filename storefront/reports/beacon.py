"""The beacon intake: ``POST /beacon`` from static/js/beacon.js, answered before Flask.

Public pages are cached, so the server never sees most views; the page's own script reports
them with ``navigator.sendBeacon``. A beacon must cost no more than a cached page and a flood
of them must never slow the shop, so ``BeaconMiddleware`` answers ``/beacon`` in front of the
app, like the page cache answers its hits: no request context, no session (so no cookie), no
Flask-Limiter, no database. It checks the beacon, then appends to the counter buffer
(storefront.reports.counters).

The rules, in the order they are applied:

- past ``BEACON_LIMIT_PER_IP`` for its address (counted in the rate-limit storage the app's
  other limits use, ``RATELIMIT_STORAGE_URI``: memory, or Redis shared by every worker), a
  beacon is dropped with 204 and counts nothing; a flood inflates counts up to the limit only;
- a body over ``MAX_BODY`` bytes is refused with 400;
- known crawlers, previews, scripts and prefetches are dropped with 204;
- a cross-site beacon (``Sec-Fetch-Site`` other than same-origin) is refused with 400;
- a malformed body, an unknown kind or a wrong signature is refused with 400. Each article
  page carries ``beacon_signature(slug)``, an HMAC of its slug with the secret key, so a
  made-up slug cannot fill the buffer;
- a signed beacon of an article that is not published (deleted, unpublished, scheduled) is
  dropped with 204. The published articles are held in memory and read again only when the
  content version has changed (``PublishedArticles``).

``Sec-GPC: 1`` and ``DNT: 1`` do not stop a view being counted: a beacon stores no touch
(touches live on the cart, storefront.reports.attribution), only aggregates.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable

from flask import Flask, current_app, request
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import STRATEGIES
from sqlalchemy import select

from storefront.reports.counters import counters

logger = logging.getLogger(__name__)

PATH = "/beacon"
MAX_BODY = 512
KINDS = {"view": ("views",), "read": ("reads",), "card_click": ("card_clicks",)}
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,159}")
# What crawlers, link previews, audits and scripts say about themselves. A real browser,
# headless Chromium included, says none of these. Matched against the lowercased agent:
# re.IGNORECASE makes this search about ten times slower.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|lighthouse|"
    r"pagespeed|curl|wget|python-|httpx|aiohttp|go-http|okhttp|java/|libwww|scrapy|"
    r"headless-shell|phantomjs|feedfetcher|mediapartners")
PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ", "HTTP_X_PURPOSE")
STORAGE_RETRY_SECONDS = 30.0

_NO_CONTENT = ("204 No Content", [("Cache-Control", "no-store")])


def _signature(key: bytes, slug: str) -> str:
    return hmac.new(key, f"beacon:{slug}".encode(), hashlib.sha256).hexdigest()[:20]


def beacon_signature(slug: str) -> str:
    """The token an article page sends with its beacons; the same for every visitor."""
    return _signature(current_app.config["SECRET_KEY"].encode(), slug)


def beacon_url() -> str:
    """Where an article page sends its beacons (no Flask route: the middleware answers)."""
    return request.script_root + PATH


def is_robot(user_agent: str) -> bool:
    """A known crawler, preview or script, or no user agent at all."""
    return not user_agent or bool(BOT_RE.search(user_agent.lower()))


def is_prefetch(environ: dict) -> bool:
    """A prefetch or prerender the reader may never see (Sec-Purpose, Purpose, X-Moz)."""
    purpose = " ".join(environ.get(name, "") for name in PURPOSE_HEADERS).lower()
    return "prefetch" in purpose or "preview" in purpose


def parse(body: bytes, key: bytes) -> tuple[str, str] | None:
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
            signature, _signature(key, slug)):
        return None
    return kind, slug


class BeaconLimit:
    """``BEACON_LIMIT_PER_IP`` per address, in the app's rate-limit storage and strategy.

    Used directly through the ``limits`` library (as Flask-Limiter does underneath), so a
    beacon costs one counter increment per limit, not a trip through Flask. When the storage
    fails (Redis down), limits carry on in this process's memory and the storage is tried
    again later, as Flask-Limiter's in-memory fallback does: a beacon never fails for it."""

    def __init__(self, config: dict) -> None:
        self.items = parse_many(config["BEACON_LIMIT_PER_IP"])
        strategy = STRATEGIES[config.get("RATELIMIT_STRATEGY") or "fixed-window"]
        self.limiter = strategy(storage_from_string(
            config["RATELIMIT_STORAGE_URI"], **config.get("RATELIMIT_STORAGE_OPTIONS", {})))
        self.fallback = strategy(MemoryStorage())
        self._down_until = 0.0

    def allows(self, address: str) -> bool:
        """Count one beacon from ``address``; False once it is past any of the limits."""
        if time.monotonic() >= self._down_until:
            try:
                return all(self.limiter.hit(item, "beacon", address) for item in self.items)
            except Exception as error:  # the storage's own errors (redis, connection, ...)
                logger.warning("beacon: rate-limit storage failed (%s); memory for %ss",
                               error, STORAGE_RETRY_SECONDS)
                self._down_until = time.monotonic() + STORAGE_RETRY_SECONDS
        return all(self.fallback.hit(item, "beacon", address) for item in self.items)


class PublishedArticles:
    """The slugs of published articles and when each became (or becomes) public, in memory.

    ``public(slug)`` asks the page cache's content version on every beacon (a primary-key
    lookup on SQLite, as a cache hit makes; nothing on PostgreSQL, where it is heard) and reads
    the slugs again only when it changed, so an article's beacons count from the moment it is
    published. When the version cannot be read (the database is down), the slugs we have are
    used and the database is left alone for ``RETRY_SECONDS``; until a first read succeeds the
    answer is None (unknown): the beacon is buffered and the flush drops it if the article is
    not one of ours."""

    RETRY_SECONDS = 10.0

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._published: dict[str, float] | None = None
        self._version: int | None = None
        self._retry_at = float("-inf")
        self._lock = threading.Lock()

    def public(self, slug: str) -> bool | None:
        if time.monotonic() >= self._retry_at and self._lock.acquire(blocking=False):
            try:
                self.refresh()
            finally:
                self._lock.release()
        published = self._published
        if published is None:
            return None
        at = published.get(slug)
        return at is not None and at <= time.time()

    def refresh(self) -> None:
        from storefront.extensions import db
        from storefront.models import Post

        try:
            version = self.app.extensions["content_versions"].current()
            if version != self._version or self._published is None:
                with self.app.app_context():
                    # Read after the version: the slugs are at least as new as it says.
                    rows = db.session.execute(select(Post.slug, Post.published_at).where(
                        Post.published_at.is_not(None))).all()
                self._published = {slug: at.timestamp() for slug, at in rows}
                self._version = version
        except Exception as error:  # the database is down: keep the slugs we have
            logger.warning("beacon: published articles unreadable: %s", error)
            self._retry_at = time.monotonic() + self.RETRY_SECONDS


class BeaconMiddleware:
    """Answers ``/beacon`` before Flask; every other request goes to the app."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.key = app.config["SECRET_KEY"].encode()
        self.counters = counters(app)
        self.limit = BeaconLimit(app.config)
        self.articles = PublishedArticles(app)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.wsgi_app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return _plain(start_response, "405 Method Not Allowed", b"POST only.\n",
                          [("Allow", "POST")])
        address = environ.get("REMOTE_ADDR") or "127.0.0.1"
        if self.app.config.get("RATELIMIT_ENABLED", True) and not self.limit.allows(address):
            return _no_content(start_response)
        body = _body(environ)
        if body is None:
            return _plain(start_response, "400 Bad Request", b"Too large.\n")
        user_agent = environ.get("HTTP_USER_AGENT", "")
        if is_robot(user_agent) or is_prefetch(environ):
            return _no_content(start_response)
        if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") != "same-origin":
            return _plain(start_response, "400 Bad Request",
                          b"Beacons come from the shop's own pages.\n")
        parsed = parse(body, self.key)
        if parsed is None:
            return _plain(start_response, "400 Bad Request", b"Not a beacon of ours.\n")
        kind, slug = parsed
        if self.articles.public(slug) is False:
            return _no_content(start_response)
        if kind == "view":
            self.counters.record_view(slug, address, user_agent)
        else:
            self.counters.record(slug, *KINDS[kind])
        return _no_content(start_response)


def _body(environ: dict) -> bytes | None:
    """The request body, or None when it is larger than any beacon of ours."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return None
    stream = environ["wsgi.input"]
    if length <= 0 and not environ.get("wsgi.input_terminated"):
        return b""
    body = stream.read(MAX_BODY + 1) if length <= 0 else stream.read(length)
    return None if len(body) > MAX_BODY else body


def _no_content(start_response: Callable) -> list[bytes]:
    start_response(*_NO_CONTENT)
    return []


def _plain(start_response: Callable, status: str, text_: bytes,
           extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(text_))), ("Cache-Control", "no-store"),
                            ("X-Content-Type-Options", "nosniff"), *(extra or [])])
    return [text_]


def init_app(app: Flask) -> None:
    """Outside the Host check and the sandbox's dispatcher (a beacon builds no URL), inside
    ProxyFix (the limit counts the reader's address, not the proxy's)."""
    app.jinja_env.globals["beacon_signature"] = beacon_signature
    app.jinja_env.globals["beacon_url"] = beacon_url
    middleware = BeaconMiddleware(app, app.wsgi_app)
    app.extensions["beacon"] = middleware
    app.wsgi_app = middleware
