"""covered events, overdue acknowledgements per patient and kind, patients needing a plan

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

A completion of a kind on day D covers every earlier unfinished event of the same patient and kind
whose window starts on or before D (clinical reference section 5). This migration applies the rule
to the events already stored: each unfinished event is linked to the first completion that covers
it, marked ``covered`` with the state it had kept in ``covered_from``, and audited as the system.

Columns are added with plain ``ALTER TABLE ... ADD COLUMN`` (no batch rebuild): a rebuild would
drop the ``last_completions`` triggers of migration 0005 and copy millions of rows. Active
patients with no follow-up event at all get a ``plan_problem`` so that they appear on the "Needs
a plan" worklist; the next regeneration of their calendar states the exact reason.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNFINISHED = "state IN ('planned', 'missed', 'booked', 'cancelled')"


def upgrade() -> None:
    op.add_column("patients", sa.Column("plan_problem", sa.String(length=2000), nullable=True))
    op.add_column("followup_events", sa.Column("covered_by", sa.Integer(), nullable=True))
    op.add_column("followup_events", sa.Column("covered_from", sa.String(length=32), nullable=True))
    op.create_index(
        "ix_followup_events_covered_by",
        "followup_events",
        ["covered_by"],
        unique=False,
        sqlite_where=sa.text("covered_by IS NOT NULL"),
        postgresql_where=sa.text("covered_by IS NOT NULL"),
    )
    op.create_table(
        "overdue_acknowledgements",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=False),
        sa.Column("oldest_event_id", sa.Integer(), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("booking_event_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_overdue_acknowledgements_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "kind", name=op.f("pk_overdue_acknowledgements")),
    )
    _cover_existing_events()
    op.execute(
        "UPDATE patients SET plan_problem = 'no follow-up calendar has been generated' "
        "WHERE status = 'active' AND NOT EXISTS "
        "(SELECT 1 FROM followup_events e WHERE e.patient_id = patients.id)"
    )


def _cover_existing_events() -> None:
    """The covered rule over stored events, each change audited as the system."""
    op.execute(
        "UPDATE followup_events SET covered_by = ("
        "SELECT c.id FROM followup_events c WHERE c.patient_id = followup_events.patient_id "
        "AND c.kind = followup_events.kind AND c.state = 'completed' "
        "AND c.closed_on IS NOT NULL AND c.closed_on >= followup_events.window_start "
        "AND c.id <> followup_events.id ORDER BY c.closed_on, c.id LIMIT 1) "
        f"WHERE {UNFINISHED}"
    )
    op.execute(
        "UPDATE followup_events SET covered_from = state, state = 'covered', "
        "acknowledged_at = NULL, acknowledged_by = NULL, closed_on = ("
        "SELECT c.closed_on FROM followup_events c WHERE c.id = followup_events.covered_by) "
        f"WHERE covered_by IS NOT NULL AND {UNFINISHED}"
    )
    now = "CURRENT_TIMESTAMP"
    op.execute(
        "INSERT INTO audit_log (at, user_id, username, action, entity, entity_id, changes) "
        f"SELECT {now}, NULL, 'system', 'covered', 'followup_events', id, "
        '\'{"state": ["\' || covered_from || \'", "covered"], "covered_by": [null, \' '
        "|| CAST(covered_by AS VARCHAR(20)) || ']}' "
        "FROM followup_events WHERE state = 'covered'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE followup_events SET state = covered_from, closed_on = NULL WHERE state = 'covered'"
    )
    op.drop_table("overdue_acknowledgements")
    op.drop_index("ix_followup_events_covered_by", table_name="followup_events")
    with op.batch_alter_table("followup_events") as batch:
        batch.drop_column("covered_from")
        batch.drop_column("covered_by")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("plan_problem")
