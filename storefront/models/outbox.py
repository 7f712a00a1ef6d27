"""The mail outbox: every email the shop sends, written in the transaction of its cause."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storefront.models.base import Base, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker until ``claimed_until``
    SENT = "sent"
    FAILED = "failed"  # retried until ``give_up_at``; an owner may resend it


class OutboxMessage(Base):
    """One email to send. Rows are written by storefront.outbox.queue_email and delivered by
    storefront.mail (``flask deliver-mail``); the request path never opens SMTP.

    A row commits or rolls back with the change that caused it, so a paid order always has
    its confirmation and a rolled-back change never sends one. Recipients and subject are Text:
    Stripe accepts addresses longer than RFC 5321 allows and we must store what it sends.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')",
                        name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The worker's query: due rows by time.
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("order.id", ondelete="SET NULL"), index=True)
    message_id: Mapped[str] = mapped_column(Text)  # the same Message-ID on every attempt
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    give_up_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
