"""The author editor: owners add, fix, rename and delete the people and organizations that
articles name as author or reviewer; articles and public pages follow at once."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from storefront.admin import authors as author_views
from storefront.extensions import db
from storefront.models import AuditLog, Author, Post
from tests.conftest import make_post
from tests.html_forms import form_with_action
from tests.test_admin_support import csrf_token, owner_client, staff_client
from tests.test_query_counts import count_queries

ADA = "Dr. Ada Lovelace, MD"


@pytest.fixture
def shop(app) -> dict:
    """A person who reviews one article and writes another, and an article by someone else."""
    with app.app_context():
        ada = Author(slug="ada-lovelace", name=ADA, kind="person", bio="A physician.")
        db.session.add(ada)
        db.session.commit()
        reviewed = make_post(reviewed_by=ADA)
        written = make_post("magnesium-and-sleep", "Magnesium and sleep", author=ADA,
                            reviewed_by=ADA)
        other = make_post("hemp-seed-oil", "Hemp seed oil", author="Someone else")
        return {"ada": ada.id, "reviewed": reviewed.id, "written": written.id,
                "other": other.id}


def _form(client, page: str, action: str | None = None):
    """The submission a browser would send from the form on ``page`` (CSRF token included)."""
    response = client.get(page)
    assert response.status_code == 200
    return form_with_action(response.get_data(as_text=True), page, action or page).submission()


def _fill(data, values: dict):
    """Type into the form: each value replaces the field's (MultiDict.update would add)."""
    for name, value in values.items():
        data[name] = value


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html,
                                re.S).group(1))


def _audit(app, action: str) -> list[AuditLog]:
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def _authors(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(select(Author.name, Author.slug, Author.kind, Author.bio)
                                  .order_by(Author.id)).all()


def test_an_owner_creates_a_person_with_a_slug_from_the_name(app, shop):
    owner = owner_client(app)
    data = _form(owner, "/admin/authors/new")
    _fill(data, {"name": "  Grace Hopper, PhD  ", "slug": "", "kind": "person",
                 "bio": "A *pharmacologist*."})
    saved = owner.post("/admin/authors/new", data=data)
    assert saved.status_code == 303
    with app.app_context():
        grace = db.session.scalar(select(Author).where(Author.slug == "grace-hopper-phd"))
        assert (grace.name, grace.kind, grace.bio) == ("Grace Hopper, PhD", "person",
                                                       "A *pharmacologist*.")
        assert saved.headers["Location"] == f"/admin/authors/{grace.id}"
    [entry] = _audit(app, "author.create")
    assert entry.target == f"author:{grace.id}" and entry.after["name"] == "Grace Hopper, PhD"
    assert entry.admin_user_id is not None
    page = app.test_client().get("/blog/authors/grace-hopper-phd").get_data(as_text=True)
    assert "<em>pharmacologist</em>" in page
    listing = owner.get("/admin/authors").get_data(as_text=True)
    assert 'href="/blog/authors/grace-hopper-phd"' in listing


def test_the_list_counts_articles_in_a_bounded_number_of_queries(app, shop):
    owner = owner_client(app)
    with count_queries(app) as few:
        listing = owner.get("/admin/authors").get_data(as_text=True)
    row = re.search(rf"{re.escape(ADA)}</a></td>.*?</tr>", listing, re.S).group(0)
    assert "Person" in row and 'href="/blog/authors/ada-lovelace"' in row
    assert '<td class="num">2</td>' in row  # one review, one written and reviewed: counted once
    with app.app_context():
        for n in range(30):
            db.session.add(Author(slug=f"writer-{n}", name=f"Writer {n}", kind="person"))
            make_post(f"essay-{n}", f"Essay {n}", author=f"Writer {n}", reviewed_by=ADA)
        db.session.add(Author(slug="the-team", name="The team", kind="organization"))
        db.session.commit()
    with count_queries(app) as many:
        listing = owner.get("/admin/authors").get_data(as_text=True)
    assert "Writer 29" in listing and "the-team" not in re.findall(r'href="([^"]+)"', listing)
    assert len(many) == len(few), (few, many)


def test_editing_a_bio_shows_at_once_on_the_cached_public_page(app, shop):
    reader = app.test_client()
    public = "/blog/authors/ada-lovelace"
    assert "A physician." in reader.get(public).get_data(as_text=True)
    with count_queries(app) as statements:  # served from the page cache now
        reader.get(public)
    assert not any("author" in statement for statement in statements), statements
    owner = owner_client(app)
    url = f"/admin/authors/{shop['ada']}"
    data = _form(owner, url)
    data["bio"] = "A physician who reviews our **sleep** articles."
    assert owner.post(url, data=data).status_code == 303
    assert "<strong>sleep</strong>" in reader.get(public).get_data(as_text=True)
    [entry] = _audit(app, "author.update")
    assert entry.before["bio_chars"] == len("A physician.")
    assert entry.after["articles_renamed"] == 0


def test_a_rename_follows_onto_every_article_that_named_them(app, shop):
    reader = app.test_client()
    article = "/blog/magnesium-and-sleep"
    before = _json_ld(reader.get(article).get_data(as_text=True))
    assert before["author"]["name"] == ADA and before["reviewedBy"]["@type"] == "Person"
    owner = owner_client(app)
    stale_article = _form(owner, f"/admin/posts/{shop['reviewed']}")  # opened before the rename
    url = f"/admin/authors/{shop['ada']}"
    data = _form(owner, url)
    _fill(data, {"name": "Dr. Ada King, MD", "slug": "ada-king"})
    saved = owner.post(url, data=data, follow_redirects=True)
    assert "renamed on 2 articles" in saved.get_data(as_text=True)

    with app.app_context():
        names = {post.id: (post.author, post.reviewed_by)
                 for post in db.session.scalars(select(Post))}
    assert names[shop["reviewed"]] == ("Editorial team", "Dr. Ada King, MD")
    assert names[shop["written"]] == ("Dr. Ada King, MD", "Dr. Ada King, MD")
    assert names[shop["other"]] == ("Someone else", None)
    after = _json_ld(reader.get(article).get_data(as_text=True))
    for party in (after["author"], after["reviewedBy"]):
        assert party == {"@type": "Person", "name": "Dr. Ada King, MD",
                         "url": "http://shop.test/blog/authors/ada-king"}
    assert reader.get("/blog/authors/ada-lovelace").status_code == 404
    assert "Magnesium and sleep" in reader.get("/blog/authors/ada-king").get_data(as_text=True)
    [entry] = _audit(app, "author.update")
    assert (entry.before["name"], entry.after["name"]) == (ADA, "Dr. Ada King, MD")
    assert entry.after["articles_renamed"] == 2
    # An article editor opened before the rename cannot save the old name back unseen.
    refused = owner.post(f"/admin/posts/{shop['reviewed']}", data=stale_article)
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.get(Post, shop["reviewed"]).reviewed_by == "Dr. Ada King, MD"


@pytest.mark.parametrize("field, value, message", [
    ("name", ADA, "Another author already has this name."),
    ("slug", "ada-lovelace", "Another author already has this address."),
])
def test_a_taken_name_or_slug_comes_back_with_the_error_and_the_input(app, shop, field, value,
                                                                      message):
    owner = owner_client(app)
    with app.app_context():
        db.session.add(Author(slug="grace", name="Grace", kind="person"))
        db.session.commit()
        grace = db.session.scalar(select(Author.id).where(Author.slug == "grace"))
    for url in ("/admin/authors/new", f"/admin/authors/{grace}"):
        data = _form(owner, url)
        _fill(data, {"name": "Grace Brewster", "slug": "grace-brewster",
                     "bio": "Typed bio text."})
        data[field] = value
        refused = owner.post(url, data=data)
        assert refused.status_code == 422, url
        html = refused.get_data(as_text=True)
        assert re.search(rf'<p class="field-error" id="{field}-error">{message}</p>', html)
        assert f'aria-describedby="{field}-error"' in html
        assert "Typed bio text." in html and f'value="{value}"' in html
    assert len(_authors(app)) == 2 and _audit(app, "author.update") == []


def test_a_name_taken_in_a_race_is_the_same_field_error(app, shop, monkeypatch):
    """Another editor commits the name between our check and our commit: the unique
    constraint refuses it, and the editor sees the field error, never a 500."""
    checks = []
    real = author_views._taken

    def late(form, author_id):
        checks.append(author_id)
        return False if len(checks) == 1 else real(form, author_id)

    monkeypatch.setattr(author_views, "_taken", late)
    owner = owner_client(app)
    data = _form(owner, "/admin/authors/new")
    _fill(data, {"name": ADA, "slug": "another-ada"})
    refused = owner.post("/admin/authors/new", data=data)
    assert refused.status_code == 422
    assert "Another author already has this name." in refused.get_data(as_text=True)

    checks.clear()
    with app.app_context():
        db.session.add(Author(slug="grace", name="Grace", kind="person"))
        db.session.commit()
    url = f"/admin/authors/{shop['ada']}"
    data = _form(owner, url)
    data["slug"] = "grace"
    refused = owner.post(url, data=data)
    assert refused.status_code == 422
    assert "Another author already has this address." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Author, shop["ada"]).slug == "ada-lovelace"
    assert _audit(app, "author.create") == [] and _audit(app, "author.update") == []


@pytest.mark.parametrize("field, value, message", [
    ("name", "   ", "This field is required."),
    ("name", "x" * 121, "Field cannot be longer than 120 characters."),
    ("name", "Ada\nLovelace", "One line, without control characters."),
    ("slug", "Not A Slug", "Lowercase letters, digits, hyphens."),
    ("kind", "robot", "Not a valid choice."),
    ("bio", "b" * 5001, "Field cannot be longer than 5000 characters."),
])
def test_bad_input_is_refused_beside_its_field(app, shop, field, value, message):
    owner = owner_client(app)
    before = _authors(app)
    for url in ("/admin/authors/new", f"/admin/authors/{shop['ada']}"):
        data = _form(owner, url)
        _fill(data, {"name": "Grace Brewster", "bio": "Kept bio."})
        data[field] = value
        refused = owner.post(url, data=data)
        assert refused.status_code == 422, url
        html = refused.get_data(as_text=True)
        assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
        if field != "bio":
            assert "Kept bio." in html
    assert _authors(app) == before


def test_delete_is_refused_while_an_article_names_them(app, shop):
    owner = owner_client(app)
    url = f"/admin/authors/{shop['ada']}"
    page = owner.get(url).get_data(as_text=True)
    assert "2 articles name" in page and "/delete" not in page
    token = csrf_token(page)
    refused = owner.post(f"{url}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    assert (f"Not deleted: 2 articles name {ADA} as author or reviewer."
            in refused.get_data(as_text=True))
    with app.app_context():
        for post_id in (shop["reviewed"], shop["written"]):
            post = db.session.get(Post, post_id)
            post.author, post.reviewed_by = "Editorial team", None
        post = db.session.get(Post, shop["written"])
        post.reviewed_by = ADA
        db.session.commit()
    refused = owner.post(f"{url}/delete", data={"csrf_token": token})
    assert refused.status_code == 409 and "1 article names" in refused.get_data(as_text=True)
    assert len(_authors(app)) == 1 and _audit(app, "author.delete") == []

    with app.app_context():
        db.session.get(Post, shop["written"]).reviewed_by = None
        db.session.commit()
    form = _form(owner, url, f"{url}/delete")
    deleted = owner.post(f"{url}/delete", data=form)
    assert deleted.status_code == 303 and deleted.headers["Location"] == "/admin/authors"
    assert _authors(app) == []
    [entry] = _audit(app, "author.delete")
    assert entry.before["name"] == ADA and entry.target == f"author:{shop['ada']}"
    assert app.test_client().get("/blog/authors/ada-lovelace").status_code == 404
    assert owner.get(f"{url}/delete").status_code == 405


def test_without_a_csrf_token_nothing_changes(app, shop):
    owner = owner_client(app)
    before = _authors(app)
    url = f"/admin/authors/{shop['ada']}"
    data = _form(owner, url)
    del data["csrf_token"]
    data["name"] = "Forged"
    with app.app_context():
        db.session.get(Post, shop["written"]).author = "Editorial team"
        db.session.get(Post, shop["written"]).reviewed_by = None
        db.session.get(Post, shop["reviewed"]).reviewed_by = None
        db.session.commit()
    for path in ("/admin/authors/new", url, f"{url}/delete"):
        assert owner.post(path, data=data).status_code == 400, path
    assert _authors(app) == before
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(AuditLog)
                                     .where(AuditLog.action.startswith("author.")))


def test_logged_out_is_sent_to_login_and_nothing_changes(app, shop):
    owner = owner_client(app)
    data = _form(owner, f"/admin/authors/{shop['ada']}")
    data["name"] = "Changed"
    assert owner.post("/admin/logout", data={"csrf_token": data["csrf_token"]}).status_code \
        in (302, 303)
    before = _authors(app)
    anonymous = app.test_client()
    for client in (owner, anonymous):
        listing = client.get("/admin/authors")
        assert listing.status_code == 302 and "/admin/login" in listing.headers["Location"]
        for path in ("/admin/authors/new", f"/admin/authors/{shop['ada']}",
                     f"/admin/authors/{shop['ada']}/delete"):
            response = client.post(path, data=data)
            assert response.status_code in (302, 303), path
            assert "/admin/login" in response.headers["Location"]
    assert _authors(app) == before


def test_authors_are_for_owners_like_articles(app, shop):
    staff = staff_client(app)
    assert "/admin/authors" not in staff.get("/admin/").get_data(as_text=True)
    for path in ("/admin/authors", "/admin/authors/new", f"/admin/authors/{shop['ada']}"):
        assert staff.get(path).status_code == 403, path
    token = csrf_token(staff.get("/admin/").get_data(as_text=True))
    for path in ("/admin/authors/new", f"/admin/authors/{shop['ada']}",
                 f"/admin/authors/{shop['ada']}/delete"):
        response = staff.post(path, data={"csrf_token": token, "name": "Staff", "kind": "person"})
        assert response.status_code == 403, path
    assert len(_authors(app)) == 1
    owner = owner_client(app)
    assert 'href="/admin/authors"' in owner.get("/admin/").get_data(as_text=True)


def test_the_article_editor_suggests_known_author_names(app, shop):
    owner = owner_client(app)
    with app.app_context():
        db.session.add(Author(slug="the-team", name="The <team>", kind="organization"))
        db.session.commit()
    html = owner.get(f"/admin/posts/{shop['reviewed']}").get_data(as_text=True)
    assert html.count('list="author-names"') == 2
    datalist = re.search(r'<datalist id="author-names">(.*?)</datalist>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)">', datalist) == [ADA, "The &lt;team&gt;"]


def test_a_first_author_can_be_an_organization_without_a_public_link(app):
    owner = owner_client(app, "boss@example.com")
    assert "No authors yet." in owner.get("/admin/authors").get_data(as_text=True)
    data = _form(owner, "/admin/authors/new")
    _fill(data, {"name": "Royal Warrior editorial team", "kind": "organization"})
    saved = owner.post("/admin/authors/new", data=data, follow_redirects=True)
    assert saved.status_code == 200 and "Author saved." in saved.get_data(as_text=True)
    listing = owner.get("/admin/authors").get_data(as_text=True)
    assert "royal-warrior-editorial-team" in listing
    assert 'href="/blog/authors/royal-warrior-editorial-team"' not in listing
