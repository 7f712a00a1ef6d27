"""One bad order never stops the others: long emails are stored, each order settles in its
own transaction, and the sweeps (release-expired, stripe-reconcile, deliver-mail) log and count
a failure, go on with the next item, and exit non-zero at the end."""

from __future__ import annotations

import random
import smtplib
import string

import pytest
from sqlalchemy import select, update

from storefront import mail_delivery
from storefront.extensions import db
from storefront.models import Order, OrderStatus, OutboxMessage, Variant
from tests.conftest import deliver_mail, make_product
from tests.stripe_fixtures import *  # noqa: F403
from tests.stripe_fixtures import path_of, pay_on_hosted_page

LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + "." + "c" * 40 + ".example.com"


@pytest.fixture
def app_config(payment_config):
    return payment_config


@pytest.fixture
def jars(shop, session):
    product = make_product(variants=[("RW-50", "50 ml", 2400, 20), ("RW-100", "100 ml", 3900, 20)])
    return {v.sku: v.id for v in product.variants}


def _orders() -> list[Order]:
    db.session.expire_all()
    return db.session.scalars(select(Order).order_by(Order.id)).all()


def _buy(app, variant_id: int, email: str = "buyer@example.com") -> str:
    """A checkout paid on the hosted page; returns the success page's path (not visited)."""
    client = app.test_client()
    assert client.post("/cart/add", data={"variant_id": variant_id}).status_code == 303
    started = client.post("/checkout")
    status, location = pay_on_hosted_page(started.headers["Location"], email=email)
    assert status == 303
    return path_of(location)


@pytest.mark.parametrize("email", [
    LONG_EMAIL,
    # Stripe's limit for an email is 5,000 characters; one this long and this varied used to
    # break PostgreSQL's B-tree index on the column (2,704 bytes at most) even as Text.
    "".join(random.Random(8).choices(string.ascii_lowercase, k=4980)) + "@example.com",
], ids=["300-chars", "4992-chars"])
def test_a_long_email_is_stored_and_mailed_on_the_paid_path(shop, jars, stripe_sandbox,
                                                            smtp_server, email):
    """Runs on PostgreSQL too, where String(254) used to refuse it and leave the order stuck."""
    assert len(LONG_EMAIL) == 300
    success = _buy(shop, jars["RW-50"], email=email)
    assert [code for _, code in stripe_sandbox.deliver_pending()] == [200]
    page = shop.test_client().get(success)
    assert page.status_code == 200
    (order,) = _orders()
    assert order.status == OrderStatus.PAID and order.email == email
    if email == LONG_EMAIL:
        assert deliver_mail(shop) == 0
        assert [m.rcpt_tos for m in smtp_server.messages] == [[email]]
    else:  # no mail server takes a 5,000-character RCPT TO: an attempt failed, kept for retry
        assert deliver_mail(shop) == 1
        (mail,) = db.session.scalars(select(OutboxMessage)).all()
        assert mail.status == "pending" and "SMTPRecipientsRefused" in mail.last_error


def _break_stock_of(order: Order) -> None:
    """Corrupt one order's data: its reserved jars vanish, so selling them must fail."""
    variant_id = order.lines[0].variant_id
    db.session.execute(update(Variant).where(Variant.id == variant_id).values(reserved=0))
    db.session.commit()


def test_reconcile_settles_the_other_orders_and_exits_non_zero(shop, jars, stripe_sandbox,
                                                              runner):
    stripe_sandbox.hold_webhooks(True)
    _buy(shop, jars["RW-50"])
    _buy(shop, jars["RW-100"])
    bad, good = _orders()
    _break_stock_of(bad)
    result = runner.invoke(args=["stripe-reconcile", "--since", "1d"])
    assert result.exit_code == 1, result.output
    assert f"{bad.number}: FAILED (StockError" in result.output
    assert f"{good.number}: paid at Stripe: fulfilled" in result.output
    bad, good = _orders()
    assert (bad.status, good.status) == (OrderStatus.PENDING, OrderStatus.PAID)


def test_release_expired_goes_on_after_a_failure(shop, jars, stripe_sandbox, runner):
    stripe_sandbox.hold_webhooks(True)
    _buy(shop, jars["RW-50"])
    _buy(shop, jars["RW-100"])
    bad, good = _orders()
    _break_stock_of(bad)
    db.session.execute(update(Order).values(expires_at=Order.created_at))
    db.session.commit()
    result = runner.invoke(args=["release-expired"])
    assert result.exit_code == 1, result.output
    assert f"{bad.number}: FAILED" in result.output
    assert f"{good.number}: paid at Stripe: fulfilled" in result.output
    assert "1 order(s) failed" in result.output
    assert [o.status for o in _orders()] == [OrderStatus.PENDING, OrderStatus.PAID]


def test_release_expired_exits_zero_when_all_is_well(shop, jars, stripe_sandbox, runner):
    stripe_sandbox.hold_webhooks(True)
    _buy(shop, jars["RW-50"])
    db.session.execute(update(Order).values(expires_at=Order.created_at))
    db.session.commit()
    result = runner.invoke(args=["release-expired"])
    assert result.exit_code == 0, result.output
    assert "1 order(s) changed." in result.output


def test_deliver_mail_sends_the_rest_and_exits_non_zero(shop, jars, stripe_sandbox, smtp_server,
                                                        monkeypatch):
    """A message the server refuses is counted and retried later; the next one still goes."""
    stripe_sandbox.hold_webhooks(True)
    _buy(shop, jars["RW-50"], email="first@example.com")
    _buy(shop, jars["RW-100"], email="second@example.com")
    assert shop.test_cli_runner().invoke(args=["stripe-reconcile"]).exit_code == 0
    send = mail_delivery.send_message

    def refuse_first(message, recipients):
        if recipients == ["first@example.com"]:
            raise smtplib.SMTPRecipientsRefused({recipients[0]: (550, b"no such user")})
        send(message, recipients)

    monkeypatch.setattr(mail_delivery, "send_message", refuse_first)
    result = shop.test_cli_runner().invoke(args=["deliver-mail"])
    assert result.exit_code == 1, result.output
    assert "1 sent, 1 failed" in result.output
    assert [m.rcpt_tos for m in smtp_server.messages] == [["second@example.com"]]
    db.session.expire_all()
    statuses = {m.recipients[0]: (m.status, m.attempts)
                for m in db.session.scalars(select(OutboxMessage))}
    assert statuses == {"first@example.com": ("pending", 1), "second@example.com": ("sent", 1)}
