"""Products, sizes, images and articles in the admin (owners only)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.admin.money import MoneyError, parse_cents
from storefront.extensions import db
from storefront.models import AuditLog, Post, Product, ProductImage, Variant
from tests.conftest import make_product
from tests.test_admin_support import owner_client


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False}


@pytest.mark.parametrize("text,cents", [("24.00", 2400), ("24", 2400), ("24.5", 2450),
                                        ("0.99", 99), ("1,024.10", 102410), ("$5", 500)])
def test_prices_parse_to_cents(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["abc", "-1", "24.555", "", "1e3", "NaN", "24.", ".5x"])
def test_bad_prices_are_refused(text):
    with pytest.raises(MoneyError):
        parse_cents(text)


def _product(app, slug):
    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.slug == slug))
        return {"id": product.id, "active": product.active, "slug": product.slug,
                "variants": [(v.sku, v.price_cents, v.on_hand) for v in product.variants]}


def test_create_product_with_slug_from_name_and_sizes_starting_empty(app):
    client = owner_client(app)
    response = client.post("/admin/products/new", data={"name": "Royal Warrior+ Cream",
                                                         "tagline": "Magnesium"})
    assert response.status_code == 303
    product = _product(app, "royal-warrior-cream")
    assert product["active"] is False
    pid = product["id"]
    bad = client.post(f"/admin/products/{pid}/variants", data={
        "sku": "RW-50", "label": "50 ml", "price": "24.555", "low_stock_threshold": "3"})
    assert bad.status_code == 422 and "at most two decimals" in bad.get_data(as_text=True)
    ok = client.post(f"/admin/products/{pid}/variants", data={
        "sku": "RW-50", "label": "50 ml", "price": "24.5", "low_stock_threshold": "3",
        "on_hand": "99"})
    assert ok.status_code == 303
    assert _product(app, "royal-warrior-cream")["variants"] == [("RW-50", 2450, 0)]
    dup = client.post(f"/admin/products/{pid}/variants", data={
        "sku": "rw-50", "label": "x", "price": "1", "low_stock_threshold": "3"})
    assert dup.status_code == 422 and "already has this SKU" in dup.get_data(as_text=True)
    again = client.post("/admin/products/new", data={"name": "Royal Warrior+ Cream"})
    assert again.status_code == 303
    assert _product(app, "royal-warrior-cream-2")["active"] is False


def test_slug_is_validated_and_frozen_once_published(app):
    client = owner_client(app)
    bad = client.post("/admin/products/new", data={"name": "X", "slug": "Bad Slug"})
    assert bad.status_code == 422 and "lowercase" in bad.get_data(as_text=True)
    client.post("/admin/products/new", data={"name": "Cream", "slug": "cream"})
    pid = _product(app, "cream")["id"]
    assert client.post(f"/admin/products/{pid}", data={"name": "Cream", "slug": "new-cream",
                                                       "revision": "1"}).status_code == 303
    assert _product(app, "new-cream")["id"] == pid
    nothing = client.post(f"/admin/products/{pid}/publish", data={"action": "publish"})
    assert nothing.status_code == 303 and _product(app, "new-cream")["active"] is False
    client.post(f"/admin/products/{pid}/variants", data={
        "sku": "C-1", "label": "50 ml", "price": "10", "low_stock_threshold": "1"})
    client.post(f"/admin/products/{pid}/publish", data={"action": "publish"})
    assert _product(app, "new-cream")["active"] is True
    frozen = client.post(f"/admin/products/{pid}", data={"name": "Cream", "slug": "other",
                                                         "revision": "2"})
    assert frozen.status_code == 422 and "keeps its slug" in frozen.get_data(as_text=True)
    client.post(f"/admin/products/{pid}/publish", data={"action": "unpublish"})
    assert _product(app, "new-cream")["active"] is False
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-4:] == ["product.update", "variant.create", "product.publish",
                            "product.unpublish"]
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "product.publish" in audit and "owner@example.com" in audit


def test_edit_variant_price_never_stock(app):
    with app.app_context():
        variant_id = make_product().variants[0].id
    client = owner_client(app)
    assert client.get(f"/admin/variants/{variant_id}").status_code == 200
    response = client.post(f"/admin/variants/{variant_id}", data={
        "sku": "RW-50", "label": "50 ml jar", "price": "26", "low_stock_threshold": "4",
        "on_hand": "500", "revision": "1"})
    assert response.status_code == 303
    with app.app_context():
        variant = db.session.get(Variant, variant_id)
        assert (variant.price_cents, variant.label, variant.on_hand) == (2600, "50 ml jar", 10)


def _image_bytes(fmt="PNG", size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 110)).save(out, fmt)
    return out.getvalue()


def test_image_upload_converts_and_refuses_non_images(app, tmp_path):
    with app.app_context():
        pid = make_product().id
    client = owner_client(app)
    ok = client.post(f"/admin/products/{pid}/images", data={
        "image": (io.BytesIO(_image_bytes()), "jar.png"), "alt": "A jar"},
        content_type="multipart/form-data")
    assert ok.status_code == 303
    with app.app_context():
        image = db.session.scalar(select(ProductImage))
        assert image.alt == "A jar" and image.widths.startswith("320")
        key = image.key
    files = sorted(p.name for p in (tmp_path / "media" / "products").iterdir())
    assert files == [f"{key}-320.webp", f"{key}-640.webp"]
    fake = client.post(f"/admin/products/{pid}/images", data={
        "image": (io.BytesIO(b"just some text, honest"), "photo.jpg"), "alt": "x"},
        content_type="multipart/form-data")
    assert fake.status_code == 422
    assert "not a JPEG, PNG or WebP" in fake.get_data(as_text=True)
    big = client.post(f"/admin/products/{pid}/images", data={
        "image": (io.BytesIO(b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10)), "big.png"),
        "alt": "x"}, content_type="multipart/form-data")
    assert big.status_code == 422 and "larger than 5 MB" in big.get_data(as_text=True)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    refused = client.post(f"/admin/products/{pid}/images", data={
        "image": (io.BytesIO(gif.getvalue()), "a.gif"), "alt": "x"},
        content_type="multipart/form-data")
    assert refused.status_code == 422 and "use JPEG, PNG or WebP" in refused.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ProductImage)) == 1


# -- articles ----------------------------------------------------------------------------------


def _post(app, **where):
    with app.app_context():
        post = db.session.scalar(select(Post).filter_by(**where))
        return post and {"id": post.id, "slug": post.slug, "published_at": post.published_at,
                         "tags": [t.slug for t in post.tags], "refs": [
                             (r.position, r.citation, r.url) for r in post.references],
                         "products": [p.slug for p in post.products],
                         "reviewed_by": post.reviewed_by}


def test_article_create_tags_references_embeds_preview_publish(app):
    with app.app_context():
        make_product()
    client = owner_client(app)
    page = client.get("/admin/posts/new").get_data(as_text=True)
    assert "[[product:royal-warrior-cream]]" in page  # the picker lists shortcodes to copy
    body = ("Magnesium matters.[^1]\n\n[[product:royal-warrior-cream]]\n\n"
            "[[product:no-such-cream]]\n")
    response = client.post("/admin/posts/new", data={
        "title": "Magnesium and sleep", "summary": "What we know", "body": body,
        "author": "Ada", "reviewed_by": "Dr. B", "is_health": "y",
        "tags": "Magnesium, sleep, magnesium",
        "references": "Smith J. Magnesium. J Sleep 2020 | https://doi.org/10.1/x\n\nA book\n"})
    assert response.status_code == 303
    post = _post(app, slug="magnesium-and-sleep")
    assert post["published_at"] is None
    assert post["tags"] == ["magnesium", "sleep"]
    assert post["refs"] == [(1, "Smith J. Magnesium. J Sleep 2020", "https://doi.org/10.1/x"),
                            (2, "A book", "")]
    assert post["products"] == ["royal-warrior-cream"]
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no-such-cream" in edit and "do not exist" in edit

    preview = client.get(f"/admin/posts/{post['id']}/preview")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Magnesium and sleep" in html and "site.css" in html  # the public template
    assert "Royal Warrior+ Cream" in html  # the live product card
    assert client.get("/blog/magnesium-and-sleep").status_code == 404  # still a draft

    warn = client.post(f"/admin/posts/{post['id']}/publish", data={"action": "now"})
    assert warn.status_code == 409 and "Publish anyway" in warn.get_data(as_text=True)
    assert _post(app, slug="magnesium-and-sleep")["published_at"] is None
    done = client.post(f"/admin/posts/{post['id']}/publish", data={"action": "now",
                                                                   "confirm": "1"})
    assert done.status_code == 303
    assert client.get("/blog/magnesium-and-sleep").status_code == 200
    client.post(f"/admin/posts/{post['id']}/publish", data={"action": "unpublish"})
    assert client.get("/blog/magnesium-and-sleep").status_code == 404


def test_product_picker_inserts_the_shortcode_without_saving(app):
    with app.app_context():
        make_product()
    client = owner_client(app)
    response = client.post("/admin/posts/new", data={
        "title": "Draft in progress", "body": "First paragraph.", "author": "Ada",
        "insert": "1", "insert_product": "royal-warrior-cream"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "First paragraph.\n\n[[product:royal-warrior-cream]]" in html  # in the textarea
    assert 'value="Draft in progress"' in html and 'value="Ada"' in html  # input kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 0  # nothing saved
    unknown = client.post("/admin/posts/new", data={
        "title": "X", "body": "Text.", "insert": "1", "insert_product": "no-such"})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and "[[product:no-such]]" not in html
    assert '<p class="field-error" id="insert_product-error">No product has this slug' in html
    assert 'value="X"' in html  # the article typed so far comes back


def test_a_catalogue_too_big_to_list_is_picked_by_typing_a_slug_or_name(app, monkeypatch):
    from storefront.admin import posts

    monkeypatch.setattr(posts, "PICKER_LIST_MAX", 1)
    with app.app_context():
        make_product()
        make_product("old-balm", "Old Balm", variants=[("OB-1", "30 ml", 1500, 3)])
    client = owner_client(app)
    editor = client.get("/admin/posts/new").get_data(as_text=True)
    assert '<input id="insert_product" name="insert_product" type="text"' in editor
    assert "<option value=" not in editor.split('id="insert_product"')[1].split("</fieldset>")[0]
    for typed in ("Old Balm", "old-balm", " OLD-BALM "):
        response = client.post("/admin/posts/new", data={
            "title": "Balms", "body": "Intro.", "insert": "1", "insert_product": typed})
        assert response.status_code == 200
        assert "Intro.\n\n[[product:old-balm]]" in response.get_data(as_text=True)
    wrong = client.post("/admin/posts/new", data={
        "title": "Balms", "body": "Intro.", "insert": "1", "insert_product": "old balm"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'value="old balm"' in html
    assert 'aria-describedby="insert_product-hint insert_product-error"' in html


def test_article_scheduled_for_later_is_not_public_yet(app):
    client = owner_client(app)
    client.post("/admin/posts/new", data={"title": "Later", "body": "Soon."})
    post = _post(app, slug="later")
    response = client.post(f"/admin/posts/{post['id']}/publish", data={
        "action": "schedule", "publish_at": "2099-01-01T09:30"})
    assert response.status_code == 303
    assert _post(app, slug="later")["published_at"].year == 2099
    assert client.get("/blog/later").status_code == 404
    assert "Scheduled" in client.get("/admin/posts").get_data(as_text=True)


def test_bad_reference_line_is_refused(app):
    client = owner_client(app)
    response = client.post("/admin/posts/new", data={
        "title": "T", "references": "Good | https://a.example\n | https://b.example"})
    assert response.status_code == 422 and "Line 2" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": False,
                                         "SHOP_TIMEZONE": "America/New_York"}])
def test_schedules_are_typed_and_shown_on_the_shop_clock(app):
    client = owner_client(app)
    client.post("/admin/posts/new", data={"title": "Winter", "body": "Soon."})
    post = _post(app, slug="winter")
    response = client.post(f"/admin/posts/{post['id']}/publish", data={
        "action": "schedule", "publish_at": "2099-01-01T09:30"})
    assert "scheduled for 2099-01-01 09:30 (America/New_York)" in client.get(
        response.location).get_data(as_text=True)
    stored = _post(app, slug="winter")["published_at"]
    assert (stored.hour, stored.minute, stored.utcoffset().total_seconds()) == (14, 30, 0)
    editor = client.get(f"/admin/posts/{post['id']}").get_data(as_text=True)
    assert "Publish at (America/New_York time)" in editor
    assert 'value="2099-01-01T09:30"' in editor
    listing = client.get("/admin/posts").get_data(as_text=True)
    assert "Published (America/New_York time)" in listing and "2099-01-01 09:30" in listing


def test_the_safety_note_is_edited_and_shows_on_article_cards_at_once(app):
    from tests.conftest import make_post

    with app.app_context():
        pid = make_product(description="A cream.\n\n## Safety\n\nPatch test first.").id
        slug = make_post(body="Read on.\n\n[[product:royal-warrior-cream]]\n").slug
    client = owner_client(app)
    assert "Safety:" not in client.get(f"/blog/{slug}").get_data(as_text=True)
    note = "Contains 5% DMSO, which is not FDA-approved for use on the skin."
    long = client.post(f"/admin/products/{pid}", data={
        "name": "Royal Warrior+ Cream", "revision": "1", "safety_note": "x" * 301})
    html = long.get_data(as_text=True)
    assert long.status_code == 422 and "301" not in html and "x" * 301 in html
    assert 'id="safety_note-error"' in html
    saved = client.post(f"/admin/products/{pid}", data={
        "name": "Royal Warrior+ Cream", "revision": "1", "safety_note": f"  {note} "})
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(Product, pid).safety_note == note
        audit = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert (audit.action, audit.before["safety_note"], audit.after["safety_note"]) == (
            "product.update", "", note)
    card = client.get(f"/blog/{slug}").get_data(as_text=True)
    assert f"<strong>Safety:</strong> {note}" in card
    assert "/products/royal-warrior-cream#section-safety" in card
