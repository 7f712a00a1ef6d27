"""The Royal Warrior storefront: articles that teach, a product page that sells, Stripe to pay."""

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; each step is a small function named for what it sets up."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )

    from storefront.config import load_config

    load_config(app, test_config)

    # models: the tables; mail_delivery: its session hooks (development .eml files at commit)
    from storefront import cli, database, mail_delivery, models, page_cache, web  # noqa: F401
    from storefront.extensions import compress, csrf, db, limiter, login_manager, migrate
    from storefront.payments import gateway
    from storefront.reports import beacon, counters

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    web.init_url_map(app)
    counters.init_app(app)
    register_blueprints(app)
    web.init_app(app)
    page_cache.init_app(app)
    web.refuse_unusable_hosts(app)
    gateway.init_app(app)
    cli.init_app(app)
    beacon.init_app(app)  # answered before Flask, the page cache and the Host check
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from
    their X-Forwarded-* headers; with none (the default) those headers are ignored, since
    anyone can send them. Outermost, so the page cache and the rate limits see the real ones."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_blueprints(app: Flask) -> None:
    from storefront.admin.views import bp as admin_bp
    from storefront.blog.views import bp as blog_bp
    from storefront.cart.views import bp as cart_bp
    from storefront.catalog.views import bp as catalog_bp
    from storefront.checkout.views import bp as checkout_bp
    from storefront.contact import bp as contact_bp
    from storefront.search.views import bp as search_bp
    from storefront.site.views import bp as site_bp

    for blueprint in (site_bp, catalog_bp, blog_bp, search_bp, cart_bp, checkout_bp,
                      contact_bp, admin_bp):
        app.register_blueprint(blueprint)
