"""The README's nginx snippet, run for real in front of the app (skipped where nginx is not
installed): public pages are cached per encoding, personal requests bypass it, /cart never is,
static files carry the year-long header, and the Origin guard still sees the right host."""

from __future__ import annotations

import getpass
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_product

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed")


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snippet() -> str:
    readme = (ROOT / "README.md").read_text()
    return re.search(r"```nginx\n(.*?)```", readme, re.S).group(1)


@pytest.fixture
def proxied(app, tmp_path):
    """The app on a loopback port, nginx with the README's snippet in front; yields nginx's URL."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = _free_port()
    site = (_snippet()
            .replace("/var/cache/nginx/shop", str(tmp_path / "cache"))
            .replace("127.0.0.1:8000", f"127.0.0.1:{server.server_port}")
            .replace("listen 80;", f"listen 127.0.0.1:{port};")
            .replace("/srv/shop/static/", f"{ROOT / 'static'}/"))
    temp = "".join(f"{kind}_temp_path {tmp_path / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"user {getpass.getuser()};\nworker_processes 1;\npid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\nevents {{ worker_connections 64; }}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp}{site}}}\n")
    nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                             stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    nginx.terminate()
    nginx.wait(timeout=10)
    server.shutdown()


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_readme_nginx_snippet_caches_public_pages_and_nothing_personal(app, proxied):
    with app.app_context():
        make_product(variants=[("RW-50", "50 ml", 2400, 5)])
    page = f"{proxied}/products/royal-warrior-cream"
    assert _get(page, **{"Accept-Encoding": "br"})[1]["X-Cache"] == "MISS"
    status, headers, _ = _get(page, **{"Accept-Encoding": "br"})
    assert status == 200, _get(page)[2][:3000]
    assert headers["X-Cache"] == "HIT" and headers["Content-Encoding"] == "br"
    assert _get(page)[1]["X-Cache"] == "MISS"  # another encoding, another variant
    assert _get(page, Cookie="session=x")[1]["X-Cache"] == "BYPASS"
    assert _get(page, **{"If-None-Match": headers["ETag"], "Accept-Encoding": "br"})[0] == 304
    for _ in range(2):
        assert _get(f"{proxied}/cart")[1]["X-Cache"] == "MISS"
    html = _get(page)[2].decode()
    variant_id = re.search(r'name="variant_id" value="(\d+)"', html)[1]
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', html)[1]
    assert _get(proxied + css)[1]["Cache-Control"] == "public, max-age=31536000, immutable"
    form = f"variant_id={variant_id}&quantity=1".encode()
    for origin, expected in ((proxied, 303), ("https://evil.example", 403)):
        request = urllib.request.Request(f"{proxied}/cart/add", data=form,
                                         headers={"Origin": origin})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            status = opener.open(request).status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == expected, origin


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
