"""The whole purchase through HTTP, and checkout's faults, against the sandbox on loopback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, OrderStatus, StockMovement, Variant
from tests.conftest import deliver_mail, make_post, make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import find_form, path_of, pay_on_hosted_page


@pytest.fixture
def app_config(payment_config):
    return payment_config


def _variant(sku: str) -> Variant:
    db.session.expire_all()
    return db.session.scalar(select(Variant).where(Variant.sku == sku))


def _order() -> Order:
    db.session.expire_all()
    return db.session.scalars(select(Order).order_by(Order.id.desc())).first()


def _add(client, variant_id: int, quantity: int | str = 1, **extra):
    return client.post("/cart/add", data={"variant_id": variant_id, "quantity": quantity,
                                          **extra})


def _checkout(client) -> str:
    response = client.post("/checkout")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_purchase_from_article_through_hosted_page(shop, client, session, stripe_sandbox,
                                                   smtp_server):
    product = make_product(variants=[("RW-50", "50 ml", 2400, 10), ("RW-100", "100 ml", 3900, 5)])
    post = make_post()
    article = client.get(f"/blog/{post.slug}")
    assert article.status_code == 200
    form = find_form(article.get_data(as_text=True), "cart")
    fields = {**form.fields, "quantity": "2", "price_cents": "1", "price": "0.01"}
    fields["variant_id"] = str(product.variants[0].id)
    added = client.post(path_of(form.action), data=fields)
    assert added.status_code == 303

    cart_page = client.get("/cart").get_data(as_text=True)
    assert "$24.00" in cart_page and "$48.00" in cart_page  # DB price, posted price ignored
    checkout = find_form(cart_page, "checkout")
    redirect = client.post(path_of(checkout.action))
    assert redirect.status_code == 303
    assert redirect.headers["Location"].startswith(stripe_sandbox.base_url + "/pay/cs_")

    order = _order()
    assert order.status == OrderStatus.PENDING and order.source_post_id == post.id
    assert [(li.sku, li.quantity, li.unit_price_cents) for li in order.lines] == [
        ("RW-50", 2, 2400)]
    assert (_variant("RW-50").on_hand, _variant("RW-50").reserved) == (10, 2)

    status, location = pay_on_hosted_page(redirect.headers["Location"], email="ada@example.com")
    assert status == 303 and "/checkout/success?session_id=cs_" in location
    deliveries = stripe_sandbox.deliver_pending()
    assert deliveries and all(code == 200 for _, code in deliveries)

    page = client.get(path_of(location))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert order.number in html and "confirmed" in html
    again = client.get(path_of(location))
    assert again.status_code == 200

    order = _order()
    assert order.status == OrderStatus.PAID
    assert order.email == "ada@example.com"
    # $48.00 is under the free-shipping line ($50), so standard shipping ($6) is added.
    assert (order.subtotal_cents, order.shipping_cents, order.total_cents) == (4800, 600, 5400)
    assert order.shipping_address["line1"] and order.shipping_name
    variant = _variant("RW-50")
    assert (variant.on_hand, variant.reserved) == (8, 0)
    ledger = db.session.scalars(select(StockMovement).where(
        StockMovement.order_id == order.id)).all()
    assert [(m.delta, m.reason) for m in ledger] == [(-2, "sale")]
    assert smtp_server.messages == []  # the request never talks to the mail server
    assert deliver_mail(shop) == 0
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == ["ada@example.com"]
    assert order.number in smtp_server.messages[0].content.decode()
    assert client.get("/cart").get_data(as_text=True).count("Your cart is empty") == 1
    status_page = client.get(f"/orders/{order.token}")
    assert status_page.status_code == 200 and order.number in status_page.get_data(as_text=True)


# -- faults ------------------------------------------------------------------------------------


@pytest.fixture
def cream(shop, session):
    product = make_product(variants=[("RW-50", "50 ml", 2400, 5)])
    return product.variants[0].id


def _start(client, variant_id: int, quantity: int = 1) -> str:
    assert _add(client, variant_id, quantity).status_code == 303
    return _checkout(client)


def _session_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_stripe_500_then_success_is_retried_with_one_key(client, cream, stripe_sandbox):
    stripe_sandbox.inject("500", times=1)
    url = _start(client, cream)
    creates = [r for r in stripe_sandbox.request_log if r[:2] == ("POST", "/v1/checkout/sessions")]
    assert len(creates) == 2 and creates[0][2] == creates[1][2] == f"checkout-{_order().number}"
    sessions = stripe_sandbox.store.all("checkout.session")
    assert len(sessions) == 1 and sessions[0]["id"] == _session_id(url)
    assert _order().stripe_checkout_session_id == _session_id(url)


def test_stripe_down_keeps_cart_releases_stock_and_fails_order(client, cream, stripe_sandbox):
    stripe_sandbox.inject("500", times=3)  # the first try and both SDK retries
    _add(client, cream, 2)
    response = client.post("/checkout")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    page = client.get("/cart").get_data(as_text=True)
    assert "could not reach our payment provider" in page
    assert 'value="2"' in page  # the cart is intact
    assert _order().status == OrderStatus.FAILED
    assert (_variant("RW-50").on_hand, _variant("RW-50").reserved) == (5, 0)


def test_stripe_refusing_connections_is_a_plain_message(client, cream, stripe_sandbox):
    stripe_sandbox.inject("refuse", times=3)
    _add(client, cream)
    response = client.post("/checkout")
    assert response.headers["Location"].endswith("/cart")
    assert _order().status == OrderStatus.FAILED and _variant("RW-50").reserved == 0


def test_declined_card_leaves_session_open_and_stock_held(client, cream, stripe_sandbox):
    url = _start(client, cream)
    status, body = pay_on_hosted_page(url, outcome="declined")
    assert status == 200 and "declined" in body
    stripe_sandbox.deliver_pending()
    assert _order().status == OrderStatus.PENDING and _variant("RW-50").reserved == 1
    status, location = pay_on_hosted_page(url)  # a second card works
    assert status == 303
    stripe_sandbox.deliver_pending()
    assert _order().status == OrderStatus.PAID


def test_delayed_payment_success_page_then_failure_releases(client, cream, stripe_sandbox,
                                                             smtp_server):
    url = _start(client, cream, 2)
    status, location = pay_on_hosted_page(url, outcome="delayed_failure")
    page = client.get(path_of(location)).get_data(as_text=True)
    assert "email you when the payment clears" in page
    assert _order().status == OrderStatus.PENDING and _variant("RW-50").reserved == 2
    stripe_sandbox.deliver_pending()  # completed (unpaid), then async_payment_failed
    order = _order()
    assert order.status == OrderStatus.FAILED
    assert (_variant("RW-50").on_hand, _variant("RW-50").reserved) == (5, 0)
    assert "awaiting_payment" in [e.kind for e in order.events]
    assert deliver_mail(client.application) == 0
    # No confirmation: the one email asks the customer to pay again.
    assert [m.rcpt_tos for m in smtp_server.messages] == [["buyer@example.com"]]
    assert b"did not go through" in smtp_server.messages[0].content


def test_delayed_payment_success_fulfils_once(client, cream, stripe_sandbox, smtp_server):
    url = _start(client, cream, 2)
    pay_on_hosted_page(url, outcome="delayed_success")
    stripe_sandbox.deliver_pending()
    assert _order().status == OrderStatus.PAID
    assert (_variant("RW-50").on_hand, _variant("RW-50").reserved) == (3, 0)
    assert deliver_mail(client.application) == 0
    assert len(smtp_server.messages) == 1


def test_session_expiring_at_stripe_releases(client, cream, stripe_sandbox):
    _start(client, cream, 3)
    stripe_sandbox.advance_clock(31 * 60 + 61)
    stripe_sandbox.deliver_pending()
    assert _order().status == OrderStatus.EXPIRED
    assert _variant("RW-50").reserved == 0


def test_cancel_expires_the_session_and_the_webhook_then_changes_nothing(client, cream,
                                                                        stripe_sandbox):
    url = _start(client, cream, 2)
    order = _order()
    response = client.get(f"/checkout/cancel?order={order.token}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert 'value="2"' in client.get("/cart").get_data(as_text=True)
    assert _order().status == OrderStatus.EXPIRED and _variant("RW-50").reserved == 0
    assert stripe_sandbox.store.get(_session_id(url))["status"] == "expired"
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    events = [e.kind for e in _order().events]
    assert events.count("expired") == 1



def test_checking_out_one_cart_twice_resumes_the_open_checkout(client, cream, stripe_sandbox):
    """A second tab, the back button or a double submit used to open a second order: the jars
    were held twice (at the last jars: "sold out" to the customer holding them) and both
    payment pages could be paid."""
    url = _start(client, cream, 5)  # the last five jars
    again = _checkout(client)
    assert again == url
    assert len(db.session.scalars(select(Order)).all()) == 1
    assert _variant("RW-50").reserved == 5
    status, location = pay_on_hosted_page(url)
    assert status == 303
    # Paid in one tab; the other tab's Checkout lands on the order, not on a new one.
    assert path_of(_checkout(client)) == path_of(location)
    stripe_sandbox.deliver_pending()
    assert path_of(_checkout(client)) == path_of(location)
    assert len(db.session.scalars(select(Order)).all()) == 1
    assert (_variant("RW-50").on_hand, _variant("RW-50").reserved) == (0, 0)


def test_jars_held_by_the_carts_own_checkout_are_not_sold_out_to_it(client, cream,
                                                                     stripe_sandbox):
    """Back on the cart while its checkout holds the last jars: theirs, not "sold out"."""
    _start(client, cream, 5)  # the last five jars, now reserved for this cart
    page = client.get("/cart").get_data(as_text=True)
    assert "Sold out" not in page and "Only" not in page
    assert 'class="line-problem"' not in page
    other = client.application.test_client()  # another shopper cannot have them
    other.post("/cart/add", data={"variant_id": cream, "quantity": "1"})
    refused = other.get("/cart").get_data(as_text=True)
    assert "Your cart is empty" in refused and 'class="flash flash-error"' in refused


def test_checking_out_a_changed_cart_gives_the_old_checkout_up(client, cream, stripe_sandbox):
    first = _start(client, cream, 2)
    old = _order()
    client.post("/cart/update", data={"variant_id": cream, "quantity": "3"})
    second = _checkout(client)
    assert second != first
    assert stripe_sandbox.store.get(_session_id(first))["status"] == "expired"
    db.session.expire_all()
    assert db.session.get(Order, old.id).status == OrderStatus.EXPIRED
    assert _order().status == OrderStatus.PENDING and _variant("RW-50").reserved == 3


def test_success_page_before_webhook_then_webhook_changes_nothing(client, cream,
                                                                  stripe_sandbox, smtp_server):
    url = _start(client, cream, 2)
    status, location = pay_on_hosted_page(url)
    assert client.get(path_of(location)).status_code == 200
    assert _order().status == OrderStatus.PAID and _variant("RW-50").on_hand == 3
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    order = _order()
    assert _variant("RW-50").on_hand == 3
    assert [e.kind for e in order.events].count("paid") == 1
    assert len(db.session.scalars(select(StockMovement)).all()) == 1
    assert deliver_mail(client.application) == 0
    assert len(smtp_server.messages) == 1


def test_webhook_never_arriving_is_repaired_by_reconcile(client, cream, stripe_sandbox, runner,
                                                        smtp_server):
    stripe_sandbox.hold_webhooks(True)
    url = _start(client, cream, 1)
    pay_on_hosted_page(url)
    assert stripe_sandbox.deliver_pending() == []
    assert _order().status == OrderStatus.PENDING
    result = runner.invoke(args=["stripe-reconcile", "--since", "1d"])
    assert result.exit_code == 0, result.output
    assert f"{_order().number}: paid at Stripe: fulfilled" in result.output
    assert _order().status == OrderStatus.PAID and _variant("RW-50").on_hand == 4
    again = runner.invoke(args=["stripe-reconcile"])
    assert "Everything matches Stripe." in again.output
    stripe_sandbox.hold_webhooks(False)
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    assert deliver_mail(client.application) == 0
    assert _variant("RW-50").on_hand == 4 and len(smtp_server.messages) == 1


def test_reconcile_says_in_one_line_when_stripe_cannot_be_read(client, stripe_sandbox, runner,
                                                               monkeypatch):
    """Stripe unreachable (or a wrong key) is an error line and exit 1 for cron, no traceback."""
    import stripe

    from storefront.payments import gateway

    def unreachable(*args, **kwargs):
        raise stripe.APIConnectionError("Unexpected error communicating with Stripe.")

    monkeypatch.setattr(gateway, "list_checkout_sessions", unreachable)
    result = runner.invoke(args=["stripe-reconcile", "--since", "1d"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: Stripe's records could not be read: ")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_reconcile_looks_up_settled_orders_a_batch_at_a_time(client, cream, stripe_sandbox,
                                                             runner, smtp_server):
    """Stripe's sessions come through auto-pagination; their orders one query per batch,
    not one per session (16k queries for a three-day window at scale)."""
    from sqlalchemy import event

    for _ in range(3):
        buyer = client.application.test_client()
        pay_on_hosted_page(_start(buyer, cream, 1))
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200, 200, 200]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = runner.invoke(args=["stripe-reconcile", "--since", "1d"])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "Everything matches Stripe." in result.output, result.output
    assert len([s for s in statements if 'FROM "order"' in s]) == 1, statements


def test_release_expired_fulfils_a_session_paid_after_all(client, cream, stripe_sandbox, runner,
                                                          session):
    stripe_sandbox.hold_webhooks(True)
    paid_url = _start(client, cream, 1)
    pay_on_hosted_page(paid_url)
    paid = _order()
    other = client.application.test_client()
    _add(other, cream, 2)
    _checkout(other)
    unpaid = _order()
    from datetime import timedelta

    from storefront.database import begin_write
    from storefront.models import utcnow

    begin_write(session)
    for order in (paid, unpaid):
        session.get(Order, order.id).expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    result = runner.invoke(args=["release-expired"])
    assert result.exit_code == 0, result.output
    assert f"{paid.number}: paid at Stripe: fulfilled" in result.output
    assert f"{unpaid.number}: expired at Stripe: stock released" in result.output
    db.session.expire_all()
    assert db.session.get(Order, paid.id).status == OrderStatus.PAID
    assert db.session.get(Order, unpaid.id).status == OrderStatus.EXPIRED
    assert (_variant("RW-50").on_hand, _variant("RW-50").reserved) == (4, 0)
    assert "Nothing to release." in runner.invoke(args=["release-expired"]).output
    stripe_sandbox.hold_webhooks(False)
    assert all(code == 200 for _, code in stripe_sandbox.deliver_pending())
    assert (_variant("RW-50").on_hand, _variant("RW-50").reserved) == (4, 0)


def test_unknown_success_session_and_foreign_token_are_404(client, cream):
    assert client.get("/checkout/success?session_id=cs_test_nope").status_code == 404
    assert client.get("/checkout/success").status_code == 404
    assert client.get("/orders/not-a-real-token").status_code == 404
    assert client.get("/checkout/cancel?order=nope").status_code == 404


def test_checkout_refuses_sold_out_line_with_only_n_left(client, cream, session):
    _add(client, cream, 3)
    from storefront import inventory
    from storefront.database import begin_write

    begin_write(session)
    inventory.reserve_stock(session, [(cream, 4)])  # someone else holds 4 of 5
    session.commit()
    response = client.post("/checkout")
    assert response.headers["Location"].endswith("/cart")
    page = client.get("/cart").get_data(as_text=True)
    assert "Only 1 left" in page
    assert _order() is None and _variant("RW-50").reserved == 4
