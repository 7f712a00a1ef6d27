"""`make audit`: Lighthouse (mobile) on the public pages, against a freshly seeded shop.

DESIGN 8 sets the goal: 100 in performance, accessibility, best practices and SEO on every
public page. This script builds a throwaway SQLite database and media folder, seeds the demo
shop, serves it with gunicorn on a free port and runs Lighthouse on each page with its default
mobile form factor and simulated throttling. It prints the four category scores per page, the
bytes a first visit transfers (as `make bench` counts them: HTML, stylesheets, scripts, eager
images), and the title of every audit that did not pass. It exits 1 when any score is below 100;
audits that carry no weight in a score are listed, marked "[no weight]", but do not fail it.

Lighthouse is an npm package, installed once into a cache folder outside the repository
(LIGHTHOUSE_CACHE, default ~/.cache/storefront-audit) at the pinned version below; nothing else
is fetched at audit time. It drives Chromium: CHROME_PATH, or the first of chromium,
chromium-browser, google-chrome found on PATH.

Environment: LIGHTHOUSE_CACHE, CHROME_PATH, AUDIT_REPORT_DIR (keep each page's JSON report
there), AUDIT_PAGES (comma-separated paths instead of the default list).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.run import BIN, ROOT, page_weight, start_gunicorn, stop

LIGHTHOUSE_VERSION = "12.8.2"  # the last major that runs on Node 20 (13.x wants Node >= 22.19)
PAGES = [
    "/",
    "/products/",
    "/products/royal-warrior-cream",
    "/blog/",
    "/blog/magnesium-for-back-pain",
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def audit_cache() -> Path:
    """Where the audit's npm tools live, outside the repository."""
    return Path(os.environ.get("LIGHTHOUSE_CACHE")
                or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                / "storefront-audit")


def lighthouse_bin() -> Path:
    """The pinned Lighthouse CLI, installed into the cache folder on first use."""
    prefix = audit_cache() / f"lighthouse-{LIGHTHOUSE_VERSION}"
    cli = prefix / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        npm = shutil.which("npm")
        if not npm:
            raise SystemExit("npm is needed to install Lighthouse (Node 18.20 or later)")
        prefix.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {prefix}", file=sys.stderr)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, stdout=sys.stderr)
    return cli


def chrome_path() -> str:
    found = os.environ.get("CHROME_PATH") or next(
        filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None)
    if not found:
        raise SystemExit("Chromium is needed: set CHROME_PATH or apt-get install chromium")
    return found


def seed(env: dict[str, str]) -> None:
    """A fresh database with the demo catalogue and articles, as `make bench` builds it."""
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)


def lighthouse(cli: Path, url: str, report: Path, env: dict[str, str]) -> dict:
    node = shutil.which("node")
    if not node:
        raise SystemExit("node is needed to run Lighthouse")
    result = subprocess.run(
        [node, str(cli), url, "--quiet", "--output=json", f"--output-path={report}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"],
        env=env, capture_output=True, text=True,
    )
    if result.returncode != 0 or not report.exists():
        raise SystemExit(f"lighthouse failed on {url}:\n{result.stderr.strip()}")
    return json.loads(report.read_text())


def failing_audits(lhr: dict) -> list[str]:
    """Titles of the audits in the four categories that did not pass; those that carry no
    weight in the category score (performance insights and diagnostics) are marked so."""
    failing = set()
    for category in CATEGORIES:
        for ref in lhr["categories"][category]["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            score, mode = audit.get("score"), audit.get("scoreDisplayMode")
            if mode in ("binary", "numeric", "metricSavings") and score is not None and score < 1:
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                weight = "" if ref.get("weight") else " [no weight]"
                failing.add(f"{category}: {audit['title']}{value}{weight}")
    return sorted(failing)


def main() -> None:
    cli = lighthouse_bin()
    pages = [p for p in os.environ.get("AUDIT_PAGES", "").split(",") if p] or PAGES
    tmp = Path(tempfile.mkdtemp(prefix="storefront-audit-"))
    report_dir = Path(os.environ.get("AUDIT_REPORT_DIR") or tmp / "reports")
    report_dir.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp / 'audit.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "FLASK_APP": "storefront",
    }
    lh_env = os.environ | {"CHROME_PATH": chrome_path()}
    seed(env)
    proc, base = start_gunicorn("storefront:create_app()", env, 2, tmp / "access.log")
    rows, failures = [], []
    try:
        for path in pages:
            name = path.strip("/").replace("/", "_") or "home"
            # Fetching the page and its assets first also warms the server's page cache, so
            # Lighthouse (with a fresh browser profile: still a first visit) sees steady state.
            weight = page_weight(base, path)
            lhr = lighthouse(cli, base + path, report_dir / f"{name}.json", lh_env)
            scores = [round((lhr["categories"][c]["score"] or 0) * 100) for c in CATEGORIES]
            rows.append((path, scores, weight))
            failures += [(path, title) for title in failing_audits(lhr)]
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile, simulated throttling")
    print(f"{'page':40} {'perf':>5} {'a11y':>5} {'b-p':>5} {'seo':>5} {'first visit':>12}")
    for path, scores, weight in rows:
        print(f"{path:40} " + " ".join(f"{s:5d}" for s in scores) + f" {weight / 1024:9.1f} KB")
    if failures:
        print("\nNot passing:")
        for path, title in failures:
            print(f"  {path}  {title}")
    sys.exit(1 if any(s < 100 for _, scores, _ in rows for s in scores) else 0)


if __name__ == "__main__":
    main()
