"""Bumping and reading the content version (see ``storefront.models.content_version``).

Any change that can show on a public page (a product, a price, stock, an article, a tag, an
owner's page) marks its session, through ORM flushes and through DML statements such as the
conditional UPDATEs of ``storefront.inventory``; the counter is bumped once, just before the
transaction commits. Bumping last means the counter row is the last lock a writer takes, so
two checkouts that lock variant rows cannot deadlock on it, and it is held only for the commit.

On PostgreSQL the bump also NOTIFYs ``CHANNEL`` with the new number, delivered at commit, so
``VersionReader`` can know the version without asking the database on every page.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session

from storefront.models.content_version import ROW_ID

logger = logging.getLogger(__name__)

CHANNEL = "content_version"
LISTENER_NAME = "content-version-listener"  # its application_name in pg_stat_activity
LISTEN_RETRY_SECONDS = 1.0

# Tables whose rows appear on public pages. "page" is the owner-edited pages' table.
PUBLIC_TABLES = frozenset({
    "product", "variant", "product_image", "post", "post_reference", "tag", "post_tag",
    "post_product", "page", "author", "post_correction",
})
_CHANGED = "content_changed"


# The current version, one primary-key lookup (no row reads as 0).
READ_SQL = f"SELECT counter FROM content_version WHERE id = {ROW_ID}"


def _mark_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in PUBLIC_TABLES:
            session.info[_CHANGED] = True
            return


def _mark_statement(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in PUBLIC_TABLES:
            state.session.info[_CHANGED] = True


def mark_changed(session: Session) -> None:
    """Bump at the session's next commit for a change made outside it (a bulk load)."""
    session.info[_CHANGED] = True


def _bump(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook; changes must mark first
    if not session.info.pop(_CHANGED, False):
        return
    connection = session.connection()
    counter = connection.execute(
        text("UPDATE content_version SET counter = counter + 1 WHERE id = :id RETURNING counter"),
        {"id": ROW_ID}).scalar()
    if counter is None:  # an emptied table (tests truncate): start again at 1
        counter = 1
        connection.execute(text("INSERT INTO content_version (id, counter) VALUES (:id, 1)"),
                           {"id": ROW_ID})
    if connection.dialect.name == "postgresql":
        # Sent at commit, in commit order, which the row lock makes the counter's order too.
        connection.execute(text("SELECT pg_notify(:channel, :counter)"),
                           {"channel": CHANNEL, "counter": str(counter)})


def _forget(session: Session, *_args) -> None:
    session.info.pop(_CHANGED, None)


event.listen(Session, "before_flush", _mark_flush)
event.listen(Session, "do_orm_execute", _mark_statement)
event.listen(Session, "before_commit", _bump)
event.listen(Session, "after_rollback", _forget)


class VersionReader:
    """The current content version, for the page cache's key on every public GET.

    On SQLite each call reads the row: a primary-key lookup in the process's own file.
    On PostgreSQL that read is a round trip and a backend's CPU per page, which kept cached
    pages at 0.75x a bare Flask app against 0.9x on SQLite. So each process runs a thread that
    LISTENs on ``CHANNEL`` and keeps the number the bumps announce; a call then costs nothing.
    - Any commit through the app's engine in this process marks the number stale, and the next
      call reads the row: a redirect after an admin's save never meets the page before it,
      however late the thread hears of it.
    - While the thread is not listening (starting, after a fork, the database gone), every call
      reads the row, as on SQLite.
    Other processes learn of a change when its notification arrives, a few milliseconds after
    the commit.
    """

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self._engine_of_app = engine
        self._engine: Engine | None = None
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        self._heard: int | None = None  # the listener's number, None when it is not listening
        self._stale = False
        self._listener_pid = 0
        self._generation = 0  # a listener thread stops when this moves on
        self._lock = threading.Lock()

    def current(self) -> int:
        engine = self._engine or self._attach()
        if engine.dialect.name != "postgresql":
            return self._read()
        if self._listener_pid != os.getpid():
            self._start_listener()
        heard = self._heard
        if heard is not None and not self._stale:
            return heard
        self._stale = False  # before the read: a commit after it marks stale again
        version = self._read()
        if self._heard is not None:
            self._heard = version
        return version

    def _attach(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = self._engine_of_app()
                event.listen(engine, "commit", self._mark_stale)
                event.listen(engine, "engine_disposed", self._close)
                self._engine = engine
        return self._engine

    def _mark_stale(self, _connection) -> None:
        self._stale = True

    def _read(self) -> int:
        """One lookup on a connection of our own in autocommit: a checkout from the app's
        pool and the rollback on return cost more than the lookup itself."""
        try:
            connection = self._idle.get_nowait()
        except queue.Empty:
            connection = self._connect()
        try:
            cursor = connection.cursor()
            cursor.execute(READ_SQL)
            row = cursor.fetchone()
            cursor.close()
        except Exception:
            connection.close()
            raise
        self._idle.put(connection)
        return row[0] if row else 0

    def _connect(self):
        fairy = self._engine.raw_connection()
        connection = fairy.driver_connection
        fairy.detach()
        if self._engine.dialect.name == "sqlite":
            connection.isolation_level = None
        else:
            connection.autocommit = True
        return connection

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener_pid == os.getpid():
                return
            self._listener_pid = os.getpid()  # after a fork, the parent's thread is not ours
            self._heard = None
            self._generation += 1
            threading.Thread(target=self._listen, args=(self._generation,),
                             name="content-version-listener", daemon=True).start()

    def _listen(self, generation: int) -> None:
        def current() -> bool:
            return self._generation == generation

        while current():
            try:
                with self._connect() as connection:
                    connection.execute(f"SET application_name = '{LISTENER_NAME}'")
                    connection.execute(f"LISTEN {CHANNEL}")
                    heard = connection.execute(READ_SQL).fetchone()  # after LISTEN: none missed
                    self._heard = heard[0] if heard else 0
                    while current():
                        for note in connection.notifies(timeout=1.0):
                            self._heard = int(note.payload)
            except Exception as error:
                if current():
                    logger.warning("content version: not listening (%s); reading each time",
                                   error)
            if current():
                self._heard = None
                time.sleep(LISTEN_RETRY_SECONDS)

    def _close(self, _engine: Engine) -> None:
        """The app's engine was disposed (tests, a fork): our connections and thread go too."""
        self._generation += 1
        self._listener_pid = 0
        self._heard = None
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
