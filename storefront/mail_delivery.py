"""Delivering the outbox: `flask deliver-mail` and, in development, files at commit.

Rows written by storefront.outbox.queue_email are sent here, never in a request or a webhook:
a hung mail server then delays an email, not a customer. Each due row is first *claimed*
(status ``sending`` until a lease runs out, by one conditional UPDATE; on PostgreSQL the
candidates are picked with ``FOR UPDATE SKIP LOCKED``), so two workers on two hosts never send
the same message. A failed attempt is retried with exponential backoff until the row's
``give_up_at`` (24 hours after it was queued, or after an owner's resend), then marked failed
for an owner to see in the admin. A worker that died mid-send leaves a claim that expires, and
the message is tried again.

Without SMTP_HOST (a laptop, ``make run``) each message becomes an ``.eml`` file in
``instance/outbox/`` (MAIL_OUTBOX_DIR) as soon as the transaction that queued it commits, so
no worker is needed to see every email.
"""

from __future__ import annotations

import logging
import secrets
import signal
import smtplib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import OutboxMessage, OutboxStatus, utcnow

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)  # far longer than one SMTP conversation can take
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=2)
BATCH_SIZE = 50
_JUST_QUEUED = "storefront.mail_delivery.just_queued"


@dataclass
class DeliveryReport:
    """What one pass over the outbox did; ``failed`` counts attempts that did not send."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.failed} failed ({self.gave_up} given up)"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failed attempt, at most two hours apart."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def build_message(row: OutboxMessage, mail_from: str) -> EmailMessage:
    """The MIME message of a row: its plain-text part, and the HTML alternative if any."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(row.recipients)
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def send_message(message: EmailMessage, recipients: list[str]) -> None:
    """Hand one message over: to SMTP_HOST (with a timeout), or to a file without one."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        write_file(message)
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"],
                      timeout=config["SMTP_TIMEOUT"]) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message, to_addrs=recipients)


def outbox_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX_DIR"]
                or Path(current_app.instance_path) / "outbox")


def write_file(message: EmailMessage) -> Path:
    """Development delivery: one .eml file per message, named so they sort by time."""
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    logger.info("wrote %r to %s (SMTP_HOST is not set)", message["Subject"], path.name)
    return path


# -- claiming ---------------------------------------------------------------------------------


def _due(now: datetime):
    """Rows to try now: pending and due, or claimed by a worker whose lease ran out."""
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )


def claim(session: Session, now: datetime, ids: Iterable[int] | None = None,
          limit: int = BATCH_SIZE) -> list[int]:
    """Claim up to ``limit`` due rows (only among ``ids`` if given) and commit the claim."""
    begin_write(session)
    candidates = select(OutboxMessage.id).where(_due(now))
    if ids is not None:
        candidates = candidates.where(OutboxMessage.id.in_(list(ids)))
    candidates = candidates.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    picked = session.scalars(candidates).all()
    claimed: list[int] = []
    if picked:
        # The WHERE repeats the rule, so a row another worker claimed in between is skipped.
        claimed = sorted(session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(picked), _due(now))
            .values(status=OutboxStatus.SENDING, claimed_until=now + CLAIM_LEASE)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all())
    session.commit()
    return claimed


# -- delivering -------------------------------------------------------------------------------


def deliver_one(session: Session, message_id: int, report: DeliveryReport) -> None:
    """Send one claimed row and record the outcome in its own transaction."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        session.rollback()
        return
    session.expunge(row)  # a detached copy to read while no transaction is open
    session.rollback()  # none held open while talking to the mail server
    recipients, attempts, give_up_at = list(row.recipients), row.attempts + 1, row.give_up_at
    label = f"email {row.id} ({row.kind}, {row.subject!r})"
    try:
        send_message(build_message(row, current_app.config["MAIL_FROM"]), recipients)
    except Exception as error:  # any failure of one message is retried, never fatal
        now = utcnow()
        give_up = now >= give_up_at
        values = {"status": OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
                  "next_attempt_at": now + retry_delay(attempts),
                  "last_error": f"{type(error).__name__}: {error}"[:2000]}
        report.failed += 1
        report.gave_up += give_up
        (logger.error if give_up else logger.warning)(
            "%s failed (attempt %s%s): %s", label, attempts,
            ", given up" if give_up else "", error)
    else:
        values = {"status": OutboxStatus.SENT, "sent_at": utcnow(), "last_error": ""}
        report.sent += 1
        logger.info("sent %s to %s", label, ", ".join(recipients))
    begin_write(session)
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id)
        .values(attempts=attempts, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    session.commit()


def deliver_due(session: Session, ids: Iterable[int] | None = None,
                echo: Callable[[str], None] = lambda _: None) -> DeliveryReport:
    """One pass: claim what is due and send it, batch after batch, until nothing is due.

    Rows failing now are rescheduled into the future, so the pass always ends. One bad row is
    logged and counted; the others still go.
    """
    report = DeliveryReport()
    wanted = None if ids is None else list(ids)
    while True:
        claimed = claim(session, utcnow(), wanted)
        if not claimed:
            return report
        for message_id in claimed:
            before = report.failed
            try:
                deliver_one(session, message_id, report)
            except Exception:  # the database failed while recording: next row
                session.rollback()
                logger.exception("email %s could not be recorded", message_id)
                report.failed += 1
            if report.failed > before:
                echo(f"email {message_id}: failed (see the Mail page in the admin)")


def run_forever(session: Session, poll_seconds: float, stop: threading.Event,
                echo: Callable[[str], None] = lambda _: None) -> None:
    """The production worker: deliver, sleep, repeat; SIGTERM/SIGINT finish the current pass."""
    while not stop.is_set():
        try:
            report = deliver_due(session, echo=echo)
            if report.sent or report.failed:
                echo(str(report))
        except Exception:  # a database outage: log it and try again after the pause
            session.rollback()
            logger.exception("mail worker pass failed")
        stop.wait(poll_seconds)


def stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


# -- development: files as soon as the change commits -----------------------------------------


def deliver_at_commit(session: Session, message_ids: Iterable[int]) -> None:
    """In development, deliver these rows (a resend, say) when ``session`` commits, like the
    rows it queued itself; with SMTP_HOST the worker picks them up as usual."""
    ids = list(message_ids)
    if ids:
        session.info.setdefault(_JUST_QUEUED, []).extend(ids)


@event.listens_for(Session, "after_flush")
def _remember_queued(session: Session, _context) -> None:
    deliver_at_commit(session, [obj.id for obj in session.new if isinstance(obj, OutboxMessage)])


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(_JUST_QUEUED, None)


@event.listens_for(Session, "after_commit")
def _write_files_at_commit(session: Session) -> None:
    """Without SMTP_HOST, the rows this commit queued become .eml files at once.

    With SMTP_HOST nothing happens here: the worker sends, so no request waits for SMTP."""
    queued = session.info.pop(_JUST_QUEUED, None)
    if not queued or not has_app_context() or current_app.config["SMTP_HOST"]:
        return
    try:
        with Session(db.engine) as other:
            deliver_due(other, ids=queued)
    except Exception:  # the rows stay pending: `flask deliver-mail` writes them later
        logger.exception("could not write emails %s to files", queued)

