"""Articles, their tags, references, authors and corrections, and which products they embed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from storefront.models.base import Base, Revisioned, Timestamped, utcnow

post_tag = Table(
    "post_tag",
    Base.metadata,
    Column("post_id", ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    # The key starts with the post; a tag's page looks up by the tag.
    Index("ix_post_tag_tag_id", "tag_id"),
)

# Kept in step with the body's [[product:slug]] shortcodes by storefront.blog.content, so the
# product page can list "articles about this" with one query instead of scanning bodies.
post_product = Table(
    "post_product",
    Base.metadata,
    Column("post_id", ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_post_product_product_id", "product_id"),  # the product page's lookup
)


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))


class Author(Revisioned, Timestamped, Base):
    """Who writes or reviews articles: the brand itself (an organization) or a named person.

    Posts name their author and reviewer by ``name`` (the admin types it), so structured data
    can type them correctly and a person gets a page listing their articles. Renaming an
    author therefore renames them on every article too (``storefront.authors``).
    """

    __tablename__ = "author"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="person")  # person | organization
    bio: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


class Post(Revisioned, Timestamped, Base):
    """An article. Public only once ``published_at`` is set and not in the future."""

    __tablename__ = "post"
    __table_args__ = (Index("ix_post_updated_at", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Indexed: an author's page, the admin's article counts and a rename look posts up by name.
    author: Mapped[str] = mapped_column(String(120), default="", index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), index=True)
    reviewed_at: Mapped[datetime | None]
    is_health: Mapped[bool] = mapped_column(default=True)
    # Discusses a medical condition: product embeds render as a plain link, never a buy card
    # (selling a product beside a condition reads as a drug claim).
    is_condition: Mapped[bool] = mapped_column(default=False)
    cover_key: Mapped[str | None] = mapped_column(String(120))
    cover_alt: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[datetime | None] = mapped_column(index=True)

    tags: Mapped[list[Tag]] = relationship(secondary=post_tag, order_by="Tag.slug")
    references: Mapped[list[PostReference]] = relationship(
        back_populates="post", order_by="PostReference.position",
        cascade="all, delete-orphan",
    )
    products: Mapped[list[Product]] = relationship(secondary=post_product)  # noqa: F821
    author_profile: Mapped[Author | None] = relationship(
        primaryjoin=lambda: foreign(Post.author) == Author.name, viewonly=True)
    reviewer_profile: Mapped[Author | None] = relationship(
        primaryjoin=lambda: foreign(Post.reviewed_by) == Author.name, viewonly=True)
    corrections: Mapped[list[PostCorrection]] = relationship(
        back_populates="post", order_by="PostCorrection.created_at",
        cascade="all, delete-orphan",
    )

    def is_public(self, now: datetime | None = None) -> bool:
        return self.published_at is not None and self.published_at <= (now or utcnow())

    @property
    def modified_at(self) -> datetime | None:
        """When readers last saw a changed text: the newest correction, else publication."""
        if self.published_at is None:
            return None
        return max([self.published_at, *(c.created_at for c in self.corrections)])

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


class PostCorrection(Base):
    """A dated note kept at an article's foot when its text changes after publication."""

    __tablename__ = "post_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text)

    post: Mapped[Post] = relationship(back_populates="corrections")


class Page(Revisioned, Timestamped, Base):
    """An owner-edited Markdown page (editorial process, shipping, returns, ...) at /pages/<slug>.

    Rendered through the same sanitiser as articles, so a page can never carry script.
    """

    __tablename__ = "page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
