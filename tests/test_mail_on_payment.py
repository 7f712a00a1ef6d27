"""Email never stands in the customer's way: the Pay click with a hung mail server, what the
confirmation says and where it goes, and the owners' Mail page."""

from __future__ import annotations

import smtplib
import socket
import threading
from email import message_from_bytes

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, OrderStatus, OutboxMessage, utcnow
from storefront.outbox import queue_email
from tests.conftest import deliver_mail, make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import path_of, pay_on_hosted_page
from tests.test_admin_support import csrf_token, owner_client, staff_client


@pytest.fixture
def hung_smtp_address():
    """A socket that accepts connections and never answers, like a wedged mail server."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(20)
    held = []

    def accept_and_stay_silent():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:  # closed at the end of the test
                return

    threading.Thread(target=accept_and_stay_silent, daemon=True).start()
    yield server.getsockname()
    server.close()
    for conn in held:
        conn.close()


@pytest.fixture
def app_config(payment_config, hung_smtp_address):
    return {**payment_config, "SMTP_HOST": hung_smtp_address[0],
            "SMTP_PORT": hung_smtp_address[1], "SMTP_TIMEOUT": 0.5}


@pytest.fixture
def smtp_connections(monkeypatch) -> list:
    """Every SMTP connection the code under test opens (it still opens it for real)."""
    opened = []
    real_init = smtplib.SMTP.__init__

    def spy(self, host="", port=0, *args, **kwargs):
        opened.append((host, port))
        real_init(self, host, port, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "__init__", spy)
    return opened


def _buy(app, email: str = "ada@example.com"):
    with app.app_context():
        variant_id = make_product(variants=[("RW-50", "50 ml", 2400, 10)]).variants[0].id
    client = app.test_client()
    assert client.post("/cart/add", data={"variant_id": variant_id}).status_code == 303
    started = client.post("/checkout")
    assert started.status_code == 303
    status, location = pay_on_hosted_page(started.headers["Location"], email=email)
    assert status == 303
    return client, path_of(location)


def test_paying_with_a_hung_mail_server_never_touches_smtp(shop, stripe_sandbox,
                                                           smtp_connections):
    """Before the outbox, the success page and the webhook sent inline: 15 s per Pay click."""
    client, success = _buy(shop)
    assert client.get(success).status_code == 200  # the success page settles the order
    assert all(code == 200 for _, code in stripe_sandbox.deliver_pending())  # and the webhook
    assert smtp_connections == []
    with shop.app_context():
        order = db.session.scalar(select(Order))
        assert order.status == OrderStatus.PAID
        (mail,) = db.session.scalars(select(OutboxMessage)).all()
        assert (mail.kind, mail.status, mail.order_id) == ("order_paid", "pending", order.id)
    # The worker meets the hung server, gives up on this try within its timeout, and retries.
    assert deliver_mail(shop) == 1
    assert len(smtp_connections) == 1


def test_the_confirmation_names_the_order_has_plain_text_and_goes_to_the_stored_address(
        shop, stripe_sandbox, smtp_server):
    shop.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port)
    client, success = _buy(shop, email="Ada.Lovelace@Example.com")
    client.get(success)
    assert deliver_mail(shop) == 0
    with shop.app_context():
        order = db.session.scalar(select(Order))
    (sent,) = smtp_server.messages
    assert sent.rcpt_tos == [order.email] == ["Ada.Lovelace@Example.com"]
    message = message_from_bytes(sent.content)
    assert order.number in message["Subject"]
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert order.number in text.get_payload(decode=True).decode()


# -- the owners' Mail page --------------------------------------------------------------------


def _failed_message(app) -> int:
    with app.app_context():
        row = queue_email("lost@example.com", "Your order RW-LOST", "text", kind="order_paid")
        db.session.flush()
        row.status, row.attempts, row.last_error = "failed", 17, "SMTPServerDisconnected: down"
        row.give_up_at = utcnow()
        db.session.commit()
        return row.id


def test_owners_see_failed_mail_and_resend_it(shop):
    shop.config["WTF_CSRF_ENABLED"] = True
    message_id = _failed_message(shop)
    client = owner_client(shop)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/mail"' in page
    listing = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "Your order RW-LOST" in listing and "SMTPServerDisconnected: down" in listing
    assert client.post(f"/admin/mail/{message_id}/resend").status_code == 400  # no token
    response = client.post(f"/admin/mail/{message_id}/resend",
                           data={"csrf_token": csrf_token(listing)})
    assert response.status_code == 303
    with shop.app_context():
        row = db.session.get(OutboxMessage, message_id)
        assert row.status == "pending" and row.next_attempt_at <= utcnow()
        assert row.give_up_at > utcnow()
    assert "Nothing waiting" in client.get("/admin/mail?status=failed").get_data(as_text=True)


def test_mail_page_pages_and_is_for_owners_only(shop):
    with shop.app_context():
        for i in range(55):
            queue_email(f"c{i}@example.com", f"Message {i:02d}", "text", kind="low_stock")
        db.session.commit()
    assert staff_client(shop).get("/admin/mail").status_code == 403
    client = owner_client(shop)
    first = client.get("/admin/mail").get_data(as_text=True)
    second = client.get("/admin/mail?page=2").get_data(as_text=True)
    assert "Message 54" in first and "Message 00" not in first
    assert "Message 00" in second and "Page 2 of 2" in second
    assert client.post("/admin/mail/999999/resend").status_code == 404
