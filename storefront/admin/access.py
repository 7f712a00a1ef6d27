"""Who may open which admin page: one table, checked once for the whole blueprint.

Every admin endpoint is listed with the least role that may use it. An endpoint missing from
the table is refused (fail closed), so a new view is invisible until someone decides who may
see it, rather than open to every account by default.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from storefront import two_factor
from storefront.extensions import db
from storefront.models import AdminUser, Role

PUBLIC = "public"  # no login needed: the login page itself and the set-password link

STAFF, OWNER = Role.STAFF, Role.OWNER
RANK = {Role.STAFF: 1, Role.OWNER: 2}

ACCESS: dict[str, str] = {
    "admin.login": PUBLIC,
    "admin.login_code": PUBLIC,  # the login's second step checks its own pending session
    "admin.logout": STAFF,
    "admin.logout_everywhere": STAFF,
    "admin.change_password": STAFF,
    "admin.two_factor_page": STAFF,
    "admin.two_factor_enable": STAFF,
    "admin.two_factor_recovery_codes": STAFF,
    "admin.two_factor_disable": STAFF,
    "admin.dashboard": STAFF,
    # reports
    "admin.article_report_page": OWNER,
    "admin.article_report_csv": OWNER,
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
    "admin.content_checks": OWNER,
    "admin.authors": OWNER,
    "admin.author_new": OWNER,
    "admin.author_edit": OWNER,
    "admin.author_delete": OWNER,
    # accounts and audit
    "admin.accounts": OWNER,
    "admin.account_invite": OWNER,
    "admin.account_active": OWNER,
    "admin.account_role": OWNER,
    "admin.account_sessions": OWNER,
    "admin.account_two_factor_reset": OWNER,
    "admin.security_settings": OWNER,
    "admin.audit": OWNER,
    "admin.mail": OWNER,
    "admin.mail_resend": OWNER,
    # the shop's pages and the messages sent through its contact form
    "admin.pages": OWNER,
    "admin.page_new": OWNER,
    "admin.page_edit": OWNER,
    "admin.messages": STAFF,
    "admin.email_previews": OWNER,
    "admin.email_preview_html": OWNER,
}


# What an account that must use two-factor codes, and has none yet, may still do.
SETUP_ENDPOINTS = {"admin.two_factor_page", "admin.two_factor_enable", "admin.logout",
                   "admin.logout_everywhere"}


def role_allows(role: str, endpoint: str) -> bool:
    """True if an account with ``role`` may use ``endpoint``; unknown endpoints are refused."""
    needed = ACCESS.get(endpoint)
    if needed is None:
        return False
    if needed == PUBLIC:
        return True
    return RANK.get(role, 0) >= RANK[needed]


def check_access():
    """Blueprint guard: anonymous -> login page, too junior -> 403, unlisted -> 403, an
    account that must use two-factor codes and has none -> the page to set them up."""
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
    if (endpoint not in SETUP_ENDPOINTS and not current_user.totp_enabled
            and must_use_codes(current_user)):
        flash("Your account must use two-factor codes. Set them up to continue.", "error")
        return redirect(url_for("admin.two_factor_page"))
    return None


def session_lost(error: CSRFError):
    """A form sent after the session ended (logged out elsewhere, idle timeout, a new browser
    profile) fails its CSRF check before any view runs. Send the person to log in and then
    back to the page the form was on, where their typed text waits in the browser's draft,
    instead of a bare 400. With a live session, or on the login form itself, the token really
    is wrong: 400."""
    if current_user.is_authenticated or ACCESS.get(request.endpoint or "") == PUBLIC:
        from storefront.web import error_page

        return error_page(error)
    referrer = urlsplit(request.referrer or "")
    back = None
    if referrer.netloc == request.host and referrer.path.startswith("/admin/"):
        back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    flash("Your session ended, so nothing was saved. Log in again; what you typed is kept in "
          "this browser and offered back on the page.", "error")
    return redirect(url_for("admin.login", next=safe_next(back, "") or None), code=303)


def must_use_codes(user: AdminUser) -> bool:
    return two_factor.required_for(db.session, user,
                                   current_app.config["REQUIRE_OWNER_TWO_FACTOR"])


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
