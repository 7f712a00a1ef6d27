"""Logging in (password, then a two-factor code where the account has them) and out of the
admin, changing one's own password, and logging out everywhere.

Rate limits key on the client's address as the app sees it (behind TRUSTED_PROXIES, the one
the proxies report). Failed logins count per account and address, so guesses from one place
never lock the account's owner out from another; every POST also counts per address.
"""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from storefront import accounts, two_factor
from storefront.admin.access import safe_next
from storefront.admin.forms import ActionForm, LoginForm, PasswordChangeForm
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db, limiter
from storefront.models import AdminUser, utcnow

LOGIN_FAILED = "That email and password do not match an active account."
CODE_FAILED = "That code is not right. Use the current code from your app, or a recovery code."
PENDING_LOGIN = "admin_pending_login"  # the password step passed; the code step is next
PENDING_SECONDS = 300
# Checked when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app, or a recovery code",
                       validators=[DataRequired(), Length(max=40)])


def _ip_limit() -> str:
    return current_app.config["ADMIN_LOGIN_LIMIT_PER_IP"]


def _account_limit() -> str:
    return current_app.config["ADMIN_LOGIN_LIMIT_PER_ACCOUNT"]


def _code_limit() -> str:
    return current_app.config["ADMIN_CODE_LIMIT"]


def _account_key() -> str:
    email = accounts.normalise_email(request.form.get("email", ""))
    return f"admin-login:{email}|{get_remote_address()}"


def _code_key() -> str:
    pending = session.get(PENDING_LOGIN) or {}
    return f"admin-code:{pending.get('user', '-')}|{get_remote_address()}"


def _refused(response) -> bool:
    """Only failures use up an account's allowance: an owner who logs in often is not slowed."""
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], key_func=get_remote_address,
               scope="admin-login-ip")
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key,
               scope="admin-login-account", deduct_when=_refused)
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
            if user.totp_enabled:
                session.clear()
                session[PENDING_LOGIN] = {"user": user.id, "token": user.session_token,
                                          "at": int(time.time()), "next": target}
                return redirect(url_for("admin.login_code"), code=303)
            return _complete_login(user.id, target)
        flash(LOGIN_FAILED, "error")
        return render_template("admin/login.html", form=form), 401
    return render_template("admin/login.html", form=form)


def _pending_user() -> AdminUser | None:
    """The account that passed the password step in this session, within five minutes, and
    whose sessions have not been ended since."""
    pending = session.get(PENDING_LOGIN)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(AdminUser, pending.get("user"))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], key_func=get_remote_address,
               scope="admin-code-ip")
@limiter.limit(_code_limit, methods=["POST"], key_func=_code_key,
               scope="admin-code-account", deduct_when=_refused)
def login_code():
    """The login's second step: a code from the account's authenticator, or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING_LOGIN, None)
        flash("Please log in again.", "info")
        return redirect(url_for("admin.login"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        begin_write(db.session)
        user = db.session.get(AdminUser, user.id)
        if two_factor.check_code(db.session, user, form.code.data):
            db.session.commit()  # the code is spent with the login it completes
            return _complete_login(user.id, session[PENDING_LOGIN]["next"])
        db.session.rollback()
        form.code.errors.append(CODE_FAILED)
        return render_template("admin/login_code.html", form=form), 401
    return render_template("admin/login_code.html", form=form)


def _complete_login(user_id: int, target: str):
    begin_write(db.session)
    user = db.session.get(AdminUser, user_id)
    user.last_login_at = utcnow()
    record(db.session, "login", f"admin_user:{user.id}", admin_user_id=user.id)
    db.session.commit()
    accounts.start_session(user)
    return redirect(target, code=303)


@bp.post("/logout")
def logout():
    """Log out (a POST with a CSRF token, so no other site can log an admin out).

    The account's sessions end everywhere: a copy of this cookie must not outlive the logout,
    and no one can tell the copy from the original."""
    form = ActionForm()
    if form.validate_on_submit():
        _end_own_sessions("logout")
        flash("You are logged out.", "info")
    return redirect(url_for("admin.login"), code=303)


@bp.post("/account/sessions")
def logout_everywhere():
    """End every session of one's own account, on every device, this one included."""
    form = ActionForm()
    if form.validate_on_submit():
        _end_own_sessions("account.logout_everywhere")
        flash("You are logged out everywhere.", "info")
    return redirect(url_for("admin.login"), code=303)


def _end_own_sessions(action: str) -> None:
    begin_write(db.session)
    user = db.session.get(AdminUser, current_user.id)
    accounts.end_sessions(user)
    record(db.session, action, f"admin_user:{user.id}", admin_user_id=user.id)
    db.session.commit()
    logout_user()
    session.clear()


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
            accounts.start_session(user)
            flash("Password changed. Other sessions have been logged out.", "success")
            return redirect(url_for("admin.dashboard"), code=303)
    return render_template("admin/password.html", form=form, action_form=ActionForm())
