"""The cart: plain forms, prices from the database, clear messages, abuse."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.cart.cart import LIMIT_MESSAGE, MAX_QUANTITY
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import Order, Product
from tests.conftest import make_product


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def cream(app, session):
    return make_product(variants=[("RW-50", "50 ml", 2400, 5), ("RW-100", "100 ml", 3900, 3)])


def _add(client, variant_id, quantity="1", **extra):
    return client.post("/cart/add", data={"variant_id": variant_id, "quantity": quantity,
                                          **extra})


def _cart(client) -> str:
    return client.get("/cart").get_data(as_text=True)


def test_add_shows_lines_from_db_prices(client, cream):
    small, large = cream.variants
    response = _add(client, small.id, "2", price_cents="1", unit_price="0", price="0.01")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    _add(client, large.id)
    page = _cart(client)
    assert "50 ml" in page and "100 ml" in page
    assert "$24.00" in page and "$48.00" in page and "$39.00" in page
    assert "$87.00" in page  # subtotal
    assert 'action="/checkout"' in page or "checkout" in page


def test_add_redirects_to_safe_next_only(client, cream):
    vid = cream.variants[0].id
    assert _add(client, vid, next="/blog/x").headers["Location"].endswith("/blog/x")
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert _add(client, vid, next=bad).headers["Location"].endswith("/cart")


def test_badge_counts_from_cookie(client, cream):
    _add(client, cream.variants[0].id, "2")
    _add(client, cream.variants[1].id, "1")
    assert client.get("/cart.json").get_json()["count"] == 3
    assert client.get_cookie("cart_count", domain="shop.test").value == "3"


@pytest.mark.parametrize("bad", ["0", "-1", str(10**9), "abc", "1.5", ""])
def test_bad_quantities_on_update_keep_the_cart(client, cream, bad):
    small, large = cream.variants
    _add(client, small.id, "2")
    _add(client, large.id, "1")
    response = client.post("/cart/update", data={"variant_id": small.id, "quantity": bad})
    assert response.status_code == 303
    page = _cart(client)
    assert 'class="line-problem"' in page
    assert 'value="2"' in page and "$48.00" in page and "$39.00" in page


def test_a_huge_quantity_is_refused_without_echoing_it(client, cream):
    """Line notes live in the cookie: a message repeating 3,000 typed digits would overflow it."""
    small, _ = cream.variants
    _add(client, small.id, "2")
    client.post("/cart/update", data={"variant_id": small.id, "quantity": "9" * 3000})
    page = _cart(client)
    assert "We take up to 99 jars per size online" in page
    assert "9" * 50 not in page and 'value="2"' in page


@pytest.mark.parametrize("form", ["card", "cart"])
def test_one_quantity_limit_everywhere_with_one_message(client, session, form):
    """Cards, product pages and the cart share one limit and say the same thing about it."""
    product = make_product("bulk-cream", variants=[("BULK-50", "50 ml", 2400, 500)])
    small = product.variants[0]
    product_page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert f'max="{MAX_QUANTITY}"' in product_page and 'max="999"' not in product_page
    _add(client, small.id, "60")
    if form == "card":
        client.post("/cart/add", data={"variant_id": small.id, "quantity": "60"})
    else:
        client.post("/cart/update", data={"variant_id": small.id, "quantity": "100"})
    page = _cart(client)
    assert LIMIT_MESSAGE in page and 'value="60"' in page
    assert f'max="{MAX_QUANTITY}"' in page


@pytest.mark.parametrize("bad", ["0", "-1", str(10**9), "abc"])
def test_bad_quantities_on_add_are_refused(client, cream, bad):
    response = _add(client, cream.variants[0].id, bad)
    assert response.status_code == 303
    page = _cart(client)
    assert "Your cart is empty" in page
    assert 'class="flash flash-error"' in page


@pytest.mark.parametrize("bad", [str(10**30), str(2**31), "-1", "0", "", "abc"])
def test_add_with_an_impossible_variant_id_is_refused_plainly(client, cream, bad):
    """An id past the INTEGER column reached the database and overflowed there (a 500)."""
    response = _add(client, bad)
    assert response.status_code == 303
    assert "not available" in _cart(client)
    assert client.post("/cart/update", data={"variant_id": bad, "quantity": "1"}).status_code \
        == 303
    assert client.post("/cart/remove", data={"variant_id": bad}).status_code == 303


def test_more_than_available_says_only_n_left(client, cream):
    small = cream.variants[0]
    _add(client, small.id, "2")
    client.post("/cart/update", data={"variant_id": small.id, "quantity": "6"})
    page = _cart(client)
    assert "Only 5 left" in page and 'value="2"' in page
    _add(client, small.id, "4")
    assert "Only 5 of" in _cart(client)


def test_update_and_remove(client, cream):
    small, large = cream.variants
    _add(client, small.id)
    _add(client, large.id)
    client.post("/cart/update", data={"variant_id": small.id, "quantity": "3"})
    assert "$72.00" in _cart(client)
    client.post("/cart/remove", data={"variant_id": large.id})
    page = _cart(client)
    assert "100 ml" not in page and "$72.00" in page


def test_unpublished_or_sold_out_lines_are_flagged_and_checkout_refuses(client, cream, session):
    small, large = cream.variants
    _add(client, small.id)
    _add(client, large.id, "2")
    begin_write(session)
    session.get(Product, cream.id).active = False
    session.commit()
    page = _cart(client)
    assert page.count("no longer sold") == 2  # flagged beside each line, not dropped
    response = client.post("/checkout")
    assert response.headers["Location"].endswith("/cart")
    assert "highlighted line" in _cart(client)
    assert db.session.scalar(select(Order)) is None


def test_sold_out_since_added_is_flagged(client, cream, session):
    small = cream.variants[0]
    _add(client, small.id, "2")
    from storefront.inventory import reserve_stock

    begin_write(session)
    reserve_stock(session, [(small.id, 5)])
    session.commit()
    assert "Sold out since you added it" in _cart(client)
    client.post("/checkout")
    assert db.session.scalar(select(Order)) is None


def test_cart_cookie_is_permanent_and_remembers_the_article(client, cream):
    response = _add(client, cream.variants[0].id, from_post="magnesium-for-back-pain")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Expires=" in cookie
    with client.session_transaction() as cookie_session:
        assert cookie_session["cart"]["last"][0] == "magnesium-for-back-pain"
        assert cookie_session.permanent


def test_empty_cart_checkout_says_so(client, cream):
    assert client.post("/checkout").headers["Location"].endswith("/cart")
    assert "Your cart is empty" in _cart(client)


