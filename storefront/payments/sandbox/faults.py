"""Injected failures for the next API requests, shared by all processes.

They let tests and a developer at the shop's ``/_sandbox`` page see what the
shop does when Stripe answers 500, answers late, or drops the connection, with
the SDK's real retry logic in the loop.
"""

from __future__ import annotations

from .state import Store

KINDS = ("500", "slow", "refuse")


def inject(store: Store, kind: str, times: int = 1, delay: float = 0.0) -> None:
    if kind not in KINDS:
        raise ValueError(f"fault kind must be one of {KINDS}, not {kind!r}")
    with store.tx() as db:
        db.executemany(
            "INSERT INTO faults (kind, delay) VALUES (?, ?)", [(kind, delay)] * times
        )


def clear(store: Store) -> None:
    with store.tx() as db:
        db.execute("DELETE FROM faults")


def take(store: Store) -> tuple[str, float] | None:
    """Consume the oldest queued fault, if any (atomically across processes)."""
    if not store.read("SELECT 1 FROM faults LIMIT 1"):
        return None
    with store.tx() as db:
        row = db.execute("SELECT seq, kind, delay FROM faults ORDER BY seq LIMIT 1").fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM faults WHERE seq = ?", (row[0],))
        return row[1], row[2]
