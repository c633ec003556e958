"""Scheduler services: registering patients, diagnosis entry, regeneration keeping work, actions."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import (
    TumourInput,
    preview,
    save_recurrence,
    save_treatment,
    save_tumour,
)
from survtrack.services.errors import ConflictError
from survtrack.services.event_actions import (
    book,
    cancel,
    complete,
    miss,
    move,
    reopen,
    reschedule,
    undo,
    waive,
)
from survtrack.services.patient_edit import PatientInput, create_patient, set_status, update_patient
from survtrack.services.worklists import clinic_day, to_book
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry
from tests.factories import ANNA, SURGERY, THIGH, register_anna

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
SCHEDULER = SignedIn(1, "sam", "Sam", Role.SCHEDULER)  # ids match the autouse fixture below
PHYSICIAN = SignedIn(2, "doc", "Dr Doc", Role.PHYSICIAN)


@pytest.fixture(autouse=True)
def people(db: Database) -> None:
    assert ensure_user(db, "sam", "Sam", Role.SCHEDULER) == SCHEDULER
    assert ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN) == PHYSICIAN


def registered(db: Database) -> int:
    return register_anna(db, SCHEDULER, TODAY)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mrn": " "}, "MRN"),
        ({"family_name": ""}, "Family name"),
        ({"birth_date": date(2027, 1, 1)}, "Birth date"),
        ({"birth_date": None}, "Birth date"),
        ({"sex": "x"}, "Sex"),
    ],
)
def test_patient_validation_names_the_field(db: Database, change: dict, field: str) -> None:
    data = _replace(ANNA, **change)
    with pytest.raises(BadInput) as info:
        create_patient(db, SCHEDULER, data, TODAY)
    assert info.value.field == field


def _replace(data: PatientInput, **change: object) -> PatientInput:
    from dataclasses import replace

    return replace(data, **change)  # type: ignore[arg-type]


def test_mrn_unique_and_edit_conflict(db: Database) -> None:
    patient_id = create_patient(db, SCHEDULER, ANNA, TODAY)
    with pytest.raises(BadInput, match="already used"):
        create_patient(db, SCHEDULER, _replace(ANNA, given_name="Other"), TODAY)
    update_patient(
        db, SCHEDULER, patient_id, _replace(ANNA, phone="555"), TODAY, expected_version=1
    )
    with pytest.raises(ConflictError, match="another workstation"):
        update_patient(
            db, SCHEDULER, patient_id, _replace(ANNA, phone="666"), TODAY, expected_version=1
        )


def test_live_preview_of_stage_and_risk() -> None:
    assert preview(THIGH).stage == "IIIA" and preview(THIGH).risk == "high"
    small = _tumour(size_cm=4.0, grade="1")
    assert (preview(small).stage, preview(small).risk) == ("IA", "low")
    scored = _tumour(grade=None, fnclcc_score=5)
    assert preview(scored).grade == "2"
    with pytest.raises(BadInput, match="contradicts"):
        preview(_tumour(grade="1", fnclcc_score=7))


def _tumour(**change: object) -> TumourInput:
    from dataclasses import replace

    return replace(THIGH, **change)  # type: ignore[arg-type]


def test_diagnosis_and_surgery_generate_the_stage_iiia_calendar(db: Database) -> None:
    patient_id = create_patient(db, SCHEDULER, ANNA, TODAY)
    no_treatment = save_tumour(db, SCHEDULER, patient_id, THIGH, TODAY)
    assert no_treatment.problem and "surveillance_start" in no_treatment.problem
    change = save_treatment(db, SCHEDULER, patient_id, SURGERY, TODAY)
    events = load_calendar(db, patient_id)
    assert change.added == len(events) == 21 + 21 + 8
    assert change.summary() == "50 events added, 0 removed"
    first = events[0]
    assert (first.kind, first.due, first.state) == ("chest_ct", date(2026, 9, 10), "planned")
    assert first.rule_id.startswith("ext-high") and "NCCN" in first.source


def test_regeneration_keeps_work_and_replaces_only_untouched_planned_events(db: Database) -> None:
    patient_id = registered(db)
    events = load_calendar(db, patient_id)
    visits = [e for e in events if e.kind == "clinic_visit"]
    completed, booked, moved = visits[0], visits[1], visits[2]
    complete(db, SCHEDULER, completed.id, date(2026, 9, 12), "ned", TODAY)
    book(db, SCHEDULER, booked.id, datetime(2026, 12, 10, 9, 30), "Clinic B", NOW)
    move(db, SCHEDULER, moved.id, date(2027, 6, 1))
    chest = [e for e in events if e.kind == "chest_ct"]
    # 4 cm grade 1 -> stage IA, low risk: the high-risk chest CTs and extra visits go
    change = save_tumour(
        db, SCHEDULER, patient_id, _tumour(size_cm=4.0, grade="1"), TODAY, tumour_id=1
    )
    after = {e.id: e for e in load_calendar(db, patient_id)}
    assert after[completed.id].state == "completed" and after[completed.id].result == "ned"
    assert after[booked.id].state == "booked" and after[booked.id].location == "Clinic B"
    assert after[moved.id].suggested == date(2027, 6, 1)
    assert all(c.id not in after for c in chest)
    assert any(e.kind == "chest_xray" for e in after.values())
    assert change.removed > 0 and change.added > 0
    assert change.summary().startswith(f"{change.added} events added, {change.removed} removed")
    # regenerating again changes nothing
    again = save_tumour(
        db, SCHEDULER, patient_id, _tumour(size_cm=4.0, grade="1"), TODAY, tumour_id=1
    )
    assert (again.added, again.removed) == (0, 0)


def test_recurrence_supersedes_planned_events(db: Database) -> None:
    patient_id = registered(db)
    change = save_recurrence(db, SCHEDULER, patient_id, date(2026, 10, 1), "local", TODAY)
    assert change.superseded > 0
    events = load_calendar(db, patient_id)
    superseded = [e for e in events if e.state == "superseded"]
    assert all(e.episode == 1 and e.due > date(2026, 10, 1) for e in superseded)
    assert any(e.episode == 2 for e in events)


def test_death_cancels_the_future_calendar_with_the_reason(db: Database) -> None:
    patient_id = registered(db)
    events = load_calendar(db, patient_id)
    book(db, SCHEDULER, events[0].id, datetime(2026, 11, 30, 10, 0), "Clinic", NOW)
    change = set_status(db, SCHEDULER, patient_id, "deceased", date(2026, 11, 20), TODAY)
    after = load_calendar(db, patient_id)
    future = [e for e in after if e.due >= date(2026, 11, 20)]
    assert future and all(e.state == "cancelled" for e in future)
    assert all(e.reason == "patient deceased on 2026-11-20" for e in future)
    # the appointment booked for the 30th (due in September) cannot happen either
    booked = next(e for e in after if e.id == events[0].id)
    assert events[0].due < date(2026, 11, 20)
    assert (booked.state, booked.reason) == ("cancelled", "patient deceased on 2026-11-20")
    assert change.cancelled == len(future) + 1
    with pytest.raises(BadInput, match="Status date"):
        set_status(db, SCHEDULER, patient_id, "discharged", None, TODAY)


def test_event_actions_and_undo(db: Database) -> None:
    patient_id = registered(db)
    event = load_calendar(db, patient_id)[0]
    with pytest.raises(BadInput, match="Date"):
        book(db, SCHEDULER, event.id, datetime(2026, 11, 1, 9), "Clinic", NOW)
    with pytest.raises(BadInput, match="Location"):
        book(db, SCHEDULER, event.id, datetime(2026, 12, 1, 9), " ", NOW)
    token = book(db, SCHEDULER, event.id, datetime(2026, 12, 1, 9), "Clinic A", NOW)
    reschedule(db, SCHEDULER, event.id, datetime(2026, 12, 3, 14), None, NOW)
    current = load_calendar(db, patient_id)[0]
    assert current.booked_at == datetime(2026, 12, 3, 14) and current.location == "Clinic A"
    with pytest.raises(ConflictError):
        undo(db, SCHEDULER, token)  # the event moved on since that booking
    missed = miss(db, SCHEDULER, event.id, TODAY)
    assert load_calendar(db, patient_id)[0].state == "missed"
    assert [r.event_id for r in to_book(db, TODAY, 52, include_overdue=True)][:1] == [event.id]
    undo(db, SCHEDULER, missed)
    assert load_calendar(db, patient_id)[0].state == "booked"
    with pytest.raises(PermissionError):
        waive(db, SCHEDULER, event.id, "not needed")
    with pytest.raises(BadInput, match="Reason"):
        waive(db, PHYSICIAN, event.id, "")
    waive(db, PHYSICIAN, event.id, "patient had CT elsewhere")
    with pytest.raises(BadInput, match="reopen it first"):
        cancel(db, SCHEDULER, event.id, "x")
    reopen(db, PHYSICIAN, event.id)
    assert load_calendar(db, patient_id)[0].state == "planned"
    with pytest.raises(BadInput, match="future"):
        complete(db, SCHEDULER, event.id, date(2026, 12, 1), "ned", TODAY)
    complete(db, SCHEDULER, event.id, date(2026, 9, 11), "suspicious", TODAY)
    done = load_calendar(db, patient_id)[0]
    assert (done.state, done.result) == ("completed", "suspicious")
    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.changes)
            .where(AuditEntry.entity == "followup_events", AuditEntry.entity_id == event.id)
            .order_by(AuditEntry.id)
        ).all()
    states = [json.loads(c).get("state", [None, None])[1] for c in actions]
    assert states == [
        "planned",
        "booked",
        None,
        "missed",
        "booked",
        "waived",
        "planned",
        "completed",
    ]


def test_worklists(db: Database) -> None:
    patient_id = registered(db)
    rows = to_book(db, TODAY, weeks=4)
    # the 6-month MRI (window opened 2026-11-10), then the 2026-12-10 chest CT and visit
    assert [r.kind for r in rows] == ["primary_site_mri", "chest_ct", "clinic_visit"]
    assert all(r.window_start <= date(2026, 12, 21) for r in rows)
    overdue = to_book(db, TODAY, weeks=4, include_overdue=True)
    assert len(overdue) > len(rows) and overdue[0].window_end < TODAY
    book(db, SCHEDULER, rows[0].event_id, datetime(2026, 12, 9, 9, 0), "MRI suite", NOW)
    book(db, SCHEDULER, rows[1].event_id, datetime(2026, 12, 9, 8, 30), "CT suite", NOW)
    book(db, SCHEDULER, rows[2].event_id, datetime(2026, 12, 9, 8, 0), "Clinic", NOW)
    assert [r.event_id for r in to_book(db, TODAY, weeks=4)] == []
    day = clinic_day(db, date(2026, 12, 9))
    assert [(r.location, r.patient) for r in day] == [
        ("Clinic", "Smith, Anna"),
        ("CT suite", "Smith, Anna"),
        ("MRI suite", "Smith, Anna"),
    ]
    assert clinic_day(db, date(2026, 12, 10)) == []
    assert len(clinic_day(db, date(2026, 12, 7), date(2026, 12, 13))) == 3
    set_status(db, SCHEDULER, patient_id, "transferred", date(2026, 11, 22), TODAY)
    assert to_book(db, TODAY, weeks=8, include_overdue=True) == []


def test_deleting_the_only_treatment_removes_untouched_events_only(db: Database) -> None:
    from survtrack.services.diagnosis import delete_treatment
    from survtrack.services.patient_records import load_patient

    patient_id = registered(db)
    first = load_calendar(db, patient_id)[0]
    complete(db, SCHEDULER, first.id, date(2026, 9, 10), "ned", TODAY)
    record = load_patient(db, patient_id)
    assert record is not None
    change = delete_treatment(db, SCHEDULER, patient_id, record.treatments[0].id)
    assert change.problem and "anchor" in change.problem
    # no anchor: nothing is generated, and nothing already recorded is lost
    remaining = load_calendar(db, patient_id)
    assert [e.id for e in remaining if e.state == "completed"] == [first.id]
