"""Side effects (CTCAE terms) with their grade history; grades 4 and 5 need confirmation.

Only the grades CTCAE v5.0 defines for a term are accepted (resources/ctcae/terms.toml). Grade 5
is death: it is accepted only for a patient whose death is recorded, on or before the date of
death, and it closes the effect (a grade 5 effect is never "ongoing"). Recording the death first
keeps the calendar, the worklists and the header flags right for a patient who has died.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from survtrack.domain.errors import BadInput
from survtrack.domain.late_effects import (
    ATTRIBUTIONS,
    CtcaeTerm,
    check_grade,
    check_not_future,
    check_term,
    find_term,
)
from survtrack.services.auth import SignedIn
from survtrack.services.errors import check_version
from survtrack.services.permissions import Action, require
from survtrack.store.engine import Database
from survtrack.store.models import Patient, SideEffect, SideEffectGrade

CONFIRM_FROM_GRADE = 4
DEATH = 5
DECEASED = "deceased"


@dataclass(frozen=True, slots=True)
class GradePoint:
    graded_on: date
    grade: int


@dataclass(frozen=True, slots=True)
class SideEffectRecord:
    id: int
    term: str
    organ_class: str
    attribution: str
    onset: date
    status: str
    resolved_on: date | None
    management: str | None
    grades: tuple[GradePoint, ...]  # oldest first
    version: int

    @property
    def current_grade(self) -> int:
        return self.grades[-1].grade if self.grades else 0

    @property
    def fatal(self) -> bool:
        return self.current_grade == DEATH


def _check_confirmed(grade: int, confirmed: bool) -> None:
    if grade >= CONFIRM_FROM_GRADE and not confirmed:
        raise BadInput("Grade", f"grade {grade} must be confirmed")


def grades_offered(term: str, deceased: bool) -> tuple[int, ...]:
    """The grades a picker offers for ``term``: those CTCAE v5.0 defines, without 5 (death) for a
    patient whose death is not recorded."""
    entry = find_term(term)
    grades = entry.grades if entry else (1, 2, 3, 4, 5)
    return tuple(g for g in grades if deceased or g != DEATH)


def is_deceased(db: Database, patient_id: int) -> bool:
    with db.read() as session:
        patient = session.get(Patient, patient_id)
        return patient is not None and patient.status == DECEASED


def _check_against_patient(patient: Patient, grade: int, when: date, field: str) -> None:
    """Grade 5 only after the death is recorded; nothing graded after the date of death."""
    deceased = patient.status == DECEASED
    if grade == DEATH and not deceased:
        raise BadInput(
            "Grade",
            "grade 5 means death and cannot be ongoing on a living patient; record the "
            "patient's death (Patients > Status) first, then grade 5",
        )
    if deceased and patient.status_date is not None and when > patient.status_date:
        raise BadInput(field, f"is after the patient's death ({patient.status_date.isoformat()})")


def _close_if_fatal(effect: SideEffect, grade: int, when: date) -> None:
    if grade == DEATH:
        effect.status, effect.resolved_on = "resolved", when


def add_side_effect(
    db: Database,
    user: SignedIn,
    patient_id: int,
    term: str,
    attribution: str,
    onset: date | None,
    grade: int | None,
    today: date,
    management: str = "",
    confirmed: bool = False,
) -> int:
    require(user, Action.RECORD_SIDE_EFFECTS)
    entry = check_term(term)
    if attribution not in ATTRIBUTIONS:
        raise BadInput("Attribution", f"must be one of {', '.join(ATTRIBUTIONS)}")
    onset = check_not_future("Onset", onset, today)
    grade = check_grade(grade, entry)
    _check_confirmed(grade, confirmed)
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if onset < patient.birth_date:
            raise BadInput("Onset", "is before the birth date")
        _check_against_patient(patient, grade, onset, "Onset")
        effect = SideEffect(
            patient_id=patient_id,
            term=entry.term,
            organ_class=entry.organ_class,
            attribution=attribution,
            onset=onset,
            status="ongoing",
            management=management.strip() or None,
        )
        effect.grades.append(SideEffectGrade(graded_on=onset, grade=grade))
        _close_if_fatal(effect, grade, onset)
        session.add(effect)
        session.flush()
        return effect.id


def regrade(
    db: Database,
    user: SignedIn,
    side_effect_id: int,
    graded_on: date | None,
    grade: int | None,
    today: date,
    confirmed: bool = False,
    expected_version: int | None = None,
) -> None:
    """A visit's new grade for an ongoing effect (kept as history, never overwritten)."""
    require(user, Action.RECORD_SIDE_EFFECTS)
    graded_on = check_not_future("Date", graded_on, today)
    check_grade(grade)
    _check_confirmed(grade or 0, confirmed)
    with db.write(user.actor) as session:
        effect = session.get(SideEffect, side_effect_id)
        if effect is None:
            raise BadInput("side effect", "no longer exists")
        check_version("This side effect", effect.version, expected_version)
        entry: CtcaeTerm | None = find_term(effect.term)
        grade = check_grade(grade, entry)
        if effect.status != "ongoing":
            raise BadInput("Status", "the side effect is resolved; record a new one")
        if graded_on < effect.onset:
            raise BadInput("Date", "is before the onset")
        patient = session.get(Patient, effect.patient_id)
        assert patient is not None
        _check_against_patient(patient, grade, graded_on, "Date")
        session.add(SideEffectGrade(side_effect_id=effect.id, graded_on=graded_on, grade=grade))
        flag_modified(effect, "status")  # a new grade moves the effect's version too
        _close_if_fatal(effect, grade, graded_on)


def resolve(
    db: Database,
    user: SignedIn,
    side_effect_id: int,
    resolved_on: date | None,
    today: date,
    expected_version: int | None = None,
) -> None:
    require(user, Action.RECORD_SIDE_EFFECTS)
    resolved_on = check_not_future("Resolved on", resolved_on, today)
    with db.write(user.actor) as session:
        effect = session.get(SideEffect, side_effect_id)
        if effect is None:
            raise BadInput("side effect", "no longer exists")
        check_version("This side effect", effect.version, expected_version)
        if resolved_on < effect.onset:
            raise BadInput("Resolved on", "is before the onset")
        effect.status, effect.resolved_on = "resolved", resolved_on


def list_side_effects(db: Database, patient_id: int) -> list[SideEffectRecord]:
    with db.read() as session:
        effects = session.scalars(
            select(SideEffect)
            .where(SideEffect.patient_id == patient_id)
            .options(selectinload(SideEffect.grades))
            .order_by(SideEffect.status, SideEffect.onset.desc(), SideEffect.id)
        ).all()
        return [
            SideEffectRecord(
                e.id,
                e.term,
                e.organ_class,
                e.attribution,
                e.onset,
                e.status,
                e.resolved_on,
                e.management,
                tuple(GradePoint(g.graded_on, g.grade) for g in e.grades),
                e.version,
            )
            for e in effects
        ]
