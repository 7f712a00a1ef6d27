"""`make audit`, second half: axe and the Nu HTML Checker on every public page, with the cart
empty and with the cart filled, against a freshly seeded shop.

Pages are opened in Debian's Chromium through Playwright, so scripts have run (the cart badge
exists only in the DOM), and each page is checked twice: axe (WCAG 2.2 AA rules) in the
browser, and the Nu HTML Checker (the `vnu-jar` npm package, run with Java) on the rendered
DOM. It prints every error found and exits 1 if there is any. Without Java the Nu checker is
skipped with a note; axe still runs.

Environment: LIGHTHOUSE_CACHE (the folder `vnu-jar` is installed into, shared with the
Lighthouse half), CHROME_PATH, AUDIT_PAGES (comma-separated paths instead of the default list).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.lighthouse import PAGES, audit_cache, chrome_path, seed
from benchmarks.run import start_gunicorn, stop

VNU_VERSION = "26.9.27"
EXTRA_PAGES = ["/cart", "/blog/tag/magnesium", "/search?q=magnesium", "/pages/contact",
               "/pages/shipping", "/pages/returns", "/no-such-page"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def vnu_jar() -> Path | None:
    """The pinned checker's jar, installed on first use; None where Java is missing."""
    if not shutil.which("java"):
        return None
    prefix = audit_cache() / f"vnu-{VNU_VERSION}"
    jar = prefix / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
                        f"vnu-jar@{VNU_VERSION}"], check=True, stdout=sys.stderr)
    return jar


def nu_errors(jar: Path, html_files: list[Path]) -> dict[str, list[str]]:
    """File name -> the checker's error messages (warnings and info are not errors)."""
    result = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--exit-zero-always",
                             *map(str, html_files)], capture_output=True, text=True)
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr or '{"messages": []}')["messages"]:
        if message.get("type") == "error":
            name = Path(message.get("url", "")).name
            errors.setdefault(name, []).append(
                f"line {message.get('lastLine', '?')}: {message['message']}")
    return errors


def fill_cart(page, base: str) -> None:
    page.goto(base + "/products/royal-warrior-cream")
    page.click("form.add-to-cart button[type=submit]")
    page.wait_for_url(base + "/cart")


def main() -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    pages = [p for p in os.environ.get("AUDIT_PAGES", "").split(",") if p] or PAGES + EXTRA_PAGES
    tmp = Path(tempfile.mkdtemp(prefix="storefront-standards-"))
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp / 'audit.sqlite3'}",
                        "MEDIA_ROOT": str(tmp / "media"), "FLASK_APP": "storefront"}
    seed(env)
    jar = vnu_jar()
    proc, base = start_gunicorn("storefront:create_app()", env, 2, tmp / "access.log")
    problems: list[str] = []
    rendered: dict[Path, str] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chrome_path(),
                                                 args=["--no-sandbox", "--disable-gpu"])
            for cart in ("empty", "filled"):
                page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                if cart == "filled":
                    fill_cart(page, base)
                for path in pages:
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    label = f"{path} (cart {cart})"
                    result = Axe().run(page, options={"runOnly": {"type": "tag",
                                                                  "values": AXE_TAGS}})
                    problems += [f"axe {label}: {v['id']}: {v['help']}"
                                 for v in result.response["violations"]]
                    file = tmp / f"{len(rendered):02d}.html"
                    file.write_text("<!doctype html>\n" + page.evaluate(
                        "document.documentElement.outerHTML"))
                    rendered[file] = label
                page.context.close()
            browser.close()
    finally:
        stop(proc)
    if jar is None:
        print("Nu HTML Checker skipped: Java is not installed")
    else:
        for name, errors in nu_errors(jar, list(rendered)).items():
            label = rendered[tmp / name]
            problems += [f"nu {label}: {error}" for error in errors]
    shutil.rmtree(tmp, ignore_errors=True)
    checked = "axe" + ("" if jar is None else f" and Nu HTML Checker {VNU_VERSION}")
    print(f"{checked}: {len(pages)} pages, cart empty and filled, {len(problems)} errors")
    for problem in problems:
        print("  " + problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
