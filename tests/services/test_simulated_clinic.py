"""A simulated clinic, day by day through the real services: the follow-up loop stays closed.

Demo patients get their calendars from the real generator; then, every simulated day, the clinic's
appointments are completed, missed (about one in eight, rebooked), rescheduled, cancelled with a
reason or waived by a physician, or left without an outcome for a few days (the scheduler records
it from the to-book list, where it heads the list); a scheduler books from the to-book list and
works off the overdue list; now and then a completion is undone (covered events reopen),
patients recur (their calendars regenerate and old slots are superseded), die, are discharged or
come back, and new referrals arrive without a tumour, then without a treatment, then with one
(the "Needs a plan" worklist).

After every day the closed loop is checked against the worklists the app shows: every unfinished
event of an active patient is cancelled with a reason (window open), planned beyond the booking
horizon, or on exactly one list: to book (an appointment whose day passed with no outcome
recorded among them, marked so), a clinic day, overdue or booked late (the overdue list has one
row per patient and kind: its slots add up to the overdue events and its event is the oldest);
every active patient has a calendar or is on "Needs a plan"; no event is ever lost
(regenerations remove only the planned events they report); no patient out of follow-up has an
appointment from the day they left (death and discharge cancel by the window rule); once a week
the dashboard's counts equal the lists'.

Size: ``SURVTRACK_SIM_PATIENTS`` and ``SURVTRACK_SIM_YEARS`` (SQLite, default 80 patients x 5
years), ``SURVTRACK_SIM_PG_PATIENTS`` and ``SURVTRACK_SIM_PG_YEARS`` (PostgreSQL, 60 x 1). Every
action is its own transaction, about 10 ms each: the issue's 2,000 patients x 5 years (some 100
actions and a 0.6 s check per clinic day) takes about half an hour on two cores, so CI runs the
smaller clinic and the full one is a manual run (``SURVTRACK_SIM_PATIENTS=2000``).
"""

from __future__ import annotations

import os
import random
import time as clock
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, func, select, text

from survtrack.domain.events import EventState
from survtrack.services import event_actions as actions
from survtrack.services import worklists
from survtrack.services.auth import Role, ensure_user
from survtrack.services.calendar import CalendarChange, load_event, regenerate_in_session
from survtrack.services.demo import generate_demo
from survtrack.services.diagnosis import (
    TreatmentInput,
    TumourInput,
    save_recurrence,
    save_treatment,
    save_tumour,
)
from survtrack.services.overdue import OverdueQuery, dashboard, overdue_rows
from survtrack.services.patient_edit import PatientInput, create_patient, set_status
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, Patient, TreatmentRow
from survtrack.store.models import Tumour as TumourRow

START = date(2021, 1, 4)  # a Monday
HORIZON_WEEKS = 4
UNFINISHED = ("planned", "missed", "booked", "cancelled")
SIM = Actor(None, "simulation")
#: simulated day -> a life event that happens that day whatever the dice say
FORCED = {
    5: "referral",
    12: "restaging",
    20: "recurrence",
    30: "deceased",
    40: "discharged",
    55: "back",
    60: "restaging",
    70: "recurrence",
}


def _size(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Stats:
    days: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    covering_undos: int = 0
    reopened_by_undo: int = 0
    regenerations: int = 0
    removed_by_regeneration: int = 0
    max_overdue_rows: int = 0
    needs_a_plan_seen: int = 0
    #: appointments from today on of patients no longer in follow-up (most on one day)
    booked_inactive: int = 0
    #: appointments whose day passed with no outcome recorded, window open (most on one day)
    max_outcome_missing: int = 0
    #: days an appointment waited for its outcome (longest)
    longest_unrecorded: int = 0
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Clinic:
    """The clinic's staff acting through the services, and the daily closed-loop check."""

    def __init__(self, db: Database, patients: int, seed: int) -> None:
        self.db = db
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.scheduler = ensure_user(db, "sched", "Sam Scheduler", Role.SCHEDULER)
        self.physician = ensure_user(db, "doc", "Dr Lucia Moretti", Role.PHYSICIAN)
        self.today = START
        self.referrals: list[tuple[int, date, str]] = []  # (patient, next step day, step)
        self.next_mrn = 9_000_000
        # the demo's past (mostly completed, some missed or still open), then every calendar
        # regenerated as the app does on any change
        generate_demo(db, patients, seed, START, SIM, with_events=True)
        with db.read() as session:
            ids = list(session.scalars(select(Patient.id).order_by(Patient.id)))
        for pid in ids:
            with db.write(SIM) as session:
                regenerate_in_session(session, pid)
        self.counts = self._counts()
        self._past_appointments()

    def _past_appointments(self) -> None:
        """The demo leaves appointments booked on days before the start without an outcome (on
        the to-book list while their window is open, then overdue): the clinic records them
        first."""
        earliest = START - timedelta(days=3 * 365)
        for row in worklists.clinic_day(self.db, earliest, START - timedelta(days=1)):
            assert row.booked_at is not None
            if self.rng.random() < 0.12:
                actions.miss(self.db, self.scheduler, row.event_id, START, row.version)
            else:
                actions.complete(
                    self.db, self.scheduler, row.event_id, row.booked_at.date(), "ned", START,
                    row.version,
                )  # fmt: skip
            self.stats.actions["past appointment recorded"] += 1

    # ------------------------------------------------------------------ helpers

    def _violation(self, message: str) -> None:
        if len(self.stats.violations) < 200:
            self.stats.violations.append(f"{self.today}: {message}")

    def _counts(self) -> dict[int, int]:
        with self.db.read() as session:
            return dict(
                session.execute(
                    select(FollowUpEvent.patient_id, func.count()).group_by(
                        FollowUpEvent.patient_id
                    )
                ).all()
            )

    def _regenerated(self, pid: int, change: CalendarChange) -> None:
        self.stats.regenerations += 1
        self.stats.removed_by_regeneration += change.removed
        self.counts[pid] = self.counts.get(pid, 0) + change.added - change.removed

    def _active(self) -> list[int]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(Patient.id).where(Patient.status == "active").order_by(Patient.id)
                )
            )

    def _slot(self, day: date, index: int) -> datetime:
        """A time on ``day``, or on the Monday after if it falls on a weekend."""
        day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
        return datetime.combine(day, time(8 + index % 9, 20 * (index % 3)))

    def _now(self) -> datetime:
        return datetime.combine(self.today, time(7, 30))

    # ------------------------------------------------------------------ a day

    def day(self) -> None:
        weekday = self.today.weekday() < 5
        if weekday:
            self._clinic()
            self._schedule()
        self._life_events()
        self.check()
        self.stats.days += 1
        self.today += timedelta(days=1)

    def _clinic(self) -> None:
        """Today's appointments: done, no-show, moved, cancelled, waived, sometimes undone."""
        for index, listed in enumerate(worklists.clinic_day(self.db, self.today)):
            # the scheduler's screen refreshes after each action: an earlier completion of the
            # day may have covered this appointment (same patient and kind), so act on what is
            # there now, or move on when it is no longer booked
            current = load_event(self.db, listed.event_id)
            if current is None or current.state != EventState.BOOKED.value:
                continue
            row = replace(listed, version=current.version)
            if self.rng.random() < 0.04:
                # nobody records the outcome today: the appointment heads tomorrow's to-book list
                self.stats.actions["outcome left unrecorded"] += 1
                continue
            roll = self._forced_roll() if self.stats.days >= 60 else self.rng.random()
            if roll < 0.12:
                actions.miss(self.db, self.scheduler, row.event_id, self.today, row.version)
                self.stats.actions["no-show"] += 1
            elif roll < 0.14:
                later = self.today + timedelta(days=self.rng.randint(1, 10))
                actions.reschedule(
                    self.db,
                    self.scheduler,
                    row.event_id,
                    self._slot(later, index),
                    None,
                    self._now(),
                    row.version,
                )
                self.stats.actions["reschedule"] += 1
            elif roll < 0.155:
                reason = self.rng.choice(("patient request", "hospitalised elsewhere"))
                actions.cancel(self.db, self.scheduler, row.event_id, reason, row.version)
                self.stats.actions["cancel"] += 1
            elif roll < 0.162:
                actions.waive(
                    self.db,
                    self.physician,
                    row.event_id,
                    "not needed after multidisciplinary review",
                    row.version,
                    today=self.today,
                )
                self.stats.actions["waive"] += 1
            else:
                result = "ned" if self.rng.random() < 0.97 else "suspicious"
                token = actions.complete(
                    self.db, self.scheduler, row.event_id, self.today, result, self.today,
                    row.version,
                )  # fmt: skip
                self.stats.actions["complete"] += 1
                if token.covered:
                    self.stats.actions["covering completion"] += 1
                undo_rate = 0.5 if self.stats.covering_undos == 0 else 0.01
                if token.covered and self.rng.random() < undo_rate:
                    self._undo_covering(token)

    def _forced_roll(self) -> float:
        """A roll of the dice, or the one that makes a rare action happen if a short run has
        not had it yet (like ``FORCED`` for life events)."""
        for name, roll in (("no-show", 0.05), ("reschedule", 0.13), ("cancel", 0.15),
                           ("waive", 0.158)):  # fmt: skip
            if not self.stats.actions[name]:
                return roll
        return self.rng.random()

    def _undo_covering(self, token: actions.Undo) -> None:
        """The completion was recorded on the wrong patient: undo it, the covered events reopen
        exactly as they were, and the appointment is marked a no-show."""
        with self.db.read() as session:
            covered = {
                e.id: e.covered_from
                for e in session.scalars(
                    select(FollowUpEvent).where(FollowUpEvent.covered_by == token.event_id)
                )
            }
        if len(covered) != token.covered:
            self._violation(f"completion {token.event_id} reports {token.covered} covered, "
                            f"{len(covered)} point to it")  # fmt: skip
        actions.undo(self.db, self.scheduler, token)
        with self.db.read() as session:
            after = {
                e.id: (e.state, e.covered_by, e.closed_on)
                for e in session.scalars(
                    select(FollowUpEvent).where(FollowUpEvent.id.in_(list(covered)))
                )
            }
        for event_id, was in covered.items():
            if after.get(event_id) != (was, None, None):
                self._violation(
                    f"undo of completion {token.event_id}: event {event_id} is "
                    f"{after.get(event_id)}, expected ({was!r}, None, None)"
                )
        self.stats.covering_undos += 1
        self.stats.reopened_by_undo += len(covered)
        actions.miss(self.db, self.scheduler, token.event_id, self.today)
        self.stats.actions["undo"] += 1

    def _record_late(self) -> None:
        """The head of the to-book list: appointments whose day passed with no outcome recorded.
        The scheduler records about half of them each day (done on the booked day, or a no-show
        that goes back to booking); the rest wait for another day."""
        for row in worklists.to_book(self.db, self.today, HORIZON_WEEKS):
            if not row.outcome_missing:
                break  # they come first
            assert row.booked_at is not None
            if self.rng.random() < 0.5:
                continue
            current = load_event(self.db, row.event_id)
            if current is None or current.state != EventState.BOOKED.value:
                continue  # covered by a completion recorded just before
            waited = (self.today - row.booked_at.date()).days
            self.stats.longest_unrecorded = max(self.stats.longest_unrecorded, waited)
            if self.rng.random() < 0.12:
                actions.miss(self.db, self.scheduler, row.event_id, self.today, current.version)
            else:
                actions.complete(
                    self.db, self.scheduler, row.event_id, row.booked_at.date(), "ned",
                    self.today, current.version,
                )  # fmt: skip
            self.stats.actions["outcome recorded late"] += 1

    def _schedule(self) -> None:
        """The scheduler records late outcomes, books most of the to-book list and works off
        part of the overdue list."""
        self._record_late()
        for index, row in enumerate(worklists.to_book(self.db, self.today, HORIZON_WEEKS)):
            if row.outcome_missing or self.rng.random() > 0.6:
                continue
            day = max(row.suggested or row.window_start, row.window_start, self.today)
            if day <= self.today:
                day = self.today + timedelta(days=self.rng.randint(1, 5))
            actions.book(
                self.db, self.scheduler, row.event_id, self._slot(day, index), "Sarcoma clinic",
                self._now(), row.version,
            )  # fmt: skip
            self.stats.actions["book"] += 1
        backlog = overdue_rows(self.db, OverdueQuery(self.today, section="to_book"))
        capacity = max(3, len(backlog) // 40)
        for index, row in enumerate(backlog[:capacity]):
            version = row.version
            if row.state == EventState.CANCELLED.value:
                version = actions.reopen(
                    self.db, self.scheduler, row.event_id, version
                ).version_after
                self.stats.actions["reopen"] += 1
            day = self.today + timedelta(days=self.rng.randint(1, 14))
            actions.book(
                self.db, self.scheduler, row.event_id, self._slot(day, index), "Sarcoma clinic",
                self._now(), version,
            )  # fmt: skip
            self.stats.actions["book overdue"] += 1

    def _life_events(self) -> None:
        """Recurrences, deaths, discharges, returns and referrals at yearly rates."""
        active = self._active()
        n = len(active)

        def happens(per_year: float) -> int:
            expected = n * per_year / 365
            return int(expected) + (self.rng.random() < expected - int(expected))

        # each kind of event at least once early on, so that a short run has them all
        forced = FORCED.get(self.stats.days, "")
        for _ in range(happens(0.03) + (forced == "recurrence")):
            self._recurrence(self.rng.choice(active))
        for status, rate in (("deceased", 0.012), ("discharged", 0.01)):
            for _ in range(happens(rate) + (forced == status)):
                pid = self.rng.choice(active)
                change = set_status(self.db, self.physician, pid, status, self.today, self.today)
                self._regenerated(pid, change)
                self.stats.actions[status] += 1
        if self.rng.random() < 0.01 or forced == "back":
            self._return_to_follow_up()
        for _ in range(happens(0.02) + (forced == "restaging")):
            self._restage(self.rng.choice(active))
        for _ in range(happens(0.05) + (forced == "referral")):
            self._refer()
        self._advance_referrals()

    def _restage(self, pid: int) -> None:
        """The pathology is revised (another grade): the calendar is made again."""
        with self.db.read() as session:
            row = session.scalar(select(TumourRow).where(TumourRow.patient_id == pid))
        if row is None or row.grade is None or row.fnclcc_score is not None:
            return
        grade = self.rng.choice([g for g in ("1", "2", "3") if g != row.grade])
        revised = TumourInput(
            row.site,
            limb=row.limb,
            laterality=row.laterality,
            histology=row.histology or "",
            grade=grade,
            size_cm=row.size_cm,
            depth=row.depth,
            nodes=row.nodes,
            metastasis=row.metastasis,
            diagnosis_date=row.diagnosis_date,
            t4_invasion=row.t4_invasion,
        )
        change = save_tumour(self.db, self.physician, pid, revised, self.today, row.id, row.version)
        self._regenerated(pid, change)
        self.stats.actions["restaging"] += 1

    def _recurrence(self, pid: int) -> None:
        with self.db.read() as session:
            first = session.scalar(
                select(func.min(TreatmentRow.start)).where(TreatmentRow.patient_id == pid)
            )
        if first is None or first >= self.today:
            return
        kind = "local" if self.rng.random() < 0.6 else "distant"
        self._regenerated(
            pid, save_recurrence(self.db, self.physician, pid, self.today, kind, self.today)
        )
        self.stats.actions["recurrence"] += 1
        if kind == "local" and self.rng.random() < 0.6:
            surgery = TreatmentInput("surgery", self.today, procedure="wide_local_excision")
            self._regenerated(
                pid, save_treatment(self.db, self.physician, pid, surgery, self.today)
            )
            self.stats.actions["re-excision"] += 1

    def _return_to_follow_up(self) -> None:
        with self.db.read() as session:
            discharged = list(
                session.scalars(
                    select(Patient.id).where(Patient.status == "discharged").order_by(Patient.id)
                )
            )
        if not discharged:
            return
        pid = self.rng.choice(discharged)  # from the seed only: a failing run can be replayed
        change = set_status(self.db, self.physician, pid, "active", None, self.today)
        self._regenerated(pid, change)
        self.stats.actions["back to follow-up"] += 1

    def _refer(self) -> None:
        """A new patient: registered first (no tumour yet: "Needs a plan")."""
        self.next_mrn += 1
        data = PatientInput(
            str(self.next_mrn),
            "Referral",
            f"Patient{self.next_mrn}",
            self.today - timedelta(days=365 * self.rng.randint(25, 80)),
            self.rng.choice(("female", "male")),
            physician="Dr Lucia Moretti",
        )
        pid = create_patient(self.db, self.scheduler, data, self.today)
        self.counts[pid] = 0
        self.referrals.append((pid, self.today + timedelta(days=self.rng.randint(3, 20)), "tumour"))
        self.stats.actions["referral"] += 1

    def _advance_referrals(self) -> None:
        waiting = []
        for pid, when, step in self.referrals:
            if when > self.today:
                waiting.append((pid, when, step))
                continue
            if step == "tumour":
                tumour = TumourInput(
                    "extremity",
                    limb="lower",
                    laterality="left",
                    histology="myxofibrosarcoma",
                    grade=self.rng.choice(("1", "2", "3")),
                    size_cm=round(self.rng.uniform(2, 15), 1),
                    depth="deep",
                    nodes="N0",
                    metastasis="M0",
                    diagnosis_date=self.today - timedelta(days=10),
                )
                change = save_tumour(self.db, self.physician, pid, tumour, self.today)
                self._regenerated(pid, change)
                nxt = self.today + timedelta(days=self.rng.randint(10, 40))
                waiting.append((pid, nxt, "surgery"))
            else:
                surgery = TreatmentInput(
                    "surgery", self.today, procedure="limb_sparing", margin="R0"
                )
                change = save_treatment(self.db, self.physician, pid, surgery, self.today)
                self._regenerated(pid, change)
        self.referrals = waiting

    # ------------------------------------------------------------------ the closed loop

    def check(self) -> None:
        """Every unfinished event of an active patient accounted for, as of today."""
        today, db = self.today, self.db
        horizon = today + timedelta(weeks=HORIZON_WEEKS)
        day_start = datetime.combine(today, time.min)
        with db.read() as session:
            live = session.execute(
                select(
                    FollowUpEvent.id,
                    FollowUpEvent.patient_id,
                    FollowUpEvent.kind,
                    FollowUpEvent.state,
                    FollowUpEvent.window_start,
                    FollowUpEvent.window_end,
                    FollowUpEvent.booked_at,
                    FollowUpEvent.reason,
                )
                .join(Patient, Patient.id == FollowUpEvent.patient_id)
                .where(
                    Patient.status == "active",
                    text("followup_events.state IN ('planned', 'missed', 'booked', 'cancelled')"),
                    (FollowUpEvent.window_start <= horizon) | (FollowUpEvent.state != "planned"),
                )
            ).all()
            no_plan = session.scalars(
                select(Patient.id).where(
                    Patient.status == "active",
                    Patient.plan_problem.is_(None),
                    ~select(FollowUpEvent.id)
                    .where(FollowUpEvent.patient_id == Patient.id)
                    .exists(),
                )
            ).all()
            wanted_plan = set(
                session.scalars(
                    select(Patient.id).where(
                        Patient.status == "active", Patient.plan_problem.is_not(None)
                    )
                )
            )
            bookings = {
                (pid, kind)
                for pid, kind in session.execute(
                    select(FollowUpEvent.patient_id, FollowUpEvent.kind).where(
                        FollowUpEvent.state == "booked", FollowUpEvent.booked_at >= day_start
                    )
                )
            }
        to_book: set[int] = set()
        passed: set[int] = set()
        clinic: set[int] = set()
        overdue: dict[tuple[int, str], list[tuple[date, int]]] = {}
        for eid, pid, kind, state, start, end, booked_at, reason in live:
            if end < today:
                overdue.setdefault((pid, kind), []).append((end, eid))
            elif state == "cancelled":
                if not (reason or "").strip():
                    self._violation(f"event {eid} cancelled without a reason")
            elif state == "booked":
                if booked_at is None:
                    self._violation(f"event {eid} booked without a time: no list")
                elif booked_at < day_start:
                    # the day passed with no outcome recorded: on the to-book list, marked so
                    to_book.add(eid)
                    passed.add(eid)
                else:
                    clinic.add(eid)
            elif start <= horizon:
                to_book.add(eid)
            else:
                self._violation(f"event {eid} {state} with its window far ahead: no list")

        to_book_rows = worklists.to_book(db, today, HORIZON_WEEKS)
        listed = {r.event_id for r in to_book_rows}
        if listed != to_book or len(to_book_rows) != len(listed):
            self._violation(
                f"to-book list: missing {sorted(to_book - listed)[:5]}, "
                f"extra {sorted(listed - to_book)[:5]}, {len(to_book_rows)} rows"
            )
        marked = [r.event_id for r in to_book_rows if r.outcome_missing]
        if set(marked) != passed or marked != [r.event_id for r in to_book_rows[: len(marked)]]:
            self._violation(
                f"to-book list: {len(marked)} marked no outcome recorded (first), {len(passed)} "
                "appointments passed with no outcome"
            )
        self.stats.max_outcome_missing = max(self.stats.max_outcome_missing, len(passed))
        far = today + timedelta(days=3 * 365)
        active = set(self._active())
        booked_rows = worklists.clinic_day(db, today, far)
        on_days = {
            r.event_id for r in booked_rows if r.window_end >= today and r.patient_id in active
        }
        self.stats.booked_inactive = max(
            self.stats.booked_inactive, sum(r.patient_id not in active for r in booked_rows)
        )
        if on_days != clinic:
            self._violation(
                f"clinic days: missing {sorted(clinic - on_days)[:5]}, "
                f"extra {sorted(on_days - clinic)[:5]}"
            )

        # one row per (patient, kind); the section each row belongs to is checked every day on
        # the whole list, and the two sections as the window asks for them once a week
        every = overdue_rows(db, OverdueQuery(today, section="all", acknowledged=True))
        if self.stats.days % 7 == 0:
            sections = {
                name: overdue_rows(db, OverdueQuery(today, section=name, acknowledged=True))
                for name in ("to_book", "booked_late")
            }
            if sorted(r.event_id for rows in sections.values() for r in rows) != sorted(
                r.event_id for r in every
            ):
                self._violation("the two overdue sections are not the whole list")
        else:
            sections = {
                "to_book": [r for r in every if not r.booked],
                "booked_late": [r for r in every if r.booked],
            }
        seen: dict[tuple[int, str], str] = {}
        for name, rows in sections.items():
            for row in rows:
                key = (row.patient_id, row.kind)
                if key in seen:
                    self._violation(f"overdue {key} on both {seen[key]} and {name}")
                seen[key] = name
                expected = sorted(overdue.get(key, []))
                if not expected:
                    self._violation(f"overdue row {key} (event {row.event_id}) is not overdue")
                    continue
                if row.slots != len(expected):
                    self._violation(f"overdue {key}: {row.slots} slots, {len(expected)} overdue")
                if row.event_id != expected[0][1]:
                    self._violation(
                        f"overdue {key}: row shows event {row.event_id}, oldest {expected[0][1]}"
                    )
                if (name == "booked_late") != (key in bookings) or row.booked != (key in bookings):
                    booked = key in bookings
                    self._violation(f"overdue {key} on {name}, booked from today: {booked}")
        missing = set(overdue) - set(seen)
        if missing:
            self._violation(f"overdue events on no overdue row: {sorted(missing)[:5]}")
        total_slots = sum(r.slots for rows in sections.values() for r in rows)
        if total_slots != sum(len(v) for v in overdue.values()):
            self._violation(f"overdue slots {total_slots} != overdue events")
        if self.stats.days % 7 == 3:
            board = dashboard(db, today)
            counted = (board.total, board.booked_late, board.outcome_missing)
            shown = (len(sections["to_book"]), len(sections["booked_late"]), len(passed))
            if counted != shown:
                self._violation(
                    f"dashboard (to book, booked late, no outcome) {counted}, lists {shown}"
                )
        self.stats.max_overdue_rows = max(self.stats.max_overdue_rows, len(seen))

        if no_plan:
            self._violation(f"active patients with no calendar and no plan problem: {no_plan[:5]}")
        needs = {r.patient_id for r in worklists.needs_a_plan(db)}
        if needs != wanted_plan:
            self._violation(f"needs a plan: {sorted(needs ^ wanted_plan)[:5]} differ")
        self.stats.needs_a_plan_seen = max(self.stats.needs_a_plan_seen, len(needs))

        counts = self._counts()
        for pid, expected_count in self.counts.items():
            if counts.get(pid, 0) != expected_count:
                self._violation(
                    f"patient {pid} has {counts.get(pid, 0)} events, expected {expected_count}"
                )
        self.counts = counts


def simulate(db: Database, patients: int, years: int, seed: int = 11) -> Stats:
    began = clock.perf_counter()
    clinic = Clinic(db, patients, seed)
    clinic.check()
    for _ in range(round(years * 365.25)):
        clinic.day()
    clinic.stats.seconds = clock.perf_counter() - began
    return clinic.stats


def _assert_closed_loop(stats: Stats, years: int) -> None:
    print(
        f"\nsimulated {stats.days} days in {stats.seconds:.0f} s: {dict(stats.actions)}; "
        f"{stats.regenerations} regenerations ({stats.removed_by_regeneration} planned events "
        f"removed), {stats.covering_undos} covering completions undone "
        f"({stats.reopened_by_undo} events reopened), overdue rows at most "
        f"{stats.max_overdue_rows}, needs a plan at most {stats.needs_a_plan_seen}, bookings "
        f"of patients out of follow-up at most {stats.booked_inactive}, appointments with no "
        f"outcome recorded at most {stats.max_outcome_missing} (longest wait "
        f"{stats.longest_unrecorded} days)"
    )
    assert not stats.violations, "\n".join(stats.violations[:40])
    assert stats.days >= 365 * years
    # the run exercised what it claims to
    for what in ("no-show", "reschedule", "cancel", "waive", "complete", "book overdue"):
        assert stats.actions[what] > 0, what
    assert stats.actions["covering completion"] > 0
    assert stats.covering_undos > 0 and stats.reopened_by_undo > 0
    for what in ("recurrence", "deceased", "discharged", "restaging", "referral"):
        assert stats.actions[what] > 0, what
    assert stats.regenerations > 0  # removals, when a run has any, are accounted for above
    assert stats.needs_a_plan_seen > 0
    # appointments left without an outcome were on the to-book list and recorded from it
    assert stats.max_outcome_missing > 0 and stats.actions["outcome recorded late"] > 0
    assert stats.longest_unrecorded >= 2
    # leaving follow-up cancels every appointment from that day on (the window rule)
    assert stats.booked_inactive == 0


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def test_simulated_clinic(db: Database) -> None:
    if db.is_sqlite:
        # test speed only: no fsync per commit (each action is still its own transaction)
        event.listen(db.engine, "connect", _no_fsync)
        db.engine.dispose()
        patients = _size("SURVTRACK_SIM_PATIENTS", 80)
        years = _size("SURVTRACK_SIM_YEARS", 5)
    else:
        patients = _size("SURVTRACK_SIM_PG_PATIENTS", 60)
        years = _size("SURVTRACK_SIM_PG_YEARS", 1)
    stats = simulate(db, patients, years)
    _assert_closed_loop(stats, years)


def test_a_patient_can_be_added_after_the_demo(db: Database) -> None:
    """The demo inserts patients with their ids; the next one added through the app must not
    collide with them (it did on PostgreSQL: the id sequence stayed at 1)."""
    generate_demo(db, 3, 1, START, SIM, with_events=False)
    scheduler = ensure_user(db, "sched", "Sam Scheduler", Role.SCHEDULER)
    data = PatientInput("X-1", "Referral", "Ada", date(1970, 1, 1), "female")
    pid = create_patient(db, scheduler, data, START)
    assert pid not in (1, 2, 3)
    assert {r.patient_id for r in worklists.needs_a_plan(db)} == {pid}
