"""`make bench`: the shop's product and article pages against a bare Flask app, under gunicorn.

DESIGN 8 sets the goal: product and article pages serve at least 0.8x the requests per second
of a "hello" app measured in the same run, with p99 latency of 30 ms or less at 32 connections.
Load comes from wrk (Debian package `wrk`) on the same machine; both apps get the same workers
and the same load, so the ratio is what counts, not the absolute figures. Also prints the
bytes a first visit transfers, and writes the figures as JSON to BENCH_OUT:
``{"hello": {"rps", "p99_ms"}, "pages": {"product": {"rps", "p99_ms", "ratio"}, ...},
"beacon": {"rps", "p99_ms", "ratio"}}``; the beacon is the article view beacon, POSTed.

Environment (or the matching flags): BENCH_DATABASE_URL / --database-url (default: a fresh
SQLite file; a PostgreSQL database is emptied and seeded), BENCH_REDIS_URL / --redis-url (the
page cache shared through Redis), BENCH_OUT / --out (default test-artifacts/bench.json),
BENCH_WORKERS (default: CPU count), BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32),
BENCH_FLOOD_REQUESTS (default 5000: distinct query strings, after which the busiest worker
must stay within 50 MB of its warm size).
"""

from __future__ import annotations

import argparse
import gzip
import json
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


def start_gunicorn(target: str, env: dict[str, str], workers: int, access_log: Path
                   ) -> tuple[subprocess.Popen, str]:
    """gunicorn with the shop's own gunicorn.conf.py, as in production, but for the workers'
    number; its access log (one line per request, on stdout) goes to a file, not the screen."""
    port = free_port()
    with access_log.open("ab") as log:
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", target],
            cwd=ROOT, env=env, start_new_session=True, stdout=log,
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


def wrk(url: str, seconds: int, connections: int, script: Path | None = None
        ) -> tuple[float, float]:
    """Requests per second and p99 latency in milliseconds."""
    extra = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out or "Socket errors" in out:
        print(out, file=sys.stderr)
    return rps, p99


BEACON_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{"k":"view","p":"%s","s":"%s"}'
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"
"""


def beacon_script(base: str, tmp: Path) -> Path:
    """A wrk script posting the article page's own view beacon (its slug and signature)."""
    page = _fetch(base + PAGES["article"])[0].decode()
    signature = re.search(r'data-beacon-sig="([0-9a-f]+)"', page).group(1)
    slug = PAGES["article"].rsplit("/", 1)[1]
    script = tmp / "beacon.lua"
    script.write_text(BEACON_SCRIPT % (slug, signature))
    return script


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


def worker_rss_mb(master: subprocess.Popen) -> float:
    """Resident memory of gunicorn's busiest worker (the children of the master), in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes)


def query_flood(base: str, requests: int) -> None:
    """Distinct tracking and junk query strings on every cached page, as crawlers send."""
    for n in range(requests):
        path = list(PAGES.values())[n % len(PAGES)]
        url = f"{base}{path}?utm_source=s{n}&utm_campaign=c{n}&fbclid={n:040d}&x{n}=1"
        urllib.request.urlopen(url).read()


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--out", default=os.environ.get("BENCH_OUT",
                                                        "test-artifacts/bench.json"))
    return parser.parse_args()


def empty_database(env: dict[str, str]) -> None:
    """A PostgreSQL database given to the benchmark is emptied, so seed-demo starts clean."""
    if not env["DATABASE_URL"].startswith("postgres"):
        return
    code = ("from storefront import create_app\n"
            "from storefront.extensions import db\n"
            "from sqlalchemy import text\n"
            "with create_app().app_context(), db.engine.begin() as c:\n"
            "    c.execute(text('DROP SCHEMA public CASCADE; CREATE SCHEMA public'))\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    args = options()
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
    tmp = Path(tempfile.mkdtemp(prefix="storefront-bench-"))
    env = os.environ | {
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        "PAGE_CACHE_REDIS_URL": args.redis_url,
        "MEDIA_ROOT": str(tmp / "media"),
        "FLASK_APP": "storefront",
        # The beacon is measured on its counting path, not on the flood limit's drop.
        "BEACON_LIMIT_PER_IP": "100000000 per minute",
    }
    empty_database(env)
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "flask"), "seed-demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)

    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"gunicorn sync workers: {workers}; wrk: {connections} connections, {seconds} s each;"
          f" {database}; page cache in {'Redis and ' if args.redis_url else ''}memory")
    proc, base = start_gunicorn("benchmarks.hello:app", env, workers, tmp / "access.log")
    try:
        hello_rps, hello_p99 = wrk(base + "/", seconds, connections)
    finally:
        stop(proc)
    print(f"{'hello':8} {hello_rps:9.0f} req/s  p99 {hello_p99:6.1f} ms")
    results = {"hello": {"rps": round(hello_rps, 1), "p99_ms": round(hello_p99, 2)},
               "pages": {}}

    proc, base = start_gunicorn("storefront:create_app()", env, workers, tmp / "access.log")
    failed = False
    try:
        for name, path in PAGES.items():
            rps, p99 = wrk(base + path, seconds, connections)
            ratio = rps / hello_rps
            ok = ratio >= 0.8 and p99 <= 30
            results["pages"][name] = {"rps": round(rps, 1), "p99_ms": round(p99, 2),
                                      "ratio": round(ratio, 3)}
            failed |= not ok and name != "home"
            weight = page_weight(base, path)
            print(f"{name:8} {rps:9.0f} req/s  p99 {p99:6.1f} ms  {ratio:5.2f}x hello  "
                  f"first visit {weight / 1024:5.1f} KB  {'ok' if ok else 'BELOW TARGET'}")
        rps, p99 = wrk(base + "/beacon", seconds, connections, beacon_script(base, tmp))
        results["beacon"] = {"rps": round(rps, 1), "p99_ms": round(p99, 2),
                             "ratio": round(rps / hello_rps, 3)}
        print(f"{'beacon':8} {rps:9.0f} req/s  p99 {p99:6.1f} ms  {rps / hello_rps:5.2f}x hello"
              "  (POST /beacon, counted into the buffer)")
        warm = worker_rss_mb(proc)
        flood = int(os.environ.get("BENCH_FLOOD_REQUESTS", "5000"))
        query_flood(base, flood)
        growth = worker_rss_mb(proc) - warm
        results["flood"] = {"requests": flood, "warm_rss_mb": round(warm, 1),
                            "rss_growth_mb": round(growth, 1)}
        failed |= growth > 50
        print(f"flood    {flood} distinct query strings: busiest worker {warm:.0f} MB warm, "
              f"{growth:+.1f} MB after  {'ok' if growth <= 50 else 'ABOVE TARGET'}")
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
