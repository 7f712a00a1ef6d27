"""Settings from the environment.

Every setting the shop reads is listed in ``SETTINGS`` with its default, so the README table
and the code cannot drift apart. Production refuses unsafe defaults at start (a missing secret
key, SQLite without an explicit opt-in, the offline Stripe sandbox), listing everything that
is missing at once with how to set it, because a shop that starts half-configured fails later,
in front of a customer, and one fix per restart wastes the operator's evening.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from storefront import policies
from storefront.shop_time import parse_zone

ENVIRONMENTS = ("development", "production")


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot run the shop safely.

    The message is written for the operator and printed as it is (``wsgi.py``), without a
    traceback: it names every problem found and how to fix it."""


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _csv(value: str) -> list[str]:
    return [part.strip().upper() for part in value.split(",") if part.strip()]


class _Choice:
    """A setting with a fixed set of values; anything else stops start-up."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def __call__(self, value: str) -> str:
        value = value.strip().lower()
        if value not in self.choices:
            raise ValueError(f"is not one of {', '.join(self.choices)}")
        return value


def _phrases(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def _hosts(value: str) -> list[str] | None:
    hosts = [part.strip().lower() for part in value.split(",") if part.strip()]
    return hosts or None


# name -> (default, parser). Defaults suit development on a laptop with no services.
SETTINGS: dict[str, tuple[str, Any]] = {
    "STOREFRONT_ENV": ("development", str),
    "SECRET_KEY": ("", str),
    "DATABASE_URL": ("", str),
    "ALLOW_SQLITE_IN_PRODUCTION": ("0", _flag),
    "SERVER_NAME": ("", str),
    "TRUSTED_HOSTS": ("", _hosts),
    "PREFERRED_URL_SCHEME": ("http", str),
    "SHOP_NAME": ("Royal Warrior", str),
    "SHOP_CURRENCY": ("usd", str),
    "SHOP_PROMISE": ("", str),
    "SHOP_TIMEZONE": ("UTC", parse_zone),
    "STRIPE_SECRET_KEY": ("", str),
    "STRIPE_WEBHOOK_SECRET": ("", str),
    "STRIPE_AUTOMATIC_TAX": ("0", _flag),
    # Stripe Tax needs to know whether prices include tax; shelf prices in the US do not.
    "STRIPE_TAX_BEHAVIOR": ("exclusive", _Choice("exclusive", "inclusive")),
    "STRIPE_TIMEOUT_SECONDS": ("10", float),
    "STRIPE_API_BASE": ("", str),
    "STRIPE_SANDBOX_PATH": ("", str),
    "SHIPPING_COUNTRIES": ("US,CA,GB,IE,DE,FR,NL,AU", _csv),
    "SHIPPING_STANDARD_CENTS": ("600", int),
    "SHIPPING_EXPRESS_CENTS": ("1500", int),
    "FREE_SHIPPING_OVER_CENTS": ("5000", int),
    "SHIPPING_STANDARD_DAYS": ("3-7", str),
    "SHIPPING_EXPRESS_DAYS": ("1-2", str),
    "SHIPPING_HANDLING_DAYS": ("0-1", str),
    "RETURN_WINDOW_DAYS": ("30", int),
    "RETURN_SHIPPING_PAID_BY": ("customer", str),
    "CHECKOUT_EXPIRY_MINUTES": ("30", int),
    "SMTP_HOST": ("", str),
    "SMTP_PORT": ("587", int),
    "SMTP_USERNAME": ("", str),
    "SMTP_PASSWORD": ("", str),
    "SMTP_STARTTLS": ("1", _flag),
    "SMTP_TIMEOUT": ("10", float),
    "MAIL_FROM": ("Royal Warrior <orders@example.com>", str),
    "MAIL_OUTBOX_DIR": ("", str),
    "MAIL_POLL_SECONDS": ("5", float),
    "RATELIMIT_STORAGE_URI": ("memory://", str),
    "ADMIN_LOGIN_LIMIT_PER_IP": ("20 per minute; 100 per hour", str),
    "ADMIN_LOGIN_LIMIT_PER_ACCOUNT": ("5 per minute; 30 per hour", str),
    "ADMIN_CODE_LIMIT": ("5 per minute; 20 per hour", str),
    "CONTACT_LIMIT": ("5 per hour; 20 per day", str),
    "ADMIN_SESSION_IDLE_HOURS": ("12", float),
    "ADMIN_SESSION_MAX_HOURS": ("168", float),
    "REQUIRE_OWNER_TWO_FACTOR": ("0", _flag),
    "TRUSTED_PROXIES": ("0", int),
    "DATABASE_CONNECT_TIMEOUT": ("5", int),
    "DATABASE_POOL_TIMEOUT": ("10", float),
    "DATABASE_STATEMENT_TIMEOUT": ("15", float),
    "DATABASE_CLI_STATEMENT_TIMEOUT": ("0", float),
    "MEDIA_ROOT": ("", str),
    "PAGE_CACHE": ("1", _flag),
    "PAGE_CACHE_MAX_BYTES": (str(32 * 1024 * 1024), int),
    "PAGE_CACHE_REDIS_URL": ("", str),
    "PAGE_MAX_AGE": ("0", int),
    "PAGE_S_MAXAGE": ("60", int),
    # The article funnel's counters (storefront.reports.counters).
    "COUNTER_REDIS_URL": ("", str),
    "COUNTER_BUFFER_MAX": ("100000", int),
    "COUNTER_FLUSH_SECONDS": ("5", float),
    "BEACON_LIMIT_PER_IP": ("60 per minute; 600 per hour", str),
    # Empty means the built-in lists of storefront.blog.checks.
    "CONTENT_BANNED_CLAIMS": ("", _phrases),
    "CONTENT_CONDITION_WORDS": ("", _phrases),
}


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the environment (or ``test_config``) and check it is safe."""
    unreadable = []
    for name, (default, parse) in SETTINGS.items():
        value = os.environ.get(name, default)
        try:
            app.config[name] = parse(value)
        except ValueError as error:
            reason = "is not a number" if parse in (int, float) else str(error)
            unreadable.append(f"{name}={value!r} {reason}")
    if unreadable:
        raise ConfigError("; ".join(unreadable) + ".")
    if test_config:
        app.config.update(test_config)

    try:
        policies.check(app.config)
    except ValueError as error:
        raise ConfigError(f"{error}.") from None
    if app.config["STOREFRONT_ENV"] not in ENVIRONMENTS:
        raise ConfigError(
            f"STOREFRONT_ENV={app.config['STOREFRONT_ENV']} is not known; "
            f"use {' or '.join(ENVIRONMENTS)}."
        )
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = app.config["STOREFRONT_ENV"] == "production"

    sqlite_default = f"sqlite:///{instance / 'storefront.sqlite3'}"
    url = _database_url(app.config["DATABASE_URL"] or sqlite_default)
    if production:
        problems = _production_problems(app.config, url)
        if problems:
            raise ConfigError(
                "The shop cannot start with STOREFRONT_ENV=production until these are set:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _development_secret(instance / "secret_key")

    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config, url)
    app.config["MEDIA_ROOT"] = app.config["MEDIA_ROOT"] or str(instance / "media")
    app.config["SERVER_NAME"] = app.config["SERVER_NAME"] or None
    app.config["PERMANENT_SESSION_LIFETIME"] = 60 * 60 * 24 * 30  # the cart lives 30 days
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # A cart holder's cookie is rewritten when the cart changes, not on every page view: a
    # public page that set a cookie could not be shared (storefront.page_cache).
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = production
    app.config["REMEMBER_COOKIE_SECURE"] = production
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["MAX_CONTENT_LENGTH"] = 6 * 1024 * 1024  # image uploads are capped at 5 MB
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    # Redis down or hung must not stop anyone logging in: limits carry on in memory (with a
    # warning in the log) and Redis is tried again later; a hung Redis gives up within 1 s.
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_SWALLOW_ERRORS"] = True
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_timeout": 1,
                                                   "socket_connect_timeout": 1}
    # Pages, stylesheets and feeds are compressed by the app itself, so a first visit stays
    # small even without a reverse proxy that compresses; images are already WebP.
    app.config["COMPRESS_MIMETYPES"] = [
        "text/html", "text/css", "text/plain", "text/xml", "application/xml",
        "application/atom+xml", "application/json", "application/javascript", "image/svg+xml",
    ]
    app.config["COMPRESS_MIN_SIZE"] = 1024
    app.config["COMPRESS_REGISTER"] = False  # storefront.web decides which responses
    app.config["PRODUCTION"] = production
    app.config["USE_STRIPE_SANDBOX"] = not app.config["STRIPE_SECRET_KEY"]
    if app.config["USE_STRIPE_SANDBOX"] and not app.config["STRIPE_WEBHOOK_SECRET"]:
        derived = hashlib.sha256(f"sandbox-webhook:{app.config['SECRET_KEY']}".encode())
        app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_sandbox_" + derived.hexdigest()[:32]


def _database_url(url: str) -> str:
    if url.startswith("postgres://"):  # Heroku-style URLs name the dialect the old way.
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _production_problems(config: dict[str, Any], url: str) -> list[str]:
    """Every setting production refuses, each with how to set it."""
    problems = []
    if not config["SECRET_KEY"]:
        problems.append("SECRET_KEY: a long random string, e.g. "
                        "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')")
    if url.startswith("sqlite") and not config["ALLOW_SQLITE_IN_PRODUCTION"]:
        problems.append("DATABASE_URL: PostgreSQL, e.g. DATABASE_URL=postgresql://user:pass@host/"
                        "shop (or ALLOW_SQLITE_IN_PRODUCTION=1 for a one-machine shop on SQLite)")
    if not config["STRIPE_SECRET_KEY"].startswith(("sk_live_", "sk_test_")):
        problems.append("STRIPE_SECRET_KEY: your sk_live_... (or sk_test_...) key from Stripe's "
                        "dashboard; the offline sandbox is for development only")
    if not config["STRIPE_WEBHOOK_SECRET"]:
        problems.append("STRIPE_WEBHOOK_SECRET: the whsec_... signing secret of your webhook "
                        "endpoint in Stripe's dashboard")
    return problems


def _engine_options(config: dict[str, Any], url: str) -> dict[str, Any]:
    """Timeouts so that a database that is down or hung fails a request instead of hanging it.

    The connect timeout bounds a connection attempt, the pool timeout the wait for a free
    connection, and TCP keepalives with ``tcp_user_timeout`` notice a server or network that
    has vanished. A server that is hung but still acknowledges packets defeats all three, and
    its ``statement_timeout`` never fires: ``storefront.database`` gives every wait for an
    answer a deadline of its own on the client side."""
    if url.startswith("sqlite"):
        return {}
    return {
        "pool_pre_ping": True,
        "pool_timeout": config["DATABASE_POOL_TIMEOUT"],
        "connect_args": {
            "connect_timeout": config["DATABASE_CONNECT_TIMEOUT"],
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 30_000,
        },
    }


def _development_secret(path: Path) -> str:
    """A per-machine key kept in instance/, so sessions survive restarts in development."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
