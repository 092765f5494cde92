"""municipalities, coordinating units and staff; plans belong to a municipality (nullable: older plans have none)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:48:23.800852
"""
from alembic import op
import sqlalchemy as sa
import patient_app.models._base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', patient_app.models._base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('coordinating_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipality_id')
    )
    op.create_table('staff_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('ADMINISTRATOR', 'COORDINATOR', name='staffrole', native_enum=False, length=20), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', patient_app.models._base.UTCDateTime(), nullable=False),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', patient_app.models._base.UTCDateTime(), nullable=True),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['ended_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipality_id', 'person_id', 'role', 'added_at'),
    sa.UniqueConstraint('public_id')
    )
    with op.batch_alter_table('staff_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_membership_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_membership_person_id'), ['person_id'], unique=False)

    # On SQLite this copies the plan table and drops the old one: migrations/env.py turns
    # foreign keys off meanwhile, or the drop would fail (or cascade) on a database with plans.
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_plan_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_foreign_key('fk_plan_municipality_id_municipality', 'municipality', ['municipality_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_constraint('fk_plan_municipality_id_municipality', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_municipality_id'))
        batch_op.drop_column('municipality_id')

    with op.batch_alter_table('staff_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_membership_person_id'))
        batch_op.drop_index(batch_op.f('ix_staff_membership_municipality_id'))

    op.drop_table('staff_membership')
    op.drop_table('coordinating_unit')
    op.drop_table('municipality')
