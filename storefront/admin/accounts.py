"""Accounts (owners): invite staff with a one-time temporary password, deactivate, reactivate,
change a role, end an account's sessions, reset its two-factor codes, and require codes of all."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from storefront import accounts as account_rules
from storefront import two_factor
from storefront.admin.forms import ActionForm, InviteForm
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import AdminUser
from storefront.outbox import queue_email


def _render(form=None, created=None, password=None, status=200):
    users = db.session.scalars(select(AdminUser).order_by(AdminUser.email)).all()
    return render_template(
        "admin/accounts.html", users=users, form=form or InviteForm(formdata=None),
        created=created, password=password, action_form=ActionForm(),
        settings=two_factor.settings(db.session)), status


@bp.get("/accounts")
def accounts():
    """Every account, its role and whether it can log in."""
    return _render()


@bp.post("/accounts")
def account_invite():
    """Create an account with a temporary password, shown once on the page that answers."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _render(form, status=422)
    password = account_rules.temporary_password()
    begin_write(db.session)
    try:
        user = account_rules.create_admin(db.session, form.email.data, password, form.role.data)
        db.session.flush()
    except account_rules.AccountError as exc:
        db.session.rollback()
        form.email.errors.append(str(exc))
        return _render(form, status=422)
    record(db.session, "account.create", f"admin_user:{user.id}",
           after={"email": user.email, "role": user.role})
    _queue_invite(user.email, user.role)
    db.session.commit()
    # Rendered, not redirected: the password must never sit in a flash cookie or a URL.
    response = _render(created=user, password=password)
    return response[0], 201, {"Cache-Control": "no-store"}


def _queue_invite(email: str, role: str) -> None:
    """Tell the new member where to log in. The password is never emailed: whoever invited
    them passes it on, so a read mailbox alone cannot open the back office."""
    shop = current_app.config["SHOP_NAME"]
    login = url_for("admin.login", _external=True)
    queue_email(email, f"Your {shop} back-office account", (
        f"{current_user.email} has made you a {role} account in the {shop} back office.\n\n"
        f"Log in at {login} with this email address and the temporary password "
        f"{current_user.email} gives you, then choose your own: follow your address at the top "
        "of any admin page.\n"
    ), kind="staff_invite")


@bp.post("/accounts/<int:user_id>/active")
def account_active(user_id: int):
    """``action=deactivate`` ends the account's sessions at once; ``action=activate`` undoes it."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    activate = request.form.get("action") == "activate"
    if user_id == current_user.id and not activate:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.accounts"), code=303)
    begin_write(db.session)
    user = db.get_or_404(AdminUser, user_id)
    before = {"active": user.active}
    account_rules.set_active(user, activate)
    record(db.session, "account.activate" if activate else "account.deactivate",
           f"admin_user:{user.id}", before=before, after={"active": activate})
    db.session.commit()
    flash(f"{user.email} {'can log in again' if activate else 'is deactivated and logged out'}.",
          "success")
    return redirect(url_for("admin.accounts"), code=303)


def _changed(message: str):
    flash(message, "success")
    return redirect(url_for("admin.accounts"), code=303)


def _other_account(user_id: int) -> AdminUser:
    """The account to change, in a write transaction; one's own is changed elsewhere."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if user_id == current_user.id:
        abort(400, "Change your own account from your account page.")
    begin_write(db.session)
    return db.get_or_404(AdminUser, user_id)


@bp.post("/accounts/<int:user_id>/role")
def account_role(user_id: int):
    """``role=owner|staff``; the account's sessions end, so the new role holds from now."""
    user = _other_account(user_id)
    before = {"role": user.role}
    try:
        account_rules.change_role(user, request.form.get("role", ""))
    except account_rules.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.accounts"), code=303)
    record(db.session, "account.role", f"admin_user:{user.id}", before=before,
           after={"role": user.role})
    db.session.commit()
    return _changed(f"{user.email} is now {user.role} and has been logged out.")


@bp.post("/accounts/<int:user_id>/sessions")
def account_sessions(user_id: int):
    """Log an account out everywhere (a lost laptop, a shared computer)."""
    user = _other_account(user_id)
    account_rules.end_sessions(user)
    record(db.session, "account.logout_everywhere", f"admin_user:{user.id}")
    db.session.commit()
    return _changed(f"{user.email} is logged out everywhere.")


@bp.post("/accounts/<int:user_id>/two-factor")
def account_two_factor_reset(user_id: int):
    """Turn off an account's codes (a lost phone and lost recovery codes); its sessions end,
    and it sets codes up again at its next login where they are required."""
    user = _other_account(user_id)
    two_factor.disable(db.session, user)
    account_rules.end_sessions(user)
    record(db.session, "account.two_factor.reset", f"admin_user:{user.id}")
    db.session.commit()
    return _changed(f"Two-factor codes of {user.email} are reset; they are logged out.")


@bp.post("/accounts/security")
def security_settings():
    """``two_factor_required=1`` makes every account use codes; those without are sent to set
    them up at their next page."""
    if not ActionForm().validate_on_submit():
        abort(400)
    required = request.form.get("two_factor_required") == "1"
    begin_write(db.session)
    settings = two_factor.settings(db.session)
    before = {"two_factor_required": settings.two_factor_required}
    settings.two_factor_required = required
    db.session.add(settings)
    record(db.session, "settings.two_factor_required", "admin_settings", before=before,
           after={"two_factor_required": required})
    db.session.commit()
    return _changed("Two-factor codes are now required for every account." if required
                    else "Two-factor codes are now each account's choice.")
