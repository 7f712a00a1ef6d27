"""Who may open which admin page: one table, checked once for the whole blueprint.

Every admin endpoint is listed with the least role that may use it. An endpoint missing from
the table is refused (fail closed), so a new view is invisible until someone decides who may
see it, rather than open to every account by default.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user

from storefront.models import Role

PUBLIC = "public"  # no login needed: the login page itself and the set-password link

STAFF, OWNER = Role.STAFF, Role.OWNER
RANK = {Role.STAFF: 1, Role.OWNER: 2}

ACCESS: dict[str, str] = {
    "admin.login": PUBLIC,
    "admin.logout": STAFF,
    "admin.change_password": STAFF,
    "admin.dashboard": STAFF,
    # inventory
    "admin.inventory": STAFF,
    "admin.inventory_adjust": STAFF,
    "admin.inventory_history": STAFF,
    "admin.inventory_csv": STAFF,
    "admin.inventory_import": STAFF,
    # orders
    "admin.orders": STAFF,
    "admin.order_detail": STAFF,
    "admin.order_fulfil": STAFF,
    "admin.order_resend_confirmation": STAFF,
    "admin.order_refund": OWNER,
    # catalogue
    "admin.products": OWNER,
    "admin.product_new": OWNER,
    "admin.product_edit": OWNER,
    "admin.product_publish": OWNER,
    "admin.variant_new": OWNER,
    "admin.variant_edit": OWNER,
    "admin.image_upload": OWNER,
    "admin.image_delete": OWNER,
    # articles
    "admin.posts": OWNER,
    "admin.post_new": OWNER,
    "admin.post_edit": OWNER,
    "admin.post_preview": OWNER,
    "admin.post_publish": OWNER,
    # accounts and audit
    "admin.accounts": OWNER,
    "admin.account_invite": OWNER,
    "admin.account_active": OWNER,
    "admin.audit": OWNER,
}


def role_allows(role: str, endpoint: str) -> bool:
    """True if an account with ``role`` may use ``endpoint``; unknown endpoints are refused."""
    needed = ACCESS.get(endpoint)
    if needed is None:
        return False
    if needed == PUBLIC:
        return True
    return RANK.get(role, 0) >= RANK[needed]


def check_access():
    """Blueprint guard: anonymous -> login page, too junior -> 403, unlisted -> 403."""
    endpoint = request.endpoint or ""
    if ACCESS.get(endpoint) == PUBLIC:
        return None
    if not current_user.is_authenticated:
        target = None
        if request.method == "GET":
            target = request.path + (f"?{request.query_string.decode()}"
                                     if request.query_string else "")
        return redirect(url_for("admin.login", next=target))
    if not role_allows(current_user.role, endpoint):
        abort(403)
    return None


def safe_next(target: str | None, default: str) -> str:
    """Only a local path may be a redirect target: no scheme, no host, no ``//`` or ``\\``."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
