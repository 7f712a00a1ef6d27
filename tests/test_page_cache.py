"""The page cache: reused while nothing changed, fresh after any change, bounded by bytes,
keyed only by what the view reads, compressed once, shared through Redis when configured."""

import gzip

import brotli
import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.inventory import adjust_stock, reserve_stock
from storefront.models import Post, StockReason, Variant
from tests.conftest import make_post, make_product, make_test_app
from tests.test_query_counts import count_queries

PRODUCT = "/products/royal-warrior-cream"


def _queries(app, client, path, **kwargs):
    with count_queries(app) as statements:
        response = client.get(path, **kwargs)
    assert response.status_code == 200
    return response, statements


def _variant(sku):
    return db.session.scalar(select(Variant).where(Variant.sku == sku))


def _store(app):
    return app.extensions["page_cache"].memory


def test_a_repeat_view_runs_no_query_of_the_app_and_shows_the_same_page(app, client):
    with app.app_context():
        make_product()
    first, _ = _queries(app, client, PRODUCT)
    again, statements = _queries(app, client, PRODUCT)
    assert statements == []  # the version is read on the cache's own connection
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]


def test_stock_changes_show_at_once(app, client):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 1)])
    assert "Only 1 left" in client.get(PRODUCT).get_data(as_text=True)
    with app.app_context():
        reserve_stock(db.session, [(_variant("RW-50").id, 1)])  # a checkout holds the last jar
        db.session.commit()
    assert "Sold out" in client.get(PRODUCT).get_data(as_text=True)
    with app.app_context():
        variant = _variant("RW-50")
        adjust_stock(db.session, variant.id, delta=12, reason=StockReason.RESTOCK)
        db.session.commit()
    assert "In stock" in client.get(PRODUCT).get_data(as_text=True)


def test_a_price_change_through_the_orm_shows_at_once(app, client):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5)])
    assert "$24.00" in client.get(PRODUCT).get_data(as_text=True)
    with app.app_context():
        _variant("RW-50").price_cents = 2600
        db.session.commit()
    assert "$26.00" in client.get(PRODUCT).get_data(as_text=True)


def test_a_rolled_back_change_does_not_bump_the_version(app, client):
    with app.app_context():
        make_product()
    client.get(PRODUCT)
    with app.app_context():
        db.session.scalar(select(Variant)).price_cents = 1
        db.session.flush()
        db.session.rollback()
        db.session.commit()  # an unrelated, empty commit later on
    _, statements = _queries(app, client, PRODUCT)
    assert statements == []


def test_article_edits_and_unpublishing_show_at_once(app, client):
    with app.app_context():
        make_product()
        make_post()
    path = "/blog/magnesium-for-back-pain"
    assert "Some text." in client.get(path).get_data(as_text=True)
    with app.app_context():
        post = db.session.scalar(select(Post))
        post.body = "Rewritten.\n\n[[product:royal-warrior-cream]]\n"
        db.session.commit()
    assert "Rewritten." in client.get(path).get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(Post)).published_at = None
        db.session.commit()
    assert client.get(path).status_code == 404


def test_tracking_and_unknown_parameters_make_no_new_entry(app, client):
    with app.app_context():
        make_product()
    client.get(PRODUCT)
    entries = len(_store(app))
    for n in range(40):
        _, statements = _queries(
            app, client, f"{PRODUCT}?utm_source=x{n}&utm_campaign={n}&fbclid={n}&zz{n}=1")
        assert statements == []  # a hit
    assert len(_store(app)) == entries


def test_parameters_the_view_reads_do_make_entries(app, client):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5), ("RW-100", "100 ml", 3900, 5)])
    small = client.get(f"{PRODUCT}?size=RW-50").get_data(as_text=True)
    large = client.get(f"{PRODUCT}?size=RW-100").get_data(as_text=True)
    assert small != large


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_MAX_BYTES": 40_000}], indirect=True)
def test_the_cache_is_capped_by_bytes_and_evicts_the_oldest(app, client):
    with app.app_context():
        for n in range(12):
            make_product(slug=f"cream-{n}", variants=[(f"SKU-{n}", "50 ml", 2400, 5)],
                         description="Long words. " * 300)
    for n in range(12):
        assert client.get(f"/products/cream-{n}").status_code == 200
        assert _store(app).bytes <= 40_000
    assert 0 < len(_store(app)) < 12
    _, statements = _queries(app, client, "/products/cream-11")
    assert statements == []  # the newest is still there
    _, statements = _queries(app, client, "/products/cream-0")
    assert len(statements) > 1  # the oldest was evicted: rendered again


def test_each_encoding_is_stored_once_and_chosen_by_accept_encoding(app, client, monkeypatch):
    with app.app_context():
        make_product()
    plain = client.get(PRODUCT, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers

    def no_compressing(*_args, **_kwargs):
        raise AssertionError("a cache hit compressed the page again")

    monkeypatch.setattr(brotli, "compress", no_compressing)
    monkeypatch.setattr(gzip, "compress", no_compressing)
    br = client.get(PRODUCT, headers={"Accept-Encoding": "gzip, deflate, br"})
    gz = client.get(PRODUCT, headers={"Accept-Encoding": "gzip"})
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert brotli.decompress(br.data) == plain.data == gzip.decompress(gz.data)
    assert len({plain.headers["ETag"], br.headers["ETag"], gz.headers["ETag"]}) == 3
    for response in (plain, br, gz):
        assert response.headers["Vary"] == "Accept-Encoding"


def test_flash_messages_are_never_cached(app, client):
    with app.app_context():
        make_product()
    client.get(PRODUCT)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved for you only.")]
    mine = client.get(PRODUCT)
    assert "Saved for you only." in mine.get_data(as_text=True)
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert "Saved for you only." not in app.test_client().get(PRODUCT).get_data(as_text=True)


def test_a_forged_host_header_does_not_reach_other_visitors(app, client):
    """Absolute links (canonical, sitemap, robots) come from the request's host: a page cached
    by path alone served the attacker's host to every visitor until the next change."""
    app.config["SERVER_NAME"] = None  # as in production by default: any Host is answered
    with app.app_context():
        make_product()
    for path in (PRODUCT, "/robots.txt", "/sitemap.xml"):
        forged = app.test_client().get(path, headers={"Host": "evil.example"})
        assert "evil.example" in forged.get_data(as_text=True)
        honest = client.get(path).get_data(as_text=True)
        assert "evil.example" not in honest and "http://localhost/" in honest


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable: {error}")
    return "redis://127.0.0.1:6379/15"


def test_workers_share_pages_through_redis(app, database_url, tmp_path):
    url = _redis_or_skip()
    app.config["PAGE_CACHE_REDIS_URL"] = url
    with app.app_context():
        make_product(description=f"Shared {tmp_path.name}.")
    first = make_test_app(database_url, tmp_path, PAGE_CACHE_REDIS_URL=url)
    second = make_test_app(database_url, tmp_path, PAGE_CACHE_REDIS_URL=url)
    rendered, _ = _queries(first, first.test_client(), PRODUCT)
    shared, statements = _queries(second, second.test_client(), PRODUCT)
    assert statements == [] and shared.data == rendered.data


def test_a_dead_redis_costs_speed_not_pages(app, database_url, tmp_path):
    with app.app_context():
        make_product()
    dead = make_test_app(database_url, tmp_path, PAGE_CACHE_REDIS_URL="redis://127.0.0.1:9/0")
    client = dead.test_client()
    assert client.get(PRODUCT).status_code == 200
    _, statements = _queries(dead, client, PRODUCT)
    assert statements == []  # served from memory


def _counter():
    from storefront.models import ContentVersion

    db.session.expire_all()
    return db.session.get(ContentVersion, 1).counter


def test_the_content_version_is_one_counter_bumped_once_per_public_change(app):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5)])
        start = _counter()
        variant_id = _variant("RW-50").id
        reserve_stock(db.session, [(variant_id, 1)])  # a conditional UPDATE, not the ORM
        reserve_stock(db.session, [(variant_id, 1)])
        db.session.commit()
        assert _counter() == start + 1  # once per transaction
        make_post()  # the ORM: a new article
        assert _counter() == start + 2
        db.session.commit()  # nothing changed
        assert _counter() == start + 2
