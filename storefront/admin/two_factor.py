"""Two-factor codes for one's own account (/admin/account/two-factor): set up with a QR code,
recovery codes shown once, new recovery codes, turning codes off where they are not required.

While an account must use codes and has none yet, the access check sends it here first.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from storefront import accounts, two_factor
from storefront.admin.access import must_use_codes
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import AdminUser

PENDING_SECRET = "admin_totp_pending"  # the secret shown as a QR code, until confirmed


class EnableForm(FlaskForm):
    code = StringField("The 6-digit code your app shows now",
                       validators=[DataRequired(), Length(max=20)])


class PasswordConfirmForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])


def _render(enable_form=None, recovery_form=None, disable_form=None, codes=None, status=200):
    user = current_user
    context = {"enable_form": enable_form or EnableForm(formdata=None),
               "recovery_form": recovery_form or PasswordConfirmForm(formdata=None,
                                                                     prefix="recovery"),
               "disable_form": disable_form or PasswordConfirmForm(formdata=None,
                                                                   prefix="disable"),
               "required": must_use_codes(user), "codes": codes}
    if user.totp_enabled:
        context["unused"] = two_factor.unused_recovery_codes(db.session, user)
    else:
        secret = session.setdefault(PENDING_SECRET, two_factor.new_secret())
        uri = two_factor.provisioning_uri(secret, user.email, current_app.config["SHOP_NAME"])
        context.update(secret=secret, qr=two_factor.qr_code_data_uri(uri))
    headers = {"Cache-Control": "no-store"}  # a secret or recovery codes may be on the page
    return render_template("admin/two_factor.html", **context), status, headers


@bp.get("/account/two-factor")
def two_factor_page():
    """Whether this account uses codes; if not, the QR code to set them up."""
    return _render()


@bp.post("/account/two-factor")
def two_factor_enable():
    """Confirm the app works with one code; codes are on from now, other sessions end, and
    the recovery codes are shown once."""
    form = EnableForm()
    secret = session.get(PENDING_SECRET)
    if current_user.totp_enabled or not secret:
        return redirect(url_for("admin.two_factor_page"), code=303)
    if not form.validate_on_submit():
        return _render(enable_form=form, status=422)
    begin_write(db.session)
    user = db.session.get(AdminUser, current_user.id)
    if not two_factor.check_code(db.session, user, form.code.data, secret=secret):
        db.session.rollback()
        form.code.errors.append("That code does not match. Check the time on your phone and "
                                "enter the code your app shows now.")
        return _render(enable_form=form, status=422)
    codes = two_factor.enable(db.session, user, secret)
    accounts.end_sessions(user)
    record(db.session, "account.two_factor.enable", f"admin_user:{user.id}")
    db.session.commit()
    accounts.start_session(user)
    flash("Two-factor codes are on. Other sessions have been logged out.", "success")
    return _render(codes=codes, status=201)


def _confirmed_password(form: PasswordConfirmForm) -> bool:
    if not form.validate_on_submit():
        return False
    if not current_user.check_password(form.password.data):
        form.password.errors.append("That is not your password.")
        return False
    return True


@bp.post("/account/two-factor/recovery-codes")
def two_factor_recovery_codes():
    """Replace the recovery codes (the old ones stop working) after the password is given."""
    form = PasswordConfirmForm(prefix="recovery")
    if not current_user.totp_enabled:
        return redirect(url_for("admin.two_factor_page"), code=303)
    if not _confirmed_password(form):
        return _render(recovery_form=form, status=422)
    begin_write(db.session)
    user = db.session.get(AdminUser, current_user.id)
    codes = two_factor.new_recovery_codes(db.session, user)
    record(db.session, "account.two_factor.recovery_codes", f"admin_user:{user.id}")
    db.session.commit()
    return _render(codes=codes, status=201)


@bp.post("/account/two-factor/disable")
def two_factor_disable():
    """Turn codes off (password needed), unless the shop requires them of this account."""
    form = PasswordConfirmForm(prefix="disable")
    if must_use_codes(current_user):
        flash("Two-factor codes are required for your account; they cannot be turned off.",
              "error")
        return redirect(url_for("admin.two_factor_page"), code=303)
    if not _confirmed_password(form):
        return _render(disable_form=form, status=422)
    begin_write(db.session)
    user = db.session.get(AdminUser, current_user.id)
    two_factor.disable(db.session, user)
    record(db.session, "account.two_factor.disable", f"admin_user:{user.id}")
    db.session.commit()
    session.pop(PENDING_SECRET, None)
    flash("Two-factor codes are off.", "success")
    return redirect(url_for("admin.two_factor_page"), code=303)
