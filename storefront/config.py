"""Settings from the environment.

Every setting the shop reads is listed in ``SETTINGS`` with its default, so the README table
and the code cannot drift apart. Production refuses unsafe defaults at start (a missing secret
key, SQLite without an explicit opt-in, the offline Stripe sandbox) with a one-line reason,
because a shop that starts half-configured fails later, in front of a customer.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot run the shop safely."""


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _csv(value: str) -> list[str]:
    return [part.strip().upper() for part in value.split(",") if part.strip()]


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
    "STRIPE_SECRET_KEY": ("", str),
    "STRIPE_WEBHOOK_SECRET": ("", str),
    "STRIPE_AUTOMATIC_TAX": ("0", _flag),
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
    "MAIL_FROM": ("Royal Warrior <orders@example.com>", str),
    "RATELIMIT_STORAGE_URI": ("memory://", str),
    "ADMIN_LOGIN_LIMIT_PER_IP": ("20 per minute; 100 per hour", str),
    "ADMIN_LOGIN_LIMIT_PER_ACCOUNT": ("5 per minute; 30 per hour", str),
    "MEDIA_ROOT": ("", str),
    "PAGE_CACHE": ("1", _flag),
    "PAGE_CACHE_MAX_BYTES": (str(32 * 1024 * 1024), int),
    "PAGE_CACHE_REDIS_URL": ("", str),
    "PAGE_MAX_AGE": ("0", int),
    "PAGE_S_MAXAGE": ("60", int),
}


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the environment (or ``test_config``) and check it is safe."""
    for name, (default, parse) in SETTINGS.items():
        app.config[name] = parse(os.environ.get(name, default))
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = app.config["STOREFRONT_ENV"] == "production"

    if not app.config["SECRET_KEY"]:
        if production:
            raise ConfigError("SECRET_KEY must be set when STOREFRONT_ENV=production.")
        app.config["SECRET_KEY"] = _development_secret(instance / "secret_key")

    url = app.config["DATABASE_URL"] or f"sqlite:///{instance / 'storefront.sqlite3'}"
    if url.startswith("postgres://"):  # Heroku-style URLs name the dialect the old way.
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if production and url.startswith("sqlite") and not app.config["ALLOW_SQLITE_IN_PRODUCTION"]:
        raise ConfigError(
            "DATABASE_URL is SQLite in production; use PostgreSQL or set "
            "ALLOW_SQLITE_IN_PRODUCTION=1 to accept a single-machine shop."
        )
    if production and not app.config["STRIPE_SECRET_KEY"].startswith(("sk_live_", "sk_test_")):
        raise ConfigError(
            "STRIPE_SECRET_KEY must be a real Stripe key in production; "
            "the offline sandbox is for development only."
        )
    if production and not app.config["STRIPE_WEBHOOK_SECRET"]:
        raise ConfigError("STRIPE_WEBHOOK_SECRET must be set in production.")

    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": not url.startswith("sqlite")}
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


def _development_secret(path: Path) -> str:
    """A per-machine key kept in instance/, so sessions survive restarts in development."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
