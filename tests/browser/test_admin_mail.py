"""An owner in Chromium finds an email that failed on the Mail page and sends it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from storefront.extensions import db
from storefront.models import utcnow
from storefront.outbox import queue_email
from tests.browser.conftest import log_in, screenshot
from tests.test_admin_support import make_admin

pytestmark = pytest.mark.browser


@pytest.fixture
def failed_email(app):
    with app.app_context():
        make_admin("owner@example.com", "owner")
        row = queue_email("ada@example.com", "Your Royal Warrior order RW-ABCD2345", "Thanks",
                          kind="order_paid")
        db.session.flush()
        row.status, row.attempts = "failed", 18
        row.last_error, row.give_up_at = "SMTPServerDisconnected: down", utcnow()
        db.session.commit()
        for path in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"):
            path.unlink()  # only the resend's file counts below


def test_owner_resends_a_failed_email(app, live_server, page, viewport, failed_email):
    page.goto(f"{live_server}/admin/login")
    log_in(page)
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="Mail").click()
    page.wait_for_url("**/admin/mail")
    row = page.locator("tr", has_text="RW-ABCD2345")
    assert "failed" in row.inner_text() and "SMTPServerDisconnected" in row.inner_text()
    screenshot(page, f"admin-mail-{viewport['name']}")
    row.get_by_role("button", name="Send again").click()
    page.wait_for_load_state()
    assert "will be sent again" in page.locator(".flashes").inner_text()
    # No SMTP_HOST, as under `make run`: the resend is a file as soon as it commits.
    (path,) = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    assert b"RW-ABCD2345" in path.read_bytes()
    assert "Nothing waiting" in page.locator("main").inner_text()
