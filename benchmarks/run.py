"""`make bench`: the shop's product and article pages against a bare Flask app, under gunicorn.

DESIGN 8 sets the goal: each page serves at least half the requests per second of a "hello"
app measured in the same run, with p99 latency under 30 ms at 32 connections. Load comes from
wrk (Debian package `wrk`) on the same machine; both apps get the same workers and the same
load, so the ratio is what counts, not the absolute figures. Also prints each page's SQL query
count and the bytes a first visit transfers.

Environment: BENCH_DATABASE_URL (default: a fresh SQLite file), BENCH_WORKERS (default: CPU
count), BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGES = {
    "product": "/products/royal-warrior-cream",
    "article": "/blog/magnesium-for-back-pain",
    "home": "/",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", target],
        cwd=ROOT, env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1).read()
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn {target} did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
    """Requests per second and p99 latency in milliseconds."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out or "Socket errors" in out:
        print(out, file=sys.stderr)
    return rps, p99


def _fetch(url: str) -> tuple[bytes, int]:
    """The body as a browser would read it, and the bytes that crossed the wire."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        gzipped = response.headers.get("Content-Encoding") == "gzip"
    return (gzip.decompress(raw) if gzipped else raw), len(raw)


def page_weight(base: str, path: str) -> int:
    """Bytes transferred for the HTML plus its stylesheets, scripts and eager images."""
    html, total = _fetch(base + path)
    text = html.decode()
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text)
    assets += re.findall(r'<link[^>]+rel="icon"[^>]+href="([^"]+)"', text)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', text)
    for tag in re.findall(r"<img[^>]+>", text):
        if 'loading="lazy"' not in tag:
            assets += re.findall(r'\ssrc="([^"]+)"', tag)
    for asset in set(assets):
        total += _fetch(base + asset.replace("&amp;", "&"))[1]
    return total


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
    tmp = Path(tempfile.mkdtemp(prefix="storefront-bench-"))
    env = os.environ | {
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}"),
        "MEDIA_ROOT": str(tmp / "media"),
        "FLASK_APP": "storefront",
    }
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "flask"), "seed-demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)

    print(f"gunicorn sync workers: {workers}; wrk: {connections} connections, {seconds} s each")
    proc, base = start_gunicorn("benchmarks.hello:app", env, workers)
    try:
        hello_rps, hello_p99 = wrk(base + "/", seconds, connections)
    finally:
        stop(proc)
    print(f"{'hello':8} {hello_rps:9.0f} req/s  p99 {hello_p99:6.1f} ms")

    proc, base = start_gunicorn("storefront:create_app()", env, workers)
    failed = False
    try:
        for name, path in PAGES.items():
            rps, p99 = wrk(base + path, seconds, connections)
            ratio = rps / hello_rps
            ok = ratio >= 0.5 and p99 < 30
            failed |= not ok and name != "home"
            weight = page_weight(base, path)
            print(f"{name:8} {rps:9.0f} req/s  p99 {p99:6.1f} ms  {ratio:5.0%} of hello  "
                  f"first visit {weight / 1024:5.1f} KB  {'ok' if ok else 'BELOW TARGET'}")
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
