"""The articles in public: lists, tags, pagination, one article and its parts."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from storefront.models import PostReference, utcnow
from tests.conftest import make_post, make_product


def _posts(count: int, tags=("magnesium",)):
    now = utcnow()
    return [make_post(f"post-{n:02d}", f"Article {n:02d}", body=f"Body {n}.", tags=tags,
                      published_at=now - timedelta(days=count - n)) for n in range(count)]


def test_index_lists_public_posts_newest_first(client, session):
    _posts(3)
    make_post("draft", "Draft post", published=False)
    make_post("future", "Future post", published_at=utcnow() + timedelta(hours=1))
    html = client.get("/blog/").get_data(as_text=True)
    titles = re.findall(r'class="card-title"><a href="/blog/[^"]+">([^<]+)</a>', html)
    assert titles == ["Article 02", "Article 01", "Article 00"]
    assert "Draft post" not in html and "Future post" not in html
    assert "<title>Learn · Royal Warrior</title>" in html


def test_index_paginates_ten_per_page(client, session):
    _posts(12)
    first = client.get("/blog/").get_data(as_text=True)
    assert first.count('class="post-card"') == 10
    assert 'rel="next" href="/blog/?page=2"' in first
    second = client.get("/blog/?page=2").get_data(as_text=True)
    assert second.count('class="post-card"') == 2
    assert "Article 01" in second and "Article 00" in second
    assert 'rel="prev" href="/blog/"' in second
    assert "page 2" in second  # a title of its own
    assert client.get("/blog/?page=3").status_code == 404
    assert client.get("/blog/?page=0").status_code == 404
    assert client.get("/blog/?page=abc").status_code == 404


def test_tag_page_shows_only_tagged_posts(client, session):
    make_post("tagged", "Tagged article", tags=("sleep",))
    make_post("other", "Other article", tags=("magnesium",))
    html = client.get("/blog/tag/sleep").get_data(as_text=True)
    assert "Articles about Sleep" in html
    assert "Tagged article" in html and "Other article" not in html
    assert client.get("/blog/tag/nope").status_code == 404
    assert client.get("/blog/tag/sleep?page=2").status_code == 404


@pytest.mark.parametrize("page", ["999999999999999999999", "9223372036854775807", "\u00b2",
                                  "\u0661", "-1", "01", "1e3", " 1"])
def test_odd_page_numbers_are_not_found(client, session, page):
    """Page numbers past any OFFSET the database takes, or digits int() refuses, were a 500."""
    make_post("tagged", "Tagged article", tags=("sleep",))
    assert client.get("/blog/", query_string={"page": page}).status_code == 404
    assert client.get("/blog/tag/sleep", query_string={"page": page}).status_code == 404


def test_article_page_parts(client, session):
    make_product()
    post = make_post(
        body="Magnesium matters.[^1] Cream evidence is thin.[^2]\n\n"
             "[[product:royal-warrior-cream]]\n\nEnd.",
        author="Dana Reyes", reviewed_by="Dr. Sam Lee", cover_key="cover-back",
        cover_alt="A teal horizon",
    )
    post.references = [
        PostReference(position=1, citation="Fact sheet.", url="https://ods.example/mg"),
        PostReference(position=2, citation="Review 2017.", url="https://doi.example/x"),
    ]
    session.commit()
    html = client.get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert html.count("<h1") == 1 and "Magnesium for back pain: is it effective?</h1>" in html
    assert "By Dana Reyes" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[\d:]+\+00:00">', html)
    assert "Reviewed by Dr. Sam Lee" in html  # not "medically": a reviewer may not be a clinician
    assert "min read" in html
    assert 'srcset="/media/covers/cover-back-320.webp 320w' in html
    assert 'width="1200" height="675" alt="A teal horizon"' in html
    assert '<ol id="references">' in html
    assert '<li id="ref-1">Fact sheet.' in html and '<li id="ref-2">Review 2017.' in html
    assert '<a href="#ref-2" id="cite-2-1">[2]</a>' in html
    assert "not medical advice" in html  # health disclaimer
    assert 'class="product-card"' in html and "$24.00–$39.00" in html
    link = "/products/royal-warrior-cream?size=royal-warr-50#from=magnesium-for-back-pain"
    assert link in html


def test_article_without_review_or_health_flag(client, session):
    make_post(body="Just a recipe.", is_health=False)
    html = client.get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert "Reviewed by" not in html
    assert "Health disclaimer" not in html
    assert 'id="references"' not in html


def test_unpublished_and_future_articles_are_404(client, session):
    make_post("draft", "Draft", published=False)
    make_post("future", "Future", published_at=utcnow() + timedelta(minutes=5))
    assert client.get("/blog/draft").status_code == 404
    assert client.get("/blog/future").status_code == 404
    assert client.get("/blog/never-written").status_code == 404


def test_related_and_prev_next(client, session):
    now = utcnow()
    make_post("a-oldest", "Oldest", tags=("sleep",), published_at=now - timedelta(days=5))
    make_post("b-older", "Older same tag", tags=("sleep",), published_at=now - timedelta(days=4))
    make_post("c-middle", "Middle", tags=("sleep",), published_at=now - timedelta(days=3))
    make_post("d-other", "Other tag", tags=("skin",), published_at=now - timedelta(days=2))
    make_post("e-newest", "Newest same tag", tags=("sleep",), published_at=now - timedelta(days=1))
    make_post("f-draft", "Draft same tag", tags=("sleep",), published=False)
    html = client.get("/blog/c-middle").get_data(as_text=True)
    assert 'rel="prev" href="/blog/b-older"' in html
    assert 'rel="next" href="/blog/d-other"' in html
    related = html.split('id="related-title"')[1]
    titles = re.findall(r'class="card-title"><a href="/blog/([^"]+)"', related)
    assert titles == ["e-newest", "b-older", "a-oldest"]


def test_blog_posting_structured_data_and_meta(client, session):
    make_post(summary="A careful look at magnesium.", cover_key="cover-x", cover_alt="x")
    html = client.get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Magnesium for back pain: is it effective?"
    assert data["author"]["name"] == "Editorial team"
    assert data["datePublished"] and data["dateModified"] >= data["datePublished"]
    assert data["image"] == "http://shop.test/media/covers/cover-x-960.webp"
    assert '<meta name="description" content="A careful look at magnesium.">' in html
    assert '<link rel="canonical" href="http://shop.test/blog/magnesium-for-back-pain">' in html
    assert '<meta property="og:image" content="http://shop.test/media/covers/cover-x-960.webp">' \
        in html


@pytest.mark.parametrize("path", ["/", "/products/", "/blog/", "/blog/magnesium-for-back-pain",
                                  "/products/royal-warrior-cream"])
def test_every_public_page_has_unique_title_and_canonical(client, session, path):
    make_product()
    make_post()
    html = client.get(path).get_data(as_text=True)
    assert html.count("<title>") == 1
    assert html.count('rel="canonical"') == 1
    assert '<meta property="og:title"' in html and '<meta property="og:url"' in html
    assert html.count("<h1") == 1


def test_demo_tags_are_shown_as_written(client, session):
    from storefront.demo.loader import load_demo

    load_demo(session)
    session.commit()
    page = client.get("/blog/tag/vitamin-d").get_data(as_text=True)
    assert "Vitamin D" in page and "Vitamin d" not in page
    article = client.get("/blog/magnesium-for-back-pain").get_data(as_text=True)
    assert "Back pain" in article
