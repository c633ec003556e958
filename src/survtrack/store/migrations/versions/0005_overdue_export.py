"""overdue export: a wider covering index, noted events, last completions kept by triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

The overdue list's whole-list read (CLI export, 10^5 rows) used to read every overdue event's
table row and group 2.4 M completed events for "last done". Now the covering index holds every
column the list shows except the note, and ``last_completions`` holds the latest completion per
patient and kind, kept by triggers on ``followup_events`` so that no writer can forget it.

SQLite drops a table's triggers with the table: a later migration that rebuilds
``followup_events`` (batch mode with ``recreate``) must call ``create_triggers()`` again;
tests/store/test_last_completions.py checks them at head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UNFINISHED = "state IN ('planned', 'missed', 'booked', 'cancelled')"
WIDE = [
    "window_end",
    "risk",
    "kind",
    "patient_id",
    "due",
    "state",
    "booked_at",
    "version",
    "acknowledged_at",
    "acknowledged_by",
]


def _sqlite_recompute(row: str) -> str:
    """Statements that set the last completion of ``row``'s (patient, kind) from the events."""
    pair = f"patient_id = {row}.patient_id AND kind = {row}.kind"
    return (
        f"DELETE FROM last_completions WHERE {pair}; "
        "INSERT INTO last_completions (patient_id, kind, closed_on) "
        "SELECT patient_id, kind, max(closed_on) FROM followup_events "
        f"WHERE state = 'completed' AND closed_on IS NOT NULL AND {pair} "
        "GROUP BY patient_id, kind; "
    )


def create_triggers() -> None:
    """Keep ``last_completions`` equal to the completed events, on every insert, update, delete."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER last_completions_insert AFTER INSERT ON followup_events "
            "WHEN NEW.state = 'completed' AND NEW.closed_on IS NOT NULL BEGIN "
            "INSERT INTO last_completions (patient_id, kind, closed_on) "
            "VALUES (NEW.patient_id, NEW.kind, NEW.closed_on) "
            "ON CONFLICT (patient_id, kind) DO UPDATE "
            "SET closed_on = max(closed_on, excluded.closed_on); END"
        )
        op.execute(
            "CREATE TRIGGER last_completions_update "
            "AFTER UPDATE OF state, closed_on, kind, patient_id ON followup_events "
            "WHEN OLD.state = 'completed' OR NEW.state = 'completed' BEGIN "
            + _sqlite_recompute("OLD")
            + _sqlite_recompute("NEW")
            + "END"
        )
        op.execute(
            "CREATE TRIGGER last_completions_delete AFTER DELETE ON followup_events "
            "WHEN OLD.state = 'completed' BEGIN " + _sqlite_recompute("OLD") + "END"
        )
        return
    op.execute(
        "CREATE FUNCTION last_completions_recompute(p integer, k varchar) RETURNS void "
        "LANGUAGE plpgsql AS $$ DECLARE latest date; BEGIN "
        "SELECT max(closed_on) INTO latest FROM followup_events "
        "WHERE state = 'completed' AND closed_on IS NOT NULL AND patient_id = p AND kind = k; "
        "IF latest IS NULL THEN "
        "DELETE FROM last_completions WHERE patient_id = p AND kind = k; "
        "ELSE "
        "INSERT INTO last_completions (patient_id, kind, closed_on) VALUES (p, k, latest) "
        "ON CONFLICT (patient_id, kind) DO UPDATE SET closed_on = EXCLUDED.closed_on; "
        "END IF; END $$"
    )
    op.execute(
        "CREATE FUNCTION last_completions_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "IF NEW.state = 'completed' AND NEW.closed_on IS NOT NULL THEN "
        "INSERT INTO last_completions AS l (patient_id, kind, closed_on) "
        "VALUES (NEW.patient_id, NEW.kind, NEW.closed_on) "
        "ON CONFLICT (patient_id, kind) DO UPDATE "
        "SET closed_on = GREATEST(l.closed_on, EXCLUDED.closed_on); "
        "END IF; RETURN NULL; END IF; "
        "IF OLD.state = 'completed' THEN "
        "PERFORM last_completions_recompute(OLD.patient_id, OLD.kind); END IF; "
        "IF TG_OP = 'UPDATE' AND NEW.state = 'completed' THEN "
        "PERFORM last_completions_recompute(NEW.patient_id, NEW.kind); END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER last_completions_keep "
        "AFTER INSERT OR DELETE OR UPDATE OF state, closed_on, kind, patient_id "
        "ON followup_events FOR EACH ROW EXECUTE FUNCTION last_completions_keep()"
    )


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS last_completions_{verb}")
        return
    op.execute("DROP TRIGGER IF EXISTS last_completions_keep ON followup_events")
    op.execute("DROP FUNCTION IF EXISTS last_completions_keep()")
    op.execute("DROP FUNCTION IF EXISTS last_completions_recompute(integer, varchar)")


def upgrade() -> None:
    op.create_table(
        "last_completions",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_last_completions_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "kind", name=op.f("pk_last_completions")),
    )
    with op.batch_alter_table("followup_events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_followup_events_unfinished_window_end",
            sqlite_where=sa.text(UNFINISHED),
            postgresql_where=sa.text(UNFINISHED),
        )
        batch_op.create_index(
            "ix_followup_events_unfinished_window_end",
            WIDE,
            unique=False,
            sqlite_where=sa.text(UNFINISHED),
            postgresql_where=sa.text(UNFINISHED),
        )
        batch_op.create_index(
            "ix_followup_events_noted",
            ["id"],
            unique=False,
            sqlite_where=sa.text("note IS NOT NULL"),
            postgresql_where=sa.text("note IS NOT NULL"),
        )
    op.execute(
        "INSERT INTO last_completions (patient_id, kind, closed_on) "
        "SELECT patient_id, kind, max(closed_on) FROM followup_events "
        "WHERE state = 'completed' AND closed_on IS NOT NULL GROUP BY patient_id, kind"
    )
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    with op.batch_alter_table("followup_events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_followup_events_noted",
            sqlite_where=sa.text("note IS NOT NULL"),
            postgresql_where=sa.text("note IS NOT NULL"),
        )
        batch_op.drop_index(
            "ix_followup_events_unfinished_window_end",
            sqlite_where=sa.text(UNFINISHED),
            postgresql_where=sa.text(UNFINISHED),
        )
        batch_op.create_index(
            "ix_followup_events_unfinished_window_end",
            ["window_end", "risk", "kind", "patient_id"],
            unique=False,
            sqlite_where=sa.text(UNFINISHED),
            postgresql_where=sa.text(UNFINISHED),
        )
    op.drop_table("last_completions")
