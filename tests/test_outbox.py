"""The mail outbox: rows written with their cause, delivered later, retried, never in the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import OutboxMessage
from storefront.outbox import queue_email


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
