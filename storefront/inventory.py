"""Every stock rule: reserve, release, sell, adjust, and the ledger that explains each count.

Each rule is one conditional UPDATE whose WHERE clause states the rule (``on_hand - reserved
>= n`` to reserve, ``on_hand = :seen`` for an admin's edit), so it holds across threads,
processes and machines on PostgreSQL and SQLite alike: two buyers for the last jar cannot both
match the row. Rows are touched in id order so concurrent multi-line checkouts cannot deadlock.
Functions take the caller's session and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storefront.limits import MAX_STOCK
from storefront.models import Order, StockMovement, StockReason, Variant


class StockError(Exception):
    """A stock rule refused a change; the message is fit to show a person."""


@dataclass
class InsufficientStock(StockError):
    variant_id: int
    requested: int
    available: int

    def __str__(self) -> str:
        if self.available <= 0:
            return "This size has just sold out."
        return f"Only {self.available} left; you asked for {self.requested}."


@dataclass
class StockConflict(StockError):
    """The count changed since the admin looked at it; nothing was overwritten."""

    seen: int
    current: int

    def __str__(self) -> str:
        return (
            f"The count changed while you were editing: it is now {self.current} "
            f"(you saw {self.seen}). Check the new figure and try again."
        )


@dataclass
class BelowReserved(StockError):
    requested: int
    reserved: int

    def __str__(self) -> str:
        return (
            f"On hand cannot go below {self.reserved}: that many are held for orders "
            f"waiting for payment (you asked for {self.requested})."
        )


def _merge(items: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sum quantities per variant and sort by id: the fixed lock order."""
    totals: dict[int, int] = {}
    for variant_id, quantity in items:
        if quantity <= 0:
            raise ValueError("quantities must be positive")
        totals[variant_id] = totals.get(variant_id, 0) + quantity
    return sorted(totals.items())


def _expire_loaded(session: Session, variant_ids: Iterable[int]) -> None:
    """Core UPDATEs bypass the identity map; make loaded variants re-read their row."""
    wanted = set(variant_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Variant) and obj.id in wanted:
            session.expire(obj)


def reserve_stock(session: Session, items: Iterable[tuple[int, int]]) -> None:
    """Hold ``(variant_id, quantity)`` pairs for a pending checkout, all or nothing.

    Raises InsufficientStock for the first line that cannot be held; the caller rolls back,
    which also undoes the lines already held in this transaction.
    """
    merged = _merge(items)
    for variant_id, quantity in merged:
        result = session.execute(
            update(Variant)
            .where(Variant.id == variant_id, Variant.on_hand - Variant.reserved >= quantity)
            .values(reserved=Variant.reserved + quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            available = session.scalar(
                select(Variant.on_hand - Variant.reserved).where(Variant.id == variant_id)
            )
            raise InsufficientStock(variant_id, quantity, max(0, available or 0))
    _expire_loaded(session, (v for v, _ in merged))


def release_stock(session: Session, items: Iterable[tuple[int, int]]) -> None:
    """Give back what a pending checkout held (it expired, failed or was cancelled)."""
    merged = _merge(items)
    for variant_id, quantity in merged:
        result = session.execute(
            update(Variant)
            .where(Variant.id == variant_id, Variant.reserved >= quantity)
            .values(reserved=Variant.reserved - quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StockError(f"variant {variant_id} holds fewer than {quantity} reserved jars")
    _expire_loaded(session, (v for v, _ in merged))


def commit_sale(session: Session, order: Order) -> None:
    """Turn an order's held jars into a sale: on_hand and reserved both drop, one ledger row each.

    Called once per order by storefront.orders under the order's pending -> paid transition,
    which is what makes a repeat impossible.
    """
    items = [(line.variant_id, line.quantity) for line in order.lines if line.variant_id]
    for variant_id, quantity in _merge(items):
        on_hand_after = session.scalar(
            update(Variant)
            .where(Variant.id == variant_id, Variant.reserved >= quantity)
            .values(on_hand=Variant.on_hand - quantity, reserved=Variant.reserved - quantity)
            .returning(Variant.on_hand)
            .execution_options(synchronize_session=False)
        )
        if on_hand_after is None:
            raise StockError(f"variant {variant_id} does not hold {quantity} jars for this order")
        session.add(
            StockMovement(
                variant_id=variant_id,
                delta=-quantity,
                on_hand_after=on_hand_after,
                reason=StockReason.SALE,
                order_id=order.id,
                note=f"Order {order.number}",
            )
        )
    _expire_loaded(session, (v for v, _ in items))


def adjust_stock(
    session: Session,
    variant_id: int,
    *,
    reason: StockReason | str,
    delta: int | None = None,
    new_count: int | None = None,
    expected_on_hand: int | None = None,
    note: str = "",
    admin_user_id: int | None = None,
    order_id: int | None = None,
) -> StockMovement:
    """Change on_hand by ``delta`` or to ``new_count``, with one ledger row saying why.

    ``expected_on_hand`` is the figure the person saw; if the row no longer has it (a sale or
    a colleague got there first) StockConflict is raised and nothing changes. The count may
    never drop below what is reserved for pending orders (BelowReserved), nor rise above
    MAX_STOCK (so repeated restocks never overflow the column).
    """
    if (delta is None) == (new_count is None):
        raise ValueError("give exactly one of delta or new_count")
    row = session.execute(
        select(Variant.on_hand, Variant.reserved).where(Variant.id == variant_id)
    ).one()
    seen = row.on_hand if expected_on_hand is None else expected_on_hand
    if row.on_hand != seen:
        raise StockConflict(seen=seen, current=row.on_hand)
    target = seen + delta if delta is not None else new_count
    assert target is not None
    if target < row.reserved:
        raise BelowReserved(requested=target, reserved=row.reserved)
    if target == seen:
        raise StockError("That would not change the count.")
    if target > MAX_STOCK:
        raise StockError(f"On hand can be at most {MAX_STOCK} (you asked for {target}).")

    on_hand_after = session.scalar(
        update(Variant)
        .where(Variant.id == variant_id, Variant.on_hand == seen, Variant.reserved <= target)
        .values(on_hand=target)
        .returning(Variant.on_hand)
        .execution_options(synchronize_session=False)
    )
    if on_hand_after is None:  # changed between our read and our write
        current = session.execute(
            select(Variant.on_hand, Variant.reserved).where(Variant.id == variant_id)
        ).one()
        if current.on_hand != seen:
            raise StockConflict(seen=seen, current=current.on_hand)
        raise BelowReserved(requested=target, reserved=current.reserved)
    movement = StockMovement(
        variant_id=variant_id,
        delta=target - seen,
        on_hand_after=on_hand_after,
        reason=str(reason),
        note=note,
        admin_user_id=admin_user_id,
        order_id=order_id,
    )
    session.add(movement)
    _expire_loaded(session, [variant_id])
    return movement


def ledger_total(session: Session, variant_id: int) -> int:
    """The sum of every ledger row for a variant: what on_hand must equal."""
    return session.scalar(
        select(func.coalesce(func.sum(StockMovement.delta), 0)).where(
            StockMovement.variant_id == variant_id
        )
    )


def sync_low_stock_flags(session: Session, variant_ids: Iterable[int]) -> list[int]:
    """Arm and disarm the low-stock alert; return the variants that have just crossed down.

    Once per crossing: a variant alerts when available stock falls to or below its threshold,
    and only alerts again after it has gone back above. Each flip is a conditional UPDATE, so
    two workers seeing the same crossing send one email between them. The caller sends the
    emails after committing.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return []
    available = Variant.on_hand - Variant.reserved
    session.execute(
        update(Variant)
        .where(Variant.id.in_(ids), Variant.low_stock_alerted.is_(True),
               available > Variant.low_stock_threshold)
        .values(low_stock_alerted=False)
        .execution_options(synchronize_session=False)
    )
    crossed = session.scalars(
        update(Variant)
        .where(Variant.id.in_(ids), Variant.low_stock_alerted.is_(False),
               available <= Variant.low_stock_threshold)
        .values(low_stock_alerted=True)
        .returning(Variant.id)
        .execution_options(synchronize_session=False)
    ).all()
    _expire_loaded(session, ids)
    return sorted(crossed)
