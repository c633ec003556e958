"""Visits (the encounter): who the patient was seen by, where, and what was said.

The clinician defaults to the patient's own physician (not whoever is signed in). No visit is
recorded, and no summary printed, for a date after the patient's death or discharge. The summary
itself is built in ``services/summaries.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.domain.events import PatientStatus
from survtrack.services.auth import SignedIn
from survtrack.store.engine import Database
from survtrack.store.models import Patient, Visit

TEXT_FIELDS = ("reason", "findings", "results_reviewed", "rehab_status", "plan", "instructions")
ENDED_STATES = (PatientStatus.DECEASED.value, PatientStatus.DISCHARGED.value)


@dataclass(frozen=True, slots=True)
class VisitInput:
    visit_date: date | None
    clinician: str  # empty: the patient's physician
    location: str = ""
    reason: str = ""
    findings: str = ""
    results_reviewed: str = ""
    rehab_status: str = ""
    plan: str = ""
    instructions: str = ""


@dataclass(frozen=True, slots=True)
class VisitRecord:
    id: int
    patient_id: int
    visit_date: date
    clinician: str
    location: str | None
    reason: str | None
    findings: str | None
    results_reviewed: str | None
    rehab_status: str | None
    plan: str | None
    instructions: str | None


def check_visit_allowed(status: str, status_date: date | None, visit_date: date) -> None:
    """No visit, and no summary, dated after the patient's death or discharge."""
    if status in ENDED_STATES and status_date is not None and visit_date > status_date:
        raise BadInput(
            "Visit date",
            f"{visit_date.isoformat()} is after the patient was recorded as {status} "
            f"on {status_date.isoformat()}",
        )


def patient_physician(db: Database, patient_id: int) -> str:
    """The patient's own physician ('' when none is recorded): the default clinician."""
    with db.read() as session:
        return session.scalar(select(Patient.physician).where(Patient.id == patient_id)) or ""


def record_visit(
    db: Database, user: SignedIn, patient_id: int, data: VisitInput, today: date
) -> int:
    if data.visit_date is None:
        raise BadInput("Visit date", "is required")
    if data.visit_date > today:
        raise BadInput("Visit date", "is in the future")
    for name in TEXT_FIELDS:
        if len(getattr(data, name)) > 2000:
            raise BadInput(name.replace("_", " ").capitalize(), "must be at most 2000 characters")
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if data.visit_date < patient.birth_date:
            raise BadInput("Visit date", "is before the birth date")
        check_visit_allowed(patient.status, patient.status_date, data.visit_date)
        clinician = data.clinician.strip() or (patient.physician or "").strip()
        if not clinician:
            raise BadInput("Clinician", "is required (the patient has no physician recorded)")
        if len(clinician) > 120:
            raise BadInput("Clinician", "must be at most 120 characters")
        visit = Visit(
            patient_id=patient_id,
            visit_date=data.visit_date,
            clinician=clinician,
            location=data.location.strip() or None,
            **{name: getattr(data, name).strip() or None for name in TEXT_FIELDS},
        )
        session.add(visit)
        session.flush()
        return visit.id


def _visit_record(v: Visit) -> VisitRecord:
    return VisitRecord(
        v.id,
        v.patient_id,
        v.visit_date,
        v.clinician,
        v.location,
        v.reason,
        v.findings,
        v.results_reviewed,
        v.rehab_status,
        v.plan,
        v.instructions,
    )


def list_visits(db: Database, patient_id: int) -> list[VisitRecord]:
    with db.read() as session:
        visits = session.scalars(
            select(Visit)
            .where(Visit.patient_id == patient_id)
            .order_by(Visit.visit_date.desc(), Visit.id.desc())
        )
        return [_visit_record(v) for v in visits]


def visits_on(db: Database, day: date) -> list[VisitRecord]:
    """Every visit of a clinic day (the batch of summaries), by patient name."""
    with db.read() as session:
        visits = session.scalars(
            select(Visit)
            .join(Patient, Patient.id == Visit.patient_id)
            .where(Visit.visit_date == day)
            .order_by(Patient.search_key, Visit.id)
        )
        return [_visit_record(v) for v in visits]


def find_visit(db: Database, patient_id: int, visit_id: int | None) -> VisitRecord:
    visits = list_visits(db, patient_id)
    if not visits:
        raise BadInput("visit", "this patient has no recorded visit")
    if visit_id is None:
        return visits[0]
    for visit in visits:
        if visit.id == visit_id:
            return visit
    raise BadInput("visit", f"no visit {visit_id} for this patient")


def patient_id_by_mrn(db: Database, mrn: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Patient.id).where(Patient.mrn == mrn.strip()))
    if found is None:
        raise BadInput("mrn", f"no patient with MRN {mrn!r}")
    return found
