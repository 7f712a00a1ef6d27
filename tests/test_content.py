"""The article body pipeline: sanitizer, citations, product embeds and `flask check-content`."""

from __future__ import annotations

from storefront.blog.content import (
    embedded_slugs,
    render_markdown,
    render_post_body,
)
from tests.conftest import make_post, make_product

HOSTILE = """\
Hello <script>alert("body")</script> world.

<img src="/x.png" onerror="alert('img')" alt="x">

[click me](javascript:alert('link')) and <a href="javascript:alert('raw')">raw link</a>

<iframe src="https://evil.example/"></iframe>

<p style="color:red" onclick="alert('p')">styled</p>

<style>body { display: none }</style>

[external](https://example.org/study) and [internal](/products/) and [mail](mailto:a@b.c)
"""


def test_hostile_markup_never_reaches_the_page():
    html = str(render_markdown(HOSTILE))
    lowered = html.lower()
    for forbidden in ("<script", "onerror", "onclick", "javascript:alert('raw')", "<iframe",
                      "style=", "<style", 'href="javascript'):
        assert forbidden not in lowered, forbidden
    assert "alert(&quot;body&quot;)" not in html and 'alert("body")' not in html
    assert "Hello" in html and "world." in html and "styled" in html
    assert '<img src="/x.png" alt="x">' in html


def test_external_links_get_rel_and_internal_links_do_not():
    html = str(render_markdown(HOSTILE))
    assert '<a href="https://example.org/study" rel="noopener noreferrer">external</a>' in html
    assert '<a href="/products/">internal</a>' in html
    assert '<a href="mailto:a@b.c">mail</a>' in html


def test_tables_render_without_inline_styles():
    html = str(render_markdown("| a | b |\n|--:|---|\n| 1 | 2 |\n"))
    assert "<table>" in html and "<td>1</td>" in html
    assert "style" not in html


def test_citation_markers_become_numbered_links():
    html = str(render_markdown("One.[^1] Two.[^2] One again.[^1]\n\n`code [^3]`"))
    assert '<sup><a href="#ref-1" id="cite-1-1">[1]</a></sup>' in html
    assert '<sup><a href="#ref-2" id="cite-2-1">[2]</a></sup>' in html
    assert '<sup><a href="#ref-1" id="cite-1-2">[1]</a></sup>' in html
    assert "<code>code [^3]</code>" in html  # code is left alone


def test_typed_ids_are_dropped_but_citation_ids_kept():
    html = str(render_markdown('<a href="/" id="main">x</a> [^1]'))
    assert 'id="main"' not in html
    assert 'id="cite-1-1"' in html


def test_embedded_slugs_only_counts_shortcodes_alone_in_a_paragraph():
    body = (
        "Intro\n\n[[product:cream]]\n\nText [[product:inline]] here\n\n"
        "```\n[[product:in-code]]\n```\n\n[[product:balm]]\n\n[[product:cream]]\n"
    )
    assert embedded_slugs(body) == ["cream", "balm"]


def test_embed_renders_live_card_and_omits_unknown_or_inactive(app, session):
    cream = make_product()
    make_product("old-balm", "Old Balm", variants=[("OB-1", "30 ml", 1500, 3)], active=False)
    post = make_post(body="Before.\n\n[[product:royal-warrior-cream]]\n\n[[product:old-balm]]"
                          "\n\n[[product:ghost]]\n\nAfter.")
    with app.test_request_context():
        html = str(render_post_body(post, {cream.slug: cream}))
        inactive = session.get(type(cream), 2)
        html_with_inactive = str(render_post_body(post, {cream.slug: cream, "old-balm": inactive}))
    assert "Before." in html and "After." in html
    assert html.count('class="product-card"') == 1
    assert "Royal Warrior+ Cream" in html and "$24.00–$39.00" in html
    assert "[[product:" not in html
    assert "Old Balm" not in html_with_inactive
    assert 'name="from_post" value="magnesium-for-back-pain"' in html
    assert "size=royal-warr-50" in html and "from=magnesium-for-back-pain" in html


def test_sync_post_products_follows_the_body(app, session):
    make_product()
    other = make_product("night-balm", "Night Balm", variants=[("NB-1", "30 ml", 1800, 4)])
    post = make_post(body="[[product:night-balm]]\n\n[[product:royal-warrior-cream]]")
    assert {p.slug for p in post.products} == {"night-balm", "royal-warrior-cream"}
    from storefront.blog.content import sync_post_products

    post.body = "No products any more, just [[product:night-balm]] inline."
    sync_post_products(session, post)
    session.commit()
    assert post.products == []
    post.body = "[[product:night-balm]]"
    sync_post_products(session, post)
    assert post.products == [other]


def test_render_is_not_stale_after_an_edit(app, session):
    make_product()
    post = make_post(body="First version.")
    with app.test_request_context():
        assert "First version." in str(render_post_body(post, {}))
        post.body = "Second version."
        html = str(render_post_body(post, {}))
    assert "Second version." in html and "First version." not in html
