"""The covered rule: a completion closes the earlier unfinished events of its kind, undo reopens
exactly those; the migration applies it to stored data; patients without a calendar are listed."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, select, text

from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import save_tumour
from survtrack.services.event_actions import complete, reopen, undo
from survtrack.services.overdue import OverdueQuery, overdue_rows
from survtrack.services.patient_edit import PatientInput, create_patient, set_status
from survtrack.services.worklists import needs_a_plan, to_book
from survtrack.store.engine import Database
from survtrack.store.migrate import alembic_config
from survtrack.store.models import AuditEntry, FollowUpEvent
from tests.factories import add_event, add_patient
from tests.services.test_scheduler_services import THIGH

TODAY = date(2026, 11, 23)


@pytest.fixture
def scheduler(db: Database) -> SignedIn:
    return ensure_user(db, "sam", "Sam", Role.SCHEDULER)


def _states(db: Database, patient_id: int) -> dict[int, str]:
    return {e.id: e.state for e in load_calendar(db, patient_id)}


def test_a_completion_covers_earlier_unfinished_events_and_undo_reopens_them(
    db: Database, scheduler: SignedIn
) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    missed = add_event(db, anna, "chest_ct", date(2026, 3, 1), "missed")
    cancelled = add_event(db, anna, "chest_ct", date(2026, 6, 1), "cancelled")
    planned = add_event(db, anna, "chest_ct", date(2026, 9, 1))
    booked = add_event(
        db, anna, "chest_ct", date(2026, 11, 20), "booked", booked_at=datetime(2026, 11, 20, 9)
    )
    later = add_event(db, anna, "chest_ct", date(2026, 12, 20))  # window opens after the day
    other_kind = add_event(db, anna, "clinic_visit", date(2026, 9, 1))
    assert [r.slots for r in overdue_rows(db, OverdueQuery(TODAY)) if r.kind == "chest_ct"] == [4]

    token = complete(db, scheduler, booked, date(2026, 11, 20), "ned", TODAY)
    assert token.covered == 3
    states = _states(db, anna)
    assert [states[i] for i in (missed, cancelled, planned)] == ["covered"] * 3
    assert states[booked] == "completed" and states[later] == "planned"
    assert states[other_kind] == "planned"
    assert [r.kind for r in overdue_rows(db, OverdueQuery(TODAY))] == ["clinic_visit"]
    with db.read() as session:
        links = session.execute(
            select(FollowUpEvent.covered_by, FollowUpEvent.closed_on).where(
                FollowUpEvent.id.in_((missed, cancelled, planned))
            )
        ).all()
        audited = session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.entity == "followup_events", AuditEntry.username == "sam"
            )
        ).all()
    assert set(links) == {(booked, date(2026, 11, 20))}
    assert {missed, cancelled, planned, booked} <= set(audited)

    undo(db, scheduler, token)
    states = _states(db, anna)
    assert [states[i] for i in (missed, cancelled, planned, booked)] == [
        "missed",
        "cancelled",
        "planned",
        "booked",
    ]
    assert [r.slots for r in overdue_rows(db, OverdueQuery(TODAY)) if r.kind == "chest_ct"] == [4]


def test_reopening_a_completion_reopens_what_it_covered_and_nothing_else(
    db: Database, scheduler: SignedIn
) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    first = add_event(db, anna, "clinic_visit", date(2026, 3, 1), "missed")
    second = add_event(db, anna, "clinic_visit", date(2026, 6, 1))
    third = add_event(db, anna, "clinic_visit", date(2026, 9, 1))
    complete(db, scheduler, second, date(2026, 6, 1), "ned", TODAY)  # covers the first
    complete(db, scheduler, third, date(2026, 9, 2), "ned", TODAY)
    assert _states(db, anna)[first] == "covered"
    token = reopen(db, scheduler, second)
    states = _states(db, anna)
    assert (states[first], states[second], states[third]) == ("missed", "planned", "completed")
    undo(db, scheduler, token)  # the completion is back, and covers again
    states = _states(db, anna)
    assert (states[first], states[second]) == ("covered", "completed")


def test_migration_covers_stored_events_audited_as_the_system(empty_db_url: str) -> None:
    from alembic import command

    engine = create_engine(empty_db_url)
    try:
        config = alembic_config(engine)
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
            conn.commit()
            conn.execute(
                text(
                    "INSERT INTO patients (id, mrn, family_name, given_name, search_key, "
                    "birth_date, sex, status, created_at, version) VALUES (1, 'M1', 'A', 'B', "
                    "'a, b m1', '1960-01-01', 'female', 'active', '2026-01-01 00:00:00', 1)"
                )
            )
            rows = [
                (1, "chest_ct", "2026-01-10", "missed", None),
                (2, "chest_ct", "2026-04-10", "planned", None),
                (3, "chest_ct", "2026-07-10", "completed", "2026-07-12"),
                (4, "chest_ct", "2026-10-10", "planned", None),
                (5, "clinic_visit", "2026-01-10", "planned", None),
            ]
            for event_id, kind, day, state, closed in rows:
                conn.execute(
                    text(
                        "INSERT INTO followup_events (id, patient_id, episode, kind, due, "
                        "window_start, window_end, rule_id, source, state, moved_by_hand, "
                        "closed_on, version) VALUES (:id, 1, 1, :kind, :day, :day, :day, 'r', "
                        "'s', :state, false, :closed, 1)"
                    ),
                    {"id": event_id, "kind": kind, "day": day, "state": state, "closed": closed},
                )
            conn.commit()
            command.upgrade(config, "head")
            conn.commit()
            found = conn.execute(
                text("SELECT id, state, covered_by, covered_from FROM followup_events ORDER BY id")
            ).all()
            audit = conn.execute(
                text("SELECT entity_id, username FROM audit_log WHERE action = 'covered'")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in found] == [
        (1, "covered", 3, "missed"),
        (2, "covered", 3, "planned"),
        (3, "completed", None, None),
        (4, "planned", None, None),
        (5, "planned", None, None),
    ]
    assert sorted(tuple(r) for r in audit) == [(1, "system"), (2, "system")]


def test_patients_without_a_calendar_need_a_plan_until_they_have_one_or_leave(
    db: Database, scheduler: SignedIn
) -> None:
    from dataclasses import replace

    data = PatientInput("2000001", "Rossi", "Gianni", date(1960, 3, 4), "male", physician="Dr. X")
    gianni = create_patient(db, scheduler, data, TODAY)
    assert [(r.patient_id, r.reason) for r in needs_a_plan(db)] == [
        (gianni, "No tumour recorded yet")
    ]
    change = save_tumour(
        db, scheduler, gianni, replace(THIGH, histology="gastrointestinal stromal tumour"), TODAY
    )
    assert change.problem
    [row] = needs_a_plan(db)
    assert "GIST" in row.reason and "choose a protocol" in row.reason
    assert "tumour." not in row.reason  # words, not field codes
    assert to_book(db, TODAY, weeks=520) == []
    set_status(db, scheduler, gianni, "discharged", TODAY, TODAY)
    assert needs_a_plan(db) == []
