"""The counter buffer: counts wait here, bounded, until a batch upsert writes them.

A beacon must cost no more than a cached page, so the web request only appends a short event
(``"2026-12-04 some-article views"``) to a buffer: a Redis list shared by every worker when
``COUNTER_REDIS_URL`` (or else ``PAGE_CACHE_REDIS_URL``) is set, otherwise a bounded deque in
this process. ``flush`` takes events in batches, drops those of unknown articles, and adds
them to ``article_day`` with one upsert per batch (``INSERT ... ON CONFLICT DO UPDATE``, on
SQLite and PostgreSQL alike). It runs on a background thread every ``COUNTER_FLUSH_SECONDS``
in each web process and from ``flask flush-counters``. When the buffer is full the oldest
events are dropped: a flood loses counts, never memory or speed.

Unique readers follow Plausible's method: a hash of the address, the user agent, the article
and a random salt made for the day. The salt lives only in memory (or Redis, expiring after
two days) and is never written anywhere, so yesterday's hashes cannot be recomputed and no
address is stored.

Days are the shop's (``SHOP_TIMEZONE``, storefront.shop_time): a view at 23:30 in the shop's
evening counts for that day, as an order placed then does in the report.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from collections import Counter, deque
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import redis
from flask import Flask
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storefront.models import ArticleDay, Post
from storefront.models.funnel import COUNTER_KINDS

logger = logging.getLogger(__name__)

BATCH = 5000
ROWS_PER_STATEMENT = 100  # 7 parameters a row stays far below SQLite's variable limit
READERS_KEPT_IN_MEMORY = 50_000  # about 5 MB of digests; past it, new readers go uncounted
REDIS_RETRY_SECONDS = 30.0
TWO_DAYS = 2 * 24 * 3600


def now() -> datetime:
    return datetime.now(UTC)


class MemoryBuffer:
    """This process's events, salt and readers of the day; for one process or development."""

    def __init__(self, max_events: int) -> None:
        self._events: deque[str] = deque(maxlen=max_events)
        self._lock = threading.Lock()
        self._day: date | None = None
        self._salt = b""
        self._readers: set[bytes] = set()

    def push(self, events: list[str]) -> None:
        with self._lock:
            self._events.extend(events)

    def take(self, count: int) -> list[str]:
        with self._lock:
            return [self._events.popleft() for _ in range(min(count, len(self._events)))]

    def __len__(self) -> int:
        return len(self._events)

    def _roll(self, day: date) -> None:
        if day != self._day:
            self._day, self._salt, self._readers = day, secrets.token_bytes(16), set()

    def salt(self, day: date) -> bytes:
        with self._lock:
            self._roll(day)
            return self._salt

    def first_sight(self, day: date, digest: bytes) -> bool:
        with self._lock:
            self._roll(day)
            if digest in self._readers or len(self._readers) >= READERS_KEPT_IN_MEMORY:
                return False
            self._readers.add(digest)
            return True

    def push_view(self, day: date, digest: bytes, view: str, reader: str) -> None:
        """A view's event, and a reader's too when ``digest`` is new today."""
        self.push([view, reader] if self.first_sight(day, digest) else [view])


# Staged views and events in one round trip: for each view, its reader's key set if new
# (expiring after two days) and the reader's event pushed along with the view's; then the
# plain events; the list trimmed to its bound. KEYS: the list, then one reader key per view.
# ARGV: the bound, the expiry, the number of views, a view and a reader event per view, then
# the plain events.
PUSH_STAGED = """
local events = {}
local views = tonumber(ARGV[3])
for i = 1, views do
  events[#events + 1] = ARGV[2 + 2 * i]
  if redis.call('SET', KEYS[1 + i], '', 'NX', 'EX', ARGV[2]) then
    events[#events + 1] = ARGV[3 + 2 * i]
  end
end
for i = 4 + 2 * views, #ARGV do
  events[#events + 1] = ARGV[i]
end
if #events > 0 then
  redis.call('LPUSH', KEYS[1], unpack(events))
  redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
end
"""
FORWARD_EVERY_SECONDS = 0.2  # a worker sends what it staged at most this often under load
FORWARD_AT = 200  # or once this many views and events wait


class RedisBuffer:
    """The same, shared by every worker and host through Redis; Redis trouble falls back to
    this process's memory for a while, like the page cache, and never fails a beacon.

    A round trip per beacon held beacons at 0.4x of a cached page, so events are staged in
    the process and sent together: at once when the last sending is 0.2 s old (a quiet shop
    sends every beacon straight away), else with the first beacon after that, at 200 waiting,
    at this process's flush (``take``) and when its worker stops (``flush_before_exit``).
    """

    KEY = "funnel:events"

    def __init__(self, url: str, max_events: int) -> None:
        self.max_events = max_events
        self.memory = MemoryBuffer(max_events)
        self._redis = redis.Redis.from_url(url, socket_timeout=0.25,
                                           socket_connect_timeout=0.25)
        self._down_until = 0.0
        self._salts: dict[date, bytes] = {}
        self._push_staged = self._redis.register_script(PUSH_STAGED)
        self._views: list[tuple[date, bytes, str, str]] = []
        self._events: list[str] = []
        self._sent_at = 0.0
        self._lock = threading.Lock()

    def _up(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        logger.warning("counters: Redis failed (%s); memory only for %ss", error,
                       REDIS_RETRY_SECONDS)
        self._down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def push(self, events: list[str]) -> None:
        self._stage(events=events)

    def push_view(self, day: date, digest: bytes, view: str, reader: str) -> None:
        self._stage(views=[(day, digest, view, reader)])

    def _stage(self, views: list[tuple[date, bytes, str, str]] = (),
               events: list[str] = ()) -> None:
        with self._lock:
            self._views.extend(views)
            self._events.extend(events)
            due = (time.monotonic() - self._sent_at >= FORWARD_EVERY_SECONDS
                   or len(self._views) + len(self._events) >= FORWARD_AT)
        if due:
            self.forward()

    def forward(self) -> None:
        """Send what this process staged to Redis, in one round trip."""
        with self._lock:
            views, self._views = self._views, []
            events, self._events = self._events, []
            self._sent_at = time.monotonic()
        if not views and not events:
            return
        if self._up():
            try:
                readers = [self._reader_key(day, digest) for day, digest, _, _ in views]
                pairs = [e for _, _, view, reader in views for e in (view, reader)]
                self._push_staged(keys=[self.KEY, *readers],
                                  args=[self.max_events, TWO_DAYS, len(views), *pairs, *events])
                return
            except redis.RedisError as error:
                self._failed(error)
        for day, digest, view, reader in views:
            self.memory.push_view(day, digest, view, reader)
        self.memory.push(events)

    def take(self, count: int) -> list[str]:
        self.forward()
        taken = self.memory.take(count)
        if self._up() and len(taken) < count:
            try:
                # RPOP with a count is atomic: two hosts flushing never take the same event.
                raw = self._redis.rpop(self.KEY, count - len(taken)) or []
                taken += [item.decode() for item in raw]
            except redis.RedisError as error:
                self._failed(error)
        return taken

    def __len__(self) -> int:
        staged = len(self._views) + len(self._events) + len(self.memory)
        try:
            return staged + int(self._redis.llen(self.KEY))
        except redis.RedisError:
            return staged

    def salt(self, day: date) -> bytes:
        if day in self._salts:
            return self._salts[day]
        if not self._up():
            return self.memory.salt(day)
        try:
            key = f"funnel:salt:{day.isoformat()}"
            self._redis.set(key, secrets.token_bytes(16), nx=True, ex=TWO_DAYS)
            salt = self._redis.get(key)
        except redis.RedisError as error:
            self._failed(error)
            return self.memory.salt(day)
        self._salts = {day: salt}
        return salt

    @staticmethod
    def _reader_key(day: date, digest: bytes) -> str:
        return f"funnel:reader:{day.isoformat()}:{digest.hex()}"


class Counters:
    """The app's buffer and its flushing thread (started in each process on first use)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        url = app.config["COUNTER_REDIS_URL"] or app.config["PAGE_CACHE_REDIS_URL"]
        size = app.config["COUNTER_BUFFER_MAX"]
        self.buffer = RedisBuffer(url, size) if url else MemoryBuffer(size)
        self.interval = app.config["COUNTER_FLUSH_SECONDS"]
        # Read here, not from the app's config per beacon: beacons are counted outside Flask.
        self.zone = ZoneInfo(app.config["SHOP_TIMEZONE"])
        self._thread_pid = 0
        self._lock = threading.Lock()

    def today(self) -> date:
        """The date on the shop's clock now."""
        return now().astimezone(self.zone).date()

    def record(self, slug: str, *kinds: str, day: date | None = None) -> None:
        """Count ``kinds`` once each for an article; no database work."""
        stamp = (day or self.today()).isoformat()
        self.buffer.push([f"{stamp} {slug} {kind}" for kind in kinds])
        self._ensure_thread()

    def record_view(self, slug: str, address: str, user_agent: str) -> None:
        """Count a view, and a reader when this address and browser are new to the article
        today (one round trip when the buffer is in Redis); no database work."""
        day = self.today()
        digest = hashlib.blake2b(
            f"{address}\n{user_agent}\n{slug}".encode(), key=self.buffer.salt(day),
            digest_size=16).digest()
        stamp = day.isoformat()
        self.buffer.push_view(day, digest, f"{stamp} {slug} views", f"{stamp} {slug} readers")
        self._ensure_thread()

    def _ensure_thread(self) -> None:
        # After gunicorn forks, each worker starts its own thread on its first beacon.
        if self.interval <= 0 or self._thread_pid == os.getpid():
            return
        with self._lock:
            if self._thread_pid != os.getpid():
                self._thread_pid = os.getpid()
                threading.Thread(target=self._run, name="counter-flush", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush_now()

    def flush_now(self) -> None:
        """Write what the buffer holds; on failure the events went back for the next round."""
        from storefront.extensions import db

        try:
            with self.app.app_context():
                flush(db.session, self.buffer)
        except Exception:
            logger.exception("counters: flush failed")


def flush_before_exit(app) -> None:
    """gunicorn's ``worker_exit``: a worker stopping (a deploy's SIGTERM, a recycle) writes the
    counts it holds in memory, which would otherwise die with it. With Redis it sends what it
    staged; the list outlives the worker and the other workers' next flush writes it."""
    extension = getattr(app, "extensions", {}).get("article_counters")
    if extension is None:
        return
    if isinstance(extension.buffer, RedisBuffer):
        extension.buffer.forward()
    elif len(extension.buffer):
        extension.flush_now()


def counters(app: Flask) -> Counters:
    return app.extensions["article_counters"]


def _parse(event: str) -> tuple[date, str, str] | None:
    try:
        stamp, slug, kind = event.split(" ")
        return date.fromisoformat(stamp), slug, kind
    except ValueError:
        return None


def flush(session: Session, buffer: MemoryBuffer | RedisBuffer, batch: int = BATCH) -> int:
    """Write buffered events to ``article_day`` in batches; returns how many were taken.

    Commits each batch. If the database fails, the batch goes back into the buffer."""
    taken = 0
    while events := buffer.take(batch):
        taken += len(events)
        try:
            _write(session, events)
            session.commit()
        except Exception:
            session.rollback()
            buffer.push(events)
            raise
        if len(events) < batch:
            break
    return taken


def _write(session: Session, events: list[str]) -> None:
    counts: Counter[tuple[date, str, str]] = Counter()
    for parsed in map(_parse, events):
        if parsed is not None and parsed[2] in COUNTER_KINDS:
            counts[parsed] += 1
    slugs = {slug for _, slug, _ in counts}
    if not slugs:
        return
    ids = dict(session.execute(select(Post.slug, Post.id).where(Post.slug.in_(slugs))).all())
    rows: dict[tuple[int, date], dict[str, int]] = {}
    for (day, slug, kind), n in counts.items():
        if slug in ids:
            row = rows.setdefault((ids[slug], day), dict.fromkeys(COUNTER_KINDS, 0))
            row[kind] += n
    values = [{"post_id": post_id, "day": day, **row} for (post_id, day), row in rows.items()]
    for start in range(0, len(values), ROWS_PER_STATEMENT):
        session.execute(_upsert(session, values[start:start + ROWS_PER_STATEMENT]))


def _upsert(session: Session, values: list[dict]):
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ArticleDay).values(values)
    return statement.on_conflict_do_update(
        index_elements=["post_id", "day"],
        set_={kind: getattr(ArticleDay, kind) + getattr(statement.excluded, kind)
              for kind in COUNTER_KINDS})


def init_app(app: Flask) -> None:
    app.extensions["article_counters"] = Counters(app)
