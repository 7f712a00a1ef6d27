"""Migrations build exactly the models' schema, and come down again, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from storefront.extensions import db
from storefront.models import Base
from storefront.search.index import is_search_object
from tests.conftest import PG_SKIP_REASON, make_test_app, pg_fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path, worker_id_safe):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    return pg_fresh_database(worker_id_safe, "migrations")


def test_upgrade_matches_models_and_downgrade_empties(empty_database_url, tmp_path):
    app = make_test_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": is_search_object}
                ),
                Base.metadata,
            )
            tables = set(inspect(conn).get_table_names())
        assert differences == []
        assert set(Base.metadata.tables) <= tables

        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = set(inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()

        upgrade()  # and back up again: the chain is repeatable
        with db.engine.connect() as conn:
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
        db.engine.dispose()
