"""The counter buffer in Redis: shared by every worker (two apps here), bounded, and falling
back to memory when Redis is unreachable, never failing a beacon."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import date

import pytest
import redis

from storefront.reports.counters import RedisBuffer, counters, flush_before_exit
from tests.conftest import free_port, make_test_app
from tests.test_beacon import flushed, post, send  # noqa: F401  (post: fixture)


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=5)


@pytest.fixture
def app_config(redis_url):
    return {"COUNTER_FLUSH_SECONDS": 0, "COUNTER_REDIS_URL": redis_url}


def sent(*clients) -> None:
    """What each worker staged, sent to Redis (its flush or its next beacon would)."""
    for client in clients:
        counters(client.application).buffer.forward()


def _round_trips(buffer, monkeypatch) -> list[int]:
    calls: list[int] = []
    script = buffer._push_staged
    monkeypatch.setattr(buffer, "_push_staged",
                        lambda **kwargs: calls.append(1) or script(**kwargs))
    return calls


def test_a_burst_of_views_reaches_redis_in_one_round_trip(redis_url, monkeypatch):
    buffer = RedisBuffer(redis_url, max_events=1000)
    trips = _round_trips(buffer, monkeypatch)
    day = date(2026, 12, 4)
    buffer.push_view(day, b"first-reader-000", "2026-12-04 a views", "2026-12-04 a readers")
    assert len(trips) == 1  # a quiet process sends at once
    for n in range(50):  # a burst within the next 0.2 s waits
        buffer.push_view(day, f"{n % 10:016d}".encode(), "2026-12-04 a views",
                         "2026-12-04 a readers")
    buffer.push(["2026-12-04 a reads"])
    assert len(trips) == 1
    taken = buffer.take(1000)  # the flush sends what was staged first
    assert len(trips) == 2
    assert sorted(taken).count("2026-12-04 a views") == 51
    assert taken.count("2026-12-04 a readers") == 11 and "2026-12-04 a reads" in taken


def test_staged_views_are_sent_once_the_last_sending_is_old(redis_url):
    buffer = RedisBuffer(redis_url, max_events=1000)
    day = date(2026, 12, 4)
    buffer.push_view(day, b"a" * 16, "2026-12-04 a views", "2026-12-04 a readers")
    buffer.push_view(day, b"b" * 16, "2026-12-04 a views", "2026-12-04 a readers")
    listed = redis.Redis.from_url(redis_url)
    assert listed.llen(RedisBuffer.KEY) == 2  # the second view waits in the process
    time.sleep(0.25)
    buffer.push_view(day, b"c" * 16, "2026-12-04 a views", "2026-12-04 a readers")
    assert listed.llen(RedisBuffer.KEY) == 6


def test_a_stopping_worker_sends_what_it_staged(app, client, post, redis_url):  # noqa: F811
    send(client)
    send(client, kind="read")  # staged: sent less than 0.2 s after the view
    listed = redis.Redis.from_url(redis_url)
    assert listed.llen(RedisBuffer.KEY) == 2
    flush_before_exit(app)
    assert listed.llen(RedisBuffer.KEY) == 3


def test_two_workers_share_the_buffer_and_the_readers(app, client, post, database_url,  # noqa: F811
                                                      tmp_path, redis_url):
    other = make_test_app(database_url, tmp_path, COUNTER_FLUSH_SECONDS=0,
                          COUNTER_REDIS_URL=redis_url).test_client()
    send(client)
    send(other)  # the same reader through another worker: one reader, two views
    send(other, kind="read")
    sent(other)
    assert flushed(app) == {"views": 2, "readers": 1, "reads": 1, "card_clicks": 0,
                            "add_to_cart": 0}


def test_a_redis_outage_falls_back_to_memory(redis_url):
    buffer = RedisBuffer("redis://127.0.0.1:1/0", max_events=10)
    buffer.push(["2026-12-04 some-article views"])
    buffer.push_view(date(2026, 12, 4), b"y" * 16, "2026-12-04 a views", "2026-12-04 a readers")
    buffer.push_view(date(2026, 12, 4), b"y" * 16, "2026-12-04 a views", "2026-12-04 a readers")
    assert buffer.take(10) == ["2026-12-04 some-article views", "2026-12-04 a views",
                               "2026-12-04 a readers", "2026-12-04 a views"]


def test_a_view_and_its_new_reader_are_one_bounded_push(redis_url):
    buffer = RedisBuffer(redis_url, max_events=3)
    day = date(2026, 12, 4)
    for digest in (b"a" * 16, b"a" * 16, b"b" * 16):
        buffer.push_view(day, digest, "2026-12-04 a views", "2026-12-04 a readers")
    assert sorted(buffer.take(10)) == ["2026-12-04 a readers", "2026-12-04 a views",
                                       "2026-12-04 a views"]  # 5 events, the 3 newest kept


def test_the_redis_buffer_is_bounded(redis_url):
    buffer = RedisBuffer(redis_url, max_events=3)
    buffer.push([f"2026-12-04 a views{n}" for n in range(10)])
    assert len(buffer) == 3


def test_the_flood_limit_is_shared_by_workers_through_the_rate_limit_storage(
        app, post, database_url, tmp_path, redis_url):  # noqa: F811
    settings = {"COUNTER_FLUSH_SECONDS": 0, "COUNTER_REDIS_URL": redis_url,
                "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url,
                "BEACON_LIMIT_PER_IP": "5 per minute"}
    workers = [make_test_app(database_url, tmp_path, **settings).test_client()
               for _ in range(2)]
    for n in range(12):
        assert send(workers[n % 2], kind="read").status_code == 204
    sent(*workers)
    assert flushed(app)["reads"] == 5
    keys = redis.Redis.from_url(redis_url).keys("*LIMITER/beacon/*")
    assert len(keys) == 1  # one counter for the address, in the same storage as the app's
