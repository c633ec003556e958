"""The rehabilitation plan: milestones with targets from the calendar, sessions, outcome measures,
pain scores, referrals, the functional K level, and the flags shown on the patient's header.

What a plan records depends on its programme (resources/rehab/rehab.toml): a lower-limb amputation
has K levels, gait training and the TUG fall-risk flag; an upper-limb amputation has upper-limb
milestones and measures and none of those; limb-sparing surgery has its own milestones.

A plan is created when an amputation is recorded (``ensure_plan_in_session``, called by the
treatment service in the same transaction) or from the Rehabilitation tab (``create_plan``) for
an amputee without one or after limb-sparing surgery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survtrack.domain.errors import BadInput
from survtrack.domain.late_effects import (
    DISCIPLINES,
    FLAGGED_PAINS,
    PAIN_KINDS,
    REFERRAL_KINDS,
    Flag,
    Programme,
    check_measure,
    check_not_future,
    check_pain,
    flags,
    rehab_reference,
)
from survtrack.services.auth import SignedIn
from survtrack.services.errors import check_version
from survtrack.services.permissions import Action, require
from survtrack.store.engine import Database
from survtrack.store.models import (
    FollowUpEvent,
    Patient,
    RehabEntry,
    RehabMilestone,
    RehabPlan,
    SideEffect,
)


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    code: str
    name: str
    target: date | None
    achieved_on: date | None
    passed_at_start: bool = False  # the target was already past on the day the plan started
    version: int = 1


@dataclass(frozen=True, slots=True)
class EntryRow:
    id: int
    entry: str
    on: date
    code: str
    value: float | None
    who: str | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class RehabRecord:
    plan_id: int
    reason: str
    level: str | None
    side: str | None
    k_level: str | None
    k_level_on: date | None
    milestones: tuple[MilestoneRow, ...]
    entries: tuple[EntryRow, ...]  # oldest first
    operated_on: date | None = None
    started_on: date | None = None
    version: int = 1  # the plan's (K level), for ``set_k_level(expected_version=...)``

    @property
    def programme(self) -> Programme:
        return rehab_reference().programme(self.reason, self.level)

    @property
    def label(self) -> str:
        """What the plan follows, in words: "Transtibial (below knee) amputation, left"."""
        what = (
            f"{rehab_reference().level_label(self.level)} amputation"
            if self.reason == "amputation" and self.level
            else self.programme.name
        )
        return what + (f", {self.side}" if self.side else "")

    def of(self, entry: str, code: str | None = None) -> list[EntryRow]:
        return [e for e in self.entries if e.entry == entry and (code is None or e.code == code)]


@dataclass(frozen=True, slots=True)
class PlanDefaults:
    """What the "start a plan" dialog proposes: from the latest amputation (else limb-sparing
    surgery) recorded for the patient, and the tumour's side."""

    reason: str
    level: str | None
    side: str | None
    operated_on: date | None


def _targets(
    session: Session, patient_id: int, since: date, programme: Programme
) -> dict[str, date]:
    """Milestone targets: the n-th rehab or fitting event on or after the operation."""
    events = session.scalars(
        select(FollowUpEvent)
        .where(
            FollowUpEvent.patient_id == patient_id,
            FollowUpEvent.kind.in_(("pt_assessment", "prosthetic_fitting")),
            FollowUpEvent.due >= since,
        )
        .order_by(FollowUpEvent.due)
    ).all()
    targets = {}
    for milestone in programme.milestones:
        dues = [e.due for e in events if e.kind == milestone.event_kind]
        if milestone.event_kind and len(dues) >= milestone.occurrence:
            targets[milestone.code] = dues[milestone.occurrence - 1]
    return targets


def ensure_plan_in_session(
    session: Session,
    patient_id: int,
    reason: str,
    level: str | None,
    side: str | None,
    operated_on: date,
    started_on: date | None = None,
) -> RehabPlan:
    """The patient's plan, created if missing; its milestones are those of its programme (lower
    limb, upper limb or limb-sparing), unachieved targets following the calendar. Achieved
    milestones of an earlier programme are kept as history."""
    plan = session.scalar(select(RehabPlan).where(RehabPlan.patient_id == patient_id))
    if plan is None:
        plan = RehabPlan(
            patient_id=patient_id,
            reason=reason,
            level=level,
            side=side,
            operated_on=operated_on,
            started_on=started_on,
        )
        session.add(plan)
        session.flush()
    elif reason == "amputation":
        plan.reason, plan.level, plan.side = reason, level, side or plan.side
        plan.operated_on = operated_on
    programme = rehab_reference().programme(plan.reason, plan.level)
    targets = _targets(session, patient_id, plan.operated_on or operated_on, programme)
    existing = {
        m.code: m
        for m in session.scalars(select(RehabMilestone).where(RehabMilestone.plan_id == plan.id))
    }
    wanted = {m.code for m in programme.milestones}
    for code, row in existing.items():
        if code not in wanted and row.achieved_on is None:
            session.delete(row)
    for milestone in programme.milestones:
        row = existing.get(milestone.code)
        if row is None:
            session.add(
                RehabMilestone(
                    plan_id=plan.id, code=milestone.code, target=targets.get(milestone.code)
                )
            )
        elif row.achieved_on is None:
            row.target = targets.get(milestone.code, row.target)
    return plan


def create_plan(
    db: Database,
    user: SignedIn,
    patient_id: int,
    reason: str,
    level: str | None,
    side: str | None,
    operated_on: date | None,
    today: date | None = None,
) -> None:
    """Start a plan from the Rehabilitation tab: after an amputation (level and side) or after
    limb-sparing surgery. ``today`` is the start day (targets before it are shown as passed)."""
    require(user, Action.RECORD_REHAB)
    ref = rehab_reference()
    if reason not in ("amputation", "limb_sparing"):
        raise BadInput("Reason", "must be amputation or limb-sparing surgery")
    if reason == "amputation" and level not in ref.levels:
        raise BadInput("Amputation level", "is required for a plan after an amputation")
    if reason == "limb_sparing" and level:
        raise BadInput("Amputation level", "is only for a plan after an amputation")
    if side not in (None, "left", "right"):
        raise BadInput("Side", "must be left or right")
    if operated_on is None:
        raise BadInput("Operation date", "is required")
    if today is not None and operated_on > today:
        raise BadInput("Operation date", "is in the future")
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if operated_on < patient.birth_date:
            raise BadInput("Operation date", "is before the birth date")
        if session.scalar(select(RehabPlan.id).where(RehabPlan.patient_id == patient_id)):
            raise BadInput("Rehabilitation plan", "this patient already has one")
        ensure_plan_in_session(session, patient_id, reason, level, side, operated_on, today)


def plan_defaults(db: Database, patient_id: int) -> PlanDefaults:
    with db.read() as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        side = next(
            (t.laterality for t in patient.tumours if t.laterality in ("left", "right")), None
        )
        surgeries = sorted(
            (t for t in patient.treatments if t.type == "surgery"),
            key=lambda t: (t.start, t.id),
            reverse=True,
        )
        for procedure in ("amputation", "limb_sparing"):
            for t in surgeries:
                if t.procedure == procedure:
                    level = t.amputation_level if procedure == "amputation" else None
                    return PlanDefaults(procedure, level, side, t.start)
        return PlanDefaults("limb_sparing", None, side, None)


def _plan(session: Session, patient_id: int) -> RehabPlan:
    plan = session.scalar(select(RehabPlan).where(RehabPlan.patient_id == patient_id))
    if plan is None:
        raise BadInput("Rehabilitation plan", "none yet for this patient")
    return plan


def load_rehab(db: Database, patient_id: int) -> RehabRecord | None:
    with db.read() as session:
        plan = session.scalar(select(RehabPlan).where(RehabPlan.patient_id == patient_id))
        if plan is None:
            return None
        programme = rehab_reference().programme(plan.reason, plan.level)
        names = {m.code: m.name for m in programme.milestones}
        order = {m.code: i for i, m in enumerate(programme.milestones)}
        for other in rehab_reference().programmes.values():  # achieved under an earlier plan
            for m in other.milestones:
                names.setdefault(m.code, m.name)
        milestones = sorted(
            session.scalars(select(RehabMilestone).where(RehabMilestone.plan_id == plan.id)),
            key=lambda m: (order.get(m.code, len(order)), m.code),
        )
        entries = session.scalars(
            select(RehabEntry)
            .where(RehabEntry.plan_id == plan.id)
            .order_by(RehabEntry.on, RehabEntry.id)
        )
        started = plan.started_on
        return RehabRecord(
            plan.id,
            plan.reason,
            plan.level,
            plan.side,
            plan.k_level,
            plan.k_level_on,
            tuple(
                MilestoneRow(
                    m.code,
                    names.get(m.code, m.code.replace("_", " ")),
                    m.target,
                    m.achieved_on,
                    started is not None and m.target is not None and m.target < started,
                    m.version,
                )
                for m in milestones
            ),
            tuple(EntryRow(e.id, e.entry, e.on, e.code, e.value, e.who, e.notes) for e in entries),
            plan.operated_on,
            plan.started_on,
            plan.version,
        )


def _programme(plan: RehabPlan) -> Programme:
    return rehab_reference().programme(plan.reason, plan.level)


def _check_on(plan: RehabPlan, label: str, on: date) -> None:
    if plan.operated_on is not None and on < plan.operated_on:
        raise BadInput(label, f"is before the operation ({plan.operated_on.isoformat()})")


def _check_k_level(plan: RehabPlan, level: str) -> None:
    programme = _programme(plan)
    if not programme.k_levels:
        raise BadInput(
            "K level",
            f"functional levels K0-K4 are for lower-limb prosthesis users, not after "
            f"{programme.name.lower()}",
        )
    if level not in rehab_reference().k_levels:
        raise BadInput("K level", f"must be one of {', '.join(rehab_reference().k_levels)}")


def _add(
    db: Database,
    user: SignedIn,
    patient_id: int,
    entry: str,
    on: date,
    code: str,
    value: float | None,
    who: str | None = None,
    notes: str | None = None,
    check: Callable[[RehabPlan], None] | None = None,
) -> None:
    require(user, Action.RECORD_REHAB)
    with db.write(user.actor) as session:
        plan = _plan(session, patient_id)
        if check is not None:
            check(plan)
        session.add(
            RehabEntry(
                plan_id=plan.id,
                entry=entry,
                on=on,
                code=code,
                value=value,
                who=(who or "").strip() or None,
                notes=(notes or "").strip()[:2000] or None,
            )
        )


def _check_session(discipline: str, therapist: str, minutes: int | None) -> None:
    if discipline not in DISCIPLINES:
        raise BadInput("Discipline", f"must be one of {', '.join(DISCIPLINES)}")
    if not therapist.strip():
        raise BadInput("Therapist", "is required")
    if minutes is None or not 1 <= minutes <= 480:
        raise BadInput("Minutes", "must be 1 to 480")


def record_session(
    db: Database,
    user: SignedIn,
    patient_id: int,
    on: date | None,
    discipline: str,
    therapist: str,
    minutes: int | None,
    notes: str,
    today: date,
) -> None:
    on = check_not_future("Session date", on, today)
    _check_session(discipline, therapist, minutes)
    _add(db, user, patient_id, "session", on, discipline, float(minutes or 0), therapist, notes)


@dataclass(frozen=True, slots=True)
class RehabVisit:
    """Everything a therapist records at one visit; saved whole or not at all."""

    on: date | None
    discipline: str
    therapist: str
    minutes: int | None
    notes: str = ""
    measure: str | None = None
    measure_value: float | None = None
    pains: tuple[tuple[str, int], ...] = ()
    k_level: str | None = None
    referral: str | None = None


def record_visit(
    db: Database, user: SignedIn, patient_id: int, visit: RehabVisit, today: date
) -> None:
    require(user, Action.RECORD_REHAB)
    on = check_not_future("Session date", visit.on, today)
    _check_session(visit.discipline, visit.therapist, visit.minutes)
    if visit.measure:
        check_measure(visit.measure, visit.measure_value)
    for kind, score in visit.pains:
        check_pain(kind, score)
    if visit.referral and visit.referral not in REFERRAL_KINDS:
        raise BadInput("Referral", f"must be one of {', '.join(REFERRAL_KINDS)}")
    notes = visit.notes.strip()[:2000] or None
    with db.write(user.actor) as session:
        plan = _plan(session, patient_id)
        programme = _programme(plan)
        if visit.measure:
            check_measure(visit.measure, visit.measure_value, programme)
        for kind, score in visit.pains:
            check_pain(kind, score, programme)
        if visit.k_level:
            _check_k_level(plan, visit.k_level)
        entries = [
            RehabEntry(
                plan_id=plan.id,
                entry="session",
                on=on,
                code=visit.discipline,
                value=float(visit.minutes or 0),
                who=visit.therapist.strip(),
                notes=notes,
            )
        ]
        if visit.measure:
            entries.append(
                RehabEntry(
                    plan_id=plan.id,
                    entry="measure",
                    on=on,
                    code=visit.measure,
                    value=visit.measure_value,
                )
            )
        entries += [
            RehabEntry(plan_id=plan.id, entry="pain", on=on, code=kind, value=float(score))
            for kind, score in visit.pains
        ]
        if visit.referral:
            entries.append(
                RehabEntry(
                    plan_id=plan.id, entry="referral", on=on, code=visit.referral, notes=notes
                )
            )
        session.add_all(entries)
        if visit.k_level:
            plan.k_level, plan.k_level_on = visit.k_level, on


def record_measure(
    db: Database,
    user: SignedIn,
    patient_id: int,
    on: date | None,
    code: str,
    value: float | None,
    today: date,
) -> None:
    on = check_not_future("Date", on, today)
    check_measure(code, value)

    def for_plan(plan: RehabPlan) -> None:
        check_measure(code, value, _programme(plan))

    _add(db, user, patient_id, "measure", on, code, value, check=for_plan)


def record_pain(
    db: Database,
    user: SignedIn,
    patient_id: int,
    on: date | None,
    kind: str,
    score: int | None,
    today: date,
) -> None:
    on = check_not_future("Date", on, today)
    check_pain(kind, score)
    _add(
        db,
        user,
        patient_id,
        "pain",
        on,
        kind,
        float(score or 0),
        check=lambda plan: check_pain(kind, score, _programme(plan)),
    )


def record_referral(
    db: Database,
    user: SignedIn,
    patient_id: int,
    on: date | None,
    kind: str,
    notes: str,
    today: date,
) -> None:
    on = check_not_future("Date", on, today)
    if kind not in REFERRAL_KINDS:
        raise BadInput("Referral", f"must be one of {', '.join(REFERRAL_KINDS)}")
    _add(db, user, patient_id, "referral", on, kind, None, None, notes)


def set_k_level(
    db: Database,
    user: SignedIn,
    patient_id: int,
    level: str,
    on: date | None,
    today: date,
    expected_version: int | None = None,
) -> None:
    require(user, Action.RECORD_REHAB)
    on = check_not_future("Date", on, today)
    with db.write(user.actor) as session:
        plan = _plan(session, patient_id)
        check_version("This rehabilitation plan", plan.version, expected_version)
        _check_k_level(plan, level)
        plan.k_level, plan.k_level_on = level, on


def achieve_milestone(
    db: Database,
    user: SignedIn,
    patient_id: int,
    code: str,
    on: date | None,
    today: date,
    expected_version: int | None = None,
) -> None:
    """Date a milestone on the day it happened (today or earlier, not before the operation)."""
    require(user, Action.RECORD_REHAB)
    on = check_not_future("Achieved on", on, today)
    with db.write(user.actor) as session:
        plan = _plan(session, patient_id)
        _check_on(plan, "Achieved on", on)
        row = session.scalar(
            select(RehabMilestone).where(
                RehabMilestone.plan_id == plan.id, RehabMilestone.code == code
            )
        )
        if row is None:
            raise BadInput("Milestone", f"{code!r} is not a milestone of this plan")
        check_version("This milestone", row.version, expected_version)
        row.achieved_on = on


def flags_for_patients(
    db: Database, patient_ids: Iterable[int], today: date
) -> dict[int, list[Flag]]:
    """The flags of many patients at once (a worklist page): five grouped queries in all."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    tugs: dict[int, float] = {}
    pains: dict[tuple[int, str], list[int]] = {}
    ongoing: dict[int, list[tuple[str, int]]] = {pid: [] for pid in ids}
    fitted: set[int] = set()
    tug_applies: set[int] = set()
    fitting_due: dict[int, FollowUpEvent] = {}
    with db.read() as session:
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for effect in session.scalars(
                select(SideEffect)
                .where(SideEffect.patient_id.in_(chunk), SideEffect.status == "ongoing")
                .options(selectinload(SideEffect.grades))
            ):
                if effect.grades:
                    ongoing[effect.patient_id].append((effect.term, effect.grades[-1].grade))
            for patient_id, reason, level in session.execute(
                select(RehabPlan.patient_id, RehabPlan.reason, RehabPlan.level).where(
                    RehabPlan.patient_id.in_(chunk)
                )
            ):
                if rehab_reference().programme(reason, level).tug_fall_flag:
                    tug_applies.add(patient_id)
            for patient_id, entry, code, value in session.execute(
                select(RehabPlan.patient_id, RehabEntry.entry, RehabEntry.code, RehabEntry.value)
                .join(RehabEntry, RehabEntry.plan_id == RehabPlan.id)
                .where(
                    RehabPlan.patient_id.in_(chunk),
                    ((RehabEntry.entry == "measure") & (RehabEntry.code == "tug"))
                    | ((RehabEntry.entry == "pain") & RehabEntry.code.in_(FLAGGED_PAINS)),
                )
                .order_by(RehabEntry.on, RehabEntry.id)
            ):
                if entry == "measure":
                    tugs[patient_id] = float(value or 0.0)
                else:
                    pains.setdefault((patient_id, code), []).append(int(value or 0))
            fitted.update(
                session.scalars(
                    select(RehabPlan.patient_id)
                    .join(RehabMilestone, RehabMilestone.plan_id == RehabPlan.id)
                    .where(
                        RehabPlan.patient_id.in_(chunk),
                        RehabMilestone.code == "first_fitting",
                        RehabMilestone.achieved_on.is_not(None),
                    )
                )
            )
            for event in session.scalars(
                select(FollowUpEvent)
                .where(
                    FollowUpEvent.patient_id.in_(chunk), FollowUpEvent.kind == "prosthetic_fitting"
                )
                .order_by(FollowUpEvent.due)
            ):
                fitting_due.setdefault(event.patient_id, event)
    result = {}
    for pid in ids:
        fitting = fitting_due.get(pid)
        passed = (
            fitting is not None
            and fitting.window_end < today
            and fitting.state != "completed"
            and pid not in fitted
        )
        # the TUG threshold holds for lower-limb prosthesis users: fitted, lower-limb plan
        tug = tugs.get(pid) if pid in tug_applies and pid in fitted else None
        result[pid] = flags(
            tug,
            pains.get((pid, "phantom_pain"), []),
            ongoing[pid],
            passed,
            pains.get((pid, "residual_limb_pain"), []),
        )
    return result


def patient_flags(db: Database, patient_id: int, today: date) -> list[Flag]:
    """Fall risk, a missed first fitting, persistent phantom or residual limb pain, ongoing
    grade 3+ effects."""
    return flags_for_patients(db, [patient_id], today)[patient_id]


__all__ = ["PAIN_KINDS", "Flag", "RehabRecord", "flags_for_patients", "patient_flags"]
