"""Visits (the encounter) and the content of the after-visit summary built from the record.

``summary_values`` gathers everything the summary shows, in plain words for the patient, as
already-escaped HTML fragments keyed by the template's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventKind
from survtrack.domain.late_effects import grade_meaning
from survtrack.domain.sites import Site
from survtrack.reports.appointment_export import Appointment, appointments_ics
from survtrack.reports.avs_template import fill, load_template
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import load_calendar
from survtrack.services.clinic_settings import ClinicInfo, clinic_info, clinic_template_path
from survtrack.services.patient_records import PatientRecord, TreatmentRecord, load_patient
from survtrack.services.rehab import load_rehab
from survtrack.services.side_effects import list_side_effects
from survtrack.store.engine import Database
from survtrack.store.models import Patient, Visit

TEXT_FIELDS = ("reason", "findings", "results_reviewed", "rehab_status", "plan", "instructions")
NORMAL_POINTS, LARGE_POINTS = 10, 14


@dataclass(frozen=True, slots=True)
class VisitInput:
    visit_date: date | None
    clinician: str
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


def record_visit(
    db: Database, user: SignedIn, patient_id: int, data: VisitInput, today: date
) -> int:
    if data.visit_date is None:
        raise BadInput("Visit date", "is required")
    if data.visit_date > today:
        raise BadInput("Visit date", "is in the future")
    if not data.clinician.strip():
        raise BadInput("Clinician", "is required")
    for name in TEXT_FIELDS:
        if len(getattr(data, name)) > 2000:
            raise BadInput(name.replace("_", " ").capitalize(), "must be at most 2000 characters")
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if data.visit_date < patient.birth_date:
            raise BadInput("Visit date", "is before the birth date")
        visit = Visit(
            patient_id=patient_id,
            visit_date=data.visit_date,
            clinician=data.clinician.strip(),
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


# -- the summary's words ------------------------------------------------------------------------

GRADE_WORDS = {"1": "low grade", "2": "intermediate grade", "3": "high grade", "X": ""}


def _paragraphs(text: str | None) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in (text or "").splitlines() if line.strip())


def _items(lines: list[str], empty: str) -> str:
    if not lines:
        return f"<p>{escape(empty)}</p>"
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def diagnosis_words(record: PatientRecord) -> str:
    if not record.tumours:
        return "Not recorded."
    t = record.tumours[0]
    what = "Desmoid tumour" if t.risk == "any" else "Soft tissue sarcoma"
    histology = f" ({t.histology})" if t.histology and t.risk != "any" else ""
    where = Site(t.site).label.lower()
    if t.site == "extremity" and t.limb:
        where = f"{t.laterality + ' ' if t.laterality else ''}{t.limb} limb"
    details = ", ".join(
        x
        for x in (f"{t.size_cm:g} cm" if t.size_cm else "", GRADE_WORDS.get(t.grade or "", ""))
        if x
    )
    stage = f", stage {t.stage}" if t.stage else ""
    return f"{what}{histology} of the {where}{stage}" + (f" ({details})" if details else "") + "."


def treatment_words(t: TreatmentRecord) -> str:
    if t.type == "surgery":
        procedure = (t.procedure or "surgery").replace("_", " ")
        if t.amputation_level:
            procedure = f"amputation ({t.amputation_level.replace('_', ' ')})"
        return f"Surgery: {procedure}, {t.start.isoformat()}"
    if t.type == "radiation":
        return f"Radiation therapy, {t.start.isoformat()} to {t.end.isoformat()}"
    return f"Chemotherapy ({', '.join(t.agents)}), {t.start.isoformat()} to {t.end.isoformat()}"


def summary_values(
    db: Database, patient_id: int, visit: VisitRecord, clinic: ClinicInfo, large_print: bool = False
) -> dict[str, str]:
    record = load_patient(db, patient_id)
    if record is None:
        raise BadInput("patient", "no longer exists")
    effects = [e for e in list_side_effects(db, patient_id) if e.status == "ongoing"]
    rehab = load_rehab(db, patient_id)
    horizon = visit.visit_date + timedelta(days=365)
    upcoming = [
        e
        for e in load_calendar(db, patient_id)
        if e.state in ("planned", "booked") and visit.visit_date < e.due <= horizon
    ]

    today_parts = []
    for label, text in (
        ("Why you came", visit.reason),
        ("What we found", visit.findings),
        ("Results we reviewed", visit.results_reviewed),
        ("The plan", visit.plan),
    ):
        if text:
            today_parts.append(f"<p><b>{label}:</b> {escape(text)}</p>")
    side_lines = [
        f"{e.term}: grade {e.current_grade} ({grade_meaning(e.current_grade).split(';')[0]})"
        + (f". {e.management}" if e.management else "")
        for e in effects
    ]
    rehab_lines = []
    if rehab is not None:
        rehab_lines.append(
            f"Rehabilitation plan: {rehab.label}"
            + (f"; walking level {rehab.k_level}" if rehab.k_level else "")
        )
        next_goals = [m for m in rehab.milestones if not m.achieved_on and m.target]
        if next_goals:
            rehab_lines.append(
                f"Next goal: {next_goals[0].name.lower()} "
                f"(around {next_goals[0].target.isoformat()})"
            )
    if visit.rehab_status:
        rehab_lines.append(visit.rehab_status)
    therapy = [e for e in upcoming if e.kind in ("pt_assessment", "prosthetic_fitting")][:3]
    rehab_lines += [
        f"{EventKind(e.kind).label}: {_when(e.booked_at, e.suggested or e.due)}" for e in therapy
    ]
    appointment_lines = [
        f"{_when(e.booked_at, e.suggested or e.due)}: {EventKind(e.kind).label}"
        + (f", {e.location}" if e.location else "")
        + ("" if e.state == "booked" else " (we will send you the time)")
        for e in upcoming
    ]
    return {
        "font_size": str(LARGE_POINTS if large_print else NORMAL_POINTS),
        "clinic_name": escape(clinic.name),
        "clinic_address": escape(clinic.address),
        "clinic_phone": escape(clinic.phone),
        "emergency": escape(clinic.emergency),
        "patient_name": escape(f"{record.given_name} {record.family_name}"),
        "mrn": escape(record.mrn),
        "birth_date": record.birth_date.isoformat(),
        "visit_date": visit.visit_date.isoformat(),
        "visit_place": escape(visit.location or clinic.name),
        "clinician": escape(visit.clinician),
        "diagnosis": escape(diagnosis_words(record)),
        "treatments": _items(
            [treatment_words(t) for t in record.treatments], "No treatment recorded."
        ),
        "today": "".join(today_parts) or "<p>Routine follow-up visit.</p>",
        "side_effects": _items(side_lines, "None at the moment."),
        "rehab": _items(rehab_lines, "No rehabilitation plan."),
        "appointments": _items(appointment_lines, "No appointment in the next 12 months."),
        "instructions": _paragraphs(visit.instructions) or "<p>Keep your next appointments.</p>",
    }


def _when(booked_at: datetime | None, day: date) -> str:
    if booked_at is not None:
        return booked_at.strftime("%Y-%m-%d %H:%M")
    return f"around {day.isoformat()}"


def patient_id_by_mrn(db: Database, mrn: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Patient.id).where(Patient.mrn == mrn.strip()))
    if found is None:
        raise BadInput("mrn", f"no patient with MRN {mrn!r}")
    return found


def summary_html(
    db: Database, patient_id: int, visit: VisitRecord, large_print: bool = False
) -> str:
    """The filled template (the clinic's copy when there is one)."""
    text, origin = load_template(clinic_template_path())
    return fill(text, origin, summary_values(db, patient_id, visit, clinic_info(), large_print))


def upcoming_appointments(db: Database, patient_id: int, after: datetime) -> list[Appointment]:
    """Booked appointments from ``after`` on (the .ics export)."""
    return [
        Appointment(e.id, EventKind(e.kind).label, e.booked_at, e.location)
        for e in load_calendar(db, patient_id)
        if e.state == "booked" and e.booked_at is not None and e.booked_at >= after
    ]


def patient_calendar_ics(db: Database, patient_id: int, after: datetime) -> bytes:
    clinic = clinic_info()
    return appointments_ics(
        upcoming_appointments(db, patient_id, after), clinic.name, clinic.email, clinic.phone
    )
