"""CSRF protection for the customer's POSTs without a per-visitor token.

Public pages are shared by every visitor (storefront.page_cache), so their forms cannot carry
a token tied to one session. Following OWASP's CSRF cheat sheet, the browser tells us where a
POST comes from instead: ``Sec-Fetch-Site`` (every current browser) must be ``same-origin`` (or
``none``, a request the user started themselves), else ``Origin`` must name this shop. A POST
with neither header is allowed: browsers that lack both are long gone, while scripts, tests and
plain HTTP clients send neither and are no CSRF risk, since a forged request needs a browser
carrying the victim's cookie; the session cookie is ``SameSite=Lax`` besides, so a cross-site
POST would arrive without the cart anyway. Admin forms keep Flask-WTF's tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request

from storefront.extensions import csrf

CROSS_SITE = "This form was sent from another site, so nothing was changed."


def _same_origin() -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    # The host, not the scheme: behind a proxy that terminates TLS without telling us, the
    # request looks like http while the page was https, and that is the same shop.
    return origin != "null" and urlsplit(origin).netloc.lower() == request.host.lower()


def same_origin_only(view: Callable) -> Callable:
    """Exempt a customer POST from the token check and refuse it from another site (403)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _same_origin():
            abort(403, CROSS_SITE)
        return view(*args, **kwargs)

    return csrf.exempt(wrapper)
