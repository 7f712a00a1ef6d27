"""Logging in and out of the admin, and changing one's own password."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from storefront import accounts
from storefront.admin.access import safe_next
from storefront.admin.forms import ActionForm, LoginForm, PasswordChangeForm
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db, limiter
from storefront.models import AdminUser, utcnow

LOGIN_FAILED = "That email and password do not match an active account."
# Checked when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def _ip_limit() -> str:
    return current_app.config["ADMIN_LOGIN_LIMIT_PER_IP"]


def _account_limit() -> str:
    return current_app.config["ADMIN_LOGIN_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    return "admin-login:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], key_func=get_remote_address,
               scope="admin-login-ip")
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key,
               scope="admin-login-account")
def login():
    """The admin's front door; the error never says which of email or password was wrong."""
    form = LoginForm()
    default = url_for("admin.dashboard")
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next"), default))
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = accounts.find_by_email(db.session, form.email.data)
        if user is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
        elif user.active and user.check_password(form.password.data):
            target = safe_next(form.next.data, default)
            begin_write(db.session)
            user = db.session.get(AdminUser, user.id)
            user.last_login_at = utcnow()
            record(db.session, "login", f"admin_user:{user.id}", admin_user_id=user.id)
            db.session.commit()
            session.clear()  # a fresh session: nothing from before the login carries over
            login_user(user)
            return redirect(target, code=303)
        flash(LOGIN_FAILED, "error")
        return render_template("admin/login.html", form=form), 401
    return render_template("admin/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out (a POST with a CSRF token, so no other site can log an admin out)."""
    form = ActionForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("admin.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change one's own password; every other session of the account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            begin_write(db.session)
            user = db.session.get(AdminUser, current_user.id)
            accounts.change_password(user, form.password.data)
            record(db.session, "account.password", f"admin_user:{user.id}")
            db.session.commit()
            session.clear()
            login_user(user)
            flash("Password changed. Other sessions have been logged out.", "success")
            return redirect(url_for("admin.dashboard"), code=303)
    return render_template("admin/password.html", form=form)

