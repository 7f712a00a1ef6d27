"""Start-up that explains itself: the README's commands as written, clear refusals, make run.

These run the real entry points in child processes (`flask` found through ``wsgi.py``,
gunicorn with ``gunicorn.conf.py``, `make run`), from a scratch folder that holds only what a
checkout has, so nothing a test does lands in the checkout itself.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)
SETTINGS = ("STOREFRONT_ENV", "SECRET_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY",
            "STRIPE_WEBHOOK_SECRET", "ALLOW_SQLITE_IN_PRODUCTION", "FLASK_APP",
            "RATELIMIT_STORAGE_URI", "PAGE_CACHE_REDIS_URL", "SERVER_NAME", "TRUSTED_HOSTS")


@pytest.fixture
def shop_dir(tmp_path) -> Path:
    """A folder laid out like the top of a checkout: wsgi.py, the config files and .venv."""
    for name in ("wsgi.py", "gunicorn.conf.py", "Makefile", "requirements.txt",
                 "requirements-dev.txt"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / ".venv").symlink_to(VENV)
    return tmp_path


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A development environment whose database, sandbox and media live in tmp_path."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return clean | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "STRIPE_SANDBOX_PATH": str(tmp_path / "sandbox.sqlite3"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SECRET_KEY": "startup-test",
    }


def _run(command: str, cwd: Path, env: dict, stdin: str = "", timeout: int = 120):
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def readme_flask_commands() -> list[str]:
    """Every `.venv/bin/flask ...` command in the README's shell and cron blocks, as written
    (a cron line without its schedule and its `cd`)."""
    text = (ROOT / "README.md").read_text()
    commands = []
    for block in re.findall(r"```(?:sh|cron)\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if ".venv/bin/flask" in line:
                commands.append(line[line.index(".venv/bin/flask"):].strip())
    return commands


def test_every_flask_command_in_the_readme_works_as_written(shop_dir, env):
    commands = readme_flask_commands()
    assert ".venv/bin/flask db upgrade" in commands
    assert any(c.startswith(".venv/bin/flask create-admin") for c in commands)
    assert any(c.startswith(".venv/bin/flask backup") for c in commands)
    upgrade = _run(".venv/bin/flask db upgrade", shop_dir, env)
    assert upgrade.returncode == 0, upgrade.stderr
    for command in commands:
        if "--forever" in command:  # a worker that never ends: its --help proves it loads
            command = command.replace("--forever", "--help")
        result = _run(command, shop_dir, env, stdin="a long enough password\n")
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, command


def test_an_unknown_environment_stops_start_up_with_one_line(shop_dir, env):
    result = _run(".venv/bin/flask routes", shop_dir, env | {"STOREFRONT_ENV": "prod"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: STOREFRONT_ENV=prod is not known; use development or production."]


@pytest.mark.parametrize("entry_point", [".venv/bin/flask db upgrade",
                                         ".venv/bin/gunicorn -c gunicorn.conf.py"])
def test_production_lists_everything_missing_and_exits_non_zero(shop_dir, env, entry_point):
    env = {k: v for k, v in env.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    result = _run(entry_point, shop_dir, env | {"STOREFRONT_ENV": "production",
                                                "BIND": f"127.0.0.1:{free_port()}"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert [line.split(":")[0].strip(" -") for line in lines] == [
        "SECRET_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]
    assert "secrets.token_hex" in result.stderr  # how to make one, not only its name


def test_a_setting_that_is_not_a_number_is_named(shop_dir, env):
    result = _run(".venv/bin/flask routes", shop_dir, env | {"TRUSTED_PROXIES": "one"})
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: TRUSTED_PROXIES='one' is not a number."


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def test_make_run_prints_where_the_shop_is_before_it_serves(shop_dir, env):
    """The install, migrate and seed steps are taken as done (-o seed): this checks what
    `make run` ends with, the lines a newcomer reads, and that the URL it prints serves."""
    port = free_port()
    process = subprocess.Popen(
        ["make", "-s", "-o", "seed", "run", f"PORT={port}"], cwd=shop_dir, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        printed = [process.stdout.readline() for _ in range(4)]
        text = "".join(printed)
        assert f"http://127.0.0.1:{port}/\n" in text
        assert ".venv/bin/flask create-admin you@example.com --role owner" in text
        assert f"http://127.0.0.1:{port}/admin/login" in text
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", process) == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_gunicorn_conf_serves_logs_and_stops_gracefully(shop_dir, env):
    assert _run(".venv/bin/flask db upgrade", shop_dir, env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [str(VENV / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=shop_dir,
        env=env | {"BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", process) == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=40)
    assert process.returncode == 0, output
    assert re.search(r'"GET /healthz HTTP/1.1" 200', output), output  # the access log
    assert "Shutting down: Master" in output
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", output))) == 2


def test_gunicorn_workers_follow_the_cpu_count(monkeypatch):
    import runpy

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 2 * os.cpu_count() + 1
    assert settings["wsgi_app"] == "wsgi:app"
    assert settings["timeout"] > 15 + 5  # above the web statement timeout and its grace


def test_workers_are_not_recycled_unless_asked(monkeypatch):
    import runpy

    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["max_requests"] == 0
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "50000")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (50000, 5000)


def test_the_master_compiles_every_template_before_forking(app):
    from storefront.web import warm_up

    warm_up(app)
    compiled = {key[1] for key in app.jinja_env.cache._mapping}
    assert set(app.jinja_env.list_templates()) <= compiled
