"""Orders, the lines they bought, their timeline, and the Stripe events already handled."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, Timestamped, utcnow


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FULFILLED = "fulfilled"
    EXPIRED = "expired"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Order(Timestamped, Base):
    """A guest's order. Amounts other than the line prices come from Stripe's session.

    ``number`` is what the customer quotes; ``token`` is the unguessable key of the order's
    status page. Status moves only through storefront.orders, by conditional UPDATEs.
    """

    __tablename__ = "order"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'paid', 'fulfilled', 'expired', 'failed', 'refunded',"
            " 'partially_refunded')",
            name="status_known",
        ),
        # The admin list's keyset: newest first, ties broken by id.
        Index("ix_order_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(24), default=OrderStatus.PENDING, index=True)
    # Text, not String(254): Stripe accepts longer addresses and names, and a paid order must
    # store whatever it sends (a length error would leave the payment unrecorded). No plain
    # B-tree index either: PostgreSQL refuses index entries over 2704 bytes, and the admin's
    # search (a substring match) cannot use one.
    email: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_cents: Mapped[int]
    shipping_cents: Mapped[int] = mapped_column(default=0)
    discount_cents: Mapped[int] = mapped_column(default=0)
    tax_cents: Mapped[int] = mapped_column(default=0)
    total_cents: Mapped[int] = mapped_column(default=0)
    refunded_cents: Mapped[int] = mapped_column(default=0)
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    shipping_name: Mapped[str] = mapped_column(Text, default="")
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    shipping_method: Mapped[str] = mapped_column(String(120), default="")
    # The article touches copied from the cart at checkout (storefront.cart.cart): the last
    # one is ``source_post_id`` (what the order page shows as "Came from"), the first one
    # the article that brought the reader in, up to 30 days before. Both None: "direct".
    source_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"),
                                                       index=True)
    first_touch_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="SET NULL"), index=True)
    expires_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None] = mapped_column(index=True)
    fulfilled_at: Mapped[datetime | None]
    carrier: Mapped[str] = mapped_column(String(60), default="")
    tracking_number: Mapped[str] = mapped_column(String(120), default="")
    confirmation_sent_at: Mapped[datetime | None]
    # Refunds Stripe has not settled yet: shown, never counted in refunded_cents.
    refund_pending_cents: Mapped[int] = mapped_column(default=0)
    # The customer's bank disputes the payment (Stripe's dispute object, as last seen).
    stripe_dispute_id: Mapped[str | None] = mapped_column(String(255), index=True)
    dispute_status: Mapped[str] = mapped_column(String(40), default="")
    dispute_reason: Mapped[str] = mapped_column(String(60), default="")
    dispute_amount_cents: Mapped[int] = mapped_column(default=0)
    dispute_evidence_due_by: Mapped[datetime | None]
    # Radar's early fraud warning: the card issuer reports the payment as likely fraud.
    fraud_warning_type: Mapped[str] = mapped_column(String(60), default="")
    fraud_warning_at: Mapped[datetime | None] = mapped_column(index=True)
    # A failed pay-later order the customer paid again: the new order that took over.
    # Made up by `flask seed-demo` (with the demo article counts), so a new shop's article
    # report shows revenue. No payment, stock movement or email stands behind it; the orders
    # list and the order page say so.
    demo: Mapped[bool] = mapped_column(default=False, server_default="0")
    retry_order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id",
                                                                  ondelete="SET NULL"))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    source_post: Mapped[Post | None] = relationship(foreign_keys=[source_post_id])  # noqa: F821
    refunds: Mapped[list[OrderRefund]] = relationship(
        back_populates="order", order_by="OrderRefund.id", cascade="all, delete-orphan"
    )

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def dispute_open(self) -> bool:
        """A dispute still to answer or being decided (Stripe's open statuses)."""
        return self.dispute_status in OPEN_DISPUTE_STATUSES

    @property
    def needs_care(self) -> bool:
        """Shipping it could lose the goods as well as the money: disputed or fraud-warned."""
        disputed = self.dispute_status not in ("", "won", "warning_closed")
        return disputed or bool(self.fraud_warning_type)


# Orders whose money came in (a refund later does not make the sale disappear from the count).
PAID_STATES = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED,
               OrderStatus.PARTIALLY_REFUNDED)

OPEN_DISPUTE_STATUSES = ("warning_needs_response", "warning_under_review", "needs_response",
                         "under_review", "appeal_needs_response", "appeal_under_review")


class RefundStatus(enum.StrEnum):
    """Stripe's refund statuses; only ``succeeded`` counts as money returned."""

    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class OrderRefund(Timestamped, Base):
    """One Stripe refund of an order's payment, with its status as Stripe last reported it.

    The order's ``refunded_cents`` is the sum of the succeeded ones and
    ``refund_pending_cents`` of those still pending, both recomputed from these rows, so
    refund events arriving late, twice or out of order always add up to Stripe's view.
    """

    __tablename__ = "order_refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    stripe_refund_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(24))
    failure_reason: Mapped[str] = mapped_column(String(60), default="")

    order: Mapped[Order] = relationship(back_populates="refunds")


class OrderLine(Base):
    """What was bought, copied at purchase time so later catalogue edits do not rewrite it."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variant.id", ondelete="SET NULL"),
                                                   index=True)
    sku: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(200))
    variant_label: Mapped[str] = mapped_column(String(80))
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")
    variant: Mapped[Variant | None] = relationship()  # noqa: F821

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


class OrderEvent(Base):
    """One entry of an order's timeline (created, paid, email sent, shipped, refunded...)."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")


class StripeEvent(Base):
    """A webhook event already processed; its id as primary key makes a repeat a no-op."""

    __tablename__ = "stripe_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
