"""/search: products and articles from the database's full-text index, ranked and highlighted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from storefront.extensions import db
from storefront.models import Post, Product, utcnow
from tests.conftest import make_post, make_product
from tests.test_query_counts import count_queries


def _seed():
    make_product(description="Magnesium chloride in **hemp seed oil**, for massage.")
    balm = make_product("night-balm", "Night Balm", description="A lavender balm for dry hands.",
                        variants=[("NB-1", "30 ml", 1800, 5)])
    balm.tagline = "For dry hands"
    db.session.commit()
    make_post("magnesium-for-back-pain", "Magnesium for back pain: is it effective?",
              body="Magnesium supplements were tried for chronic low back pain.[^1]\n\n"
                   "[[product:royal-warrior-cream]]\n")
    make_post("hemp-seed-oil-skin", "Hemp seed oil and dry skin",
              body="A small crossover trial compared hemp seed oil with olive oil.")
    make_post("draft-magnesium", "Magnesium draft", body="Magnesium, not yet published.",
              published=False)
    make_post("later-magnesium", "Magnesium later", body="Magnesium, scheduled.",
              published_at=utcnow() + timedelta(days=3))


def test_finds_products_and_articles_ranked_with_marked_matches(client, session):
    _seed()
    html = client.get("/search?q=magnesium").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in html
    assert 'href="/products/royal-warrior-cream"' in html
    assert 'href="/blog/magnesium-for-back-pain"' in html
    assert "<mark>Magnesium</mark>" in html
    assert "draft-magnesium" not in html and "later-magnesium" not in html
    assert "night-balm" not in html
    assert "[[product:" not in html and "[^1]" not in html
    # The article with the word in its title ranks above the one without.
    hemp = client.get("/search?q=hemp+seed+oil").get_data(as_text=True)
    assert hemp.index("/blog/hemp-seed-oil-skin") < hemp.index("/products/royal-warrior-cream")


def test_every_word_must_match_and_the_last_may_be_a_prefix(client, session):
    _seed()
    assert "/products/night-balm" in client.get("/search?q=lavender+bal").get_data(as_text=True)
    none = client.get("/search?q=lavender+magnesium").get_data(as_text=True)
    assert "Nothing matches" in none


def test_inactive_products_and_edits_follow_the_database_at_once(client, session):
    _seed()
    product = session.get(Product, 2)
    product.active = False
    post = session.scalar(db.select(Post).where(Post.slug == "hemp-seed-oil-skin"))
    post.title = "Cannabis sativa seed oil and eczema"
    session.commit()
    assert "/products/night-balm" not in client.get("/search?q=lavender").get_data(as_text=True)
    html = client.get("/search?q=eczema").get_data(as_text=True)
    assert "/blog/hemp-seed-oil-skin" in html
    session.delete(post)
    session.commit()
    assert "Nothing matches" in client.get("/search?q=eczema").get_data(as_text=True)


@pytest.mark.parametrize("query", [
    '"', '"magnesium', "magnesium*", "NEAR(a b)", "a OR b AND NOT c", "title:magnesium",
    "'; DROP TABLE post; --", "<script>alert(1)</script>", "\u0007bell", "(((", "-", "^",
    "مغنيسيوم", "마그네슘", "x" * 5000, "magnesium " * 300,
])
def test_hostile_and_odd_queries_are_answered_plainly(client, session, query):
    _seed()
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    if len(query) > 200:
        assert "Only the first 200 characters" in html


def test_empty_query_shows_the_form_and_a_hint(client, session):
    html = client.get("/search").get_data(as_text=True)
    assert 'name="q"' in html and "for example" in html
    assert "for example" in client.get("/search?q=+++").get_data(as_text=True)


def test_search_box_is_in_every_page_header(client, session):
    _seed()
    for path in ("/", "/products/royal-warrior-cream", "/blog/magnesium-for-back-pain"):
        html = client.get(path).get_data(as_text=True)
        assert 'role="search" action="/search"' in html, path


def test_query_count_is_fixed(app, client, session):
    _seed()
    for n in range(15):
        make_post(f"magnesium-{n}", f"Magnesium note {n}", body="Magnesium again.")
    with count_queries(app) as statements:
        assert client.get("/search?q=magnesium").status_code == 200
    assert len(statements) <= 4


@pytest.mark.postgresql
def test_postgresql_search_reads_stored_documents_through_gin_indexes(app, client, session,
                                                                      backend):
    if backend != "postgresql":
        pytest.skip("the stored documents and GIN indexes are PostgreSQL's")
    _seed()
    # A stored generated column on each table, so ranking never parses the text again...
    generated = dict(session.execute(text(
        "SELECT table_name, generation_expression FROM information_schema.columns "
        "WHERE column_name = 'search_document' AND is_generated = 'ALWAYS'"
    )).all())
    assert set(generated) == {"post", "product"}
    assert "setweight" in generated["post"]  # titles weigh more than the text
    indexes = dict(session.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
        "('ix_search_post', 'ix_search_product')"
    )).all())
    assert all("gin (search_document)" in d for d in indexes.values()) and len(indexes) == 2
    # ...and the match is answered from the index.
    session.execute(text("SET enable_seqscan = off"))
    for table in ("post", "product"):
        plan = "\n".join(session.execute(text(
            f"EXPLAIN SELECT id FROM {table} "
            "WHERE search_document @@ to_tsquery('english', 'magnesium & hemp:*')"
        )).scalars())
        assert f"ix_search_{table}" in plan
    session.rollback()
    # The document follows an edit at its commit.
    post = session.scalar(db.select(Post).where(Post.slug == "hemp-seed-oil-skin"))
    post.summary = "Quasiwords for the test"
    session.commit()
    assert "/blog/hemp-seed-oil-skin" in client.get("/search?q=quasiword").get_data(as_text=True)


@pytest.mark.postgresql
def test_postgresql_ranks_a_bounded_set_of_candidates_title_matches_included(
        client, session, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("the candidate limit is PostgreSQL's")
    from storefront.search import index

    monkeypatch.setattr(index, "RANK_CANDIDATES", 3)
    make_post("zinc-basics", "Zinc basics", body="An older article about zinc.",
              published_at=utcnow() - timedelta(days=30))
    for n in range(6):
        make_post(f"zinc-note-{n}", f"Note {n}", body="Zinc, zinc and zinc again.")
    html = client.get("/search?q=zinc").get_data(as_text=True)
    # The three newest body matches and the title match are ranked; the title match first.
    assert html.count('href="/blog/zinc-note-') == 3
    assert html.index("/blog/zinc-basics") < html.index("/blog/zinc-note-")
