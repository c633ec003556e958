"""audit log rows chained by hash (SQLite)

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01

Each audit row gets ``row_hash``: on SQLite sha256 over the previous row's hash and the row's
content, so that a row changed or removed by hand breaks the chain (``survtrack audit verify``).
Rows already in a SQLite file are chained here, in id order (the append-only triggers are lifted
for that one update and put back). On PostgreSQL the column stays empty: there the app's role
cannot change the table at all.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    if op.get_context().dialect.name == "sqlite":
        _chain_existing_rows()
    else:  # the row triggers of 0001 do not see TRUNCATE; this one refuses it, even to the owner
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def _chain_existing_rows() -> None:
    from survtrack.store.audit import chain_hash

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, at, user_id, username, action, entity, entity_id, changes "
            "FROM audit_log ORDER BY id"
        )
    ).mappings()
    previous: str | None = None
    hashes = []
    for row in rows:
        previous = chain_hash(previous, dict(row))
        hashes.append({"id": row["id"], "h": previous})
    if not hashes:
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    bind.execute(sa.text("UPDATE audit_log SET row_hash = :h WHERE id = :id"), hashes)
    _sqlite_triggers(("UPDATE",))


def _sqlite_triggers(verbs: tuple[str, ...]) -> None:
    for verb in verbs:
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )


def downgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    if not sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
    if sqlite:  # the table was rebuilt without its triggers
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        _sqlite_triggers(("UPDATE", "DELETE"))
