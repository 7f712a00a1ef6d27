"""The pages a shop owes its customers: seeded, in every footer and the sitemap, shipping and
returns terms from configuration, a contact form that never loses a message, and an editor."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from storefront.demo.loader import load_demo
from storefront.extensions import db
from storefront.models import ContactMessage, OutboxMessage, Page
from storefront.site.footer import FOOTER_PAGES
from tests.html_forms import form_with_action
from tests.test_admin_support import make_admin, owner_client, staff_client

GOOD = {"name": "Ada Reader", "email": "ada@example.com", "order_number": "RW-1234",
        "message": "Does the 200 ml jar ship to Ireland?", "website": ""}


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(db.session)
        make_admin("owner@example.com", "owner")
        db.session.commit()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("slug", list(FOOTER_PAGES))
def test_every_footer_page_is_seeded_linked_and_in_the_sitemap(app, client, demo, slug):
    page = client.get(f"/pages/{slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="/pages/{slug}"' in client.get("/").get_data(as_text=True)
    assert f"<loc>http://shop.test/pages/{slug}</loc>" in client.get(
        "/sitemap-pages-1.xml").get_data(as_text=True)
    if slug != "editorial-process":
        assert "Template:" in html  # the demo texts say they must be adapted


@pytest.mark.parametrize("app_config", [{"SHIPPING_STANDARD_CENTS": 725,
                                         "SHIPPING_STANDARD_DAYS": "4-9",
                                         "RETURN_WINDOW_DAYS": 45,
                                         "RETURN_SHIPPING_PAID_BY": "shop"}])
def test_shipping_and_returns_pages_show_the_configured_terms(client, demo):
    shipping = client.get("/pages/shipping").get_data(as_text=True)
    assert "$7.25" in shipping and "4–9 business days" in shipping
    assert "free on orders of $50.00 or more" in shipping
    returns = client.get("/pages/returns").get_data(as_text=True)
    assert "45 days" in returns and "Return shipping is paid by us" in returns


def test_a_contact_message_is_stored_and_queued_for_the_owners(app, client, demo):
    response = client.post("/contact", data=GOOD)
    assert response.status_code == 303 and response.location.endswith("/contact/sent")
    assert "on its way" in client.get("/contact/sent").get_data(as_text=True)
    with app.app_context():
        message = db.session.scalar(select(ContactMessage))
        assert (message.email, message.order_number) == ("ada@example.com", "RW-1234")
        mail = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.kind == "contact_message"))
        assert mail.recipients == ["owner@example.com"]
        assert "RW-1234" in mail.subject and "ship to Ireland" in mail.text_body


@pytest.mark.parametrize("bad,field,error", [
    ({"email": "not-an-address"}, "email", "Enter an email address like you@example.com."),
    ({"message": ""}, "message", "Write your message."),
    ({"name": ""}, "name", "Tell us your name."),
    ({"message": "x" * 5001}, "message", "Write between 10 and 5,000 characters."),
])
def test_a_bad_contact_form_comes_back_with_the_error_and_the_text(app, client, demo, bad,
                                                                    field, error):
    response = client.post("/contact", data=GOOD | bad)
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="{field}-error">{error}</p>' in html
    assert 'value="Ada Reader"' in html or field == "name"
    assert "ship to Ireland" in html or field == "message"
    assert _count(app, ContactMessage) == 0


def test_the_honeypot_and_other_sites_send_nothing(app, client, demo):
    assert client.post("/contact", data=GOOD | {"website": "http://spam.example"}
                       ).status_code == 303
    assert client.post("/contact", data=GOOD, headers={
        "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert _count(app, ContactMessage) == 0 and _count(app, OutboxMessage) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "CONTACT_LIMIT": "2 per hour"}])
def test_the_limit_keeps_what_was_typed(app, client, demo):
    for _ in range(2):
        assert client.post("/contact", data=GOOD).status_code == 303
    limited = client.post("/contact", data=GOOD | {"message": "A third, urgent question."})
    assert limited.status_code == 429
    html = limited.get_data(as_text=True)
    assert "several messages in a short time" in html and "A third, urgent question." in html
    assert _count(app, ContactMessage) == 2


def test_staff_read_messages_and_owners_edit_pages(app, demo):
    client = app.test_client()
    client.post("/contact", data=GOOD)
    staff = staff_client(app)
    assert "Ada Reader" in staff.get("/admin/messages").get_data(as_text=True)
    assert staff.get("/admin/pages").status_code == 403
    owner = owner_client(app, "boss@example.com")
    listing = owner.get("/admin/pages").get_data(as_text=True)
    assert "/pages/shipping" in listing


def test_the_page_editor_previews_without_saving_and_keeps_footer_slugs(app, demo):
    owner = owner_client(app, "boss@example.com")
    with app.app_context():
        page_id = db.session.scalar(select(Page.id).where(Page.slug == "about"))
    url = f"/admin/pages/{page_id}"
    form = form_with_action(owner.get(url).get_data(as_text=True), url, url)
    data = form.submission()
    data["body"] = "## Our story\n\nWe started in a **kitchen**.<script>alert(1)</script>"
    data["preview"] = "1"
    preview = owner.post(url, data=data).get_data(as_text=True)
    assert re.search(r"<h2[^>]*>Our story</h2>", preview) and "<strong>kitchen</strong>" in preview
    assert "<script>alert(1)</script>" not in preview
    with app.app_context():
        assert "kitchen" not in db.session.get(Page, page_id).body
    del data["preview"]
    data["slug"] = "our-story"
    refused = owner.post(url, data=data)
    assert refused.status_code == 422 and "keeps its slug" in refused.get_data(as_text=True)
    data["slug"] = "about"
    assert owner.post(url, data=data).status_code == 303
    public = app.test_client().get("/pages/about").get_data(as_text=True)
    assert re.search(r"<strong>kitchen</strong>", public) and "alert(1)" not in public


def test_a_new_page_gets_a_slug_from_its_title(app, demo):
    owner = owner_client(app, "boss@example.com")
    page = owner.get("/admin/pages/new").get_data(as_text=True)
    form = form_with_action(page, "/admin/pages/new", "/admin/pages/new")
    data = form.submission()
    data["title"], data["body"] = "Wholesale enquiries", "Write to us."
    assert owner.post("/admin/pages/new", data=data).status_code == 303
    assert app.test_client().get("/pages/wholesale-enquiries").status_code == 200
