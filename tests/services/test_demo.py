"""Demo data: deterministic for a seed, plausible in its proportions, calendars from the engine."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from survtrack.domain.errors import BadInput
from survtrack.services.demo import generate_demo
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry, FollowUpEvent, Patient, TreatmentRow, Tumour

TODAY = date(2026, 11, 23)
DEMO = Actor(None, "demo")


def snapshot(db: Database) -> list[tuple]:
    with db.read() as session:
        patients = session.execute(
            select(
                Patient.mrn,
                Patient.family_name,
                Patient.given_name,
                Patient.birth_date,
                Patient.status,
                Patient.status_date,
                Patient.physician,
            ).order_by(Patient.id)
        ).all()
        tumours = session.execute(
            select(
                Tumour.site, Tumour.histology, Tumour.grade, Tumour.size_cm, Tumour.stage
            ).order_by(Tumour.id)
        ).all()
        events = session.execute(
            select(FollowUpEvent.kind, FollowUpEvent.due, FollowUpEvent.state).order_by(
                FollowUpEvent.id
            )
        ).all()
    return [tuple(r) for r in patients + tumours + events]


def test_same_seed_same_patients(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from survtrack.services.database import open_database

    dbs = [open_database(f"sqlite:///{tmp_path / f'{n}.db'}") for n in ("a", "b", "c")]
    try:
        generate_demo(dbs[0], 120, 7, TODAY, DEMO)
        generate_demo(dbs[1], 120, 7, TODAY, DEMO)
        generate_demo(dbs[2], 120, 8, TODAY, DEMO)
        assert snapshot(dbs[0]) == snapshot(dbs[1])
        assert snapshot(dbs[0]) != snapshot(dbs[2])
    finally:
        for db in dbs:
            db.dispose()


def test_plausible_mix(sqlite_db: Database) -> None:
    summary = generate_demo(sqlite_db, 1500, 3, TODAY, DEMO)
    assert summary.patients == 1500
    with sqlite_db.read() as session:

        def share(statement) -> float:  # type: ignore[no-untyped-def]
            return (session.scalar(statement) or 0) / 1500

        extremity = share(select(func.count()).where(Tumour.site == "extremity"))
        deceased = share(select(func.count()).where(Patient.status == "deceased"))
        amputated = share(
            select(func.count(func.distinct(TreatmentRow.patient_id))).where(
                TreatmentRow.procedure == "amputation"
            )
        )
        doxorubicin = share(
            select(func.count(func.distinct(TreatmentRow.patient_id))).where(
                TreatmentRow.agents.like("%doxorubicin%")
            )
        )
        desmoid = share(select(func.count()).where(Tumour.histology.like("%desmoid%")))
        recurred = summary.recurrences / 1500
        states = dict(
            session.execute(
                select(FollowUpEvent.state, func.count()).group_by(FollowUpEvent.state)
            ).all()
        )
        audit = session.scalars(select(AuditEntry.action)).all()
    assert 0.45 < extremity < 0.65
    assert 0.03 < deceased < 0.12
    assert 0.01 < amputated < 0.08
    assert 0.08 < doxorubicin < 0.35
    assert 0.01 < desmoid < 0.08
    assert 0.05 < recurred < 0.25
    assert states["completed"] > states["missed"] > 0 and states["planned"] > 0
    assert states.get("booked", 0) > 0
    assert audit == ["demo"]


def test_demo_adds_to_existing_patients_without_clashing(sqlite_db: Database) -> None:
    generate_demo(sqlite_db, 30, 1, TODAY, DEMO, with_events=False)
    generate_demo(sqlite_db, 30, 1, TODAY, DEMO, with_events=False)
    with sqlite_db.read() as session:
        assert session.scalar(select(func.count(func.distinct(Patient.mrn)))) == 60


def test_patient_count_is_validated(sqlite_db: Database) -> None:
    with pytest.raises(BadInput, match="patients"):
        generate_demo(sqlite_db, 0, 1, TODAY, DEMO)
