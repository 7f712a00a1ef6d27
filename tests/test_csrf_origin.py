"""Customer POSTs are guarded by where the browser says they come from, not by a token;
admin forms keep their tokens (CSRF protection switched on here, as in production)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Variant
from tests.conftest import make_product

CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.shop.test"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
]
SAME_ORIGIN = [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://shop.test"},
    {"Origin": "http://shop.test"},
    {"Origin": "https://shop.test"},  # TLS ended by a proxy that did not say so
    {},  # a plain HTTP client, or a test, sending neither header
]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def variant_id(app):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5)])
        return db.session.scalar(select(Variant.id))


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_post_changes_nothing(client, variant_id, headers):
    for path, data in (("/cart/add", {"variant_id": variant_id, "quantity": "1"}),
                       ("/cart/update", {"variant_id": variant_id, "quantity": "2"}),
                       ("/cart/remove", {"variant_id": variant_id}),
                       ("/checkout", {})):
        response = client.post(path, data=data, headers=headers)
        assert response.status_code == 403, path
        assert "another site" in response.get_data(as_text=True)
    assert client.get("/cart.json").get_json()["count"] == 0


@pytest.mark.parametrize("headers", SAME_ORIGIN)
def test_a_same_origin_or_plain_form_post_works_without_a_token(client, variant_id, headers):
    response = client.post("/cart/add", data={"variant_id": variant_id, "quantity": "2"},
                           headers=headers)
    assert response.status_code == 303
    client.post("/cart/update", data={"variant_id": variant_id, "quantity": "3"},
                headers=headers)
    assert client.get("/cart.json").get_json() == {"count": 3, "items": {str(variant_id): 3}}
    assert client.post("/checkout", headers=headers).status_code == 303


def test_public_forms_carry_no_token_and_admin_forms_still_need_one(client, variant_id):
    page = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    assert 'action="/cart/add"' in page and "csrf_token" not in page
    assert client.post("/admin/login", data={"email": "a@b.c", "password": "x"}
                       ).status_code == 400
    login = client.get("/admin/login").get_data(as_text=True)
    assert 'name="csrf_token"' in login


def test_an_admin_form_sent_after_the_session_ended_goes_to_login_and_back(app):
    from tests.test_admin_support import make_admin

    with app.app_context():
        make_admin()
        product_id = make_product().id
    editor = f"http://shop.test/admin/products/{product_id}"
    client = app.test_client()           # no session: it ended, or the cookie was lost
    response = client.post(f"/admin/products/{product_id}", data={"name": "Typed"},
                           headers={"Referer": editor})
    assert response.status_code == 303
    assert response.location.endswith(f"/admin/login?next=/admin/products/{product_id}")
    login_page = client.get(response.location).get_data(as_text=True)
    assert "Your session ended, so nothing was saved" in login_page
    elsewhere = client.post(f"/admin/products/{product_id}", data={"name": "Typed"},
                            headers={"Referer": "https://evil.example/admin/x"})
    assert elsewhere.location.endswith("/admin/login")


def test_a_wrong_token_in_a_live_admin_session_is_a_400(app):
    from tests.test_admin_support import owner_client

    with app.app_context():
        product_id = make_product().id
    client = owner_client(app)
    response = client.post(f"/admin/products/{product_id}",
                           data={"name": "Typed", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
