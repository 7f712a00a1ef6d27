"""The beacon: answered before Flask and counted in a buffer, never in the request; bots,
prefetches, forgeries, unknown articles and floods count nothing; the flush writes daily
counters by upsert on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import ArticleDay, Post
from storefront.reports.beacon import beacon_signature
from storefront.reports.counters import counters, flush
from tests.conftest import make_post, make_product
from tests.test_query_counts import count_queries

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "HeadlessChrome/140.0.0.0 Safari/537.36")


@pytest.fixture
def app_config():
    return {"COUNTER_FLUSH_SECONDS": 0}


@pytest.fixture
def post(session):
    make_product()
    return make_post()


def send(client, slug="magnesium-for-back-pain", kind="view", signature=None, agent=CHROME,
         address="203.0.113.7", **headers):
    with client.application.app_context():
        signature = signature if signature is not None else beacon_signature(slug)
    body = json.dumps({"k": kind, "p": slug, "s": signature})
    return client.post("/beacon", data=body, content_type="text/plain;charset=UTF-8",
                       headers={"User-Agent": agent, "Sec-Fetch-Site": "same-origin",
                                **headers},
                       environ_base={"REMOTE_ADDR": address})


def flushed(app) -> dict[str, int]:
    with app.app_context():
        flush(db.session, counters(app).buffer)
        rows = db.session.scalars(select(ArticleDay)).all()
        return {kind: sum(getattr(r, kind) for r in rows)
                for kind in ("views", "readers", "reads", "card_clicks", "add_to_cart")}


def test_views_readers_reads_and_clicks_are_counted_after_the_flush(app, client, post):
    assert send(client).status_code == 204
    assert send(client).status_code == 204  # the same reader again
    assert send(client, address="198.51.100.2").status_code == 204
    assert send(client, kind="read").status_code == 204
    assert send(client, kind="card_click").status_code == 204
    assert flushed(app) == {"views": 3, "readers": 2, "reads": 1, "card_clicks": 1,
                            "add_to_cart": 0}
    send(client)
    assert flushed(app)["views"] == 4  # the second flush adds to the day's row (upsert)


def test_a_beacon_does_no_database_work_and_sets_no_cookie(app, client, post):
    send(client)  # a process's first beacon reads the published articles, once
    with count_queries(app) as statements:
        response = send(client, address="198.51.100.2")
    assert response.status_code == 204
    assert statements == []
    assert "Set-Cookie" not in response.headers


def test_a_beacon_never_enters_flask(app, client, post):
    entered = []
    app.before_request(lambda: entered.append(1))
    app.teardown_request(lambda _error: entered.append(2))
    assert send(client).status_code == 204
    assert send(client, agent="Googlebot/2.1").status_code == 204
    assert send(client, signature="0" * 20).status_code == 400
    assert entered == []
    assert flushed(app)["views"] == 1


def test_a_beacon_leaves_a_cart_holders_cookie_alone(app, client, post):
    client.post("/cart/add", data={"variant_id": "1", "quantity": "1"})
    assert client.get_cookie("session", domain="shop.test") is not None
    response = send(client)
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1", "curl/8.5.0", "python-requests/2.32", "",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
])
def test_crawlers_and_scripts_count_nothing(app, client, post, agent):
    assert send(client, agent=agent).status_code == 204
    assert flushed(app)["views"] == 0


@pytest.mark.parametrize("header", [("Sec-Purpose", "prefetch"),
                                    ("Sec-Purpose", "prefetch;prerender"),
                                    ("Purpose", "prefetch"), ("X-Moz", "prefetch")])
def test_prefetches_count_nothing(app, client, post, header):
    assert send(client, **{header[0]: header[1]}).status_code == 204
    assert flushed(app)["views"] == 0


def test_forged_unknown_malformed_and_oversized_beacons_are_refused(app, client, post):
    assert send(client, signature="0" * 20).status_code == 400  # forged signature
    assert send(client, slug="no-such-article").status_code == 204  # signed, but unknown
    assert send(client, kind="purchase").status_code == 400
    assert send(client, slug="../etc").status_code == 400
    for body in ("not json", "[]", json.dumps({"k": "view"})):
        assert client.post("/beacon", data=body, headers={"User-Agent": CHROME}
                           ).status_code == 400
    big = json.dumps({"k": "view", "p": "magnesium-for-back-pain", "s": "x" * 600})
    assert client.post("/beacon", data=big, headers={"User-Agent": CHROME}).status_code == 400
    assert send(client, **{"Sec-Fetch-Site": "cross-site"}).status_code == 400
    assert len(counters(app).buffer) == 0  # the unknown article never reached the buffer
    assert flushed(app)["views"] == 0


@pytest.mark.parametrize("app_config", [{"COUNTER_FLUSH_SECONDS": 0, "RATELIMIT_ENABLED": True,
                                         "BEACON_LIMIT_PER_IP": "5 per minute"}])
def test_a_flood_from_one_address_counts_only_up_to_the_limit(app, client, post):
    answers = {send(client).status_code for _ in range(20)}
    assert answers == {204}
    assert send(client, address="198.51.100.9").status_code == 204  # others still count
    assert flushed(app)["views"] == 6


@pytest.mark.parametrize("app_config", [{"COUNTER_FLUSH_SECONDS": 0,
                                         "COUNTER_BUFFER_MAX": 3}])
def test_the_buffer_is_bounded(app, client, post):
    for _ in range(10):
        send(client, kind="read")
    assert len(counters(app).buffer) == 3
    assert flushed(app)["reads"] == 3


def test_a_failed_flush_puts_the_events_back(app, client, post, monkeypatch):
    send(client)
    import storefront.reports.counters as module

    def broken(session, events):
        raise RuntimeError("database down")

    monkeypatch.setattr(module, "_write", broken)
    with app.app_context(), pytest.raises(RuntimeError):
        flush(db.session, counters(app).buffer)
    monkeypatch.undo()
    assert flushed(app)["views"] == 1


def test_flush_counters_command(app, client, post, runner):
    send(client)
    result = runner.invoke(args=["flush-counters"])
    assert "flushed 2 events" in result.output  # a view and a new reader
    assert flushed(app)["views"] == 1


def test_the_article_page_carries_the_beacon(app, client, post):
    page = client.get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    with app.app_context():
        assert f'data-beacon-sig="{beacon_signature(post.slug)}"' in page
    assert "/static/js/beacon.js" in page or "js/beacon" in page


def test_only_a_post_is_answered(app, client, post):
    response = client.get("/beacon")
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


@pytest.mark.parametrize("header", [("DNT", "1"), ("Sec-GPC", "1")])
def test_a_reader_who_declines_tracking_still_counts_a_view(app, client, post, header):
    assert send(client, **{header[0]: header[1]}).status_code == 204
    assert flushed(app)["views"] == 1


def test_an_oversized_body_is_refused_before_it_is_read(app, client, post):
    body = json.dumps({"k": "view", "p": post.slug, "s": "x" * 20}).ljust(513)
    response = client.post("/beacon", data=body, headers={"User-Agent": CHROME})
    assert response.status_code == 400 and response.get_data() == b"Too large.\n"
    assert flushed(app)["views"] == 0


def test_unpublished_and_scheduled_articles_count_nothing_until_they_are_public(
        app, client, post, session):
    from datetime import timedelta

    from storefront.models import utcnow

    make_post("a-draft", "A draft", published=False)
    make_post("next-week", "Next week", published_at=utcnow() + timedelta(days=7))
    assert send(client, slug="a-draft").status_code == 204
    assert send(client, slug="next-week").status_code == 204
    assert len(counters(app).buffer) == 0
    draft = session.scalar(select(Post).filter_by(slug="a-draft"))
    draft.published_at = utcnow()
    session.commit()  # bumps the content version: the very next beacon reads the slugs again
    assert send(client, slug="a-draft").status_code == 204
    assert flushed(app)["views"] == 1


def test_the_slugs_are_read_again_only_when_the_content_version_changed(app, client, post):
    send(client)
    with count_queries(app) as statements:
        for _ in range(5):
            assert send(client).status_code == 204
    assert statements == []


def test_with_the_database_unreadable_beacons_are_kept_for_the_flush(app, client, post,
                                                                    monkeypatch):
    articles = app.extensions["beacon"].articles
    monkeypatch.setattr(articles, "app", None)  # any database read now fails
    assert send(client, slug="no-such-article").status_code == 204
    assert send(client).status_code == 204
    monkeypatch.undo()
    assert flushed(app)["views"] == 1  # the flush dropped the unknown article


@pytest.mark.parametrize("app_config", [
    {"RATELIMIT_ENABLED": True, "BEACON_LIMIT_PER_IP": "5 per minute; 7 per hour"},
    {"RATELIMIT_ENABLED": True, "BEACON_LIMIT_PER_IP": "100 per minute; 5 per hour",
     "RATELIMIT_STRATEGY": "moving-window"},
])
def test_a_flood_is_counted_up_to_the_tightest_limit_whatever_the_strategy(app, client, post):
    answers = {send(client, kind="read").status_code for _ in range(30)}
    assert answers == {204}
    assert flushed(app)["reads"] == 5


def test_a_failing_limit_storage_falls_back_to_memory(app):
    from storefront.reports.beacon import BeaconLimit

    limit = BeaconLimit({"BEACON_LIMIT_PER_IP": "2 per minute",
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
                         "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 0.2,
                                                       "socket_connect_timeout": 0.2}})
    assert [limit.allows("203.0.113.7") for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize("app_config", [{"SHOP_TIMEZONE": "America/New_York"}])
def test_counts_go_to_the_shops_day(app, client, post, monkeypatch):
    from datetime import UTC, date, datetime

    import storefront.reports.counters as module

    # 04:30 UTC on 1 March 2026 is 23:30 on 28 February in New York; 05:30 is 00:30 on 1 March.
    monkeypatch.setattr(module, "now", lambda: datetime(2026, 3, 1, 4, 30, tzinfo=UTC))
    send(client)
    monkeypatch.setattr(module, "now", lambda: datetime(2026, 3, 1, 5, 30, tzinfo=UTC))
    send(client)  # a new day: the same reader is new again
    send(client, kind="read")
    flushed(app)
    with app.app_context():
        rows = {r.day: (r.views, r.readers, r.reads) for r in db.session.scalars(
            select(ArticleDay))}
    assert rows == {date(2026, 2, 28): (1, 1, 0), date(2026, 3, 1): (1, 1, 1)}


def test_a_stopping_worker_writes_the_counts_it_holds(app, client, post):
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    assert send(client).status_code == 204
    assert send(client, kind="read").status_code == 204
    conf = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
    conf["worker_exit"](None, SimpleNamespace(wsgi=app))  # gunicorn's hook, in the worker
    assert len(counters(app).buffer) == 0
    with app.app_context():
        rows = db.session.scalars(select(ArticleDay)).all()
        assert (sum(r.views for r in rows), sum(r.reads for r in rows)) == (1, 1)
