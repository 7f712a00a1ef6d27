"""In Chromium: an owner picks an end date before the start date on the orders list and on the
article report, and each page shows the message beside the date, keeps the dates, and lists
nothing rather than every order."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.test_admin_support import make_admin

pytestmark = pytest.mark.browser


def test_a_backwards_range_is_explained_beside_the_date(app, live_server, page, viewport):
    expect = pytest.importorskip("playwright.sync_api").expect
    with app.app_context():
        make_admin("owner@example.com", "owner")
    page.goto(f"{live_server}/admin/login")
    log_in(page)
    page.wait_for_url("**/admin/")

    for path, button, caption in (("/admin/orders", "Filter", "Correct the dates above"),
                                  ("/admin/reports/articles", "Show", None)):
        page.goto(f"{live_server}{path}")
        page.get_by_label("From", exact=True).fill("2026-05-01")
        page.get_by_label("To", exact=True).fill("2026-04-01")
        page.get_by_role("button", name=button).click()
        to = page.get_by_label("To", exact=True)
        expect(to).to_have_attribute("aria-invalid", "true")
        expect(to).to_have_accessible_description(
            re.compile(r"The end date is before the start date\.$"))
        expect(to).to_have_value("2026-04-01")
        expect(page.get_by_label("From", exact=True)).to_have_value("2026-05-01")
        if caption:
            expect(page.locator("main")).to_contain_text(caption)
        else:
            expect(page.locator("table.report")).to_have_count(0)
        screenshot(page, f"admin-{path.rsplit('/', 1)[1]}-bad-range-{viewport['name']}")

        page.get_by_label("To", exact=True).fill("2026-05-31")
        page.get_by_role("button", name=button).click()
        expect(page.get_by_label("To", exact=True)).not_to_have_attribute("aria-invalid", "true")
        expect(page.locator(".field-error")).to_have_count(0)
