"""Time the customer's Pay click with a mail server that accepts and never answers.

    .venv/bin/python benchmarks/pay_click.py [CLICKS=5] [SOURCE_DIR=.]

Starts a hung SMTP socket, a fresh SQLite shop under `flask run` (the offline sandbox, as in
`make run`) with SMTP_HOST pointing at that socket, then walks CLICKS checkouts in a row like a
browser without JavaScript: add to cart, POST /checkout, then the Pay click on the hosted page
(its POST and the redirect to the success page). Prints each figure and the median.
SOURCE_DIR lets the same script time another checkout of the shop (an older commit).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(sys.argv[2] if len(sys.argv) > 2 else ".").resolve()
BIN = Path(sys.executable).parent
CLICKS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hung_smtp() -> int:
    """A socket that accepts connections and never says a word (no 220 greeting)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held = []

    def accept():
        while True:
            conn, _ = server.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="payclick-"))
    smtp_port = hung_smtp()
    port = free_port()
    env = dict(os.environ, FLASK_APP="wsgi", DATABASE_URL=f"sqlite:///{tmp}/shop.sqlite3",
               STRIPE_SANDBOX_PATH=str(tmp / "sandbox.sqlite3"), SMTP_HOST="127.0.0.1",
               SMTP_PORT=str(smtp_port), SMTP_STARTTLS="0", SECRET_KEY="bench",
               PAGE_CACHE="0", RATELIMIT_ENABLED="0")
    flask = str(BIN / "flask")
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([flask, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    variant = subprocess.run(
        [str(BIN / "python"), "-c",
         "from storefront import create_app\nfrom storefront.extensions import db\n"
         "from storefront.models import Variant\napp=create_app()\nwith app.app_context():\n"
         " v=db.session.scalars(db.select(Variant).order_by(Variant.id)).first()\n"
         " v.on_hand=1000\n db.session.commit()\n print(v.id)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.split()[-1]
    server = subprocess.Popen([flask, "run", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        checkout_times, pay_times = [], []
        for _ in range(CLICKS):
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            opener.open(base + "/cart/add", urllib.parse.urlencode(
                {"variant_id": variant, "quantity": 1}).encode(), timeout=120).read()
            start = time.perf_counter()
            page = opener.open(base + "/checkout", b"", timeout=120)
            html = page.read().decode()
            checkout_times.append(time.perf_counter() - start)
            action = re.search(r'<form[^>]*action="([^"]*/pay/[^"]*)"', html).group(1)
            start = time.perf_counter()
            done = opener.open(urllib.parse.urljoin(page.geturl(), action), urllib.parse.urlencode(
                {"outcome": "paid", "email": "buyer@example.com", "name": "A Buyer",
                 "line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
                 "country": "US", "state": "IL"}).encode(), timeout=120)
            body = done.read().decode()
            pay_times.append(time.perf_counter() - start)
            assert "/checkout/success" in done.geturl(), done.geturl()
            assert "RW-" in body
        for name, times in (("POST /checkout", checkout_times), ("Pay click", pay_times)):
            print(f"{name:15} " + " ".join(f"{t:6.2f}" for t in times)
                  + f"   median {statistics.median(times):.2f} s")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
