"""/healthz for load balancers, and the production-only headers and cookie flags."""

from storefront import create_app
from tests.conftest import free_port

UNREACHABLE_DB = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"


def test_healthz_is_200_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": UNREACHABLE_DB,
                      "MEDIA_ROOT": str(tmp_path)})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "down"}


def test_production_adds_hsts_and_secure_cookies(tmp_path):
    app = create_app({
        "STOREFRONT_ENV": "production", "SECRET_KEY": "s" * 32, "DATABASE_URL": UNREACHABLE_DB,
        "STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": "whsec_123",
        "MEDIA_ROOT": str(tmp_path),
    })
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_trusted_hosts_refuse_other_host_headers(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "MEDIA_ROOT": str(tmp_path),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}"})
    assert app.config["TRUSTED_HOSTS"] is None  # development answers to any host
    app.config["TRUSTED_HOSTS"] = ["shop.example.com"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "shop.example.com"}).status_code == 200
