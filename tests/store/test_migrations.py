"""Migrations: applied at start, reversible, in step with the models, newer databases refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from survtrack.services.database import open_database
from survtrack.store.engine import Database, make_engine
from survtrack.store.migrate import DatabaseTooNew, alembic_config, current_revision, head_revision
from survtrack.store.models import Base

TABLES = {
    "users",
    "patients",
    "tumours",
    "treatments",
    "recurrences",
    "followup_events",
    "audit_log",
}


def test_start_creates_the_schema_at_head(empty_db_url: str) -> None:
    db = open_database(empty_db_url)
    try:
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        assert current_revision(db.engine) == head_revision(db.engine)
    finally:
        db.dispose()


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(db: Database) -> None:
    config = alembic_config(db.engine)
    command.downgrade(config, "base")
    assert not TABLES & set(inspect(db.engine).get_table_names())
    command.upgrade(config, "head")
    assert set(inspect(db.engine).get_table_names()) >= TABLES


def test_database_from_a_newer_version_is_refused_untouched(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    with pytest.raises(DatabaseTooNew, match="newer version of SurvTrack"):
        open_database(url)
    engine = make_engine(url)
    try:
        assert current_revision(engine) == "9999_from_the_future"
    finally:
        engine.dispose()


def test_sqlite_settings_that_keep_committed_data(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with db.engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
            }
        assert pragmas == {
            "foreign_keys": 1,
            "journal_mode": "wal",
            "synchronous": 2,
            "busy_timeout": 10_000,
        }
    finally:
        db.dispose()


def test_sqlite_write_units_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a second writer waits at BEGIN instead of failing mid-transaction."""
    path = tmp_path / "s.db"
    db = open_database(f"sqlite:///{path}")
    try:
        from tests.factories import TESTER

        with db.write(TESTER) as session:
            session.execute(text("SELECT 1"))  # starts the unit: the write lock is held now
            other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
    finally:
        db.dispose()


def test_stored_database_of_every_released_schema_upgrades(tmp_path: Path) -> None:
    """A database file written at schema 0001 (kept in tests/store/data) upgrades with its data."""
    import shutil

    from sqlalchemy import select

    from survtrack.store.models import FollowUpEvent, LastCompletion, Patient

    source = Path(__file__).parent / "data" / "schema_0001.db"
    copy = tmp_path / "old.db"
    shutil.copy(source, copy)
    db = open_database(f"sqlite:///{copy}")
    try:
        assert current_revision(db.engine) == head_revision(db.engine)
        with db.read() as session:
            patient = session.scalars(select(Patient)).one()
            events = session.scalars(select(FollowUpEvent).order_by(FollowUpEvent.id)).all()
        assert patient.mrn == "OLD-1"
        assert [(e.state, e.risk, e.closed_on) for e in events] == [
            ("completed", "high", events[0].due),
            ("planned", "high", None),
            ("planned", "high", None),
        ]
        with db.read() as session:
            last = session.execute(
                select(LastCompletion.patient_id, LastCompletion.kind, LastCompletion.closed_on)
            ).all()
        assert last == [(patient.id, events[0].kind, events[0].due)]
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_the_recorded_head_is_alembics_head(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from survtrack.store.migrate import head_revision, stored_revision
    from survtrack.store.migrations import HEAD_REVISION

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert head_revision(engine) == HEAD_REVISION
        assert stored_revision(engine) is None
    finally:
        engine.dispose()
