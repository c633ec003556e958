"""Issue 14 point 2: the audit trail holds. Hash chain on SQLite, the app role on PostgreSQL,
server time, reads of patient data audited."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from survtrack.services.audit_reads import OPENED, audit_read
from survtrack.services.database import DatabaseNeedsUpgrade, open_clinic_database
from survtrack.services.db_admin import grant_app_role
from survtrack.store.audit import Actor, record
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry
from tests.cli.test_cli import CLERK, SIGNED_IN, add_clerk
from tests.conftest import PgServer
from tests.factories import add_patient
from tests.security.helpers import run

READER = Actor(None, "reader")


def test_audit_rows_use_the_server_clock_or_a_chain(db: Database) -> None:
    add_patient(db, "A-1", "Ames", "Ann")
    audit_read(db, READER, OPENED, 1)
    with db.read() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        server_now = session.scalar(select(func.now()))
    assert rows[-1].action == "read" and rows[-1].username == "reader"
    if db.is_sqlite:
        assert all(row.row_hash and len(row.row_hash) == 64 for row in rows)
    else:
        assert all(row.row_hash is None for row in rows)
        assert server_now is not None
        assert abs((server_now - rows[-1].at).total_seconds()) < 60


def test_audit_verify_names_the_first_tampered_row(tmp_path: Path) -> None:
    path = tmp_path / "audited.db"
    url = f"sqlite:///{path}"
    db = open_clinic_database(url, create=True)
    try:
        for n in range(3):
            add_patient(db, f"V-{n}", "Vale", f"Val{n}")
        with db.write(READER) as session:
            record(session, "read", "patients", 1, {"what": OPENED})
        with db.read() as session:
            ids = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    finally:
        db.dispose()
    ok = run("audit", "verify", "--db", url)
    assert ok.returncode == 0 and ok.stdout.startswith(f"audit log OK ({len(ids)} rows)")
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET username = 'somebody else' WHERE id = ?", (ids[2],))
    conn.commit()
    conn.close()
    broken = run("audit", "verify", "--db", url)
    assert broken.returncode == 1 and broken.stdout == ""
    assert f"audit log broken at row {ids[2]}" in broken.stderr


def test_a_removed_row_breaks_the_chain_at_the_next(tmp_path: Path) -> None:
    path = tmp_path / "audited.db"
    db = open_clinic_database(f"sqlite:///{path}", create=True)
    try:
        for n in range(3):
            audit_read(db, READER, OPENED, n)
        with db.read() as session:
            ids = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    finally:
        db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE id = ?", (ids[1],))
    conn.commit()
    conn.close()
    result = run("audit", "verify", "--db", f"sqlite:///{path}")
    assert result.returncode == 1 and f"row {ids[2]}" in result.stderr


@pytest.mark.postgres
def test_the_app_role_cannot_change_the_audit_log(
    empty_db_url: str, pg_server: PgServer | None
) -> None:
    if pg_server is None or not empty_db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    # the workstation cannot make or upgrade the schema; the owner does it, once
    with pytest.raises(DatabaseNeedsUpgrade, match="needs `survtrack db upgrade`"):
        open_clinic_database(empty_db_url)
    upgraded = run("db", "upgrade", "--db", empty_db_url)
    assert upgraded.returncode == 0, upgraded.stderr
    role = f"app_{uuid.uuid4().hex[:10]}"
    with pg_server.admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    app_url = make_url(empty_db_url).set(username=role).render_as_string(hide_password=False)
    try:
        granted = run("db", "grant-app-role", role, "--db", empty_db_url)
        assert granted.returncode == 0, granted.stderr
        app = open_clinic_database(app_url)
        try:
            add_patient(app, "R-1", "Rowe", "Ray")  # the clinical tables: read and write
            audit_read(app, READER, OPENED, 1)  # the audit log: insert
            for statement in (
                "UPDATE audit_log SET username = 'x'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
                "DROP TRIGGER audit_log_append_only ON audit_log",
                "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            ):
                with app.engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                    conn.exec_driver_sql(statement)
                assert "permission denied" in str(caught.value) or "must be owner" in str(
                    caught.value
                )
            with app.read() as session:
                assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 3
        finally:
            app.dispose()
    finally:
        pg_server.drop(empty_db_url)
        with pg_server.admin.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))


def test_grant_app_role_refuses_sqlite_and_bad_names(tmp_path: Path) -> None:
    from survtrack.domain.errors import BadInput

    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_clinic_database(url, create=True).dispose()
    with pytest.raises(BadInput, match="PostgreSQL only"):
        grant_app_role(url, "app")
    result = run("db", "grant-app-role", "app; drop table x", "--db", url)
    assert result.returncode == 2 and "ROLE" in result.stderr


def test_cli_exports_are_audited_as_reads(db: Database, tmp_path: Path) -> None:
    add_patient(db, "F-1", "Fenn", "Fay")
    url = add_clerk(db.engine.url.render_as_string(hide_password=False))
    out = tmp_path / "fay.json"
    fhir = run("fhir", "--mrn", "F-1", "-o", str(out), "--db", url, env=SIGNED_IN)
    assert fhir.returncode == 0, fhir.stderr
    overdue = run("overdue", "--db", url, "--format", "csv", env=SIGNED_IN)
    assert overdue.returncode == 0, overdue.stderr
    with db.read() as session:
        reads = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)
        ).all()
    assert [r.username for r in reads] == [CLERK, CLERK]
    assert reads[0].entity_id == 1 and str(out) in reads[0].changes
    assert "overdue list exported" in reads[1].changes
