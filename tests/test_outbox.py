"""The mail outbox: rows written with their cause, delivered later, retried, never in the way."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storefront import mail_delivery
from storefront.extensions import db
from storefront.mail_delivery import CLAIM_LEASE, claim, deliver_due, retry_delay, run_forever
from storefront.models import OutboxMessage, utcnow
from storefront.outbox import RETRY_WINDOW, queue_email
from tests.test_admin_support import csrf_token, owner_client


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_queued_email_commits_and_rolls_back_with_its_cause(app):
    with app.app_context():
        queue_email("a@example.com", "Kept", "text", kind="low_stock")
        db.session.commit()
        queue_email(["b@example.com", " "], "Dropped", "text", "<p>html</p>", kind="dispute")
        db.session.rollback()
        rows = db.session.scalars(select(OutboxMessage)).all()
        # Without SMTP_HOST the committed row became a file at once; the other never existed.
        assert [(r.subject, r.recipients, r.status) for r in rows] == [
            ("Kept", ["a@example.com"], "sent")]
        files = list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
        assert len(files) == 1 and b"Subject: Kept" in files[0].read_bytes()


@pytest.mark.parametrize("kwargs, problem", [
    ({"to": "a@example.com", "kind": "spam"}, "unknown email kind"),
    ({"to": [" ", ""], "kind": "low_stock"}, "recipient"),
    ({"to": "a@example.com", "kind": "low_stock", "text": "  "}, "plain-text"),
])
def test_queue_email_refuses_what_cannot_be_sent(app, kwargs, problem):
    with app.app_context():
        kwargs = {"subject": "S", "text": "body", **kwargs}
        with pytest.raises(ValueError, match=problem):
            queue_email(kwargs.pop("to"), kwargs.pop("subject"), kwargs.pop("text"), **kwargs)
        assert _count() == 0


# -- delivery: SMTP, timeouts, retries, claims ------------------------------------------------


@pytest.fixture
def hung_smtp():
    """A mail server that accepts the connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(20)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def smtp_configured(app):
    """SMTP_HOST set, as in production: rows wait for the worker (no files at commit)."""
    app.config.update(SMTP_HOST="smtp.invalid", SMTP_STARTTLS=False)
    return app


def _queue(app, n: int = 1, **kwargs) -> list[int]:
    with app.app_context():
        rows = [queue_email(f"c{i}@example.com", f"Subject {i}", f"Body {i}", kind="order_paid",
                            **kwargs) for i in range(n)]
        db.session.commit()
        return [row.id for row in rows]


def _rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_deliver_mail_times_out_on_a_hung_server_and_schedules_a_retry(app, hung_smtp, runner):
    app.config.update(SMTP_HOST=hung_smtp[0], SMTP_PORT=hung_smtp[1], SMTP_TIMEOUT=0.3,
                      SMTP_STARTTLS=False)
    _queue(app)
    result = runner.invoke(args=["deliver-mail"])
    assert result.exit_code == 1, result.output
    assert "0 sent, 1 failed" in result.output
    (row,) = _rows(app)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "timed out" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)  # backoff, not a busy loop
    again = runner.invoke(args=["deliver-mail"])  # not due yet: nothing tried, nothing failed
    assert again.exit_code == 0 and "0 sent, 0 failed" in again.output


def test_retries_back_off_for_a_day_then_the_message_is_failed(app, smtp_configured, monkeypatch):
    delays = [retry_delay(n) for n in range(1, 30)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(delays) == timedelta(hours=2)
    assert RETRY_WINDOW >= timedelta(hours=24)

    def refuse(message, recipients):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(mail_delivery, "send_message", refuse)
    (message_id,) = _queue(app)
    with app.app_context():
        report = deliver_due(db.session)
        assert (report.failed, report.gave_up) == (1, 0)
        row = db.session.get(OutboxMessage, message_id)
        assert row.status == "pending"
        # A day later, the next failure is the last.
        row.next_attempt_at = row.give_up_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        report = deliver_due(db.session)
        assert (report.failed, report.gave_up) == (1, 1)
        db.session.expire_all()
        row = db.session.get(OutboxMessage, message_id)
        assert (row.status, row.attempts) == ("failed", 2)
        assert deliver_due(db.session).failed == 0  # failed rows wait for an owner


def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(app, smtp_configured):
    ids = _queue(app, 2)
    with app.app_context():
        now = utcnow()
        assert claim(db.session, now) == ids
        assert claim(db.session, now) == []  # another worker finds nothing to do
        assert claim(db.session, now + CLAIM_LEASE + timedelta(seconds=1)) == ids  # it died


def test_two_workers_send_each_message_exactly_once(app, smtp_configured, monkeypatch):
    ids = _queue(app, 30)
    sent: list[str] = []
    lock = threading.Lock()

    def record(message, recipients):
        time.sleep(0.005)
        with lock:
            sent.append(message["Subject"])

    monkeypatch.setattr(mail_delivery, "send_message", record)

    def worker():
        with app.app_context():
            deliver_due(db.session)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == sorted(f"Subject {i}" for i in range(len(ids)))
    assert {row.status for row in _rows(app)} == {"sent"}


def test_the_forever_worker_sends_what_arrives_and_stops_on_request(app, smtp_server):
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port,
                      SMTP_STARTTLS=False)
    stop = threading.Event()

    def work():
        with app.app_context():
            run_forever(db.session, 0.05, stop)

    thread = threading.Thread(target=work)
    thread.start()
    try:
        _queue(app, 2)
        deadline = time.monotonic() + 10
        while len(smtp_server.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["c0@example.com",
                                                                    "c1@example.com"]


def test_every_message_has_a_plain_text_part_and_its_html_alternative(app, smtp_server, runner):
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port,
                      SMTP_STARTTLS=False)
    with app.app_context():
        queue_email("a@example.com", "Both", "Plain words", "<p>Rich words</p>",
                    kind="order_paid")
        db.session.commit()
    assert runner.invoke(args=["deliver-mail"]).exit_code == 0
    message = message_from_bytes(smtp_server.messages[0].content)
    parts = {part.get_content_type(): part.get_payload(decode=True).decode()
             for part in message.walk() if not part.is_multipart()}
    assert "Plain words" in parts["text/plain"] and "Rich words" in parts["text/html"]


def test_a_staff_invite_is_an_eml_file_the_moment_it_commits(app):
    """`make run` without SMTP_HOST: the email is on disk when the page answers, no worker."""
    client = owner_client(app)
    page = client.get("/admin/accounts").get_data(as_text=True)
    response = client.post("/admin/accounts", data={
        "email": "new@example.com", "role": "staff", "csrf_token": csrf_token(page)})
    assert response.status_code == 201
    password = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)
                         ).group(1)
    (path,) = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    message = message_from_bytes(path.read_bytes())
    assert message["To"] == "new@example.com" and "back-office account" in message["Subject"]
    text = message.get_payload(decode=True).decode()
    assert "/admin/login" in text and "owner@example.com" in text
    assert password not in text  # the password never travels by email
    (row,) = _rows(app)
    assert (row.kind, row.status) == ("staff_invite", "sent")


def test_the_production_worker_process_sends_and_stops_cleanly_on_sigterm(app, smtp_server,
                                                                          smtp_configured):
    """`flask deliver-mail --forever` as systemd runs it: sends, then exits 0 on SIGTERM."""
    _queue(app, 2)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": app.config["DATABASE_URL"],
           "SECRET_KEY": "test", "SMTP_HOST": smtp_server.host,
           "SMTP_PORT": str(smtp_server.port), "SMTP_STARTTLS": "0",
           "MAIL_POLL_SECONDS": "0.1"}
    worker = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "deliver-mail",
                               "--forever"], cwd=root, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while len(smtp_server.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert len(smtp_server.messages) == 2 and "2 sent, 0 failed" in output
    assert {row.status for row in _rows(app)} == {"sent"}
