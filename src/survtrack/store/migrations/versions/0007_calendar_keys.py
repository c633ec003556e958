"""calendar files: a random key per patient for event UIDs; what each calendar file last said

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

``patients.calendar_key`` is filled at registration; rows written before (and bulk-loaded demo
rows) get theirs at their first calendar export. ``calendar_exports`` lets a later export withdraw
an appointment that is no longer booked (STATUS:CANCELLED with a higher SEQUENCE).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_key", sa.String(length=64), nullable=True))
    op.create_table(
        "calendar_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("starts_utc", sa.DateTime(), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_calendar_exports_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_exports")),
        sa.UniqueConstraint("event_id", name=op.f("uq_calendar_exports_event_id")),
    )
    with op.batch_alter_table("calendar_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_exports_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("calendar_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_exports_patient_id"))
    op.drop_table("calendar_exports")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("calendar_key")
