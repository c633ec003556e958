"""overdue list: an index of booked events by booking time

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

The overdue list looks up, for each overdue (patient, kind), the patient's next booking of that
kind. Without this index every patient's bookings were ranked first (reading every follow-up event,
4.6 million at 100,000 demo patients, or every booking from the day on); with it each row is one
look-up among the booked events, a few percent of all.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BOOKED = "state = 'booked'"


def upgrade() -> None:
    op.create_index(
        "ix_followup_events_booked",
        "followup_events",
        ["patient_id", "kind", "booked_at"],
        unique=False,
        sqlite_where=sa.text(BOOKED),
        postgresql_where=sa.text(BOOKED),
    )


def downgrade() -> None:
    op.drop_index("ix_followup_events_booked", table_name="followup_events")
