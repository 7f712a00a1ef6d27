"""Bad input answers a clear 4xx (or the form again, with a message beside the field), never a
500, and changes nothing. Each test is one case a fuzzer found answering 5xx."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.limits import MAX_ORDER_CENTS, MAX_PRICE_CENTS
from storefront.models import Order, ProductImage, StockMovement, Variant
from storefront.orders import CheckoutRefused, place_order
from tests.conftest import make_product
from tests.test_admin_support import owner_client, staff_client


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def cream(app) -> dict:
    with app.app_context():
        product = make_product(variants=[("RW-50", "50 ml", 2400, 10)])
        return {"product": product.id, "variant": product.variants[0].id}


def _variant(app, variant_id: int) -> tuple:
    with app.app_context():
        v = db.session.get(Variant, variant_id)
        return v.sku, v.price_cents, v.low_stock_threshold, v.position, v.on_hand


# 1. A newline in ?next= reached the Location header.

@pytest.mark.parametrize("target", ["/cart\n", "/cart\r", "/cart\r\nSet-Cookie: x=1"])
def test_a_newline_in_next_is_no_redirect_target(client, cream, target):
    response = client.post("/cart/add", data={"variant_id": cream["variant"], "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/cart"


# 2. A file name longer than the file system allows.

def test_an_overlong_media_name_is_not_found(client):
    assert client.get("/media/" + "a" * 300).status_code == 404
    assert client.get("/media/products/" + "a" * 5000 + ".webp").status_code == 404


# 3. WTForms' NumberRange turns a 400-digit number into a float (OverflowError).

def test_a_400_digit_expected_count_is_refused_beside_the_field(app, cream):
    client = staff_client(app)
    response = client.post(f"/admin/inventory/{cream['variant']}/adjust", data={
        "mode": "delta", "amount": "1", "reason": "restock", "expected_on_hand": "9" * 400})
    assert response.status_code == 422
    assert "reload the page" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 0


# 4. Integers the databases cannot store, and sums that overflow.

@pytest.mark.parametrize("field,value,message", [
    ("price", "99999999999999999999", "at most"),
    ("price", "92233720368547758.07", "at most"),
    ("price", "1000000", "at most"),
    ("low_stock_threshold", str(2**63), "between 0 and"),
    ("low_stock_threshold", "9" * 400, "between 0 and"),
    ("low_stock_threshold", "-1", "between 0 and"),
    ("position", str(2**63), "between 0 and"),
    ("position", str(2**31), "between 0 and"),
])
def test_numbers_too_large_to_store_are_refused_beside_the_field(app, cream, field, value,
                                                                message):
    client = owner_client(app)
    data = {"sku": "RW-NEW", "label": "200 ml", "price": "24.00", "low_stock_threshold": "3",
            "position": "1", field: value}
    created = client.post(f"/admin/products/{cream['product']}/variants", data=data)
    assert created.status_code == 422
    if field != "position":  # the new-size form has no position box to show it beside
        assert message in created.get_data(as_text=True)
    data["sku"] = "RW-50"
    edited = client.post(f"/admin/variants/{cream['variant']}", data=data)
    assert edited.status_code == 422 and message in edited.get_data(as_text=True)
    assert _variant(app, cream["variant"]) == ("RW-50", 2400, 2, 0, 10)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Variant)) == 1


def test_the_largest_price_is_stored_on_both_databases(app, cream):
    client = owner_client(app)
    response = client.post(f"/admin/variants/{cream['variant']}", data={
        "sku": "RW-50", "label": "50 ml", "price": "999,999.99", "low_stock_threshold": "0",
        "position": "9999", "revision": "1"})
    assert response.status_code == 303
    assert _variant(app, cream["variant"]) == ("RW-50", MAX_PRICE_CENTS, 0, 9999, 10)


def test_an_order_over_the_largest_total_is_refused_at_checkout(app, client):
    with app.app_context():
        product = make_product(variants=[("RW-BIG", "vat", 2400, 10)])
        variant_id = product.variants[0].id
    client.post("/cart/add", data={"variant_id": variant_id, "quantity": "2"})
    with app.app_context():  # the price went up while the jars sat in the cart
        db.session.get(Variant, variant_id).price_cents = MAX_PRICE_CENTS
        db.session.commit()
        with pytest.raises(CheckoutRefused, match="at most"):
            place_order(db.session, {variant_id: 2})
        db.session.rollback()
    response = client.post("/checkout")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert "at most $999,999.99" in client.get("/cart").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
        assert db.session.get(Variant, variant_id).reserved == 0


def test_adding_to_the_cart_past_the_largest_total_is_refused(app, client):
    with app.app_context():
        product = make_product(variants=[("RW-BIG", "vat", MAX_ORDER_CENTS // 2 + 1, 10)])
        variant_id = product.variants[0].id
    client.post("/cart/add", data={"variant_id": variant_id})
    client.post("/cart/add", data={"variant_id": variant_id})
    assert "at most $999,999.99" in client.get("/cart").get_data(as_text=True)
    client.post("/cart/update", data={"variant_id": variant_id, "quantity": "3"})
    assert "at most $999,999.99" in client.get("/cart").get_data(as_text=True)
    assert client.get("/cart.json").get_json()["count"] == 1


@pytest.mark.parametrize("amount", ["9" * 400, "92233720368547758.07", "1000000"])
def test_a_refund_larger_than_any_order_is_refused(amount):
    from storefront.admin.money import MoneyError, parse_cents

    with pytest.raises(MoneyError, match="at most"):
        parse_cents(amount)


def test_stock_cannot_grow_past_what_the_database_stores(app, cream):
    client = staff_client(app)
    url = f"/admin/inventory/{cream['variant']}/adjust"
    response = client.post(url, data={"mode": "set", "amount": "9999999", "reason": "restock",
                                      "expected_on_hand": "10"})
    assert response.status_code == 303
    response = client.post(url, data={"mode": "delta", "amount": "1", "reason": "restock",
                                      "expected_on_hand": "9999999"})
    assert response.status_code == 422
    assert "at most 9999999" in response.get_data(as_text=True)
    assert _variant(app, cream["variant"])[4] == 9999999


# 5, 6. Images that decode badly or cannot be re-encoded.

def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _png(*chunks: bytes, width: int = 4, height: int = 4) -> bytes:
    """A valid RGB PNG with ``chunks`` placed before its image data."""
    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + b"".join(chunks) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b""))


TOO_MUCH_TEXT = zlib.compress(b"a" * (PngImagePlugin.MAX_TEXT_CHUNK + 1), 9)


@pytest.mark.parametrize("name,data,message", [
    ("tall", _png(width=1, height=20000), "at most 16383"),
    ("wide", _png(width=20000, height=1), "at most 16383"),
    ("ztxt", _png(_chunk(b"zTXt", b"Comment\x00\x00" + TOO_MUCH_TEXT)), "not a JPEG"),
    ("iccp", _png(_chunk(b"iCCP", b"icc\x00\x00" + TOO_MUCH_TEXT)), "not a JPEG"),
    ("gama", _png(_chunk(b"gAMA", b"\x00\x01")), "not a JPEG"),
    ("exif", _png(_chunk(b"eXIf", b"XXXX\x00\x00\x00\x08")), "not a JPEG"),
])
def test_hostile_images_are_refused_beside_the_field(app, cream, name, data, message):
    client = owner_client(app)
    response = client.post(f"/admin/products/{cream['product']}/images", data={
        "image": (io.BytesIO(data), f"{name}.png"), "alt": "A jar"},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'id="image-error"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProductImage)) == 0


@pytest.mark.parametrize("width,height", [(16383, 1), (1, 16383)])
def test_the_thinnest_strips_within_limits_are_kept(app, cream, width, height):
    client = owner_client(app)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    buffer.seek(0)
    response = client.post(f"/admin/products/{cream['product']}/images", data={
        "image": (buffer, "strip.png"), "alt": "A strip"}, content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        image = db.session.scalar(select(ProductImage))
        assert (image.width, image.height) == (width, height)
        for rendition_width in image.width_list:
            with Image.open(f"{app.config['MEDIA_ROOT']}/products/{image.key}-"
                            f"{rendition_width}.webp") as rendition:
                assert rendition.width == rendition_width and rendition.height >= 1


# 7. CSV the csv module refuses.

@pytest.mark.parametrize("text,message", [
    ("sku,delta,reason\nRW-50,1,restock\rRW-50,2,restock\n", None),
    ('sku,delta,reason,note\nRW-50,1,restock,"' + "x" * 131_073 + '"\n', "longer than"),
    ("sku,delta,reason,note\nRW-50,1,restock," + "x" * 150_000 + "\n", "longer than"),
])
def test_csv_the_parser_refuses_gets_a_clear_message(app, cream, text, message):
    client = staff_client(app)
    response = client.post("/admin/inventory/import", data={"csv_text": text})
    html = response.get_data(as_text=True)
    if message is None:  # a bare CR ends a line, as old spreadsheets write them
        assert response.status_code == 200
        assert html.count('<td class="num">11</td>') == 2  # line 2: 10 -> 11; line 3 from 11
        assert '<td class="num">13</td>' in html
    else:
        assert response.status_code == 422 and message in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 0


# 8. The last day of the calendar.

@pytest.mark.parametrize("query", ["to=9999-12-31", "from=9999-12-31&to=9999-12-31",
                                   "from=0001-01-01", "to=0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_filter_orders(app, query):
    client = staff_client(app)
    assert client.get(f"/admin/orders?{query}").status_code == 200


# 9. Host names that IDNA cannot encode, with TRUSTED_HOSTS unset.

@pytest.fixture
def any_host_app(database_url, backend, tmp_path):
    """The shop as deployed by default: no SERVER_NAME, no TRUSTED_HOSTS."""
    from storefront.models import Base
    from tests.conftest import make_test_app

    app = make_test_app(database_url, tmp_path, SERVER_NAME="")
    with app.app_context():
        if backend == "sqlite":
            Base.metadata.create_all(db.engine)
        yield app
        db.engine.dispose()


def _get(app, path: str, host: str) -> tuple[int, bytes]:
    """A GET straight through the WSGI app: the test client itself decodes the host (to
    build the URL it stores cookies for), and would raise before the shop is asked."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path).get_environ()
    environ["HTTP_HOST"] = host
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    body = b"".join(app(environ, start_response))
    return answer["status"], body


@pytest.mark.parametrize("host", ["a..b", "xn--zz", "a" * 64 + ".example", "xn--a.xn--b", ".",
                                  "\u00e9\u00e9..x"])
@pytest.mark.parametrize("path", ["/", "/products/", "/admin/login", "/nowhere", "/cart"])
def test_a_host_idna_cannot_encode_is_a_bad_request(any_host_app, host, path):
    status, body = _get(any_host_app, path, host)
    assert status == 400 and b"Host header" in body


@pytest.mark.parametrize("host", ["shop.example", "shop.example:8000", "[::1]:5000",
                                  "127.0.0.1", "xn--bcher-kva.example", "b\u00fccher.example"])
def test_ordinary_hosts_are_served(any_host_app, host):
    assert _get(any_host_app, "/products/", host)[0] == 200


# Found by the form fuzzer (tests/test_fuzz_forms.py).

def _paid_order(app, intent: str) -> int:
    from storefront.models import OrderLine, OrderStatus, utcnow

    with app.app_context():
        product = make_product(variants=[("RW-50", "50 ml", 2400, 10)])
        order = Order(number="RW-PAID0001", token="t" * 20, status=OrderStatus.PAID,
                      email="ada@example.com", currency="usd", subtotal_cents=4800,
                      total_cents=4800, stripe_payment_intent_id=intent, paid_at=utcnow())
        order.lines.append(OrderLine(variant_id=product.variants[0].id, sku="RW-50",
                                     product_name=product.name, variant_label="50 ml",
                                     unit_price_cents=2400, quantity=2))
        db.session.add(order)
        db.session.commit()
        return order.id


def test_a_refund_stripe_refuses_is_shown_beside_the_amount(app):
    order_id = _paid_order(app, "pi_unknown_to_stripe")
    client = owner_client(app)
    response = client.post(f"/admin/orders/{order_id}/refund", data={"amount": "10.00"})
    assert response.status_code == 422
    assert "Stripe refused the refund" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Order, order_id).refunded_cents == 0
