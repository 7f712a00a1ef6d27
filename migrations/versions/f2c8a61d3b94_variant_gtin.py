"""a size's GTIN, for merchant listings

Revision ID: f2c8a61d3b94
Revises: d8551637d1ff
Create Date: 2026-12-04 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c8a61d3b94'
down_revision = 'd8551637d1ff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gtin', sa.String(length=14), nullable=True))


def downgrade():
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.drop_column('gtin')
