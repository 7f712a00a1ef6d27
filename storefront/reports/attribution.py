"""Which article a cart and its order owe to, and when a reader asks us not to remember it.

A product card inside an article links to ``/products/<slug>?size=<sku>#from=<article>``.
The article rides in the fragment, which browsers never send: the product page's cache entry
(and a CDN's) stays one per size, not one per size and article, since ``cached_page`` on the
product view declares only ``size``. static/js/cart.js reads the fragment and adds the
article to the page's add-to-cart forms; the card's own add-to-cart form names it directly.
The cart (storefront.cart.cart) then keeps the first and the last such touch.
"""

from __future__ import annotations

import re

from flask import request

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,159}")


def article_of(raw: str | None) -> str | None:
    """The article slug a form names, or None when it names none we could have written."""
    slug = (raw or "").strip()
    return slug if SLUG_RE.fullmatch(slug) else None


def declines_tracking() -> bool:
    """``Sec-GPC: 1`` or ``DNT: 1``: the visit is still counted, but no touch is kept."""
    return request.headers.get("Sec-GPC") == "1" or request.headers.get("DNT") == "1"
