"""order email and shipping name as text

Stripe accepts customer emails longer than 254 characters; PostgreSQL refused to store them,
which left the paid order unrecorded. SQLite never enforced the length. The B-tree index on the
email goes too: PostgreSQL refuses entries over 2704 bytes, and no query could use it (the
admin's search matches a substring).

Revision ID: d8551637d1ff
Revises: a3f9c2d81e57
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8551637d1ff'
down_revision = 'a3f9c2d81e57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_email'))
        batch_op.alter_column('email', existing_type=sa.String(length=254), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('shipping_name', existing_type=sa.String(length=200),
                              type_=sa.Text(), existing_nullable=False)


def downgrade():
    # Values longer than the old limits are cut to fit, or PostgreSQL would refuse to go back.
    order = sa.table('order', sa.column('email', sa.Text()), sa.column('shipping_name', sa.Text()))
    op.execute(order.update().values(email=sa.func.substr(order.c.email, 1, 254),
                                     shipping_name=sa.func.substr(order.c.shipping_name, 1, 200)))
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.alter_column('shipping_name', existing_type=sa.Text(),
                              type_=sa.String(length=200), existing_nullable=False)
        batch_op.alter_column('email', existing_type=sa.Text(), type_=sa.String(length=254),
                              existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_order_email'), ['email'], unique=False)
