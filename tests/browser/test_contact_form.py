"""A customer on a phone writes to the shop: a mistake is shown beside the field with the text
kept, and the corrected message goes through."""

from __future__ import annotations

import pytest

from storefront.demo.loader import load_demo
from storefront.extensions import db
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_customer_fixes_a_mistake_and_sends_a_message(app, live_server, page, viewport):
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Contact").click()
    page.wait_for_url("**/pages/contact")
    page.get_by_label("Your name").fill("Ada Reader")
    page.get_by_label("Your email").fill("ada-at-example.com")
    page.get_by_label("Message").fill("Does the 200 ml jar ship to Ireland?")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_load_state()
    error = page.locator("#email-error")
    assert error.inner_text() == "Enter an email address like you@example.com."
    assert page.get_by_label("Message").input_value() == "Does the 200 ml jar ship to Ireland?"
    screenshot(page, f"contact-error-{viewport['name']}")
    page.get_by_label("Your email").fill("ada@example.com")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url("**/contact/sent")
    assert "on its way" in page.locator("h1").inner_text()
