"""Configuration: production refuses unsafe defaults at start, development needs nothing."""

from pathlib import Path

import pytest

from storefront import create_app
from storefront.config import ConfigError

PRODUCTION = {
    "STOREFRONT_ENV": "production",
    "SECRET_KEY": "a-long-random-secret",
    "DATABASE_URL": "postgresql://shop@db.internal/shop",
    "STRIPE_SECRET_KEY": "sk_test_123",
    "STRIPE_WEBHOOK_SECRET": "whsec_123",
}


@pytest.fixture
def env(monkeypatch):
    for name in ("STOREFRONT_ENV", "SECRET_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY",
                 "STRIPE_WEBHOOK_SECRET", "ALLOW_SQLITE_IN_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)

    def apply(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return apply


def test_production_starts_with_everything_set(env):
    env(**PRODUCTION)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["USE_STRIPE_SANDBOX"] is False


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY: a long random string"),
        ("STRIPE_SECRET_KEY", "offline sandbox is for development only"),
        ("STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET: the whsec_"),
    ],
)
def test_production_refuses_missing_settings(env, missing, message):
    env(**{k: v for k, v in PRODUCTION.items() if k != missing})
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_production_refuses_sqlite_without_opt_in(env):
    env(**(PRODUCTION | {"DATABASE_URL": "sqlite:///shop.sqlite3"}))
    with pytest.raises(ConfigError, match="ALLOW_SQLITE_IN_PRODUCTION"):
        create_app()
    env(ALLOW_SQLITE_IN_PRODUCTION="1")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///shop.sqlite3"


def test_development_needs_no_settings(env):
    app = create_app()
    key_file = Path(app.instance_path) / "secret_key"
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]  # stable across starts
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["USE_STRIPE_SANDBOX"] is True
    assert app.config["STRIPE_WEBHOOK_SECRET"].startswith("whsec_")


def test_an_unknown_time_zone_stops_start_up_with_a_clear_line(monkeypatch, tmp_path):
    from tests.conftest import make_test_app

    monkeypatch.setenv("SHOP_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="SHOP_TIMEZONE='Mars/Olympus' is not a time zone"):
        make_test_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path)


@pytest.mark.parametrize("name,value,message", [
    ("SHIPPING_STANDARD_DAYS", "three", "SHIPPING_STANDARD_DAYS='three' is not a range of days"),
    ("SHIPPING_HANDLING_DAYS", "5-2", "SHIPPING_HANDLING_DAYS='5-2' is not a range of days"),
    ("RETURN_SHIPPING_PAID_BY", "nobody", "RETURN_SHIPPING_PAID_BY must be one of"),
])
def test_malformed_shipping_terms_stop_start_up(monkeypatch, tmp_path, name, value, message):
    from tests.conftest import make_test_app

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        make_test_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path)
