"""Accounts (owners): invite staff with a one-time temporary password, deactivate, reactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from storefront import accounts as account_rules
from storefront.admin.forms import ActionForm, InviteForm
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import AdminUser


def _render(form=None, created=None, password=None, status=200):
    users = db.session.scalars(select(AdminUser).order_by(AdminUser.email)).all()
    return render_template("admin/accounts.html", users=users, form=form or InviteForm(
        formdata=None), created=created, password=password, action_form=ActionForm()), status


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
    db.session.commit()
    # Rendered, not redirected: the password must never sit in a flash cookie or a URL.
    response = _render(created=user, password=password)
    return response[0], 201, {"Cache-Control": "no-store"}


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
