"""Database behaviour that differs between SQLite and PostgreSQL, kept in one place.

SQLite (the embedded default) gets WAL journaling, a busy timeout and foreign keys at connect,
so a few concurrent writers wait instead of failing with "database is locked". Write paths
start with ``begin_write``: on SQLite it takes the write lock up front (BEGIN IMMEDIATE),
because a transaction that reads first and writes later cannot wait for the lock once another
writer has committed (SQLITE_BUSY_SNAPSHOT) and would fail instead. On PostgreSQL every stock
rule is a conditional UPDATE, which row locks make correct under READ COMMITTED.
"""

import sqlite3

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def begin_write(session: Session) -> None:
    """Start the caller's write transaction so that it waits for, rather than fails on, a lock.

    Call it before the first query of a unit of work that writes. A read-only transaction
    already open (a page that looked something up first) is rolled back, which loses nothing;
    pending unflushed changes are a programming error.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() must come before the unit of work changes anything")
    dbapi = session.connection().connection.dbapi_connection
    if dbapi.in_transaction:
        session.rollback()
        dbapi = session.connection().connection.dbapi_connection
    session.execute(text("BEGIN IMMEDIATE"))
