"""`flask seed-scale`: a synthetic shop whose ledger adds up, loaded by COPY or batches."""

from __future__ import annotations

from sqlalchemy import func, select

from storefront.demo.scale import Size, seed_scale
from storefront.extensions import db
from storefront.models import Order, Post, Product, StockMovement, Variant


def test_seed_scale_fills_a_consistent_shop_twice(app, client):
    with app.app_context():
        for _ in range(2):  # a second run adds beside the first, with no clash
            with db.engine.begin() as conn:
                added = seed_scale(conn, Size(products=3, articles=12, orders=40, ledger=90))
        assert added["orders"] == 40
        assert db.session.scalar(select(func.count()).select_from(Order)) == 80
        assert db.session.scalar(select(func.count()).select_from(Post)) == 24
        assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 180
        ledger = dict(db.session.execute(select(StockMovement.variant_id,
                                                func.sum(StockMovement.delta))
                                         .group_by(StockMovement.variant_id)).all())
        for variant in db.session.scalars(select(Variant)):
            assert variant.on_hand == ledger[variant.id] >= 0  # the shop's own invariant
        slug = db.session.scalar(select(Product.slug).limit(1))
    for path in ("/products/", f"/products/{slug}", "/blog/", "/sitemap.xml"):
        assert client.get(path).status_code == 200, path


def test_seed_scale_command(app, runner):
    result = runner.invoke(args=["seed-scale", "--size", "X"])
    assert result.exit_code == 2 and "'X' is not one of" in result.output
