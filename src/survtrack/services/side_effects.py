"""Side effects (CTCAE terms) with their grade history; grades 4 and 5 need confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survtrack.domain.errors import BadInput
from survtrack.domain.late_effects import (
    ATTRIBUTIONS,
    check_grade,
    check_not_future,
    check_term,
)
from survtrack.services.auth import SignedIn
from survtrack.store.engine import Database
from survtrack.store.models import Patient, SideEffect, SideEffectGrade

CONFIRM_FROM_GRADE = 4


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


def _check_confirmed(grade: int, confirmed: bool) -> None:
    if grade >= CONFIRM_FROM_GRADE and not confirmed:
        raise BadInput("Grade", f"grade {grade} must be confirmed")


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
    entry = check_term(term)
    if attribution not in ATTRIBUTIONS:
        raise BadInput("Attribution", f"must be one of {', '.join(ATTRIBUTIONS)}")
    onset = check_not_future("Onset", onset, today)
    grade = check_grade(grade)
    _check_confirmed(grade, confirmed)
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if onset < patient.birth_date:
            raise BadInput("Onset", "is before the birth date")
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
) -> None:
    """A visit's new grade for an ongoing effect (kept as history, never overwritten)."""
    graded_on = check_not_future("Date", graded_on, today)
    grade = check_grade(grade)
    _check_confirmed(grade, confirmed)
    with db.write(user.actor) as session:
        effect = session.get(SideEffect, side_effect_id)
        if effect is None:
            raise BadInput("side effect", "no longer exists")
        if effect.status != "ongoing":
            raise BadInput("Status", "the side effect is resolved; record a new one")
        if graded_on < effect.onset:
            raise BadInput("Date", "is before the onset")
        session.add(SideEffectGrade(side_effect_id=effect.id, graded_on=graded_on, grade=grade))


def resolve(
    db: Database, user: SignedIn, side_effect_id: int, resolved_on: date | None, today: date
) -> None:
    resolved_on = check_not_future("Resolved on", resolved_on, today)
    with db.write(user.actor) as session:
        effect = session.get(SideEffect, side_effect_id)
        if effect is None:
            raise BadInput("side effect", "no longer exists")
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
