"""A whole-page cache for the public catalogue and articles, served before Flask.

Public pages are the same for every visitor: nothing personal is rendered into them (the cart
badge comes from ``static/js/cart.js``), so they set no cookie and can be shared, by this
cache and by a CDN or nginx in front (``Cache-Control: public`` with a short ``s-maxage``, an
``ETag``, ``Vary: Accept-Encoding``).

``PageCacheMiddleware`` wraps the app's WSGI callable. For a GET or HEAD of a view decorated
with ``cached_page`` it builds the key from the root URL (pages carry absolute links built
from it, so a forged Host must never reach other visitors), the endpoint, the route's
arguments, the query parameters the view declares it reads (so ``utm_*``, ``fbclid`` and
unknown parameters never make a new entry) and the content version that every change shown
on public pages bumps (``storefront.content_version.VersionReader``: a primary-key lookup on
SQLite, heard through LISTEN on PostgreSQL). A hit is
answered without entering Flask: no request context, no session, no Jinja. A miss goes
through the app; a 200 marked cacheable by the view is stored already compressed (br, gzip
and identity), so a hit never compresses again.

Entries live in a per-process LRU capped by bytes (``PAGE_CACHE_MAX_BYTES``) and, when
``PAGE_CACHE_REDIS_URL`` is set, in Redis shared by every worker; when Redis fails the cache
carries on in memory and tries Redis again a little later, never failing the request. Entries
also expire after ``TTL_SECONDS``, because time changes pages too (a scheduled article).

Requests carrying a flash message or a signed-in admin (seen in the signed session cookie)
are never cached: Flask renders them and they are marked ``private, no-store``.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

import brotli
import redis
from flask import Flask, current_app, make_response, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException, SecurityError

from storefront import content_version

logger = logging.getLogger(__name__)

TTL_SECONDS = 60.0
REDIS_RETRY_SECONDS = 30.0
# Set by a cached view on a response that may be shared; the middleware removes it.
STORE_HEADER = "X-Page-Cache-Store"
_PARAMS_ATTRIBUTE = "page_cache_params"
_NOT_KEPT = {"content-length", "content-encoding", "vary", "etag", "cache-control",
             "set-cookie", STORE_HEADER.lower()}
_ENCODINGS = ("br", "gzip", "identity")
_ETAG_SUFFIX = {"br": "-br", "gzip": "-gz", "identity": ""}


def cached_page(*params: str) -> Callable:
    """Mark a view's 200 responses as shareable; ``params`` are the query parameters it reads.

    Used as ``@cached_page()`` or ``@cached_page("page")``. A parameter not listed is ignored
    by the key, so a view must list every one it reads or it serves one page for all values.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            personal = _personal()  # before rendering, which takes the flashes out
            response = make_response(view(*args, **kwargs))
            if personal:
                response.headers["Cache-Control"] = "private, no-store"
            elif response.status_code == 200 and current_app.config["PAGE_CACHE"]:
                response.headers[STORE_HEADER] = "1"
            return response

        setattr(wrapper, _PARAMS_ATTRIBUTE, tuple(params))
        return wrapper

    return decorate


def _personal() -> bool:
    """A flash message or a signed-in admin makes the page this visitor's own."""
    return "_flashes" in session or "_user_id" in session


@dataclass(frozen=True)
class Entry:
    """One page, ready to send in each encoding."""

    headers: tuple[tuple[str, str], ...]
    etag: str
    bodies: dict[str, bytes]
    expires: float  # wall-clock, since entries are shared between processes through Redis

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.bodies.values()) + sum(
            len(k) + len(v) for k, v in self.headers) + 200

    @classmethod
    def build(cls, headers: Iterable[tuple[str, str]], body: bytes) -> Entry:
        kept = tuple((k, v) for k, v in headers if k.lower() not in _NOT_KEPT)
        bodies = {"identity": body}
        if len(body) >= 256:
            bodies["br"] = brotli.compress(body, quality=5)
            bodies["gzip"] = gzip.compress(body, compresslevel=6, mtime=0)
        return cls(kept, hashlib.sha256(body).hexdigest()[:20], bodies,
                   time.time() + TTL_SECONDS)


class MemoryStore:
    """A thread-safe LRU bounded by the bytes it holds, not by its number of entries."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            if entry.expires < time.time():
                self._remove(key)
                return None
            self._data.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            if key in self._data:
                self._remove(key)
            self._data[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes:
                self._remove(next(iter(self._data)))

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0

    def _remove(self, key: tuple) -> None:
        self.bytes -= self._data.pop(key).size


class PageStore:
    """The memory LRU in front of Redis (when configured); Redis trouble only costs speed."""

    def __init__(self, max_bytes: int, redis_url: str = "") -> None:
        self.memory = MemoryStore(max_bytes)
        self._redis = (redis.Redis.from_url(redis_url, socket_timeout=0.25,
                                            socket_connect_timeout=0.25)
                       if redis_url else None)
        self._redis_down_until = 0.0

    def get(self, key: tuple) -> Entry | None:
        entry = self.memory.get(key)
        if entry is None and self._use_redis():
            try:
                raw = self._redis.get(_redis_key(key))
            except redis.RedisError as error:
                self._redis_failed(error)
                return None
            if raw is not None:
                entry = pickle.loads(raw)  # written only by this class, never by visitors
                self.memory.put(key, entry)
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        self.memory.put(key, entry)
        if self._use_redis():
            try:
                self._redis.set(_redis_key(key), pickle.dumps(entry), ex=int(TTL_SECONDS))
            except redis.RedisError as error:
                self._redis_failed(error)

    def clear(self) -> None:
        self.memory.clear()

    def _use_redis(self) -> bool:
        return self._redis is not None and time.monotonic() >= self._redis_down_until

    def _redis_failed(self, error: Exception) -> None:
        logger.warning("page cache: Redis failed (%s); memory only for %ss", error,
                       REDIS_RETRY_SECONDS)
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS


def _redis_key(key: tuple) -> str:
    return "page:" + hashlib.sha256(repr(key).encode()).hexdigest()


def pick_encoding(accept: str) -> str:
    offered = set()
    for part in accept.split(","):
        name, _, rest = part.strip().partition(";")
        q = rest.replace(" ", "").removeprefix("q=")
        if name and q not in ("0", "0.0", "0.00", "0.000"):
            offered.add(name.lower())
    for encoding in ("br", "gzip"):
        if encoding in offered or "*" in offered:
            return encoding
    return "identity"


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as If-None-Match asks (RFC 9110 13.1.2)."""
    if header.strip() == "*":
        return True
    return etag in (tag.strip().removeprefix("W/") for tag in header.split(","))


class PageCacheMiddleware:
    """Answers cache hits for public pages before Flask; everything else goes to the app."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = PageStore(app.config["PAGE_CACHE_MAX_BYTES"],
                               app.config["PAGE_CACHE_REDIS_URL"])
        self.cache_control = (f"public, max-age={app.config['PAGE_MAX_AGE']}, "
                              f"s-maxage={app.config['PAGE_S_MAXAGE']}")
        self.versions = content_version.VersionReader(self._engine)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not self.app.config[
                "PAGE_CACHE"]:
            return self.wsgi_app(environ, start_response)
        key = self._key(environ)
        if key is None:
            return self._strip_mark(environ, start_response)
        entry = self.store.get(key)
        if entry is None:
            entry = self._render(environ, start_response, key)
            if not isinstance(entry, Entry):
                return entry  # not shareable: already answered by the app
        return self._send(entry, environ, start_response)

    def _key(self, environ: dict) -> tuple | None:
        """The entry's key, or None when this request is not for the shared cache."""
        request = self.app.request_class(environ)
        try:
            endpoint, args = self.app.create_url_adapter(request).match()
        except (HTTPException, SecurityError):
            return None
        params = getattr(self.app.view_functions.get(endpoint), _PARAMS_ATTRIBUTE, None)
        if params is None or self._is_personal(request):
            return None
        try:
            version = self.versions.current()
        except Exception as error:  # the database is down: the app answers (and fails) as usual
            logger.warning("page cache: content version unreadable: %s", error)
            return None
        query = tuple((name, tuple(request.args.getlist(name))) for name in params)
        root = f"{environ['wsgi.url_scheme']}://{request.host}{request.script_root}/"
        return (root, endpoint, tuple(sorted(args.items())), query, version)

    def _engine(self) -> Engine:
        from storefront.extensions import db

        with self.app.app_context():
            return db.engine

    def _is_personal(self, request) -> bool:
        if self.app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
            return True
        if self.app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return False
        opened = self.app.session_interface.open_session(self.app, request)
        return opened is None or "_flashes" in opened or "_user_id" in opened

    def _render(self, environ: dict, start_response: Callable, key: tuple):
        """Run the app for a GET; store and return the entry, or pass its answer on."""
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda data: captured.setdefault("written", []).append(data)

        body_iter = self.wsgi_app(environ | {"REQUEST_METHOD": "GET"}, capture)
        try:
            body = b"".join([*captured.get("written", []), *body_iter])
        finally:
            if hasattr(body_iter, "close"):
                body_iter.close()
        headers = captured["headers"]
        names = {name.lower() for name, _ in headers}
        if (captured["status"].startswith("200") and STORE_HEADER.lower() in names
                and "set-cookie" not in names and "content-encoding" not in names):
            entry = Entry.build(headers, body)
            self.store.put(key, entry)
            return entry
        start_response(captured["status"],
                       [(k, v) for k, v in headers if k.lower() != STORE_HEADER.lower()])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _strip_mark(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != STORE_HEADER.lower()]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)

    def _send(self, entry: Entry, environ: dict, start_response: Callable) -> list[bytes]:
        encoding = pick_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        if encoding not in entry.bodies:
            encoding = "identity"
        etag = f'"{entry.etag}{_ETAG_SUFFIX[encoding]}"'
        headers = [*entry.headers, ("Cache-Control", self.cache_control), ("ETag", etag),
                   ("Vary", "Accept-Encoding")]
        if encoding != "identity":
            headers.append(("Content-Encoding", encoding))
        if _etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Type"])
            return []
        body = entry.bodies[encoding]
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


class SharedResponseSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions, minus ``Vary: Cookie`` on responses declared public.

    Flask adds it whenever anything read the session, and Flask-Login reads it after every
    request; a response we mark ``public`` does not depend on the cookie by construction."""

    def save_session(self, app: Flask, session, response) -> None:
        if response.cache_control.public and not session.modified:
            session.accessed = False
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SharedResponseSessionInterface()
    middleware = PageCacheMiddleware(app, app.wsgi_app)
    app.extensions["page_cache"] = middleware.store
    app.extensions["content_versions"] = middleware.versions
    app.wsgi_app = middleware
