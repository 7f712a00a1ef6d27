"""An owner in Chromium adds a medical reviewer, names them on an article, and the public
article links to the reviewer's page, which lists it."""

from __future__ import annotations

import re

import pytest

from storefront.extensions import db
from storefront.models import Author, Post
from tests.browser.conftest import log_in, screenshot
from tests.conftest import make_post, make_product
from tests.test_admin_support import make_admin

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app) -> dict:
    with app.app_context():
        make_product()
        post = make_post()
        db.session.add(Author(slug="editorial-team", name="Editorial team", kind="organization"))
        make_admin("owner@example.com", "owner")
        db.session.commit()
        return {"post": post.id, "slug": post.slug, "title": post.title}


def test_owner_adds_a_reviewer_and_the_article_links_to_their_page(app, live_server, page,
                                                                   viewport, shop):
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/admin/authors")
    assert "/admin/login" in page.url
    log_in(page)
    page.wait_for_url("**/admin/authors")

    page.get_by_role("link", name="New author").click()
    page.wait_for_url("**/admin/authors/new")
    name = page.get_by_label("Name", exact=True)
    name.fill("Editorial team")  # taken: the form comes back with the error beside the name
    page.get_by_label("Bio (Markdown)").fill("A pharmacist who checks every figure.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    error = page.locator("#name-error")
    assert error.inner_text().endswith("Another author already has this name.")
    assert name.get_attribute("aria-invalid") == "true"
    assert name.get_attribute("aria-describedby") == "name-error"
    assert page.get_by_label("Bio (Markdown)").input_value() == \
        "A pharmacist who checks every figure."
    screenshot(page, f"admin-author-form-error-{viewport['name']}")

    name.fill("Dr. Grace Hopper, PharmD")
    page.get_by_label("Kind").select_option("person")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/admin/authors/\d+$"))
    assert "/blog/authors/dr-grace-hopper-pharmd" in page.locator(".flashes").inner_text()

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Authors").click()
    page.wait_for_url("**/admin/authors")
    row = page.get_by_role("row").filter(has_text="Dr. Grace Hopper, PharmD")
    assert "Person" in row.inner_text()
    screenshot(page, f"admin-authors-{viewport['name']}")

    page.goto(f"{live_server}/admin/posts/{shop['post']}")
    reviewer = page.get_by_label("Reviewed by", exact=True)
    assert reviewer.get_attribute("list") == "author-names"
    assert page.locator("#author-names option").count() == 2
    reviewer.fill("Dr. Grace Hopper, PharmD")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "Article saved." in page.locator(".flashes").inner_text()
    with app.app_context():
        assert db.session.get(Post, shop["post"]).reviewed_by == "Dr. Grace Hopper, PharmD"

    page.goto(f"{live_server}/blog/{shop['slug']}")
    page.locator(".reviewed").get_by_role("link", name="Dr. Grace Hopper, PharmD").click()
    page.wait_for_url("**/blog/authors/dr-grace-hopper-pharmd")
    assert page.get_by_role("heading", level=1).inner_text() == "Dr. Grace Hopper, PharmD"
    assert "A pharmacist who checks every figure." in page.locator("main").inner_text()
    assert page.get_by_role("link", name=shop["title"]).count() >= 1
    # the refused save's 422 is the one resource error the browser reports
    assert [e for e in console_errors if "status of 422" not in e] == []
