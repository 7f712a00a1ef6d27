"""What readers, regulators and Stripe see: condition articles, reviews, authors, corrections,
the editorial-process page, and the admin's findings."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.demo.loader import load_demo
from storefront.extensions import db
from storefront.models import Author, Post, utcnow
from tests.conftest import make_post, make_product
from tests.test_admin_support import owner_client


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(db.session)
        db.session.commit()


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html,
                                re.S).group(1))


def test_back_pain_article_shows_no_price_and_no_add_to_cart(app, demo):
    html = app.test_client().get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert "Add to cart" not in html and "add-to-cart" not in html
    assert "$" not in html and "24.00" not in html
    assert 'class="product-mention"' in html
    assert 'Royal Warrior makes <a href="/products/royal-warrior-cream">Royal Warrior+ Cream</a>' \
        in html


def test_other_articles_keep_the_buy_card_with_a_dmso_safety_line(app, demo):
    html = app.test_client().get("/blog/how-to-get-more-magnesium").get_data(as_text=True)
    assert "Add to cart" in html
    assert 'class="safety-note"' in html and "not FDA-approved for use on the skin" in html
    assert 'href="/products/royal-warrior-cream#section-safety"' in html
    product = app.test_client().get("/products/royal-warrior-cream").get_data(as_text=True)
    assert '<h2 id="section-safety">Safety</h2>' in product
    assert "not approved by the US Food and Drug Administration (FDA) for use on the skin" \
        in product
    assert "10% by weight, pharmaceutical grade" in product


def test_condition_flag_turns_any_embed_into_a_plain_link(app, session):
    make_product()
    make_post(is_condition=True)
    html = app.test_client().get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert "Add to cart" not in html and "product-mention" in html


def test_review_date_reviewer_and_typed_author_in_page_and_json_ld(app, demo):
    html = app.test_client().get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    with app.app_context():
        post = db.session.scalar(select(Post).filter_by(slug="magnesium-for-back-pain"))
        reviewed = post.reviewed_at
    assert f"Last reviewed on <time datetime=\"{reviewed.date().isoformat()}\">" in html
    data = _json_ld(html)
    assert data["lastReviewed"] == reviewed.date().isoformat()
    assert data["reviewedBy"]["@type"] == "Organization"
    assert data["author"] == {"@type": "Organization", "name": "Royal Warrior editorial team",
                              "url": "http://shop.test/"}
    assert 'href="/pages/editorial-process"' in html  # health articles link the process


def test_a_person_author_has_a_page_listing_their_articles(app, session):
    make_product()
    session.add(Author(slug="ada-lovelace", name="Ada Lovelace", kind="person", bio="Writes."))
    make_post(author="Ada Lovelace")
    make_post("other", "Someone else's", author="Bob")
    html = app.test_client().get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert _json_ld(html)["author"] == {"@type": "Person", "name": "Ada Lovelace",
                                        "url": "http://shop.test/blog/authors/ada-lovelace"}
    assert 'href="/blog/authors/ada-lovelace"' in html
    page = app.test_client().get("/blog/authors/ada-lovelace")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Magnesium for back pain" in text and "Someone else" not in text
    assert app.test_client().get("/blog/authors/nobody").status_code == 404
    assert app.test_client().get("/blog/authors/ada-lovelace?page=9").status_code == 404


def test_editorial_process_page_in_footer_and_sitemap(app, demo):
    client = app.test_client()
    page = client.get("/pages/editorial-process")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for phrase in ("Who writes and who reviews", "Human studies first",
                   "Systematic reviews over single trials", "How corrections are made",
                   "We sell Royal Warrior+ cream"):
        assert phrase in html
    assert 'href="/pages/editorial-process"' in client.get("/").get_data(as_text=True)
    assert "http://shop.test/pages/editorial-process" in client.get(
        "/sitemap-pages-1.xml").get_data(as_text=True)
    assert client.get("/pages/nope").status_code == 404


def test_page_bodies_go_through_the_sanitiser(app, session):
    from storefront.models import Page

    session.add(Page(slug="about", title="About", body="Hi <script>alert(1)</script> there"))
    session.commit()
    html = app.test_client().get("/pages/about").get_data(as_text=True)
    assert "<script>alert" not in html and "Hi" in html


def test_editing_a_published_article_adds_a_dated_correction_and_moves_date_modified(app, demo):
    with app.app_context():
        post = db.session.scalar(select(Post).filter_by(slug="magnesium-for-back-pain"))
        post_id, published = post.id, post.published_at
    client = owner_client(app)
    before = client.get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert "Corrections and updates" not in before
    assert _json_ld(before)["dateModified"] == published.isoformat()

    form = client.get(f"/admin/posts/{post_id}").get_data(as_text=True)
    assert "FDA treats as an unapproved drug claim" in form  # the editor says why
    data = _form_data(form)
    data["body"] = data["body"].replace("from 7.5 to 4.7", "from 7.5 to 4.7 (out of 10)")
    data["change_note"] = "Clarified the pain scale."
    assert client.post(f"/admin/posts/{post_id}", data=data).status_code == 303

    after = client.get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert "Corrections and updates" in after and "Clarified the pain scale." in after
    today = utcnow().date().isoformat()
    assert f'<time datetime="{today}">' in after
    assert _json_ld(after)["dateModified"] > published.isoformat()

    data.pop("change_note")  # a tag-only edit is not a correction
    data["tags"] = data["tags"] + ", extra"
    client.post(f"/admin/posts/{post_id}", data=data)
    with app.app_context():
        assert len(db.session.scalar(select(Post).filter_by(id=post_id)).corrections) == 1


def test_admin_shows_findings_on_the_edit_page_and_in_a_list(app, session):
    make_product()
    post = make_post(body="Claim.[^3] This cream cures everything.\n",
                     reviewed_at=utcnow() - timedelta(days=500), reviewed_by="X")
    client = owner_client(app)
    edit = client.get(f"/admin/posts/{post.id}").get_data(as_text=True)
    assert "Content check" in edit
    assert "footnote [^3] has no reference" in edit and "absolute claim &#39;cures&#39;" in edit
    assert "more than 12 months ago" in edit
    listing = client.get("/admin/content-checks")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert f'href="/admin/posts/{post.id}"' in text and "health article with no references" in text


def _form_data(html: str) -> dict:
    """The edit form's current values, as a browser would submit them."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.setdefault(name, value)
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', html):
        data[name] = "y"
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html,
                                 re.S):
        data[name] = _unescape(text)
    data = {k: _unescape(v) for k, v in data.items() if k not in ("csrf_token", "publish_at")}
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)
