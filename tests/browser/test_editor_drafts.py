"""Typed text survives every failure: an editor in Chromium loses a session, a CSRF token,
a too-large request and a tab, and each time gets their text back from the browser's draft."""

from __future__ import annotations

import pytest

from storefront.extensions import db
from storefront.models import Post
from tests.browser.conftest import DESKTOP, log_in, screenshot
from tests.conftest import make_post
from tests.test_admin_support import make_admin

pytestmark = pytest.mark.browser

TYPED = "A paragraph the editor spent an hour on.\n\nWith a second paragraph."


@pytest.fixture
def viewport() -> dict:
    return DESKTOP | {"name": "desktop"}


@pytest.fixture
def post_id(app) -> int:
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    with app.app_context():
        make_admin("owner@example.com", "owner")
        return make_post(body="The saved text.").id


def _log_in(page, base: str, then: str) -> None:
    page.goto(f"{base}/admin/login?next={then}")
    log_in(page)
    page.wait_for_url(f"**{then}")


def _saved_body(app, post_id: int) -> str:
    with app.app_context():
        return db.session.get(Post, post_id).body


def _type_body(page, text: str) -> None:
    page.get_by_label("Body (Markdown)").fill(text)
    page.wait_for_timeout(400)  # the draft is written 300 ms after the last keystroke


def _restore_and_save(page, app, post_id: int) -> None:
    notice = page.locator(".draft-notice")
    notice.wait_for()
    assert "was not saved" in notice.inner_text()
    page.get_by_role("button", name="Restore my text").click()
    assert page.get_by_label("Body (Markdown)").input_value() == TYPED
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "Article saved." in page.locator(".flashes").inner_text()
    assert _saved_body(app, post_id) == TYPED
    assert page.locator(".draft-notice").count() == 0   # the server has it: no offer
    page.reload()
    assert page.locator(".draft-notice").count() == 0


def test_text_survives_a_lost_session(app, live_server, page, post_id):
    editor = f"/admin/posts/{post_id}"
    _log_in(page, live_server, editor)
    _type_body(page, TYPED)
    page.context.clear_cookies()                       # the session is gone
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/login**")
    assert _saved_body(app, post_id) == "The saved text."
    log_in(page)
    page.wait_for_url(f"**{editor}")
    screenshot(page, "admin-draft-offered")
    _restore_and_save(page, app, post_id)


def test_text_survives_an_expired_csrf_token(app, live_server, page, post_id):
    editor = f"/admin/posts/{post_id}"
    _log_in(page, live_server, editor)
    _type_body(page, TYPED)
    page.eval_on_selector("form[data-draft] input[name=csrf_token]", "el => el.value = 'expired'")
    response = None
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save", exact=True).click()
    response = navigation.value
    assert response.status == 400
    page.goto(live_server + editor)
    _restore_and_save(page, app, post_id)


def test_text_survives_a_request_too_large(app, live_server, page, post_id):
    editor = f"/admin/posts/{post_id}"
    _log_in(page, live_server, editor)
    _type_body(page, TYPED)
    # an image pasted as a data URL into the references makes the request too large
    page.get_by_label("References (one per line: citation | url)").fill("x" * 120_000)
    page.wait_for_timeout(400)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save", exact=True).click()
    assert navigation.value.status == 413
    page.goto(live_server + editor)
    page.locator(".draft-notice").wait_for()
    page.get_by_role("button", name="Restore my text").click()
    assert page.get_by_label("Body (Markdown)").input_value() == TYPED
    assert len(page.get_by_label("References (one per line: citation | url)").input_value()
               ) == 120_000


def test_text_survives_a_closed_tab_and_can_be_discarded(app, live_server, page, post_id):
    editor = f"/admin/posts/{post_id}"
    _log_in(page, live_server, editor)
    _type_body(page, TYPED)
    context = page.context
    page.close()
    again = context.new_page()
    again.goto(live_server + editor)
    again.locator(".draft-notice").wait_for()
    assert again.get_by_label("Body (Markdown)").input_value() == "The saved text."
    again.get_by_role("button", name="Discard it").click()
    again.reload()
    assert again.locator(".draft-notice").count() == 0


def test_a_new_article_keeps_no_draft_once_saved(app, live_server, page, post_id):
    _log_in(page, live_server, "/admin/posts/new")
    page.get_by_label("Title").fill("Sleep and magnesium")
    _type_body(page, TYPED)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "Draft saved." in page.locator(".flashes").inner_text()
    assert page.locator(".draft-notice").count() == 0
    page.goto(f"{live_server}/admin/posts/new")
    assert page.locator(".draft-notice").count() == 0


def test_a_validation_error_keeps_the_text_and_the_draft(app, live_server, page, post_id):
    editor = f"/admin/posts/{post_id}"
    _log_in(page, live_server, editor)
    _type_body(page, TYPED)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_label("Body (Markdown)").input_value() == TYPED
    assert page.locator(".draft-notice").count() == 0    # the text is in the form already
    page.goto(live_server + editor)                      # they wander off and come back
    page.locator(".draft-notice").wait_for()


def test_text_survives_a_server_error(app, live_server, page, post_id):
    def fail_on_save():
        from flask import request

        if request.method == "POST" and "Oops" in request.form.get("title", ""):
            raise RuntimeError("the database went away mid-save")

    app.before_request(fail_on_save)
    editor = f"/admin/posts/{post_id}"
    _log_in(page, live_server, editor)
    page.get_by_label("Title").fill("Oops, a new title")
    _type_body(page, TYPED)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save", exact=True).click()
    assert navigation.value.status == 500
    page.goto(live_server + editor)
    page.locator(".draft-notice").wait_for()
    page.get_by_role("button", name="Restore my text").click()
    assert page.get_by_label("Title").input_value() == "Oops, a new title"
    assert page.get_by_label("Body (Markdown)").input_value() == TYPED
