"""demo orders: orders made up by flask seed-demo are marked, like the demo article counts

Revision ID: a3d5e7f9b1c2
Revises: 5f3b2d9c1a47
Create Date: 2026-12-04 07:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a3d5e7f9b1c2'
down_revision = '5f3b2d9c1a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_column('demo')
