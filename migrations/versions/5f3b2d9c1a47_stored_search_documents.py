"""stored search documents, and indexes the pages at scale asked for

PostgreSQL: product and post get stored generated tsvectors, ``search_document`` (title
weighted above the text) and ``search_title``, with GIN indexes, replacing the expression
indexes, so ranking reads the stored vector instead of parsing every matching row. SQLite
keeps its FTS5 table. Both databases: the article-product and article-tag links get an index
on their second column (the product page and the tag page look up by it; at 10k articles
each was a scan of the link table).
The search statements are a frozen copy of storefront/search/index.py at this revision.

Revision ID: 5f3b2d9c1a47
Revises: bc1acd7bf05c
Create Date: 2026-12-04 07:00:00

"""
from alembic import op

revision = '5f3b2d9c1a47'
down_revision = 'bc1acd7bf05c'
branch_labels = None
depends_on = None

POST_DOCUMENT = ("setweight(to_tsvector('english'::regconfig, title), 'A') || "
                 "setweight(to_tsvector('english'::regconfig, summary || ' ' || body), 'B')")
PRODUCT_DOCUMENT = ("setweight(to_tsvector('english'::regconfig, name), 'A') || "
                    "setweight(to_tsvector('english'::regconfig, "
                    "tagline || ' ' || description), 'B')")
OLD_POST_DOCUMENT = "to_tsvector('english', title || ' ' || summary || ' ' || body)"
OLD_PRODUCT_DOCUMENT = "to_tsvector('english', name || ' ' || tagline || ' ' || description)"

POSTGRESQL_UP = (
    "DROP INDEX IF EXISTS ix_search_post",
    "DROP INDEX IF EXISTS ix_search_product",
    "ALTER TABLE post ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS ({POST_DOCUMENT}) STORED",
    "ALTER TABLE product ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS ({PRODUCT_DOCUMENT}) STORED",
    "ALTER TABLE post ADD COLUMN IF NOT EXISTS search_title tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, title)) STORED",
    "ALTER TABLE product ADD COLUMN IF NOT EXISTS search_title tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, name)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_search_post ON post USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS ix_search_product ON product USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS ix_search_post_title ON post USING gin (search_title)",
    "CREATE INDEX IF NOT EXISTS ix_search_product_title ON product USING gin (search_title)",
)
POSTGRESQL_DOWN = (
    "DROP INDEX IF EXISTS ix_search_post",
    "DROP INDEX IF EXISTS ix_search_product",
    "DROP INDEX IF EXISTS ix_search_post_title",
    "DROP INDEX IF EXISTS ix_search_product_title",
    "ALTER TABLE post DROP COLUMN IF EXISTS search_title",
    "ALTER TABLE product DROP COLUMN IF EXISTS search_title",
    "ALTER TABLE post DROP COLUMN IF EXISTS search_document",
    "ALTER TABLE product DROP COLUMN IF EXISTS search_document",
    f"CREATE INDEX IF NOT EXISTS ix_search_post ON post USING gin ({OLD_POST_DOCUMENT})",
    f"CREATE INDEX IF NOT EXISTS ix_search_product ON product USING gin ({OLD_PRODUCT_DOCUMENT})",
)


INDEXES = (
    ('post_product', 'ix_post_product_product_id', ['product_id']),
    ('post_tag', 'ix_post_tag_tag_id', ['tag_id']),
)


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRESQL_UP:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
