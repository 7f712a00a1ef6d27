"""The page cache: reused while nothing changed, fresh after any change, personal parts apart."""

import re

from sqlalchemy import select

from storefront.extensions import db
from storefront.inventory import adjust_stock, reserve_stock
from storefront.models import Post, StockReason, Variant
from tests.conftest import make_post, make_product
from tests.test_query_counts import count_queries

PRODUCT = "/products/royal-warrior-cream"


def _queries(app, client, path):
    with count_queries(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True), statements


def _variant(sku):
    return db.session.scalar(select(Variant).where(Variant.sku == sku))


def test_a_repeat_view_costs_one_query_and_shows_the_same_page(app, client):
    with app.app_context():
        make_product()
    first, _ = _queries(app, client, PRODUCT)
    again, statements = _queries(app, client, PRODUCT)
    assert len(statements) == 1  # only the content version
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert strip.sub("", first) == strip.sub("", again)


def test_stock_changes_show_at_once(app, client):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 1)])
    assert "Only 1 left" in client.get(PRODUCT).get_data(as_text=True)
    with app.app_context():
        reserve_stock(db.session, [(_variant("RW-50").id, 1)])  # a checkout holds the last jar
        db.session.commit()
    assert "Sold out" in client.get(PRODUCT).get_data(as_text=True)
    with app.app_context():
        variant = _variant("RW-50")
        adjust_stock(db.session, variant.id, delta=12, reason=StockReason.RESTOCK)
        db.session.commit()
    assert "In stock" in client.get(PRODUCT).get_data(as_text=True)


def test_article_edits_and_unpublishing_show_at_once(app, client):
    with app.app_context():
        make_product()
        make_post()
    path = "/blog/magnesium-for-back-pain"
    assert "Some text." in client.get(path).get_data(as_text=True)
    with app.app_context():
        post = db.session.scalar(select(Post))
        post.body = "Rewritten.\n\n[[product:royal-warrior-cream]]\n"
        db.session.commit()
    assert "Rewritten." in client.get(path).get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(Post)).published_at = None
        db.session.commit()
    assert client.get(path).status_code == 404


def test_each_visitor_gets_their_own_csrf_token_and_cart_badge(app):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 10)])
        variant_id = _variant("RW-50").id
    buyer, reader = app.test_client(), app.test_client()
    page = buyer.get(PRODUCT).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    buyer.post("/cart/add", data={"variant_id": variant_id, "quantity": 2, "csrf_token": token})
    buyer_page = buyer.get(PRODUCT).get_data(as_text=True)
    reader_page = reader.get(PRODUCT).get_data(as_text=True)
    assert 'aria-label="2 items">2</span>' in buyer_page
    assert 'class="badge"' not in reader_page
    tokens = {re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
              for html in (buyer_page, reader_page)}
    assert len(tokens) == 2 and "__csrf_" not in buyer_page + reader_page


def test_flash_messages_are_never_cached(app, client):
    with app.app_context():
        make_product()
    client.get(PRODUCT)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved for you only.")]
    assert "Saved for you only." in client.get(PRODUCT).get_data(as_text=True)
    assert "Saved for you only." not in app.test_client().get(PRODUCT).get_data(as_text=True)


def test_a_forged_host_header_does_not_reach_other_visitors(app, client):
    """Absolute links (canonical, sitemap, robots) come from the request's host: a page cached
    by path alone served the attacker's host to every visitor until the next change."""
    app.config["SERVER_NAME"] = None  # as in production by default: any Host is answered
    with app.app_context():
        make_product()
    for path in (PRODUCT, "/robots.txt", "/sitemap.xml"):
        forged = app.test_client().get(path, headers={"Host": "evil.example"})
        assert "evil.example" in forged.get_data(as_text=True)
        honest = client.get(path).get_data(as_text=True)
        assert "evil.example" not in honest and "http://localhost/" in honest
