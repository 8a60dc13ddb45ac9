"""interview place: where a scheduled 约谈 is held (the interview notice names it)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 09:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_column('place')
