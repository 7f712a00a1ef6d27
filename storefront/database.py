"""Database behaviour that differs between SQLite and PostgreSQL, kept in one place.

SQLite (the embedded default) gets WAL journaling, a busy timeout and foreign keys at connect,
so a few concurrent writers wait instead of failing with "database is locked". Write paths
start with ``begin_write``: on SQLite it takes the write lock up front (BEGIN IMMEDIATE),
because a transaction that reads first and writes later cannot wait for the lock once another
writer has committed (SQLITE_BUSY_SNAPSHOT) and would fail instead. On PostgreSQL every stock
rule is a conditional UPDATE, which row locks make correct under READ COMMITTED.

On PostgreSQL a database that stops answering must fail a request, never hang it: web requests
run under a ``statement_timeout``, and every wait for the server's answer has a deadline on
the client side too (``DeadlineConnection``), because a hung server that still acknowledges
packets never enforces its own timeout. Command-line tasks (migrations, sweeps, backups) may
run longer (``DATABASE_CLI_STATEMENT_TIMEOUT``).
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import click
import psycopg
from flask import Flask, has_request_context
from flask.cli import with_appcontext
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from storefront.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 10_000
# How much longer than its own statement_timeout the client waits for a silent server: long
# enough for the server to cancel the statement and say so, which is the clearer error.
ANSWER_GRACE_SECONDS = 5.0


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


class DeadlineConnection(psycopg.Connection):
    """A psycopg connection that stops waiting for a server that no longer answers.

    Every network wait (a query, a fetch, a commit, the pool's ping) gives up after
    ``answer_within`` seconds: the connection is then closed, so the pool discards it, and
    the caller gets an ``OperationalError``. ``None`` waits as long as it takes."""

    answer_within: float | None = None

    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        if timeout is not None or not self.answer_within:
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.answer_within)
        except psycopg.errors._WaitTimeout:  # psycopg's own "deadline passed" (see its wait())
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {self.answer_within:g} s") from None


@dataclass(frozen=True)
class Limits:
    """How long the server may run one statement, and how long the client waits for it."""

    statement_seconds: float

    @property
    def answer_within(self) -> float | None:
        return self.statement_seconds + ANSWER_GRACE_SECONDS if self.statement_seconds else None


def _in_command_line() -> bool:
    """True inside a `flask ...` command (not while serving a request)."""
    return not has_request_context() and click.get_current_context(silent=True) is not None


def init_app(app: Flask) -> None:
    """Deadlines for PostgreSQL connections (web or command line) and `flask backup`."""
    app.cli.add_command(backup_command)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    web = Limits(app.config["DATABASE_STATEMENT_TIMEOUT"])
    command_line = Limits(app.config["DATABASE_CLI_STATEMENT_TIMEOUT"])

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, record, cargs, cparams):
        options = cparams.get("options", "")
        cparams["options"] = f"{options} -c statement_timeout={_ms(web)}".strip()
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.answer_within = web.answer_within
        record.info["limits"] = web
        return connection

    @event.listens_for(engine, "checkout")
    def _apply_limits(dbapi_connection, record, _proxy):
        wanted = command_line if _in_command_line() else web
        if record.info.get("limits") == wanted:
            return
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {_ms(wanted)}")
        dbapi_connection.commit()
        dbapi_connection.answer_within = wanted.answer_within
        record.info["limits"] = wanted


def _ms(limits: Limits) -> int:
    return int(limits.statement_seconds * 1000)


def database_answers(engine: Engine, within: float) -> bool:
    """True if the database answers a query within about ``within`` seconds.

    For health checks: PostgreSQL is asked on a new connection of its own, so neither a pool
    emptied by hung requests nor a pooled connection stuck on a hung server can delay it."""
    if engine.dialect.name != "postgresql":
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure means "not answering"
            return False
        return True
    started = time.monotonic()
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    cparams["connect_timeout"] = max(2, math.ceil(within))  # libpq's minimum is 2 s
    try:
        with DeadlineConnection.connect(*cargs, **cparams) as connection:
            connection.answer_within = max(0.1, within - (time.monotonic() - started))
            connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH, safely while the shop runs.

    SQLite's online backup API copies a consistent snapshot even while orders are written.
    The copy is made beside PATH and renamed into place once checked, so PATH is never a
    half-written file. PostgreSQL is backed up with pg_dump (see the README)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "flask backup copies SQLite databases; back up PostgreSQL with "
            "pg_dump --format=custom (see the README).")
    if path.exists():
        raise click.ClickException(f"{path} already exists; give the backup a new name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(partial) as copy:
            raw.driver_connection.backup(copy)
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        copy.close()
        if verdict != "ok":
            raise click.ClickException(f"The copy failed its check ({verdict}); nothing kept.")
        os.replace(partial, path)
    finally:
        raw.close()
        partial.unlink(missing_ok=True)
    click.echo(f"Backed up the database to {path}.")
