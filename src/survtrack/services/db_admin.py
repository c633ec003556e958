"""PostgreSQL roles: the rights the app's own database role gets (``survtrack db grant-app-role``).

The clinic's database has two roles. The owner creates and upgrades the schema
(``survtrack db upgrade``). The workstations connect as the app role, which may read and write the
clinical tables but only read and add to the audit log: no UPDATE, DELETE or TRUNCATE on it, no
schema change (it owns nothing). Run again after each ``db upgrade`` (new tables).
"""

from __future__ import annotations

import re

from sqlalchemy import text

from survtrack.domain.errors import BadInput
from survtrack.store.engine import Database
from survtrack.store.migrate import check_current

ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
AUDIT_TABLE = "audit_log"
SCHEMA_TABLE = "alembic_version"


def grant_statements(role: str, database: str) -> list[str]:
    """The SQL that gives ``role`` the app's rights, in order (the README shows the same)."""
    r = f'"{role}"'
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO {r}',
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"REVOKE CREATE ON SCHEMA public FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {r}",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {r}",
        f"REVOKE ALL ON {SCHEMA_TABLE} FROM {r}",
        f"GRANT SELECT ON {SCHEMA_TABLE} TO {r}",
    ]


def grant_app_role(url: str, role: str) -> None:
    """Give the existing PostgreSQL ``role`` the app's rights; run as the database's owner."""
    if not ROLE_NAME.fullmatch(role):
        raise BadInput("ROLE", "must be a plain role name (letters, digits, underscores)")
    db = Database.open(url)
    try:
        if db.is_sqlite:
            raise BadInput("--db", "roles exist on PostgreSQL only; a SQLite file has none")
        check_current(db.engine)  # the tables to grant on are this version's
        with db.engine.begin() as conn:
            found = conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                {"r": role},
            ).first()
            if found is None:
                raise BadInput(
                    "ROLE",
                    f"no role {role}; create it first: CREATE ROLE {role} LOGIN PASSWORD '...'",
                )
            if found[0]:
                raise BadInput("ROLE", f"{role} is a superuser: no grant can restrict it")
            owner = conn.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = :t"), {"t": AUDIT_TABLE}
            ).scalar_one()
            if owner == role:
                raise BadInput("ROLE", f"{role} owns the tables; the app needs a role of its own")
            name = conn.execute(text("SELECT current_database()")).scalar_one()
            for statement in grant_statements(role, str(name)):
                conn.exec_driver_sql(statement)
    finally:
        db.dispose(optimize=False)
