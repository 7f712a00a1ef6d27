"""A whole-page cache for the public catalogue and articles, kept right by the database.

Rendering a product or article page costs milliseconds of Jinja and SQL; serving it again
costs microseconds. A cached page is reused only while the content it was built from is
unchanged: every entry is keyed by a *content version*, one cheap query over the tables the
pages read (the newest ``updated_at`` and the row count of each). Every stock rule, admin edit
and publication bumps a row's ``updated_at``, so a sale or a restock is on the next page view
in every worker process, on every machine, with no message passing. Time matters too (a post
scheduled for later becomes public by itself), so entries also expire after ``TTL_SECONDS``.

Pages are shared between visitors, so what differs per visitor is punched out: the page is
rendered with markers where the CSRF token and the cart badge go, and each response fills in
the visitor's own. Requests with a pending flash message or a logged-in admin bypass the cache.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, g, make_response, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from storefront.cart import cart
from storefront.extensions import db
from storefront.models import Post, PostReference, Product, ProductImage, Tag, Variant

TTL_SECONDS = 60.0
MAX_ENTRIES = 512
# Random per process, so content can never forge a marker.
_CSRF_MARK = f"__csrf_{secrets.token_hex(8)}__"
_BADGE_MARK = f"__cart_badge_{secrets.token_hex(8)}__"
_KEPT_HEADERS = ("Content-Type", "Last-Modified", "Link")


class _Entries:
    """A small thread-safe LRU of rendered pages (bounded, so odd query strings cannot grow it)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple, tuple[float, str, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[str, list[tuple[str, str]]] | None:
        with self._lock:
            found = self._data.get(key)
            if found is None or found[0] < time.monotonic():
                self._data.pop(key, None)
                return None
            self._data.move_to_end(key)
            return found[1], found[2]

    def put(self, key: tuple, body: str, headers: list[tuple[str, str]]) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + TTL_SECONDS, body, headers)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def _version_query():
    """Built once, and run as a plain string: nothing to compile or cache-key per request."""
    parts = []
    for model in (Product, Variant, Post):
        table = model.__tablename__
        parts += [f"(SELECT max(updated_at) FROM {table})", f"(SELECT count(*) FROM {table})"]
    for model in (ProductImage, PostReference, Tag):
        table = model.__tablename__
        parts += [f"(SELECT max(id) FROM {table})", f"(SELECT count(*) FROM {table})"]
    return "SELECT " + ", ".join(parts)


_VERSION_QUERY = _version_query()


def content_version() -> tuple:
    """One query: what every public page is built from, summarised."""
    return tuple(db.session.connection().exec_driver_sql(_VERSION_QUERY).one())


def _entries() -> _Entries:
    return current_app.extensions["page_cache"]


def _bypass() -> bool:
    return (
        not current_app.config["PAGE_CACHE"]
        or request.method not in ("GET", "HEAD")
        or "_flashes" in session
        or "_user_id" in session
    )


def cached_page(view: Callable) -> Callable:
    """Serve the view's 200 responses from the cache while the content version holds."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if _bypass():
            return view(*args, **kwargs)
        # The root URL (scheme, host, script root) is part of the key because pages carry
        # absolute links built from it (canonical, og:url, sitemap, feed, robots): keyed by
        # path alone, one request with a forged Host header poisoned the page for everyone.
        key = (request.root_url, request.path, request.query_string, content_version())
        hit = _entries().get(key)
        if hit is None:
            g.page_cache_rendering = True
            try:
                response = make_response(view(*args, **kwargs))
            finally:
                g.page_cache_rendering = False
            body = response.get_data(as_text=True)
            if response.status_code == 200:
                kept = [(k, v) for k, v in response.headers if k in _KEPT_HEADERS]
                _entries().put(key, body, kept)
        else:
            body, kept = hit
            response = Response(headers=kept)
        response.set_data(_personalise(body))
        return response

    return wrapper


def _personalise(body: str) -> str:
    if _CSRF_MARK in body:
        body = body.replace(_CSRF_MARK, generate_csrf())
    return body.replace(_BADGE_MARK, str(_badge_html(cart.count())))


def _badge_html(count: int) -> Markup:
    if not count:
        return Markup("")
    return Markup(' <span class="badge" aria-label="{0} items">{0}</span>').format(count)


def csrf_token() -> str:
    """The template global ``csrf_token()``: a marker while rendering a page for the cache."""
    if g.get("page_cache_rendering"):
        return _CSRF_MARK
    return generate_csrf()


def cart_badge() -> Markup:
    """The template global ``cart_badge()``: the header's item count for this visitor."""
    if g.get("page_cache_rendering"):
        return Markup(_BADGE_MARK)
    return _badge_html(cart.count())


def init_app(app) -> None:
    app.extensions["page_cache"] = _Entries(MAX_ENTRIES)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["cart_badge"] = cart_badge
