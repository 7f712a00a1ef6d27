"""admin two-factor codes and settings

Revision ID: 6e1e9c79da76
Revises: c4a1e0f5b7d2
Create Date: 2026-12-04 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e1e9c79da76'
down_revision = 'c4a1e0f5b7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admin_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('two_factor_required', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_settings'))
    )
    op.create_table('admin_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('admin_user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['admin_user_id'], ['admin_user.id'], name=op.f('fk_admin_recovery_code_admin_user_id_admin_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_recovery_code'))
    )
    with op.batch_alter_table('admin_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_recovery_code_admin_user_id'), ['admin_user_id'], unique=False)

    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('admin_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_recovery_code_admin_user_id'))

    op.drop_table('admin_recovery_code')
    op.drop_table('admin_settings')
