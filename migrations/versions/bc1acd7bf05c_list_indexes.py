"""indexes for lists that scale: order keyset and dates, ledger by order and keyset, updates

Every admin list's ORDER BY and filter, and the order page's own ledger rows, get an index;
on PostgreSQL the order search also gets a trigram index (pg_trgm) on the email.

Revision ID: bc1acd7bf05c
Revises: 12ace9ca33b7
Create Date: 2026-12-04 04:50:00

"""
from alembic import op

revision = 'bc1acd7bf05c'
down_revision = '12ace9ca33b7'
branch_labels = None
depends_on = None

# (table, index name, columns): plain B-tree indexes, the same on both databases. The order's
# source article is indexed by the article-funnel migration before this one.
INDEXES = (
    ('order', 'ix_order_created_at_id', ['created_at', 'id']),
    ('order', 'ix_order_paid_at', ['paid_at']),
    ('order_line', 'ix_order_line_variant_id', ['variant_id']),
    ('stock_movement', 'ix_stock_movement_order_id', ['order_id']),
    ('stock_movement', 'ix_stock_movement_variant_created_id',
     ['variant_id', 'created_at', 'id']),
    ('product', 'ix_product_updated_at', ['updated_at']),
    ('variant', 'ix_variant_updated_at', ['updated_at']),
    ('post', 'ix_post_updated_at', ['updated_at']),
)


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    # Its leading columns are a prefix of the new (variant_id, created_at, id) index.
    op.drop_index('ix_stock_movement_variant_created', table_name='stock_movement')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX IF NOT EXISTS ix_search_order_email ON "order" '
                   'USING gin (email gin_trgm_ops)')
    else:
        op.execute('CREATE INDEX IF NOT EXISTS ix_search_order_email ON "order" (email)')


def downgrade():
    op.execute('DROP INDEX IF EXISTS ix_search_order_email')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP EXTENSION IF EXISTS pg_trgm')
    op.create_index('ix_stock_movement_variant_created', 'stock_movement',
                    ['variant_id', 'created_at'], unique=False)
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
