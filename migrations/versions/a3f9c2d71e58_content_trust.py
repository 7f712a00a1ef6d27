"""content trust: authors, reviews with dates, condition articles, corrections, pages

Revision ID: a3f9c2d71e58
Revises: a3f9d2c17e58
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f9c2d71e58'
down_revision = 'a3f9d2c17e58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('author',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_author')),
    sa.UniqueConstraint('name', name=op.f('uq_author_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_author_slug'))
    )
    op.create_table('page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page')),
    sa.UniqueConstraint('slug', name=op.f('uq_page_slug'))
    )
    op.create_table('post_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_post_correction_post_id_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_correction'))
    )
    with op.batch_alter_table('post_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_correction_post_id'), ['post_id'], unique=False)

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('is_condition', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_note', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('safety_note')

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_column('is_condition')
        batch_op.drop_column('reviewed_at')

    with op.batch_alter_table('post_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_correction_post_id'))

    op.drop_table('post_correction')
    op.drop_table('page')
    op.drop_table('author')
