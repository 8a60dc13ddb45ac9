"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 23:58:49.871081
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('imports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('row_counts', sa.JSON(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('regions',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('snapshots',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('snapshot_date', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('row_counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('month')
    )
    op.create_table('departments',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departments_region_code'), ['region_code'], unique=False)

    op.create_table('kpi_rows',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('dept_code', sa.String(length=64), nullable=True),
    sa.Column('region_code', sa.String(length=64), nullable=True),
    sa.Column('score_idle', sa.Float(), nullable=False),
    sa.Column('score_overdue', sa.Float(), nullable=False),
    sa.Column('score_completion', sa.Float(), nullable=False),
    sa.Column('score_remit', sa.Float(), nullable=False),
    sa.Column('score_quality', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('rank_change', sa.Integer(), nullable=True),
    sa.Column('peer_size', sa.Integer(), nullable=True),
    sa.Column('asset_count', sa.BigInteger(), nullable=True),
    sa.Column('base_value', sa.BigInteger(), nullable=True),
    sa.Column('idle_count', sa.BigInteger(), nullable=True),
    sa.Column('idle_value', sa.BigInteger(), nullable=True),
    sa.Column('underused_value', sa.BigInteger(), nullable=True),
    sa.Column('pending_disposal_value', sa.BigInteger(), nullable=True),
    sa.Column('leased_value', sa.BigInteger(), nullable=True),
    sa.Column('idle_rate', sa.Float(), nullable=True),
    sa.Column('overdue_idle_count', sa.BigInteger(), nullable=True),
    sa.Column('overdue_idle_value', sa.BigInteger(), nullable=True),
    sa.Column('overdue_idle_rate', sa.Float(), nullable=True),
    sa.Column('avg_months_idle', sa.Float(), nullable=True),
    sa.Column('max_months_idle', sa.Integer(), nullable=True),
    sa.Column('plan_count', sa.BigInteger(), nullable=True),
    sa.Column('plan_value', sa.BigInteger(), nullable=True),
    sa.Column('done_value', sa.BigInteger(), nullable=True),
    sa.Column('due_value', sa.BigInteger(), nullable=True),
    sa.Column('due_done_value', sa.BigInteger(), nullable=True),
    sa.Column('due_completion_rate', sa.Float(), nullable=True),
    sa.Column('completion_rate', sa.Float(), nullable=True),
    sa.Column('overdue_plan_count', sa.BigInteger(), nullable=True),
    sa.Column('income_received', sa.BigInteger(), nullable=True),
    sa.Column('income_remitted', sa.BigInteger(), nullable=True),
    sa.Column('remit_rate', sa.Float(), nullable=True),
    sa.Column('lease_income_received', sa.BigInteger(), nullable=True),
    sa.Column('lease_income_remitted', sa.BigInteger(), nullable=True),
    sa.Column('lease_remit_rate', sa.Float(), nullable=True),
    sa.Column('late_income_count', sa.BigInteger(), nullable=True),
    sa.Column('pool_count', sa.BigInteger(), nullable=True),
    sa.Column('data_quality_rate', sa.Float(), nullable=True),
    sa.Column('listed_idle_value', sa.BigInteger(), nullable=True),
    sa.Column('listing_rate', sa.Float(), nullable=True),
    sa.Column('sum_months_idle', sa.BigInteger(), nullable=True),
    sa.Column('pool_ok_count', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['month'], ['snapshots.month'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'level', 'code')
    )
    with op.batch_alter_table('kpi_rows', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_rows_scope', ['month', 'level', 'dept_code', 'region_code'], unique=False)

    op.create_table('list_entries',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('list', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=64), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['month'], ['snapshots.month'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'list', 'level', 'code')
    )
    op.create_table('warning_rows',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('asset_code', sa.String(length=64), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('dept_code', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=64), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('months', sa.Integer(), nullable=True),
    sa.Column('first_seen', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['month'], ['snapshots.month'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'rule', 'ref')
    )
    with op.batch_alter_table('warning_rows', schema=None) as batch_op:
        batch_op.create_index('ix_warning_rows_scope', ['month', 'dept_code', 'region_code'], unique=False)

    op.create_table('units',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('dept_code', sa.String(length=64), nullable=False),
    sa.Column('unit_type', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['dept_code'], ['departments.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_dept_code'), ['dept_code'], unique=False)

    op.create_table('assets',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('original_value', sa.BigInteger(), nullable=False),
    sa.Column('net_value', sa.BigInteger(), nullable=True),
    sa.Column('acquired_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('photo_count', sa.Integer(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assets_unit_code'), ['unit_code'], unique=False)

    op.create_table('income',
    sa.Column('income_id', sa.String(length=64), nullable=False),
    sa.Column('asset_code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('appraised_value', sa.BigInteger(), nullable=True),
    sa.Column('remitted_on', sa.Date(), nullable=True),
    sa.Column('remitted_amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['asset_code'], ['assets.code'], ),
    sa.PrimaryKeyConstraint('income_id')
    )
    with op.batch_alter_table('income', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_income_asset_code'), ['asset_code'], unique=False)

    op.create_table('leases',
    sa.Column('lease_id', sa.String(length=64), nullable=False),
    sa.Column('asset_code', sa.String(length=64), nullable=False),
    sa.Column('lessee', sa.String(length=200), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('annual_rent', sa.BigInteger(), nullable=False),
    sa.Column('appraised', sa.Boolean(), nullable=False),
    sa.Column('public_bidding', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['asset_code'], ['assets.code'], ),
    sa.PrimaryKeyConstraint('lease_id')
    )
    with op.batch_alter_table('leases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leases_asset_code'), ['asset_code'], unique=False)

    op.create_table('listings',
    sa.Column('listing_id', sa.String(length=64), nullable=False),
    sa.Column('asset_code', sa.String(length=64), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('listed_on', sa.Date(), nullable=False),
    sa.Column('delisted_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('receiver', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['asset_code'], ['assets.code'], ),
    sa.PrimaryKeyConstraint('listing_id')
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listings_asset_code'), ['asset_code'], unique=False)

    op.create_table('plans',
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('asset_code', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=True),
    sa.Column('listed_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['asset_code'], ['assets.code'], ),
    sa.PrimaryKeyConstraint('plan_id'),
    sa.UniqueConstraint('asset_code')
    )
    op.create_table('status_changes',
    sa.Column('asset_code', sa.String(length=64), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['asset_code'], ['assets.code'], ),
    sa.PrimaryKeyConstraint('asset_code', 'changed_on')
    )
    op.create_table('status_spans',
    sa.Column('asset_code', sa.String(length=64), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('run_start', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['asset_code'], ['assets.code'], ),
    sa.PrimaryKeyConstraint('asset_code', 'start_on')
    )


def downgrade() -> None:
    op.drop_table('status_spans')
    op.drop_table('status_changes')
    op.drop_table('plans')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listings_asset_code'))

    op.drop_table('listings')
    with op.batch_alter_table('leases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leases_asset_code'))

    op.drop_table('leases')
    with op.batch_alter_table('income', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_income_asset_code'))

    op.drop_table('income')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assets_unit_code'))

    op.drop_table('assets')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_dept_code'))

    op.drop_table('units')
    with op.batch_alter_table('warning_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_warning_rows_scope')

    op.drop_table('warning_rows')
    op.drop_table('list_entries')
    with op.batch_alter_table('kpi_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_rows_scope')

    op.drop_table('kpi_rows')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departments_region_code'))

    op.drop_table('departments')
    op.drop_table('snapshots')
    op.drop_table('regions')
    op.drop_table('imports')
