"""The sandbox's memory: one SQLite file shared by every process that opens it.

The shop may run several gunicorn workers, a CLI and a test process at once,
each with its own ``Sandbox`` object; they must all see the same sessions,
events, faults and clock.  So *everything* mutable lives here (nothing in
Python attributes), objects are JSON blobs keyed by id, WAL lets readers run
beside a writer, and every change happens inside ``BEGIN IMMEDIATE`` so two
processes can never both act on the same open session.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_kind ON objects (kind, seq);
CREATE TABLE IF NOT EXISTS deliveries (
    event_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,           -- pending | delivered | gave_up
    attempts TEXT NOT NULL DEFAULT '[]',
    next_at REAL,                  -- wall-clock time of the next automatic attempt
    lease_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER,                -- NULL while the first request is still running
    headers TEXT,
    body BLOB
);
CREATE TABLE IF NOT EXISTS faults (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    delay REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS request_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    idempotency_key TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    """Thin JSON-object store over SQLite; one connection per thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        # executescript commits on its own; every statement is IF NOT EXISTS,
        # so processes racing to create the file are harmless.
        self._conn().executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
            self._local.depth = 0
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one."""
        conn = self._conn()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield conn
            finally:
                self._local.depth -= 1
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.depth = 0

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._conn().execute(sql, args).fetchall()

    # -- objects -----------------------------------------------------------

    def get(self, object_id: str) -> dict[str, Any] | None:
        rows = self.read("SELECT data FROM objects WHERE id = ?", (object_id,))
        return json.loads(rows[0][0]) if rows else None

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace ``obj`` (keyed by ``obj["id"]``, kind ``obj["object"]``)."""
        data = json.dumps(obj, separators=(",", ":"), sort_keys=True)
        with self.tx() as db:
            updated = db.execute(
                "UPDATE objects SET data = ? WHERE id = ?", (data, obj["id"])
            ).rowcount
            if not updated:
                db.execute(
                    "INSERT INTO objects (id, kind, created, data) VALUES (?, ?, ?, ?)",
                    (obj["id"], obj["object"], obj.get("created", 0), data),
                )
        return obj

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every object of ``kind``, oldest first."""
        rows = self.read("SELECT data FROM objects WHERE kind = ? ORDER BY seq", (kind,))
        return [json.loads(r[0]) for r in rows]

    def seq_of(self, object_id: str) -> int | None:
        rows = self.read("SELECT seq FROM objects WHERE id = ?", (object_id,))
        return rows[0][0] if rows else None

    def page(
        self, kind: str, where: str = "", args: tuple[Any, ...] = (), *,
        before_seq: int | None = None, after_seq: int | None = None, limit: int = 10,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Newest-first page like Stripe lists; returns (objects, has_more)."""
        clauses = ["kind = ?"] + ([where] if where else [])
        params: list[Any] = [kind, *args]
        order = "DESC"
        if before_seq is not None:  # starting_after: older than the cursor
            clauses.append("seq < ?")
            params.append(before_seq)
        if after_seq is not None:  # ending_before: newer than the cursor
            clauses.append("seq > ?")
            params.append(after_seq)
            order = "ASC"
        sql = (
            f"SELECT data FROM objects WHERE {' AND '.join(clauses)} "
            f"ORDER BY seq {order} LIMIT ?"
        )
        rows = self.read(sql, (*params, limit + 1))
        items = [json.loads(r[0]) for r in rows[:limit]]
        if order == "ASC":
            items.reverse()
        return items, len(rows) > limit

    # -- small shared settings --------------------------------------------

    def meta(self, key: str, default: Any = None) -> Any:
        rows = self.read("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_meta(self, key: str, value: Any) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )
