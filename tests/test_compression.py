"""Public pages and stylesheets are compressed; the back office never is (BREACH)."""

import gzip

import brotli

from tests.conftest import make_post, make_product


def test_public_pages_and_css_are_gzipped_when_asked(app, client):
    with app.app_context():
        make_product()
        make_post(body="A long article. " * 200 + "\n\n[[product:royal-warrior-cream]]\n")
    for path in ("/blog/magnesium-for-back-pain", "/products/royal-warrior-cream"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "</html>" in gzip.decompress(response.data).decode()
    # Static files are streamed from disk; browsers that accept Brotli get it compressed.
    css = client.get("/static/css/site.css", headers={"Accept-Encoding": "gzip, br"})
    assert css.headers["Content-Encoding"] == "br"
    assert b"--teal" in brotli.decompress(css.data)
    plain = client.get("/blog/magnesium-for-back-pain")
    assert "Content-Encoding" not in plain.headers and b"</html>" in plain.data


def test_admin_pages_are_never_compressed(client):
    response = client.get("/admin/login", headers={"Accept-Encoding": "gzip, br, zstd"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert b"</html>" in response.data
