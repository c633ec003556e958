"""The demo clinic's past: what schedulers, patients and physicians did with each calendar event
(the records kept besides, visits, side effects and rehabilitation, are in ``demo_records``).

Each patient's events are simulated kind by kind in window order, as a clinic runs them: a
scheduler books an event a few weeks before its appointment (an open day of the clinic calendar in
the window, near the suggested day); the patient comes, does not show (the event is marked missed,
then rebooked a few weeks later; a second no-show happens too), or the appointment is cancelled
with a reason; now and then a physician waives an event, and now and then an event slips through
and is booked late. A completion closes the earlier unfinished events of its kind by the same
covered rule the services apply (``is_covered_by``). At "today" what is left is what a real clinic
has: bookings in the coming weeks, a few no-shows not yet rebooked, a few late exams, and
yesterday's clinic not yet all recorded.

Pure functions of (random generator, the patient's facts, the generated plan, today): no database.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from survtrack.domain.events import EventKind, EventState, is_covered_by
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.generator import PlannedEvent

#: Chance that an appointment that took place was a no-show (then rebooked a few weeks later).
NO_SHOW = 0.12
#: Chance that a booked appointment is cancelled (it stays cancelled; a later exam covers it).
CANCEL = 0.025
#: Chance that a physician waives an event as its window opens.
WAIVE = 0.012
#: Chance that an event slips through and is booked only after its window has ended.
LATE = 0.025
#: Chance that a completed exam or visit finds something that needs a closer look.
SUSPICIOUS = 0.015
#: Share of the last clinic day's appointments whose outcome is not yet recorded at "today".
UNRECORDED = 0.3
#: A cancelled exam is left to the next one of its kind if that one's window opens this soon.
SOON = timedelta(days=120)
#: How far ahead of today schedulers work.
BOOKING_HORIZON = timedelta(days=56)

CANCEL_REASONS = ("patient request", "scanner unavailable", "patient hospitalised")
WAIVE_REASONS = (
    "scan done at another hospital last month; report reviewed",
    "patient receiving palliative care; further scans would not change the plan",
    "patient declined this scan after discussion",
    "MRI not possible (pacemaker); clinical examination instead",
)
LOCATIONS = {
    EventKind.CLINIC_VISIT.value: "Sarcoma clinic",
    EventKind.CHEST_CT.value: "Radiology",
    EventKind.CHEST_XRAY.value: "Radiology",
    EventKind.PRIMARY_SITE_MRI.value: "Radiology",
    EventKind.ABDOMEN_PELVIS_CT.value: "Radiology",
    EventKind.ECHOCARDIOGRAM.value: "Cardiology",
    EventKind.PT_ASSESSMENT.value: "Rehabilitation unit",
    EventKind.PROSTHETIC_FITTING.value: "Prosthetics workshop",
}
HOURS = tuple(timedelta(hours=h, minutes=m) for h in (8, 9, 10, 11, 13, 14, 15) for m in (0, 30))


@dataclass(slots=True)
class ClinicStats:
    """What the simulated clinic did, for the summary line and the tests."""

    bookings: int = 0  # appointments that took place or were missed or cancelled
    no_shows: int = 0
    cancelled: int = 0
    waived: int = 0
    completed: int = 0
    covered: int = 0


@dataclass(slots=True)
class PatientFacts:
    """What the clinic simulation needs to know of one synthetic patient."""

    patient_id: int
    birth: date
    physician: str
    status: str
    status_date: date | None
    histology: str
    site: str
    laterality: str | None
    treatments: list[dict[str, Any]]
    amputations: list[tuple[date, str]] = field(default_factory=list)  # (day, level), in order


def _open_on_or_after(calendar: ClinicCalendar, day: date) -> date:
    while not calendar.is_open(day):
        day += timedelta(days=1)
    return day


def _last_open_before(calendar: ClinicCalendar, day: date) -> date:
    day -= timedelta(days=1)
    while not calendar.is_open(day):
        day -= timedelta(days=1)
    return day


def event_rows(
    rng: random.Random,
    facts: PatientFacts,
    plan_events: Sequence[PlannedEvent],
    risks: Sequence[str],
    first_id: int,
    today: date,
    calendar: ClinicCalendar,
    stats: ClinicStats,
) -> list[dict[str, Any]]:
    """The patient's calendar as the clinic left it at ``today``; ids from ``first_id`` on.

    ``risks`` is each planned event's risk tier, in the same order.
    """
    rows = [
        {
            "id": first_id + i,
            "patient_id": facts.patient_id,
            "episode": event.episode,
            "kind": event.kind,
            "due": event.due,
            "window_start": event.window_start,
            "window_end": event.window_end,
            "suggested": event.suggested,
            "rule_id": event.rule,
            "source": event.source,
            "state": EventState.PLANNED.value,
            "booked_at": None,
            "location": None,
            "result": None,
            "reason": None,
            "moved_by_hand": False,
            "risk": risk,
            "closed_on": None,
            "note": None,
            "acknowledged_at": None,
            "acknowledged_by": None,
            "covered_by": None,
            "covered_from": None,
            "version": 1,
        }
        for i, (event, risk) in enumerate(zip(plan_events, risks, strict=True))
    ]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    clinic = _Clinic(rng, facts, today, calendar, stats)
    for kind_rows in by_kind.values():
        kind_rows.sort(key=lambda r: (r["window_start"], r["due"], r["id"]))
        clinic.run_kind(kind_rows)
    return rows


class _Clinic:
    """One patient's clinic history, event by event (see the module docstring)."""

    def __init__(
        self,
        rng: random.Random,
        facts: PatientFacts,
        today: date,
        calendar: ClinicCalendar,
        stats: ClinicStats,
    ) -> None:
        self.rng, self.rand, self.today, self.calendar, self.stats = (
            rng,
            rng.random,
            today,
            calendar,
            stats,
        )
        self.facts = facts
        self.active = facts.status == "active"
        #: the clinic acts for this patient on days before ``end``
        self.end = today if self.active or facts.status_date is None else facts.status_date
        self.yesterday = _last_open_before(calendar, today)
        self.horizon = today + BOOKING_HORIZON

    def run_kind(self, rows: list[dict[str, Any]]) -> None:
        """The events of one kind, in window order."""
        last = date.min
        unfinished: list[dict[str, Any]] = []  # cancelled earlier: a later completion covers them
        count = len(rows)
        for i, row in enumerate(rows):
            if row["state"] != _PLANNED:
                continue  # covered by an earlier completion
            if row["window_start"] > self.horizon:
                return
            following = rows[i + 1]["window_start"] if i + 1 < count else None
            done = self._run_event(row, last, following)
            if done is None:
                return  # still under way at the horizon: later events of the kind wait
            last = done
            state = row["state"]
            if state == _COMPLETED:
                later = []
                for j in range(i + 1, count):
                    if rows[j]["window_start"] > done:
                        break
                    later.append(rows[j])
                self._cover(row, unfinished + later)
                unfinished = [r for r in unfinished if r["state"] != _COVERED]
            elif state == _CANCELLED:
                unfinished.append(row)

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, _MIDNIGHT) + HOURS[int(self.rand() * len(HOURS))]

    def _days(self, low: int, high: int) -> timedelta:
        return _DAYS[low - _DAYS_FROM + int(self.rand() * (high - low + 1))]

    def _run_event(self, row: dict[str, Any], last: date, following: date | None) -> date | None:
        """Simulate one event; the day of its last appointment, or None if still under way.

        ``following`` is when the window of the next event of the kind opens, if there is one."""
        rand, start, end_window = self.rand, row["window_start"], row["window_end"]
        after_last = last + _ONE_DAY
        fate = rand()
        if fate < WAIVE:
            day = _open_on_or_after(self.calendar, max(start, after_last))
            if day < self.end:
                row["state"], row["closed_on"] = _WAIVED, day
                row["reason"] = WAIVE_REASONS[int(rand() * len(WAIVE_REASONS))]
                self.stats.waived += 1
                return day
        if WAIVE <= fate < WAIVE + LATE:
            appointment = _open_on_or_after(self.calendar, end_window + self._days(7, 120))
        else:
            target = (row["suggested"] or row["due"]) + self._days(-7, 7)
            target = min(max(target, start), end_window)
            appointment = self.calendar.suggest(target, start, end_window) or target
        if appointment < after_last:
            appointment = _open_on_or_after(self.calendar, after_last)
        booked_on = None  # the first booking: a few weeks before the appointment
        history: list[str] = []
        location = LOCATIONS.get(row["kind"], "Sarcoma clinic")
        stats = self.stats
        while True:
            if appointment >= self.end or (
                self.active and appointment == self.yesterday and rand() < UNRECORDED
            ):
                if booked_on is None:
                    booked_on = appointment - self._days(14, 42)
                self._pending(row, appointment, booked_on, history, location)
                return None
            stats.bookings += 1
            roll = rand()
            if roll < NO_SHOW:
                stats.no_shows += 1
                rebooked_on = appointment + self._days(1, 10)
                if rebooked_on >= self.end:
                    row["state"] = _MISSED
                    row["reason"] = f"no-show {appointment.isoformat()}"
                    row["location"] = location
                    _note(row, history)
                    return None
                history.append(f"did not attend on {appointment.isoformat()}")
                booked_on = rebooked_on
                appointment = _open_on_or_after(self.calendar, appointment + self._days(14, 35))
                continue
            if roll < NO_SHOW + CANCEL:
                stats.cancelled += 1
                reason = CANCEL_REASONS[int(rand() * len(CANCEL_REASONS))]
                if reason == CANCEL_REASONS[0] and following and following - end_window < SOON:
                    # stays cancelled: the next exam of its kind, soon, will cover it
                    row["booked_at"], row["location"] = self._at(appointment), location
                    row["state"], row["reason"] = _CANCELLED, reason
                    _note(row, history)
                    return appointment
                # reopened and booked again
                history.append(f"cancelled on {appointment.isoformat()} ({reason})")
                booked_on = appointment
                appointment = _open_on_or_after(self.calendar, appointment + self._days(7, 28))
                continue
            row["booked_at"], row["location"] = self._at(appointment), location
            row["state"], row["closed_on"] = _COMPLETED, appointment
            row["result"] = "suspicious" if roll > _SUSPICIOUS_FROM else "ned"
            _note(row, history)
            stats.completed += 1
            return appointment

    def _pending(
        self,
        row: dict[str, Any],
        appointment: date,
        booked_on: date,
        history: list[str],
        location: str,
    ) -> None:
        """The event at the horizon: booked if the scheduler already booked it, else still to
        book (planned, or missed after a no-show); cancelled if the patient has left."""
        if booked_on >= self.end:
            if history and history[-1].startswith("did not attend"):
                row["state"] = _MISSED
                row["reason"] = f"no-show {history[-1].rsplit(' ', 1)[-1]}"
                _note(row, history[:-1])
            return
        _note(row, history)
        row["booked_at"], row["location"] = self._at(appointment), location
        if self.active:
            row["state"] = _BOOKED
        else:
            row["state"] = _CANCELLED
            assert self.facts.status_date is not None
            row["reason"] = f"patient {self.facts.status} on {self.facts.status_date.isoformat()}"

    def _cover(self, done: dict[str, Any], candidates: list[dict[str, Any]]) -> None:
        """The covered rule, exactly as the services apply it (``is_covered_by``)."""
        for other in candidates:
            if is_covered_by(
                other["state"],
                other["kind"],
                other["window_start"],
                other["id"],
                done["kind"],
                done["closed_on"],
                done["id"],
            ):
                other["covered_from"], other["state"] = other["state"], _COVERED
                other["covered_by"], other["closed_on"] = done["id"], done["closed_on"]
                self.stats.covered += 1


def _note(row: dict[str, Any], history: list[str]) -> None:
    """What the scheduler wrote on an event that was rebooked."""
    if history:
        text = "; ".join(history)
        row["note"] = f"{text[0].upper()}{text[1:]}; rebooked"


_PLANNED = EventState.PLANNED.value
_BOOKED = EventState.BOOKED.value
_COMPLETED = EventState.COMPLETED.value
_MISSED = EventState.MISSED.value
_CANCELLED = EventState.CANCELLED.value
_WAIVED = EventState.WAIVED.value
_COVERED = EventState.COVERED.value
_ONE_DAY = timedelta(days=1)
_DAYS_FROM = -7
_DAYS = tuple(timedelta(days=n) for n in range(_DAYS_FROM, 121))
#: a completion's roll above this finds something (SUSPICIOUS of completions, near enough)
_SUSPICIOUS_FROM = 1 - SUSPICIOUS * (1 - NO_SHOW - CANCEL)
_MIDNIGHT = datetime.min.time()
