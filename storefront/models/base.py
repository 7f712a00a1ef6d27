"""The declarative base shared by every model.

A naming convention gives every constraint a stable name, so Alembic migrations can drop and
alter them by name on both SQLite (batch mode) and PostgreSQL.
"""

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Aware UTC now; the one clock every model default uses."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware.

    SQLite has no time zones, so without this a value would come back naive there and aware
    on PostgreSQL, and comparisons would behave differently on the two databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use storefront.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class Timestamped:
    """Created/updated times for rows people edit."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaleRevision(Exception):
    """Someone saved the row after the editor opened it; their save must not be overwritten."""


class Revisioned:
    """A revision number for rows that several people edit through forms.

    The edit form carries the revision it showed; saving claims the next revision with one
    conditional UPDATE, so of two editors who opened the same revision only the first one's
    save goes through, on SQLite and PostgreSQL alike. Only editors bump it: stock moves on a
    variant do not, so a sale never makes a price edit stale.
    """

    revision: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    def claim_revision(self, session: Session, seen: int | None) -> None:
        """Move from revision ``seen`` to the next one, or raise StaleRevision."""
        model = type(self)
        result = session.execute(
            update(model).where(model.id == self.id, model.revision == seen)
            .values(revision=model.revision + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StaleRevision
        session.expire(self, ["revision"])
