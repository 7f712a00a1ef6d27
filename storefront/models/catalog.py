"""Products, their sizes (variants) and the stock ledger."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, Revisioned, Timestamped, utcnow


class Product(Revisioned, Timestamped, Base):
    """Something the shop sells. Shown in public only while ``active``."""

    __tablename__ = "product"
    # By name: the admin's product list and the article editor's picker sort and look up by it.
    __table_args__ = (Index("ix_product_updated_at", "updated_at"),
                      Index("ix_product_name", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tagline: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # One line shown on article cards of the product, linking to the description's
    # "Safety" section (e.g. what DMSO asks of the user).
    safety_note: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=False)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position, Variant.id",
        cascade="all, delete-orphan",
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position, ProductImage.id",
        cascade="all, delete-orphan",
    )

    @property
    def price_range(self) -> tuple[int, int] | None:
        """Lowest and highest variant price in cents, or None with no variants."""
        prices = [v.price_cents for v in self.variants]
        return (min(prices), max(prices)) if prices else None

    @property
    def available(self) -> int:
        return sum(v.available for v in self.variants)

    @property
    def cover(self) -> ProductImage | None:
        return self.images[0] if self.images else None


class ProductImage(Base):
    """An image stored as WebP at several widths under MEDIA_ROOT (see storefront.images)."""

    __tablename__ = "product_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    alt: Mapped[str] = mapped_column(String(300), default="")
    width: Mapped[int]
    height: Mapped[int]
    widths: Mapped[str] = mapped_column(String(60))  # "320,640,960": the sizes on disk
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="images")

    @property
    def width_list(self) -> list[int]:
        return [int(w) for w in self.widths.split(",") if w]


class Variant(Revisioned, Timestamped, Base):
    """A size of a product with its own SKU, price and stock.

    ``available = on_hand - reserved``: ``reserved`` counts jars held for pending checkouts.
    The database itself refuses negative stock or a reservation larger than the shelf, so a
    bug in a rule can fail loudly but never oversell.
    """

    __tablename__ = "variant"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
        Index("ix_variant_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    low_stock_threshold: Mapped[int] = mapped_column(default=5)
    low_stock_alerted: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # The barcode number (GTIN-8, -12, -13 or -14) where the brand has one: Google's merchant
    # listings match offers by it.
    gtin: Mapped[str | None] = mapped_column(String(14))

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def stock_status(self) -> str:
        """"out", "low" or "ok", from what a customer could buy right now."""
        if self.available <= 0:
            return "out"
        if self.available <= self.low_stock_threshold:
            return "low"
        return "ok"


class StockReason(enum.StrEnum):
    SALE = "sale"
    RESTOCK = "restock"
    CORRECTION = "correction"
    DAMAGE = "damage"
    RETURN = "return"
    IMPORT = "import"
    OTHER = "other"


class StockMovement(Base):
    """One append-only ledger row per change of ``on_hand``.

    The current ``on_hand`` always equals the sum of ``delta`` for the variant, so any count
    can be explained line by line. Reservations are not ledger rows: they do not move jars.
    """

    __tablename__ = "stock_movement"
    # One size's history, newest first, paged by keyset on (created_at, id).
    __table_args__ = (
        Index("ix_stock_movement_variant_created_id", "variant_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="CASCADE"))
    delta: Mapped[int]
    on_hand_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    admin_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    variant: Mapped[Variant] = relationship()
    admin_user: Mapped[AdminUser | None] = relationship()  # noqa: F821
    order: Mapped[Order | None] = relationship()  # noqa: F821
