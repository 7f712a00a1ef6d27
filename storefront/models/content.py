"""Articles, their tags and references, and which products they embed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, Revisioned, Timestamped, utcnow

post_tag = Table(
    "post_tag",
    Base.metadata,
    Column("post_id", ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)

# Kept in step with the body's [[product:slug]] shortcodes by storefront.blog.content, so the
# product page can list "articles about this" with one query instead of scanning bodies.
post_product = Table(
    "post_product",
    Base.metadata,
    Column("post_id", ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))


class Post(Revisioned, Timestamped, Base):
    """An article. Public only once ``published_at`` is set and not in the future."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120), default="")
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    is_health: Mapped[bool] = mapped_column(default=True)
    cover_key: Mapped[str | None] = mapped_column(String(120))
    cover_alt: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[datetime | None] = mapped_column(index=True)

    tags: Mapped[list[Tag]] = relationship(secondary=post_tag, order_by="Tag.slug")
    references: Mapped[list[PostReference]] = relationship(
        back_populates="post", order_by="PostReference.position",
        cascade="all, delete-orphan",
    )
    products: Mapped[list[Product]] = relationship(secondary=post_product)  # noqa: F821

    def is_public(self, now: datetime | None = None) -> bool:
        return self.published_at is not None and self.published_at <= (now or utcnow())

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / 220))


class PostReference(Base):
    """A numbered source cited in an article's body with ``[^n]``."""

    __tablename__ = "post_reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    citation: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500), default="")

    post: Mapped[Post] = relationship(back_populates="references")
