"""content version counter

Revision ID: c4a1e0f5b7d2
Revises: b7c1a9e5d2f0
Create Date: 2026-12-04 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4a1e0f5b7d2'
down_revision = 'b7c1a9e5d2f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counter', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version'))
    )
    op.execute("INSERT INTO content_version (id, counter) VALUES (1, 0)")


def downgrade():
    op.drop_table('content_version')
