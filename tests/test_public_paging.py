"""Public product, article and tag lists come a page at a time, with rel=prev/next links."""

from __future__ import annotations

import re
from datetime import timedelta

from storefront.models import utcnow
from tests.conftest import make_post, make_product


def _head(html: str) -> str:
    return html.split("</head>", 1)[0]


def test_product_list_is_paged_with_links_in_head_and_a_pager(app, client, session):
    for n in range(26):
        make_product(f"jar-{n:02d}", f"Jar {n:02d}", variants=[(f"J{n:02d}", "50 ml", 100, 3)])
    first = client.get("/products/").get_data(as_text=True)
    second = client.get("/products/?page=2").get_data(as_text=True)
    names = re.compile(r">Jar (\d\d)<")
    assert len(set(names.findall(first))) == 24 and set(names.findall(second)) == {"24", "25"}
    assert '<link rel="next" href="http://shop.test/products/?page=2">' in _head(first)
    assert 'rel="prev"' not in _head(first)
    assert '<link rel="prev" href="http://shop.test/products/">' in _head(second)
    assert 'rel="next"' not in _head(second)
    assert '<a rel="next" href="/products/?page=2">More products</a>' in first
    assert '<a rel="prev" href="/products/">Previous products</a>' in second
    assert client.get("/products/?page=3").status_code == 404
    assert client.get("/products/?page=x").status_code == 404
    # The page is part of the cache key, tracking parameters are not.
    assert names.findall(client.get("/products/?page=2&utm_source=x").get_data(
        as_text=True)) == names.findall(second)


def test_article_and_tag_lists_link_their_neighbours_in_head(app, client, session):
    now = utcnow()
    for n in range(12):
        make_post(f"essay-{n:02d}", f"Essay {n:02d}", body="x", tags=("skin",),
                  published_at=now - timedelta(hours=n + 1))
    for path in ("/blog/", "/blog/tag/skin"):
        first = _head(client.get(path).get_data(as_text=True))
        second = _head(client.get(path + "?page=2").get_data(as_text=True))
        assert f'<link rel="next" href="http://shop.test{path}?page=2">' in first, path
        assert f'<link rel="prev" href="http://shop.test{path}">' in second, path
        assert 'rel="next"' not in second and 'rel="prev"' not in first, path


def test_product_and_tag_pages_find_their_articles_through_an_index(app, session):
    from sqlalchemy import inspect

    from storefront.extensions import db

    # The link tables' keys start with the post; these pages look up by the other side.
    indexes = {table: {tuple(i["column_names"]) for i in inspect(db.engine).get_indexes(table)}
               for table in ("post_product", "post_tag")}
    assert ("product_id",) in indexes["post_product"]
    assert ("tag_id",) in indexes["post_tag"]
