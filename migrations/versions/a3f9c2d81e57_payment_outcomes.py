"""payment outcomes: refunds, disputes, fraud warnings, pay again

Existing orders get empty dispute and fraud fields and no pending refunds (server defaults);
their refund rows are filled in from Stripe at the next refund event of the payment.

Revision ID: a3f9c2d81e57
Revises: e71b4c9a2f03
Create Date: 2026-12-04 03:57:35.567319

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f9c2d81e57'
down_revision = 'e71b4c9a2f03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('order_refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('failure_reason', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], name=op.f('fk_order_refund_order_id_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_refund')),
    sa.UniqueConstraint('stripe_refund_id', name=op.f('uq_order_refund_stripe_refund_id'))
    )
    with op.batch_alter_table('order_refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_refund_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_pending_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('stripe_dispute_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('dispute_status', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dispute_reason', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dispute_amount_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('dispute_evidence_due_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fraud_warning_type', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('fraud_warning_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retry_order_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_stripe_dispute_id'), ['stripe_dispute_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_fraud_warning_at'), ['fraud_warning_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_order_retry_order_id_order'), 'order', ['retry_order_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_order_retry_order_id_order'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_order_stripe_dispute_id'))
        batch_op.drop_index(batch_op.f('ix_order_fraud_warning_at'))
        batch_op.drop_column('retry_order_id')
        batch_op.drop_column('fraud_warning_at')
        batch_op.drop_column('fraud_warning_type')
        batch_op.drop_column('dispute_evidence_due_by')
        batch_op.drop_column('dispute_amount_cents')
        batch_op.drop_column('dispute_reason')
        batch_op.drop_column('dispute_status')
        batch_op.drop_column('stripe_dispute_id')
        batch_op.drop_column('refund_pending_cents')

    with op.batch_alter_table('order_refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_refund_order_id'))

    op.drop_table('order_refund')
