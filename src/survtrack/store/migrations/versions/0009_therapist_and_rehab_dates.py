"""therapist role; rehabilitation plans keep their operation and start dates

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01

A therapist (PT/OT) account records rehabilitation and side effects. A plan records the operation
it follows (milestones are dated from it and cannot be achieved before it) and the day it was
started (a milestone target already past on that day is shown as such). Existing plans get the
date of the patient's latest amputation, when there is one; their start date stays unknown.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('scheduler', 'physician', 'administrator')"
NEW_ROLES = "role IN ('scheduler', 'physician', 'therapist', 'administrator')"


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), NEW_ROLES)
    with op.batch_alter_table("rehab_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operated_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE rehab_plans SET operated_on = (SELECT max(t.start) FROM treatments t "
        "WHERE t.patient_id = rehab_plans.patient_id AND t.procedure = 'amputation') "
        "WHERE reason = 'amputation'"
    )


def downgrade() -> None:
    with op.batch_alter_table("rehab_plans", schema=None) as batch_op:
        batch_op.drop_column("started_on")
        batch_op.drop_column("operated_on")
    op.execute("UPDATE users SET role = 'physician' WHERE role = 'therapist'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), OLD_ROLES)
