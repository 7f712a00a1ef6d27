"""article funnel: daily counters per article, first article touch on orders

Existing orders keep their article as the last touch and have no first touch.

Revision ID: 12ace9ca33b7
Revises: f2c8a61d3b94
Create Date: 2026-12-04 05:04:47.916195

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '12ace9ca33b7'
down_revision = 'f2c8a61d3b94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('article_day',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('readers', sa.Integer(), nullable=False),
    sa.Column('reads', sa.Integer(), nullable=False),
    sa.Column('card_clicks', sa.Integer(), nullable=False),
    sa.Column('add_to_cart', sa.Integer(), nullable=False),
    sa.Column('demo', sa.Boolean(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_article_day_post_id_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'day', name=op.f('pk_article_day'))
    )
    with op.batch_alter_table('article_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_day_day'), ['day'], unique=False)

    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_touch_post_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_first_touch_post_id'), ['first_touch_post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_source_post_id'), ['source_post_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_order_first_touch_post_id_post'), 'post', ['first_touch_post_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_order_first_touch_post_id_post'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_order_source_post_id'))
        batch_op.drop_index(batch_op.f('ix_order_first_touch_post_id'))
        batch_op.drop_column('first_touch_post_id')

    with op.batch_alter_table('article_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_day_day'))

    op.drop_table('article_day')