"""Mail (owners): emails waiting to go or given up, with a button to send one again.

Only unsent mail is listed (pending, being sent, failed): that set stays small however many
emails the shop has sent, so it is counted and paged by number like the audit log.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select, update

from storefront.admin.forms import ActionForm
from storefront.admin.paging import page_number
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.mail_delivery import deliver_at_commit
from storefront.models import OutboxMessage, OutboxStatus, utcnow
from storefront.outbox import RETRY_WINDOW

PER_PAGE = 50
FILTERS = {
    "unsent": (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED),
    "failed": (OutboxStatus.FAILED,),
    "pending": (OutboxStatus.PENDING, OutboxStatus.SENDING),
}


@bp.get("/mail")
def mail():
    """Owners: emails not sent yet or given up, newest first, each with its last error."""
    shown = request.args.get("status", "unsent")
    if shown not in FILTERS:
        shown = "unsent"
    statuses = [str(s) for s in FILTERS[shown]]
    page = page_number()
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status.in_(statuses)))
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status.in_(statuses))
        .order_by(OutboxMessage.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    failed = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.status == OutboxStatus.FAILED))
    return render_template("admin/mail.html", messages=messages, page=page,
                           pages=max(1, -(-total // PER_PAGE)), total=total, shown=shown,
                           failed=failed, action_form=ActionForm())


@bp.post("/mail/<int:message_id>/resend")
def mail_resend(message_id: int):
    """Try one email again now, with a fresh day of retries (after fixing SMTP, say)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    begin_write(db.session)
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status == OutboxStatus.SENT:
        db.session.rollback()
        flash("That email has already been sent.", "info")
        return redirect(url_for("admin.mail"), code=303)
    now = utcnow()
    before = {"status": message.status, "attempts": message.attempts}
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id,
                                    OutboxMessage.status != OutboxStatus.SENT)
        .values(status=OutboxStatus.PENDING, next_attempt_at=now, claimed_until=None,
                give_up_at=now + RETRY_WINDOW)
        .execution_options(synchronize_session=False))
    record(db.session, "mail.resend", f"outbox_message:{message_id}", before=before,
           after={"status": OutboxStatus.PENDING.value})
    subject = message.subject
    deliver_at_commit(db.session, [message_id])
    db.session.commit()
    flash(f"“{subject}” will be sent again within a minute.", "success")
    return redirect(url_for("admin.mail"), code=303)
