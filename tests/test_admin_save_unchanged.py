"""Every admin edit form, opened and saved without touching anything, changes nothing.

Each case opens the page as a browser would, submits the form with exactly the values the page
filled in (CSRF token included), and compares the edited row before and after. This is how the
article form's Tags and References once filled themselves with Python object text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import inspect, select

from storefront.extensions import db
from storefront.models import (
    AdminSettings,
    Author,
    Page,
    Post,
    PostReference,
    Product,
    Variant,
)
from tests.conftest import make_post, make_product
from tests.html_forms import form_with_action
from tests.test_admin_support import owner_client

IGNORED = {"updated_at", "revision"}


def _columns(row) -> dict:
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs
            if attr.key not in IGNORED}


def _post_state(post: Post) -> dict:
    return {**_columns(post), "tags": sorted((t.slug, t.name) for t in post.tags),
            "references": [(r.position, r.citation, r.url) for r in post.references]}


@dataclass
class EditForm:
    page: Callable[[dict], str]      # the page the form is on
    action: Callable[[dict], str]    # the form's action
    state: Callable[[dict], dict]    # the edited thing, as plain data


def _seed() -> dict:
    product = make_product()
    post = make_post(tags=("magnesium", "back-pain"), reviewed_by="Dr. A. Reviewer")
    post.references.append(PostReference(position=1, citation="Yousef AA, Al-deeb AE. "
                                         "Pain Physician 2013", url="https://example.org/x"))
    post.references.append(PostReference(position=2, citation="A citation without a link",
                                         url=""))
    db.session.commit()
    page = Page(slug="shipping", title="Shipping", body="We ship **fast**.\n\n- one\n- two\n")
    db.session.add(page)
    author = Author(slug="a-reviewer", name="Dr. A. Reviewer", kind="person",
                    bio="A **pharmacist**.\n\nReviews our articles.")
    db.session.add(author)
    db.session.commit()
    return {"product": product.id, "variant": product.variants[0].id, "post": post.id,
            "page": page.id, "author": author.id}


FORMS = {
    "product": EditForm(
        lambda ids: f"/admin/products/{ids['product']}",
        lambda ids: f"/admin/products/{ids['product']}",
        lambda ids: _columns(db.session.get(Product, ids["product"]))),
    "variant": EditForm(
        lambda ids: f"/admin/variants/{ids['variant']}",
        lambda ids: f"/admin/variants/{ids['variant']}",
        lambda ids: _columns(db.session.get(Variant, ids["variant"]))),
    "article": EditForm(
        lambda ids: f"/admin/posts/{ids['post']}",
        lambda ids: f"/admin/posts/{ids['post']}",
        lambda ids: _post_state(db.session.get(Post, ids["post"]))),
    "page": EditForm(
        lambda ids: f"/admin/pages/{ids['page']}",
        lambda ids: f"/admin/pages/{ids['page']}",
        lambda ids: _columns(db.session.get(Page, ids["page"]))),
    "author": EditForm(
        lambda ids: f"/admin/authors/{ids['author']}",
        lambda ids: f"/admin/authors/{ids['author']}",
        lambda ids: {**_columns(db.session.get(Author, ids["author"])),
                     "articles": [(p.author, p.reviewed_by) for p in db.session.scalars(
                         select(Post).order_by(Post.id))]}),
    "security settings": EditForm(
        lambda ids: "/admin/accounts",
        lambda ids: "/admin/accounts/security",
        lambda ids: {"two_factor_required": bool(db.session.scalar(
            select(AdminSettings.two_factor_required)))}),
}


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.mark.parametrize("name", list(FORMS))
def test_saving_an_edit_form_unchanged_changes_nothing(app, name):
    edit = FORMS[name]
    client = owner_client(app)
    with app.app_context():
        ids = _seed()
        before = edit.state(ids)
    page = client.get(edit.page(ids))
    assert page.status_code == 200
    form = form_with_action(page.get_data(as_text=True), edit.page(ids), edit.action(ids))
    saved = client.post(edit.action(ids), data=form.submission())
    assert saved.status_code in (200, 303), saved.get_data(as_text=True)[:2000]
    with app.app_context():
        assert edit.state(ids) == before
