"""What every page shares: security headers, error pages, static versioning, template helpers."""

from __future__ import annotations

import gc
import gzip
import hashlib
import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import brotli
from flask import Flask, Response, abort, render_template, request
from sqlalchemy.orm import configure_mappers
from werkzeug.exceptions import SecurityError
from werkzeug.routing import IntegerConverter
from werkzeug.security import safe_join
from werkzeug.urls import uri_to_iri

from storefront import shop_time
from storefront.cart.cart import MAX_QUANTITY
from storefront.money import format_money
from storefront.site.footer import FOOTER_PAGES

COMPRESSIBLE_STATIC = {".css", ".js", ".svg", ".txt", ".json", ".xml", ".map"}

# No inline script or style anywhere, so the policy needs no 'unsafe-inline' and no nonces.
# form-action allows Stripe's hosted checkout because a form POST that answers with a redirect
# to another origin is blocked by browsers unless that origin is listed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self' https://checkout.stripe.com",
        "frame-ancestors 'none'",
    ]
)


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` bounded by the INTEGER columns ids live in (32-bit on PostgreSQL).

    A larger number in a URL is no row: 404 here, not an overflow error from the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_url_map(app: Flask) -> None:
    """Before any blueprint adds its rules: they are compiled with the converters present."""
    app.url_map.converters["int"] = DatabaseIdConverter


def refuse_unusable_hosts(app: Flask) -> None:
    """Answer 400 before Flask to a Host header that IDNA cannot encode or decode.

    Werkzeug encodes the host to bind the URL map (``a..b``, a 64-character label) and decodes
    it to build the current URL (``xn--zz``); both raise, and with TRUSTED_HOSTS unset (the
    default) nothing stops such a header first: a 500 from any page. Wrapped outside the page
    cache, which keys pages by host, and inside ProxyFix, which may set the host it checks."""
    inner = app.wsgi_app

    def guarded(environ, start_response):
        if host_is_usable(environ.get("HTTP_HOST", "")):
            return inner(environ, start_response)
        start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                           ("Content-Length", str(len(BAD_HOST_TEXT)))])
        return [BAD_HOST_TEXT]

    app.wsgi_app = guarded


BAD_HOST_TEXT = b"The Host header does not name a valid host.\n"


def host_is_usable(host: str) -> bool:
    """True when werkzeug can both encode and decode ``host`` (empty: no header, left to it)."""
    if not host:
        return True
    try:
        host.lower().encode("idna")
        name = urlsplit(f"//{host}").hostname or ""
        if name.isascii():
            name.encode("ascii").decode("idna")
        else:
            name.encode("idna")
        uri_to_iri(f"http://{host}/")
    except (UnicodeError, ValueError):
        return False
    return True


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.after_request(_compress_public_pages)
    app.url_defaults(_version_static_urls)
    app.view_functions["static"] = _static_file
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.globals["shop_name"] = app.config["SHOP_NAME"]
    app.jinja_env.globals["max_quantity"] = MAX_QUANTITY
    app.jinja_env.globals["footer_pages"] = FOOTER_PAGES
    app.jinja_env.globals["shop_zone"] = shop_time.zone_name
    app.jinja_env.filters["shop_time"] = shop_time.format_local
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, error_page)


def warm_up(app: Flask) -> None:
    """Do once, in gunicorn's master before it forks (``when_ready``), what every process
    otherwise does on its first requests: configure the ORM mappers (70 ms) and compile every
    template (Jinja compiles on first use). Workers are recycled every ``max_requests``; a new
    worker paid about 150 ms on its first pages while requests queued behind it.

    Then everything built so far is frozen out of the garbage collector: a worker's full
    collections no longer walk the app's hundred thousand long-lived objects, a pause every
    request queued on that worker waited for, and they stop dirtying the pages it shares with
    the master."""
    configure_mappers()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()


def _refuse_nul_bytes() -> None:
    """No slug, token, search or form field of ours can hold a NUL byte, and PostgreSQL text
    cannot store one: psycopg refuses the query, so ``/products/%00`` was a 404 on SQLite and
    a 500 on PostgreSQL. Such a URL names nothing (404); such a form cannot be used (400)."""
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
        abort(404)
    if request.method == "POST" and any(
            "\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)):
        abort(400)



@cache
def _file_version(static_folder: str, filename: str) -> str:
    path = Path(static_folder) / filename
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def _version_static_urls(endpoint: str, values: dict) -> None:
    """Add a content hash to static URLs, so they can be cached for a year and still change."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        from flask import current_app

        values["v"] = _file_version(current_app.static_folder, values["filename"])


@cache
def _static_variants(path: Path, mtime_ns: int) -> dict[str, bytes]:
    """A static file and its br/gzip forms, compressed once per process (and per change)."""
    body = path.read_bytes()
    variants = {"identity": body}
    if path.suffix in COMPRESSIBLE_STATIC and len(body) >= 256:
        variants["br"] = brotli.compress(body, quality=11)
        variants["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
    return variants


def _static_file(filename: str) -> Response:
    """Static files, pre-compressed and chosen by Accept-Encoding.

    A versioned URL (``?v=`` the content hash) never changes, so it is cached for a year
    with nothing asking to revalidate (Flask's default adds ``no-cache``, which defeats
    ``immutable``); an unversioned one is revalidated by its ETag."""
    from flask import current_app

    try:
        path = Path(safe_join(current_app.static_folder, filename) or "")
        stat = path.stat()
    except (OSError, ValueError):
        abort(404)
    if not path.is_file():
        abort(404)
    variants = _static_variants(path, stat.st_mtime_ns)
    from storefront.page_cache import pick_encoding

    encoding = pick_encoding(request.headers.get("Accept-Encoding", ""))
    encoding = encoding if encoding in variants else "identity"
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = Response(variants[encoding], mimetype=mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}-{encoding}")
    response.cache_control.public = True
    if request.args.get("v"):
        response.cache_control.max_age = 31536000
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response.make_conditional(request)


def _security_headers(response: Response) -> Response:
    from flask import current_app

    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["PRODUCTION"]:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def _compress_public_pages(response: Response) -> Response:
    """Compress what shoppers and readers download, but never the back office.

    Admin pages carry valuable CSRF tokens next to text the requester controls (searches,
    form input), the mix a BREACH attack needs to read a secret through compressed sizes.
    """
    if request.blueprint == "admin" or request.endpoint == "static":
        return response
    from storefront.page_cache import STORE_HEADER

    if STORE_HEADER in response.headers:  # the page cache stores it compressed, once
        return response
    from storefront.extensions import compress

    return compress.after_request(response)


ERROR_TEXT = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "You do not have permission to see this page."),
    404: ("Page not found", "We could not find that page. It may have moved."),
    405: ("Not allowed", "That action is not available here."),
    413: ("Too large", "That upload is larger than we accept."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: ("Something went wrong", "Our fault, not yours. Please try again in a moment."),
}


def error_page(error):
    if getattr(error, "response", None) is not None:
        # A handler built its own answer (the contact form's limit re-shows the form).
        return error.response
    if isinstance(error, SecurityError):
        # A Host outside TRUSTED_HOSTS: no URLs can be built for it, so no styled page.
        return "This shop does not answer to that host name.\n", 400
    code = getattr(error, "code", 500) or 500
    title, message = ERROR_TEXT.get(code, ERROR_TEXT[500])
    description = getattr(error, "description", None)
    if code in (400, 403, 413) and isinstance(description, str) and description:
        message = description
    if code == 500:
        from storefront.extensions import db

        db.session.rollback()
    return render_template("errors/error.html", code=code, title=title, message=message), code

