"""Demo data: deterministic for a seed, plausible in its proportions, calendars from the engine,
and a simulated clinic past that leaves what a real clinic has at "today" (issue 11)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survtrack.domain.errors import BadInput
from survtrack.domain.events import COVERABLE_STATES, is_overdue
from survtrack.domain.late_effects import (
    DISCIPLINES,
    check_measure,
    check_pain,
    check_term,
    rehab_reference,
)
from survtrack.domain.sites import LOWER_LIMB_AMPUTATION_LEVELS, UPPER_LIMB_AMPUTATION_LEVELS
from survtrack.services.calendar import regenerate_in_session
from survtrack.services.database import open_database
from survtrack.services.demo import DemoSummary, generate_demo
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.store.models import (
    AuditEntry,
    FollowUpEvent,
    Patient,
    RehabEntry,
    RehabMilestone,
    RehabPlan,
    SideEffect,
    SideEffectGrade,
    TreatmentRow,
    Tumour,
    Visit,
)
from tests.factories import add_event, add_patient

TODAY = date(2026, 11, 23)  # a Monday: the last clinic day before it is Friday 20 November
DEMO = Actor(None, "demo")
CLINIC = 2000


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    """One 2,000-patient demo shared by the tests that only read it."""
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'clinic.db'}")
    summary = generate_demo(db, CLINIC, 3, TODAY, DEMO)
    yield db, summary
    db.dispose(optimize=False)


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
                Patient.plan_problem,
            ).order_by(Patient.id)
        ).all()
        tumours = session.execute(
            select(
                Tumour.site, Tumour.histology, Tumour.grade, Tumour.size_cm, Tumour.stage
            ).order_by(Tumour.id)
        ).all()
        events = session.execute(
            select(
                FollowUpEvent.kind,
                FollowUpEvent.due,
                FollowUpEvent.state,
                FollowUpEvent.booked_at,
                FollowUpEvent.closed_on,
                FollowUpEvent.covered_by,
                FollowUpEvent.note,
            ).order_by(FollowUpEvent.id)
        ).all()
        visits = session.execute(select(Visit.visit_date, Visit.findings).order_by(Visit.id)).all()
        grades = session.execute(
            select(SideEffect.term, SideEffectGrade.graded_on, SideEffectGrade.grade)
            .join(SideEffectGrade)
            .order_by(SideEffectGrade.id)
        ).all()
        rehab = session.execute(
            select(RehabEntry.entry, RehabEntry.on, RehabEntry.value).order_by(RehabEntry.id)
        ).all()
    return [tuple(r) for r in patients + tumours + events + visits + grades + rehab]


def test_same_seed_same_patients(tmp_path) -> None:  # type: ignore[no-untyped-def]
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


def test_plausible_mix(clinic: tuple[Database, DemoSummary]) -> None:
    db, summary = clinic
    assert summary.patients == CLINIC
    with db.read() as session:

        def share(statement) -> float:  # type: ignore[no-untyped-def]
            return (session.scalar(statement) or 0) / CLINIC

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
        recurred = summary.recurrences / CLINIC
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
    assert states["completed"] > states["planned"] > states["covered"] > 0
    assert states["booked"] > states["waived"] > states["cancelled"] > states["missed"] > 0
    assert audit == ["demo"]


def test_at_today_only_a_realistic_backlog_is_left(clinic: tuple[Database, DemoSummary]) -> None:
    """A clinic that books, rebooks and records: a few percent of active patients have something
    overdue; bookings in the coming weeks; past bookings all have an outcome except some of the
    last clinic day's."""
    db, _ = clinic
    with db.read() as session:
        active = set(session.scalars(select(Patient.id).where(Patient.status == "active")))
        events = session.execute(
            select(
                FollowUpEvent.patient_id,
                FollowUpEvent.state,
                FollowUpEvent.window_end,
                FollowUpEvent.booked_at,
            )
        ).all()
    overdue = {e.patient_id for e in events if is_overdue(e.state, e.window_end, TODAY)}
    assert 0.01 <= len(overdue & active) / len(active) <= 0.08
    booked = [e for e in events if e.state == "booked"]
    assert {e.patient_id for e in booked} <= active
    soon = [e for e in booked if TODAY <= e.booked_at.date() <= TODAY + timedelta(weeks=8)]
    assert len(soon) > 0.2 * len(active)
    unrecorded = [e for e in booked if e.booked_at.date() < TODAY]
    assert {e.booked_at.date() for e in unrecorded} == {date(2026, 11, 20)}
    assert len(unrecorded) < 0.03 * len(booked)


def test_no_shows_are_rebooked_and_leave_a_trace(clinic: tuple[Database, DemoSummary]) -> None:
    db, summary = clinic
    assert 0.10 <= summary.no_shows / summary.bookings <= 0.15
    with db.read() as session:
        notes = session.scalars(select(FollowUpEvent.note).where(FollowUpEvent.note.is_not(None)))
        traced = sum(note.casefold().count("did not attend") for note in notes)
        missed = session.scalars(
            select(FollowUpEvent.reason).where(FollowUpEvent.state == "missed")
        ).all()
        rebooked_and_done = session.scalar(
            select(func.count()).where(
                FollowUpEvent.state == "completed", FollowUpEvent.note.like("Did not attend%")
            )
        )
    assert all(reason.startswith("no-show 20") for reason in missed)
    # every simulated no-show is on the record: a missed event, or the note of the rebooked one
    assert traced + len(missed) == summary.no_shows
    assert rebooked_and_done > len(missed)


def test_cancellations_and_waivers_have_reasons(clinic: tuple[Database, DemoSummary]) -> None:
    db, _ = clinic
    with db.read() as session:
        reasons = session.execute(
            select(FollowUpEvent.state, FollowUpEvent.reason, FollowUpEvent.closed_on).where(
                FollowUpEvent.state.in_(("cancelled", "waived"))
            )
        ).all()
    assert all(r.reason for r in reasons)
    cancelled = Counter(r.reason for r in reasons if r.state == "cancelled")
    assert cancelled["patient request"] > 0
    assert any(reason.startswith("patient deceased on") for reason in cancelled)
    assert all(r.closed_on and r.closed_on < TODAY for r in reasons if r.state == "waived")


def test_covered_events_link_to_a_completion_of_their_kind(
    clinic: tuple[Database, DemoSummary],
) -> None:
    db, summary = clinic
    with db.read() as session:
        events = {
            e.id: e
            for e in session.execute(
                select(
                    FollowUpEvent.id,
                    FollowUpEvent.patient_id,
                    FollowUpEvent.kind,
                    FollowUpEvent.state,
                    FollowUpEvent.window_start,
                    FollowUpEvent.closed_on,
                    FollowUpEvent.covered_by,
                    FollowUpEvent.covered_from,
                )
            )
        }
    covered = [e for e in events.values() if e.state == "covered"]
    assert len(covered) == summary.covered > 0
    for event in covered:
        by = events[event.covered_by]
        assert (by.patient_id, by.kind, by.state) == (event.patient_id, event.kind, "completed")
        assert by.closed_on >= event.window_start and event.closed_on == by.closed_on
        assert event.covered_from in COVERABLE_STATES
    # and the rule was applied in full: no completion leaves an earlier unfinished event open
    open_by_kind: dict[tuple[int, str], list[date]] = {}
    for e in events.values():
        if e.state in COVERABLE_STATES:
            open_by_kind.setdefault((e.patient_id, e.kind), []).append(e.window_start)
    for e in events.values():
        if e.state == "completed":
            starts = open_by_kind.get((e.patient_id, e.kind), [])
            assert all(start > e.closed_on for start in starts), e.id


def test_every_amputee_has_a_rehabilitation_plan(clinic: tuple[Database, DemoSummary]) -> None:
    db, _ = clinic
    ref = rehab_reference()
    with db.read() as session:
        amputations: dict[int, list[tuple[date, str]]] = {}
        for pid, start, level in session.execute(
            select(TreatmentRow.patient_id, TreatmentRow.start, TreatmentRow.amputation_level)
            .where(TreatmentRow.procedure == "amputation")
            .order_by(TreatmentRow.start)
        ):
            amputations.setdefault(pid, []).append((start, level))
        plans = {p.patient_id: p for p in session.scalars(select(RehabPlan))}
        milestones = session.execute(select(RehabMilestone.plan_id, RehabMilestone.code)).all()
        entries = session.scalars(select(RehabEntry)).all()
    assert set(plans) == set(amputations) and len(plans) > 20
    lower = [p for p in plans.values() if p.level in LOWER_LIMB_AMPUTATION_LEVELS]
    upper = [p for p in plans.values() if p.level in UPPER_LIMB_AMPUTATION_LEVELS]
    assert lower and upper and len(lower) + len(upper) == len(plans)
    for plan in plans.values():
        assert plan.reason == "amputation" and plan.level == amputations[plan.patient_id][-1][1]
    assert all(p.k_level in ref.k_levels and p.k_level_on <= TODAY for p in lower)
    assert all(p.k_level is None and p.k_level_on is None for p in upper)
    by_plan = Counter(plan_id for plan_id, _code in milestones)
    for plan in plans.values():  # the milestones of the plan's own programme (upper or lower limb)
        programme = ref.programme("amputation", plan.level)
        assert by_plan[plan.id] == len(programme.milestones)
    kinds = Counter(e.entry for e in entries)
    assert kinds["session"] and kinds["measure"] and kinds["pain"] and kinds["referral"]
    for e in entries:  # the same validation the rehabilitation service applies
        assert e.on <= TODAY
        if e.entry == "session":
            assert e.code in DISCIPLINES and 1 <= e.value <= 480 and e.who
        elif e.entry == "measure":
            check_measure(e.code, e.value)
        elif e.entry == "pain":
            check_pain(e.code, int(e.value))
    lower_plans = {p.id for p in lower}
    measured = {(e.plan_id in lower_plans, e.code) for e in entries if e.entry == "measure"}
    assert (True, "tug") in measured and (False, "tug") not in measured


def test_visits_and_side_effects(clinic: tuple[Database, DemoSummary]) -> None:
    db, _ = clinic
    with db.read() as session:
        physicians = dict(session.execute(select(Patient.id, Patient.physician)).all())
        visits = session.scalars(select(Visit)).all()
        done = set(
            session.execute(
                select(FollowUpEvent.patient_id, FollowUpEvent.closed_on).where(
                    FollowUpEvent.kind == "clinic_visit", FollowUpEvent.state == "completed"
                )
            ).all()
        )
        effects = session.scalars(select(SideEffect)).all()
        grades = session.execute(
            select(SideEffectGrade.side_effect_id, SideEffectGrade.graded_on, SideEffectGrade.grade)
        ).all()
    assert len({v.patient_id for v in visits}) > CLINIC / 2
    for visit in visits:
        assert (visit.patient_id, visit.visit_date) in done
        assert visit.clinician == physicians[visit.patient_id]
        assert visit.findings and visit.plan and visit.instructions
    assert len({e.patient_id for e in effects}) > CLINIC / 10
    terms = Counter(e.term for e in effects)
    assert {"Lymphedema", "Fatigue", "Peripheral sensory neuropathy"} <= set(terms)
    assert 0 < terms["Ejection fraction decreased"] < terms["Fatigue"]
    onset = {e.id: e for e in effects}
    for effect in effects:
        assert check_term(effect.term).organ_class == effect.organ_class
        assert effect.onset <= TODAY
        assert (effect.status == "resolved") == (effect.resolved_on is not None)
    history = Counter(side_effect for side_effect, _, _ in grades)
    assert set(history) == set(onset) and max(history.values()) > 1
    for side_effect, graded_on, grade in grades:
        assert 1 <= grade <= 5
        assert onset[side_effect].onset <= graded_on <= TODAY


def test_no_treatment_after_today_and_no_amputation_below_an_earlier_one(
    clinic: tuple[Database, DemoSummary],
) -> None:
    db, _ = clinic
    with db.read() as session:
        treatments = session.execute(
            select(
                TreatmentRow.patient_id,
                TreatmentRow.start,
                TreatmentRow.end,
                TreatmentRow.amputation_level,
            ).order_by(TreatmentRow.start)
        ).all()
        left = dict(
            session.execute(
                select(Patient.id, Patient.status_date).where(Patient.status != "active")
            ).all()
        )
    assert all(t.start <= t.end <= TODAY for t in treatments)
    assert all(t.end < left[t.patient_id] for t in treatments if t.patient_id in left)
    levels = LOWER_LIMB_AMPUTATION_LEVELS + UPPER_LIMB_AMPUTATION_LEVELS  # proximal first
    earlier: dict[int, int] = {}
    for t in treatments:
        if t.amputation_level:
            here = levels.index(t.amputation_level)
            # a second amputation of the same limb can only be higher up (a lower index)
            assert t.patient_id not in earlier or here < earlier[t.patient_id]
            earlier[t.patient_id] = here


def test_refused_cases_need_a_plan_in_the_calendar_service_words(
    clinic: tuple[Database, DemoSummary],
) -> None:
    db, summary = clinic
    with db.read() as session:
        refused = session.execute(
            select(Patient.id, Patient.plan_problem, Patient.status).where(
                Patient.plan_problem.is_not(None)
            )
        ).all()
        with_events = set(session.scalars(select(FollowUpEvent.patient_id).distinct()))
    active = [r for r in refused if r.status == "active"]
    assert len(active) == summary.needs_plan and 0.003 < len(active) / CLINIC < 0.03
    assert {r.id for r in refused}.isdisjoint(with_events)
    problems = {r.plan_problem for r in refused}
    assert any("GIST" in p for p in problems) and any("Kaposi" in p for p in problems)
    for row in refused[:3]:  # what the calendar service itself says of that patient
        with db.write(DEMO) as session:
            change = regenerate_in_session(session, row.id)
            assert change.problem == row.plan_problem
            session.rollback()


def test_demo_on_both_backends_keeps_ids_free_for_the_app(db: Database) -> None:
    """Events link to each other by id: two demos in one database, then the app adds rows."""
    first = generate_demo(db, 30, 1, TODAY, DEMO)
    second = generate_demo(db, 30, 2, TODAY, DEMO)
    pid = add_patient(db, "9999999", "Added", "After")
    add_event(db, pid, "chest_ct", TODAY)
    with db.read() as session:
        covered = session.execute(
            select(FollowUpEvent.patient_id, FollowUpEvent.covered_by).where(
                FollowUpEvent.state == "covered"
            )
        ).all()
        owners = dict(session.execute(select(FollowUpEvent.id, FollowUpEvent.patient_id)).all())
        events = session.scalar(select(func.count()).select_from(FollowUpEvent))
        patients = session.scalar(select(func.count(func.distinct(Patient.mrn))))
        side_effects = session.scalar(select(func.count()).select_from(SideEffect))
    assert patients == 61
    assert events == first.events + second.events + 1
    assert side_effects == first.side_effects + second.side_effects
    assert covered and all(owners[by] == patient for patient, by in covered)


def test_demo_adds_to_existing_patients_without_clashing(sqlite_db: Database) -> None:
    generate_demo(sqlite_db, 30, 1, TODAY, DEMO, with_events=False)
    generate_demo(sqlite_db, 30, 1, TODAY, DEMO, with_events=False)
    with sqlite_db.read() as session:
        assert session.scalar(select(func.count(func.distinct(Patient.mrn)))) == 60


def test_patient_count_is_validated(sqlite_db: Database) -> None:
    with pytest.raises(BadInput, match="patients"):
        generate_demo(sqlite_db, 0, 1, TODAY, DEMO)


def schema_objects(db: Database) -> set[tuple[str, str, str]]:
    with db.engine.connect() as conn:
        return {
            (kind, name, sql)
            for kind, name, sql in conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                "AND name NOT LIKE 'sqlite_stat%'"
            )
        }


def last_done(db: Database) -> list[tuple]:
    """The last completions as the app reads them, and as the completed events give them."""
    with db.engine.connect() as conn:
        kept = conn.exec_driver_sql(
            "SELECT patient_id, kind, closed_on FROM last_completions ORDER BY 1, 2"
        ).all()
        computed = conn.exec_driver_sql(
            "SELECT patient_id, kind, max(closed_on) FROM followup_events WHERE state = "
            "'completed' AND closed_on IS NOT NULL GROUP BY patient_id, kind ORDER BY 1, 2"
        ).all()
    assert kept == computed
    return [tuple(r) for r in kept]


def test_a_worker_process_makes_the_same_demo(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A large demo is made in a second process while the first writes: the same rows, the
    same summary, the same schema as made in one process."""
    dbs = [open_database(f"sqlite:///{tmp_path / f'{n}.db'}") for n in ("one", "two")]
    try:
        schema = schema_objects(dbs[0])
        alone = generate_demo(dbs[0], 150, 5, TODAY, DEMO, worker=False)
        shared = generate_demo(dbs[1], 150, 5, TODAY, DEMO, worker=True)
        assert alone == shared
        assert snapshot(dbs[0]) == snapshot(dbs[1])
        assert last_done(dbs[0]) == last_done(dbs[1])
        # a new file is loaded with its indexes and triggers set aside: all made again
        assert schema_objects(dbs[0]) == schema_objects(dbs[1]) == schema
    finally:
        for db in dbs:
            db.dispose()


def test_a_new_file_gets_its_triggers_back(sqlite_db: Database) -> None:
    """The first demo of a file loads without triggers; a second demo, and the app's own
    completions afterwards, are kept in the last completions by the triggers again."""
    generate_demo(sqlite_db, 40, 1, TODAY, DEMO)
    first = last_done(sqlite_db)
    generate_demo(sqlite_db, 40, 2, TODAY, DEMO)
    second = last_done(sqlite_db)
    assert first and len(second) > len(first)
    pid = add_patient(sqlite_db, "9999999", "Added", "After")
    add_event(sqlite_db, pid, "chest_ct", TODAY, state="completed", closed_on=TODAY)
    assert (pid, "chest_ct", TODAY.isoformat()) in last_done(sqlite_db)


def test_a_worker_that_fails_leaves_the_file_as_it_was(
    tmp_path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No worker rows, no demo: the transaction is rolled back, the set-aside indexes and
    triggers included, and the failure is told in one sentence."""
    db = open_database(f"sqlite:///{tmp_path / 'failed.db'}")
    try:
        schema = schema_objects(db)
        monkeypatch.setattr("survtrack.services.demo.sys.executable", "/bin/false")
        with pytest.raises(RuntimeError, match="worker process ended without its rows"):
            generate_demo(db, 50, 1, TODAY, DEMO, worker=True)
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(Patient)) == 0
        assert schema_objects(db) == schema
    finally:
        db.dispose()
