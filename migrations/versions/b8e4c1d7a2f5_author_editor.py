"""author editor: authors carry a revision; posts are looked up by author and reviewer name

Revision ID: b8e4c1d7a2f5
Revises: a3d5e7f9b1c2
Create Date: 2026-12-04 09:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b8e4c1d7a2f5'
down_revision = 'a3d5e7f9b1c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('author', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default=sa.text('1'),
                                      nullable=False))
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_author'), ['author'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_reviewed_by'), ['reviewed_by'], unique=False)


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_reviewed_by'))
        batch_op.drop_index(batch_op.f('ix_post_author'))
    with op.batch_alter_table('author', schema=None) as batch_op:
        batch_op.drop_column('revision')
