"""products are listed by name (the admin list, the article editor's picker) and picked by it

Revision ID: c4e7a9d2b1f6
Revises: b8e4c1d7a2f5
Create Date: 2026-12-04 10:55:00

"""
from alembic import op

revision = 'c4e7a9d2b1f6'
down_revision = 'b8e4c1d7a2f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index('ix_product_name', ['name'], unique=False)


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_name')
