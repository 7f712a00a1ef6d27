"""Customer emails look like the shop in every client: an HTML part with inline styles and no
remote content, a plain-text part, the shop's name and colours, and the order summary; owners
preview each one with a demo order."""

from __future__ import annotations

import re

import pytest

from storefront.admin.email_previews import demo_order
from storefront.mail import CUSTOMER_EMAILS, customer_email
from storefront.tracking import tracking_url
from tests.test_admin_support import owner_client, staff_client


@pytest.mark.parametrize("name", list(CUSTOMER_EMAILS))
def test_every_customer_email_carries_the_brand_and_the_summary(app, name):
    with app.test_request_context():
        mail = customer_email(name, demo_order(), amount="$24.00")
    for part in (mail["text"], mail["html"]):
        assert "RW-DEMO2026" in part and "Royal Warrior" in part
        assert "50 ml jar" in part and "100 ml jar" in part and "$69.00" in part
    html = mail["html"]
    assert "#0f4c5c" in html and 'style="' in html        # the shop's colours, inline
    assert not re.search(r"<(img|script|link)\b", html)    # nothing remote, nothing run
    assert "<style" not in html                            # clients drop style blocks
    assert "RW-DEMO2026" in mail["subject"]
    assert mail["to"] == "reader@example.com"


def test_the_shipped_email_links_the_carriers_tracking_page(app):
    with app.test_request_context():
        order = demo_order()
        mail = customer_email("order_shipped", order)
        link = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000"
        assert link in mail["text"] and f'href="{link}"' in mail["html"]
        order.carrier = "Local courier"
        other = customer_email("order_shipped", order)
    assert "Track your parcel" not in other["html"] and "9400100000000000000000" in other["text"]
    assert tracking_url("UPS", "1Z 999/AA") == "https://www.ups.com/track?tracknum=1Z%20999%2FAA"
    assert tracking_url("", "123") is None and tracking_url("usps", " ") is None


def test_owners_preview_every_email_and_its_frame_runs_nothing(app):
    owner = owner_client(app)
    assert 'href="/admin/emails"' in owner.get("/admin/mail").get_data(as_text=True)
    page = owner.get("/admin/emails").get_data(as_text=True)
    for name in CUSTOMER_EMAILS:
        assert f'src="/admin/emails/{name}.html"' in page
    frame = owner.get("/admin/emails/order_confirmation.html")
    assert frame.status_code == 200 and "Thank you for your order" in frame.get_data(as_text=True)
    policy = frame.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "script" not in policy
    assert "frame-ancestors 'self'" in policy
    assert owner.get("/admin/emails/no_such_email.html").status_code == 404
    assert staff_client(app).get("/admin/emails").status_code == 403
