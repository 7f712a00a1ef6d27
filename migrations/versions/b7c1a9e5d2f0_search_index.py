"""full-text search index over products and articles

PostgreSQL: GIN expression indexes on to_tsvector('english', ...). SQLite: an FTS5 table kept
in step by triggers, filled from the existing rows. The statements are a frozen copy of
storefront/search/index.py at this revision.

Revision ID: b7c1a9e5d2f0
Revises: 4d28c9b02ea1
Create Date: 2026-12-04 00:40:00

"""
from alembic import op

revision = 'b7c1a9e5d2f0'
down_revision = '4d28c9b02ea1'
branch_labels = None
depends_on = None

POST_DOCUMENT = "to_tsvector('english', title || ' ' || summary || ' ' || body)"
PRODUCT_DOCUMENT = "to_tsvector('english', name || ' ' || tagline || ' ' || description)"

SQLITE_UP = (
    "DROP TABLE IF EXISTS search_fts",
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO search_fts(rowid, title, body) "
    "SELECT 2 * id, title, summary || ' ' || body FROM post",
    "INSERT INTO search_fts(rowid, title, body) "
    "SELECT 2 * id + 1, name, tagline || ' ' || description FROM product",
    "CREATE TRIGGER search_post_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id, new.title, new.summary || ' ' || new.body); END",
    "CREATE TRIGGER search_post_update AFTER UPDATE OF title, summary, body ON post BEGIN "
    "DELETE FROM search_fts WHERE rowid = 2 * old.id; "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id, new.title, new.summary || ' ' || new.body); END",
    "CREATE TRIGGER search_post_delete AFTER DELETE ON post BEGIN "
    "DELETE FROM search_fts WHERE rowid = 2 * old.id; END",
    "CREATE TRIGGER search_product_insert AFTER INSERT ON product BEGIN "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id + 1, new.name, new.tagline || ' ' || new.description); END",
    "CREATE TRIGGER search_product_update AFTER UPDATE OF name, tagline, description ON product "
    "BEGIN DELETE FROM search_fts WHERE rowid = 2 * old.id + 1; "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id + 1, new.name, new.tagline || ' ' || new.description); END",
    "CREATE TRIGGER search_product_delete AFTER DELETE ON product BEGIN "
    "DELETE FROM search_fts WHERE rowid = 2 * old.id + 1; END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS search_post_insert",
    "DROP TRIGGER IF EXISTS search_post_update",
    "DROP TRIGGER IF EXISTS search_post_delete",
    "DROP TRIGGER IF EXISTS search_product_insert",
    "DROP TRIGGER IF EXISTS search_product_update",
    "DROP TRIGGER IF EXISTS search_product_delete",
    "DROP TABLE IF EXISTS search_fts",
)
POSTGRESQL_UP = (
    f"CREATE INDEX IF NOT EXISTS ix_search_post ON post USING gin ({POST_DOCUMENT})",
    f"CREATE INDEX IF NOT EXISTS ix_search_product ON product USING gin ({PRODUCT_DOCUMENT})",
)
POSTGRESQL_DOWN = ("DROP INDEX IF EXISTS ix_search_post", "DROP INDEX IF EXISTS ix_search_product")


def _run(sqlite, postgresql):
    for statement in sqlite if op.get_bind().dialect.name == "sqlite" else postgresql:
        op.execute(statement)


def upgrade():
    _run(SQLITE_UP, POSTGRESQL_UP)


def downgrade():
    _run(SQLITE_DOWN, POSTGRESQL_DOWN)
