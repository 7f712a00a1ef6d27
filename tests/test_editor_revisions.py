"""Two editors never overwrite each other: products, sizes and articles refuse a stale save.

Each case has two owners open the same editor. The first saves; the second's save is refused
with a 409 that keeps their text and shows what the first saved, and goes through when they
press Save again on that page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Author, Page, Post, Product, Variant
from storefront.models.base import StaleRevision
from tests.conftest import make_post, make_product
from tests.html_forms import HtmlForm, form_with_action
from tests.test_admin_support import owner_client


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@dataclass
class Editor:
    url: str
    field: str           # the field both editors change
    read: callable       # the field's saved value


def _editors(app) -> dict[str, Editor]:
    with app.app_context():
        product = make_product()
        post = make_post()
        page = Page(slug="about", title="About", body="Who we are.")
        db.session.add(page)
        author = Author(slug="ada", name="Ada", kind="person", bio="A physician.")
        db.session.add(author)
        db.session.commit()
        ids = {"product": product.id, "variant": product.variants[0].id, "post": post.id,
               "page": page.id, "author": author.id}
    return {
        "product": Editor(f"/admin/products/{ids['product']}", "tagline",
                          lambda: db.session.get(Product, ids["product"]).tagline),
        "variant": Editor(f"/admin/variants/{ids['variant']}", "label",
                          lambda: db.session.get(Variant, ids["variant"]).label),
        "article": Editor(f"/admin/posts/{ids['post']}", "body",
                          lambda: db.session.get(Post, ids["post"]).body),
        "page": Editor(f"/admin/pages/{ids['page']}", "body",
                       lambda: db.session.get(Page, ids["page"]).body),
        "author": Editor(f"/admin/authors/{ids['author']}", "bio",
                         lambda: db.session.get(Author, ids["author"]).bio),
    }


def _open(client, url: str) -> HtmlForm:
    page = client.get(url)
    assert page.status_code == 200
    return form_with_action(page.get_data(as_text=True), url, url)


def _with(form: HtmlForm, name: str, value: str):
    data = form.submission()
    data[name] = value
    return data


@pytest.mark.parametrize("kind", ["product", "variant", "article", "page", "author"])
def test_the_second_of_two_editors_is_refused_then_saves_knowingly(app, kind):
    editor = _editors(app)[kind]
    alice = owner_client(app, "alice@example.com")
    bob = owner_client(app, "bob@example.com")
    alice_form, bob_form = _open(alice, editor.url), _open(bob, editor.url)

    assert alice.post(editor.url, data=_with(alice_form, editor.field,
                                             "Alice's words")).status_code == 303
    refused = bob.post(editor.url, data=_with(bob_form, editor.field, "Bob's words"))

    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "changed since you opened it" in page and "alice@example.com saved it" in page
    assert "Alice&#39;s words" in page          # what is saved now, shown
    assert "Bob&#39;s words" in page            # and Bob's text, kept in the form
    with app.app_context():
        assert editor.read() == "Alice's words"

    again = form_with_action(page, editor.url, editor.url)
    assert dict(again.fields)[editor.field] == "Bob's words"
    assert bob.post(editor.url, data=again.submission()).status_code == 303
    with app.app_context():
        assert editor.read() == "Bob's words"


@pytest.mark.parametrize("kind", ["product", "variant", "article", "page", "author"])
def test_a_save_without_a_revision_is_refused(app, kind):
    editor = _editors(app)[kind]
    client = owner_client(app)
    data = _with(_open(client, editor.url), editor.field, "Changed")
    del data["revision"]
    assert client.post(editor.url, data=data).status_code == 409
    with app.app_context():
        assert editor.read() != "Changed"


def test_a_sale_does_not_make_a_price_edit_stale(app):
    editor = _editors(app)["variant"]
    client = owner_client(app)
    form = _open(client, editor.url)
    with app.app_context():   # a customer's checkout reserves a jar meanwhile
        variant = db.session.scalar(select(Variant).where(Variant.label == "50 ml"))
        variant.reserved += 1
        db.session.commit()
    assert client.post(editor.url, data=_with(form, "price", "25.00")).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Variant.price_cents)
                                 .where(Variant.label == "50 ml")) == 2500


def test_claiming_a_revision_is_atomic(app):
    with app.app_context():
        product = make_product()
        product.claim_revision(db.session, 1)
        db.session.commit()
        assert product.revision == 2
        with pytest.raises(StaleRevision):
            product.claim_revision(db.session, 1)
        db.session.rollback()
        assert db.session.get(Product, product.id).revision == 2
