"""`make bench-scale`: every public and admin list and detail page at each synthetic size.

For each size in SCALE_SIZES (default "S,M"), the PostgreSQL database in SCALE_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/storefront_scale, created when missing) is
dropped and rebuilt by the migrations, filled by ``flask seed-scale``, then each page is
requested in process (no web server: the figures are the app's and the database's own work)
SCALE_REPEAT times (default 7) after one warm-up request. Prints the median latency and the
bytes of each page, and writes all figures as JSON to SCALE_OUT
(default test-artifacts/bench-scale.json). SCALE_SEEDED=1 measures the database as it is
(seeded before, one size in SCALE_SIZES): no drop, no migration, no seeding. Nothing here runs
in the test suite.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/storefront_scale"
ADMIN = "bench@example.com"
PASSWORD = "bench password for the scale run"


def _recreate(url: str) -> None:
    """Drop and create the benchmark database (never anything else: its name is checked)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("storefront_scale"):
        sys.exit(f"refusing to drop {name!r}: the database name must start with storefront_scale")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _pages(app) -> dict[str, str]:
    from storefront.extensions import db
    from storefront.models import Order, Post, Product, Tag, Variant

    with app.app_context():
        first = {model: db.session.scalar(select(column).order_by(model.id.desc()).limit(1))
                 for model, column in ((Product, Product.slug), (Post, Post.slug),
                                       (Tag, Tag.slug), (Order, Order.id),
                                       (Variant, Variant.id))}
        product_id = db.session.scalar(select(Product.id).order_by(Product.id.desc()).limit(1))
        post_id = db.session.scalar(select(Post.id).order_by(Post.id.desc()).limit(1))
        number = db.session.scalar(select(Order.number).order_by(Order.id).limit(1))
        email = db.session.scalar(select(Order.email).order_by(Order.id).limit(1))
    return {
        "home": "/", "products": "/products/", "products p2": "/products/?page=2",
        "product": f"/products/{first[Product]}", "articles": "/blog/",
        "articles p50": "/blog/?page=50", "article": f"/blog/{first[Post]}",
        "tag": f"/blog/tag/{first[Tag]}", "sitemap index": "/sitemap.xml",
        "sitemap articles": "/sitemap-articles-1.xml", "feed": "/blog/feed.xml",
        "search": "/search?q=magnesium+cream", "search rare": "/search?q=hemp+trial+revie",
        "admin dashboard": "/admin/",
        "admin orders": "/admin/orders", "admin order search number": f"/admin/orders?q={number}",
        "admin order search email": f"/admin/orders?q={email[:9]}",
        "admin order": f"/admin/orders/{first[Order]}", "admin inventory": "/admin/inventory",
        "admin history": f"/admin/inventory/{first[Variant]}/history",
        "admin size": f"/admin/variants/{first[Variant]}",
        "admin products": "/admin/products", "admin product": f"/admin/products/{product_id}",
        "admin posts": "/admin/posts", "admin post": f"/admin/posts/{post_id}",
        "admin authors": "/admin/authors",
        "admin audit": "/admin/audit", "admin content checks": "/admin/content-checks",
        "admin article report": "/admin/reports/articles",
    }


def _measure(client, path: str, repeat: int) -> dict:
    client.get(path)  # warm-up
    times, size, status = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        size, status = len(response.data), response.status_code
    return {"ms": round(statistics.median(times), 1), "bytes": size, "status": status}


def run_size(url: str, size: str, repeat: int) -> dict:
    from flask_migrate import upgrade

    from storefront import accounts, create_app
    from storefront.demo.scale import SIZES, seed_scale
    from storefront.extensions import db

    seeded = os.environ.get("SCALE_SEEDED") == "1"
    if not seeded:
        _recreate(url)
    media = tempfile.mkdtemp()
    # No statement timeout: loading L's ledger is one COPY of minutes, as in `flask seed-scale`.
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "MEDIA_ROOT": media,
                      "SESSION_COOKIE_SECURE": False, "DATABASE_STATEMENT_TIMEOUT": 0})
    seconds = 0.0
    with app.app_context():
        if not seeded:
            upgrade(directory=str(ROOT / "migrations"))
            started = time.perf_counter()
            with db.engine.begin() as conn:
                seed_scale(conn, SIZES[size])
            seconds = time.perf_counter() - started
        if accounts.find_by_email(db.session, ADMIN) is None:
            accounts.create_admin(db.session, ADMIN, PASSWORD, "owner")
            db.session.commit()
        # As `flask seed-scale` does (and autovacuum would): statistics, visibility map.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    client = app.test_client()
    client.post("/admin/login", data={"email": ADMIN, "password": PASSWORD})
    pages = {name: _measure(client, path, repeat) | {"path": path}
             for name, path in _pages(app).items()}
    with app.app_context():
        db.engine.dispose()
    return {"seed_seconds": round(seconds, 1), "pages": pages}


def main() -> None:
    url = os.environ.get("SCALE_DATABASE_URL", DEFAULT_URL)
    sizes = [s.strip() for s in os.environ.get("SCALE_SIZES", "S,M").split(",") if s.strip()]
    repeat = int(os.environ.get("SCALE_REPEAT", "7"))
    out = Path(os.environ.get("SCALE_OUT", ROOT / "test-artifacts" / "bench-scale.json"))
    results = {}
    seeded = os.environ.get("SCALE_SEEDED") == "1"
    for size in sizes:
        print(f"measuring {size} as seeded before..." if seeded else f"seeding {size}...",
              flush=True)
        results[size] = run_size(url, size, repeat)
        if not seeded:
            print(f"  seeded in {results[size]['seed_seconds']} s", flush=True)
    names = list(next(iter(results.values()))["pages"])
    header = "| page | " + " | ".join(f"{s} ms | {s} KB" for s in sizes) + " |"
    print(header)
    print("|---|" + "---:|" * (2 * len(sizes)))
    for name in names:
        cells = []
        for size in sizes:
            page = results[size]["pages"][name]
            flag = "" if page["status"] == 200 else f" ({page['status']})"
            cells += [f"{page['ms']}{flag}", f"{page['bytes'] / 1024:.1f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"JSON written to {out}")


if __name__ == "__main__":
    main()
