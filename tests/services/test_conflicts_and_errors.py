"""No lost update (issue 14 point 3) and database errors in words, on both backends; PostgreSQL
connection settings and SQLite reads beside a writer (point 5)."""

from __future__ import annotations

import errno
import sqlite3
import threading
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.diagnosis import TreatmentInput, delete_treatment, save_treatment
from survtrack.services.errors import (
    MESSAGES,
    UNKNOWN,
    ConflictError,
    error_kind,
    user_message,
)
from survtrack.services.overdue import OverdueQuery, acknowledge, add_note, overdue_rows
from survtrack.services.patient_records import load_patient
from survtrack.services.rehab import achieve_milestone, load_rehab, set_k_level
from survtrack.services.side_effects import add_side_effect, list_side_effects, regrade, resolve
from survtrack.store.engine import Database, PlaintextRefused, make_engine, pg_tls_settings
from survtrack.store.models import FollowUpEvent, User
from tests.factories import TESTER, add_event, add_patient
from tests.services.test_side_effects_rehab import amputee

TODAY = date(2026, 11, 23)


@pytest.fixture
def two(db: Database) -> tuple[SignedIn, SignedIn]:
    return (
        ensure_user(db, "ana", "Dr Ana", Role.PHYSICIAN),
        ensure_user(db, "ben", "Dr Ben", Role.PHYSICIAN),
    )


def test_overdue_note_typed_over_a_change_elsewhere_is_refused(db: Database, two) -> None:  # type: ignore[no-untyped-def]
    ana, ben = two
    patient = add_patient(db, "1", "Smith", "Anna")
    event = add_event(db, patient, "chest_ct", date(2026, 9, 1))
    [seen_by_ana] = overdue_rows(db, OverdueQuery(TODAY))
    [seen_by_ben] = overdue_rows(db, OverdueQuery(TODAY))
    add_note(db, ben, event, "Called, abroad until March", seen_by_ben.version)
    with pytest.raises(ConflictError, match="follow-up event was changed"):
        add_note(db, ana, event, "No answer", seen_by_ana.version)
    [now] = overdue_rows(db, OverdueQuery(TODAY))
    assert now.note == "Called, abroad until March"


def test_acknowledging_a_row_someone_else_acknowledged_is_refused(db: Database, two) -> None:  # type: ignore[no-untyped-def]
    ana, ben = two
    patient = add_patient(db, "1", "Smith", "Anna")
    add_event(db, patient, "chest_ct", date(2026, 9, 1))
    [row] = overdue_rows(db, OverdueQuery(TODAY))
    acknowledge(db, ben, [row], date(2026, 12, 1), TODAY)
    with pytest.raises(ConflictError, match="overdue row"):
        acknowledge(db, ana, [row], date(2027, 3, 1), TODAY)
    [kept] = overdue_rows(db, OverdueQuery(TODAY, acknowledged=True))
    assert (kept.acknowledged_by, kept.snoozed_until) == ("ben", date(2026, 12, 1))
    # acknowledged again from what is on screen now: accepted
    assert acknowledge(db, ana, [kept], date(2027, 3, 1), TODAY) == 1
    # a row whose event was booked meanwhile is refused too
    with db.write(TESTER) as session:
        event = session.get(FollowUpEvent, kept.event_id)
        assert event is not None
        event.note = "changed elsewhere"
    [again] = overdue_rows(db, OverdueQuery(TODAY, acknowledged=True))
    with db.write(TESTER) as session:
        event = session.get(FollowUpEvent, kept.event_id)
        assert event is not None
        event.note = "and again"
    with pytest.raises(ConflictError):
        acknowledge(db, ana, [again], date(2027, 4, 1), TODAY)


def test_treatment_edit_and_deletion_check_the_version_seen(db: Database, two) -> None:  # type: ignore[no-untyped-def]
    ana, ben = two
    patient = add_patient(db, "1", "Smith", "Anna")
    record = load_patient(db, patient)
    assert record is not None
    [treatment] = record.treatments
    edit = TreatmentInput("surgery", date(2026, 1, 12), procedure="limb_sparing")
    save_treatment(db, ben, patient, edit, TODAY, treatment.id, treatment.version)
    with pytest.raises(ConflictError, match="This treatment"):
        save_treatment(db, ana, patient, edit, TODAY, treatment.id, treatment.version)
    with pytest.raises(ConflictError, match="This treatment"):
        delete_treatment(db, ana, patient, treatment.id, treatment.version)
    after = load_patient(db, patient)
    assert after is not None and [t.start for t in after.treatments] == [date(2026, 1, 12)]


def test_side_effect_regrade_and_resolve_check_the_version_seen(db: Database, two) -> None:  # type: ignore[no-untyped-def]
    ana, ben = two
    patient = add_patient(db, "1", "Smith", "Anna")
    add_side_effect(db, ana, patient, "Fatigue", "chemotherapy", date(2026, 10, 1), 1, TODAY)
    [seen] = list_side_effects(db, patient)
    regrade(db, ben, seen.id, date(2026, 11, 1), 2, TODAY, expected_version=seen.version)
    with pytest.raises(ConflictError, match="This side effect"):
        resolve(db, ana, seen.id, TODAY, TODAY, seen.version)
    with pytest.raises(ConflictError, match="This side effect"):
        regrade(db, ana, seen.id, TODAY, 1, TODAY, expected_version=seen.version)
    [now] = list_side_effects(db, patient)
    assert now.status == "ongoing" and [g.grade for g in now.grades] == [1, 2]


def test_rehab_milestone_and_k_level_check_the_version_seen(db: Database, two) -> None:  # type: ignore[no-untyped-def]
    ana, ben = two
    patient = amputee(db, ana)
    rehab = load_rehab(db, patient)
    assert rehab is not None
    set_k_level(db, ben, patient, "K2", TODAY, TODAY, rehab.version)
    with pytest.raises(ConflictError, match="rehabilitation plan"):
        set_k_level(db, ana, patient, "K3", TODAY, TODAY, rehab.version)
    milestone = rehab.milestones[0]
    achieve_milestone(db, ben, patient, milestone.code, TODAY, TODAY, milestone.version)
    with pytest.raises(ConflictError, match="milestone"):
        achieve_milestone(db, ana, patient, milestone.code, date(2026, 11, 1), TODAY, 1)
    after = load_rehab(db, patient)
    assert after is not None and after.k_level == "K2"
    assert after.milestones[0].achieved_on == TODAY


# -- errors in words -------------------------------------------------------------------------


def test_duplicate_and_stale_rows_in_words(db: Database) -> None:
    ensure_user(db, "ana", "Dr Ana", Role.PHYSICIAN)
    with pytest.raises(IntegrityError) as caught, db.write(TESTER) as session:
        session.add(
            User(
                username="ana",
                full_name="Another",
                role="physician",
                active=True,
                password_hash="x",
                created_at=datetime.now(UTC),
            )
        )
    assert error_kind(caught.value) == "duplicate"
    assert user_message(caught.value) == MESSAGES["duplicate"]
    # the row moved on (another workstation's commit) between reading and writing it
    patient = add_patient(db, "1", "Smith", "Anna")
    event = add_event(db, patient, "chest_ct", date(2026, 9, 1))
    with pytest.raises(Exception) as stale_error, db.write(TESTER) as session:
        row = session.get(FollowUpEvent, event)
        assert row is not None
        session.execute(
            text("UPDATE followup_events SET version = version + 1 WHERE id = :e"), {"e": event}
        )
        row.note = "first"
        session.flush()
    assert error_kind(stale_error.value) == "conflict", type(stale_error.value)
    assert "nothing was saved" in user_message(stale_error.value).casefold()


def test_too_long_text_in_words_on_postgresql(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite does not enforce lengths (the services do)")
    # the app's own limits check names the field before the database is reached
    with pytest.raises(Exception) as caught, db.write(TESTER) as session:
        session.add(
            User(
                username="x" * 200,
                full_name="Long",
                role="physician",
                active=True,
                password_hash="x",
                created_at=datetime.now(UTC),
            )
        )
    assert error_kind(caught.value) == "input"
    # and a write that gets past it (raw SQL) is still told in words by the database's refusal
    with pytest.raises(Exception) as caught, db.write(TESTER) as session:
        session.execute(
            text(
                "INSERT INTO users (username, full_name, role, password_hash, active, "
                "created_at, version) VALUES (:u, 'Long', 'physician', 'x', true, now(), 1)"
            ),
            {"u": "x" * 200},
        )
    assert error_kind(caught.value) == "too_long"


def test_locked_and_disk_full_in_words_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from survtrack.services.database import open_database

    path = tmp_path / "locked.db"
    database = open_database(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    raw = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        raw.execute("BEGIN IMMEDIATE")
    assert user_message(locked.value) == MESSAGES["locked"]
    holder.rollback()
    raw.execute("PRAGMA max_page_count = 1")
    with pytest.raises(sqlite3.Error) as full:
        raw.execute("CREATE TABLE filler (x)")
        raw.executemany("INSERT INTO filler VALUES (?)", [("x" * 4000,)] * 50)
    assert error_kind(full.value) == "disk_full", full.value
    holder.close()
    raw.close()
    database.dispose()


def test_os_errors_unreachable_server_and_unknown_errors(pg_server) -> None:  # type: ignore[no-untyped-def]
    assert user_message(OSError(errno.ENOSPC, "No space left")) == MESSAGES["disk_full"]
    assert error_kind(OSError(errno.EACCES, "denied")) == "file"
    assert user_message(RuntimeError("SELECT name FROM patients")) == UNKNOWN
    assert error_kind(RuntimeError("x")) is None
    # a role's refusal keeps its own words; a file's refusal does not leak its path
    assert user_message(PermissionError("only a physician can waive")) == (
        "Only a physician can waive."
    )
    if pg_server is None:
        pytest.skip("no PostgreSQL server")
    closed = pg_server.url.set(port=1, host="127.0.0.1").render_as_string(hide_password=False)
    engine = make_engine(closed)
    with pytest.raises(Exception) as caught, engine.connect():
        pass
    engine.dispose()
    assert error_kind(caught.value) == "unreachable"
    assert "cannot be reached" in user_message(caught.value)


# -- PostgreSQL connections ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://u@127.0.0.1/d", {}),
        ("postgresql+psycopg://u@localhost:5432/d", {}),
        ("postgresql+psycopg://u@[::1]/d", {}),
        ("postgresql+psycopg://u@/d?host=/var/run/postgresql", {}),
        ("postgresql+psycopg:///d", {}),
        ("postgresql+psycopg://u@db.clinic.example/d", {"sslmode": "require"}),
        ("postgresql+psycopg://u@10.0.0.5/d?sslmode=verify-full", {}),
    ],
)
def test_tls_is_required_off_the_machine(url: str, expected: dict[str, str]) -> None:
    assert pg_tls_settings(make_url(url), allow_plaintext=False) == expected


def test_plaintext_to_another_machine_is_refused_unless_allowed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = make_url("postgresql+psycopg://u@db.clinic.example/d?sslmode=disable")
    monkeypatch.delenv("SURVTRACK_PG_ALLOW_PLAINTEXT", raising=False)
    with pytest.raises(PlaintextRefused, match="SURVTRACK_PG_ALLOW_PLAINTEXT=1"):
        pg_tls_settings(url)
    with pytest.raises(PlaintextRefused):
        make_engine(str(url))
    monkeypatch.setenv("SURVTRACK_PG_ALLOW_PLAINTEXT", "1")
    assert pg_tls_settings(url) == {}
    make_engine(str(url)).dispose()


def test_every_postgresql_connection_has_lock_and_statement_timeouts(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL only")
    with db.read() as session:
        assert session.scalar(text("SHOW lock_timeout")) == "5s"
        assert session.scalar(text("SHOW statement_timeout")) == "30s"
    # a writer waiting on a row lock gives up and says so in words
    patient = add_patient(db, "1", "Smith", "Anna")
    with db.write(TESTER) as holder:
        holder.execute(text("SELECT id FROM patients WHERE id = :p FOR UPDATE"), {"p": patient})
        with pytest.raises(Exception) as caught, db.write(TESTER) as waiter:
            waiter.execute(text("SET LOCAL lock_timeout = '200ms'"))
            waiter.execute(
                text("UPDATE patients SET physician = 'x' WHERE id = :p"), {"p": patient}
            )
    assert error_kind(caught.value) == "locked"
    with pytest.raises(Exception) as slow, db.write(TESTER) as session:
        session.execute(text("SET LOCAL statement_timeout = '100ms'"))
        session.execute(text("SELECT pg_sleep(2)"))
    assert user_message(slow.value) == MESSAGES["timeout"]


def test_sqlite_reads_do_not_wait_behind_a_writer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A read (schema check, overdue list) succeeds while another connection holds a write
    transaction open. (A CLI export is not a pure read any more: it writes its audit entry, so it
    waits for the writer like any other write.)"""
    from survtrack.services.database import open_database

    path = tmp_path / "busy.db"
    url = f"sqlite:///{path}"
    setup = open_database(url)
    patient = add_patient(setup, "1", "Smith", "Anna")
    add_event(setup, patient, "chest_ct", date(2026, 9, 1))
    setup.dispose()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE patients SET physician = 'Dr Busy'")
    try:
        started = time.monotonic()
        reader = open_database(url)
        assert len(overdue_rows(reader, OverdueQuery(TODAY))) == 1
        reader.dispose(optimize=False)
        assert time.monotonic() - started < 3
    finally:
        writer.rollback()
        writer.close()
    assert threading.active_count() >= 1
