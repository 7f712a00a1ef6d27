"""editor revisions on products, sizes and articles

Revision ID: a3f9d2c17e58
Revises: 357452061d8b
Create Date: 2026-12-04 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f9d2c17e58'
down_revision = '357452061d8b'
branch_labels = None
depends_on = None

TABLES = ('product', 'variant', 'post')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('revision', sa.Integer(), server_default=sa.text('1'),
                                          nullable=False))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('revision')
