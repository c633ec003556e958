"""The demo clinic's past: what schedulers, patients and physicians did with each calendar event,
and the records a clinic keeps besides (visits with after-visit summaries, side effects with their
grade histories, rehabilitation after an amputation).

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
Every value respects the validation the services apply (CTCAE terms, grades, measure ranges, pain
scores, K levels), checked with the same domain functions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from survtrack.domain.events import EventKind, EventState, is_covered_by
from survtrack.domain.late_effects import (
    DISCIPLINES,
    REFERRAL_KINDS,
    check_grade,
    check_measure,
    check_pain,
    check_term,
    rehab_reference,
)
from survtrack.domain.sites import LOWER_LIMB_AMPUTATION_LEVELS
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
THERAPISTS = ("Ana Ribeiro", "Tom Walsh", "Ingrid Solberg", "Kwame Mensah", "Lea Fischer")
IMAGING = frozenset(
    {
        EventKind.CHEST_CT.value,
        EventKind.CHEST_XRAY.value,
        EventKind.PRIMARY_SITE_MRI.value,
        EventKind.ABDOMEN_PELVIS_CT.value,
        EventKind.ECHOCARDIOGRAM.value,
    }
)


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
        return timedelta(days=low + int(self.rand() * (high - low + 1)))

    def _run_event(self, row: dict[str, Any], last: date, following: date | None) -> date | None:
        """Simulate one event; the day of its last appointment, or None if still under way.

        ``following`` is when the window of the next event of the kind opens, if there is one."""
        rand, start, end_window = self.rand, row["window_start"], row["window_end"]
        after_last = last + _ONE_DAY
        if rand() < WAIVE:
            day = _open_on_or_after(self.calendar, max(start, after_last))
            if day < self.end:
                row["state"], row["closed_on"] = _WAIVED, day
                row["reason"] = WAIVE_REASONS[int(rand() * len(WAIVE_REASONS))]
                self.stats.waived += 1
                return day
        if rand() < LATE:
            appointment = end_window + self._days(7, 120)
        else:
            target = (row["suggested"] or row["due"]) + self._days(-7, 7)
            target = min(max(target, start), end_window)
            appointment = self.calendar.suggest(target, start, end_window) or target
        if appointment < after_last:
            appointment = after_last
        appointment = _open_on_or_after(self.calendar, appointment)
        booked_on = appointment - self._days(14, 42)
        history: list[str] = []
        location = LOCATIONS.get(row["kind"], LOCATIONS[EventKind.CLINIC_VISIT.value])
        stats = self.stats
        while True:
            if appointment >= self.end or (
                self.active and appointment == self.yesterday and rand() < UNRECORDED
            ):
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
            row["result"] = "suspicious" if rand() < SUSPICIOUS else "ned"
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
_MIDNIGHT = datetime.min.time()


# --- visits and their after-visit summaries -------------------------------------------------

FINDINGS = {
    "ned": (
        "You are well. The scar is healthy and there is no lump at the operation site.",
        "No sign that the sarcoma has come back. The operation area looks and feels normal.",
        "You feel well and the examination was normal.",
    ),
    "suspicious": (
        "There is a small firm area near the scar. It may well be scar tissue, but we want to "
        "look at it more closely.",
    ),
}
INSTRUCTIONS = (
    "Call the clinic if you notice a new lump, swelling or pain that does not go away, a cough "
    "that lasts more than three weeks, or if you lose weight without trying.",
    "Keep moving every day. Call us if you find a new lump or if the swelling of your limb gets "
    "worse.",
    "Bring a list of your medicines to your next visit. Call the clinic if anything worries you "
    "before then.",
)
RESULT_WORDS = {"ned": "no sign of the sarcoma", "suspicious": "a finding we will check"}


def _month(day: date) -> str:
    return f"{day:%B %Y}"


def visit_rows(
    rng: random.Random, facts: PatientFacts, events: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A few recent clinic visits, one for each of the last completed clinic-visit events."""
    visits, imaging, upcoming = [], [], []
    for e in events:
        if e["kind"] == _CLINIC_VISIT:
            upcoming.append(e["due"])
            if e["state"] == _COMPLETED:
                visits.append(e)
        elif e["state"] == _COMPLETED and e["kind"] in IMAGING:
            imaging.append(e)
    if not visits:
        return []
    visits.sort(key=lambda e: e["closed_on"])
    rows = []
    for visit in visits[-rng.randint(1, 3) :]:
        day: date = visit["closed_on"]
        recent = sorted(
            (e for e in imaging if day - timedelta(days=60) <= e["closed_on"] <= day),
            key=lambda e: e["closed_on"],
        )
        reviewed = "; ".join(
            f"{EventKind(e['kind']).label} on {e['closed_on']:%d %B %Y}: "
            f"{RESULT_WORDS.get(e['result'], 'reviewed')}"
            for e in recent
        )
        suspicious = visit["result"] == "suspicious" or any(
            e["result"] == "suspicious" for e in recent
        )
        later = min((d for d in upcoming if d > day + timedelta(days=30)), default=None)
        if suspicious:
            plan = (
                "We will arrange an MRI in the next two weeks and call you with the result. "
                "Your next visit is after that scan."
            )
        elif later:
            plan = f"Routine follow-up. Your next clinic visit is planned for {_month(later)}."
        else:
            plan = "Your follow-up here is coming to an end; your family doctor will take over."
        findings = FINDINGS["suspicious" if suspicious else "ned"]
        rows.append(
            {
                "patient_id": facts.patient_id,
                "visit_date": day,
                "clinician": facts.physician,
                "location": LOCATIONS[_CLINIC_VISIT],
                "reason": f"Follow-up after treatment for {facts.histology}",
                "findings": findings[rng.randrange(len(findings))],
                "results_reviewed": reviewed or None,
                "rehab_status": _rehab_words(facts, day),
                "plan": plan,
                "instructions": INSTRUCTIONS[rng.randrange(len(INSTRUCTIONS))],
                "version": 1,
            }
        )
    return rows


_CLINIC_VISIT = EventKind.CLINIC_VISIT.value


def _rehab_words(facts: PatientFacts, day: date) -> str | None:
    done = [level for when, level in facts.amputations if when <= day]
    if not done:
        return None
    if done[-1] in LOWER_LIMB_AMPUTATION_LEVELS:
        return "Walking with your prosthesis; keep up the exercises from physiotherapy."
    return "Using your arm prosthesis for daily tasks; occupational therapy continues."


# --- side effects ---------------------------------------------------------------------------


def _chance_rules(facts: PatientFacts) -> list[tuple[str, str, float, date]]:
    """(CTCAE term, attribution, chance, after which day) for this patient's treatments."""
    rules: list[tuple[str, str, float, date]] = []
    extremity = facts.site == "extremity"
    for t in facts.treatments:
        end = t["end"]
        if t["type"] == "radiation":
            rules.append(("Fibrosis deep connective tissue", "radiation", 0.22, end))
            rules.append(("Superficial soft tissue fibrosis", "radiation", 0.08, end))
            if extremity:
                rules.append(("Joint range of motion decreased", "radiation", 0.15, end))
                rules.append(("Lymphedema", "radiation", 0.08, end))
            rules.append(("Fatigue", "radiation", 0.05, end))
        elif t["type"] == "systemic":
            agents = t["agents"] or ""
            rules.append(("Fatigue", "chemotherapy", 0.2, end))
            neuropathy = 0.25 if "docetaxel" in agents else 0.06
            rules.append(("Peripheral sensory neuropathy", "chemotherapy", neuropathy, end))
            if "doxorubicin" in agents:
                rules.append(("Ejection fraction decreased", "chemotherapy", 0.03, end))
            if "ifosfamide" in agents:
                rules.append(("Chronic kidney disease", "chemotherapy", 0.03, end))
        elif t["type"] == "surgery" and extremity:
            if t["procedure"] == "amputation":
                rules.append(("Phantom pain", "surgery", 0.35, end))
            else:
                rules.append(("Lymphedema", "surgery", 0.08, end))
                rules.append(("Wound complication", "surgery", 0.03, end))
    return rules


def side_effect_rows(
    rng: random.Random, facts: PatientFacts, first_id: int, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Late effects of the patient's treatments, each with its grade history (oldest first)."""
    until = facts.status_date if facts.status_date and facts.status_date < today else today
    effects: list[dict[str, Any]] = []
    grades: list[dict[str, Any]] = []
    seen: set[str] = set()
    for term, attribution, chance, after in _chance_rules(facts):
        if term in seen or rng.random() >= chance:
            continue
        onset = after + timedelta(days=rng.randint(20, 400))
        if onset > until or onset < facts.birth:
            continue
        seen.add(term)
        entry = check_term(term)
        grade = check_grade(1 if rng.random() < 0.6 else 2)
        history = [(onset, grade)]
        day = onset
        while len(history) < 5:
            day += timedelta(days=rng.randint(90, 300))
            if day > until:
                break
            step = rng.random()
            grade = check_grade(
                min(3, grade + 1) if step < 0.15 else max(1, grade - 1) if step < 0.4 else grade
            )
            history.append((day, grade))
        resolves = term in ("Fatigue", "Wound complication", "Peripheral sensory neuropathy")
        resolved_on = None
        if resolves and rng.random() < 0.5:
            resolved_on = history[-1][0] + timedelta(days=rng.randint(30, 240))
            if resolved_on > until:
                resolved_on = None
        effect_id = first_id + len(effects)
        effects.append(
            {
                "id": effect_id,
                "patient_id": facts.patient_id,
                "term": entry.term,
                "organ_class": entry.organ_class,
                "attribution": attribution,
                "onset": onset,
                "status": "resolved" if resolved_on else "ongoing",
                "resolved_on": resolved_on,
                "management": _MANAGEMENT.get(term),
                "version": 1,
            }
        )
        grades.extend(
            {"side_effect_id": effect_id, "graded_on": d, "grade": g, "version": 1}
            for d, g in history
        )
    return effects, grades


_MANAGEMENT = {
    "Lymphedema": "Compression garment; referred to the lymphoedema clinic",
    "Fibrosis deep connective tissue": "Stretching programme with physiotherapy",
    "Joint range of motion decreased": "Physiotherapy twice a week",
    "Peripheral sensory neuropathy": "Watch and wait; duloxetine discussed",
    "Ejection fraction decreased": "Cardiology review; ACE inhibitor started",
    "Phantom pain": "Mirror therapy; gabapentin",
    "Fatigue": "Graded exercise advice",
}


# --- rehabilitation after an amputation -----------------------------------------------------

K_LEVEL_WEIGHTS = {"K0": 3, "K1": 10, "K2": 30, "K3": 45, "K4": 12}
LOWER_MEASURES = {  # code: (first value, best value) as the patient improves
    "tug": (18.0, 8.0),
    "six_minute_walk": (150.0, 420.0),
    "amppro": (22.0, 40.0),
}
UPPER_MEASURES = {"msts": (12.0, 25.0), "tess": (45.0, 85.0)}
SESSION_NOTES = (
    "Wound check and residual limb care; shrinker fitted.",
    "Strength and balance exercises; transfers practised.",
    "Gait training with the prosthesis; stairs practised.",
    "Home exercise programme reviewed.",
)


def _milestone_targets(events: Sequence[dict[str, Any]], since: date) -> dict[str, dict[str, Any]]:
    """Each milestone's event: the n-th rehab or fitting event on or after the operation, as the
    rehabilitation service sets the targets."""
    ordered = sorted((e for e in events if e["due"] >= since), key=lambda e: (e["due"], e["id"]))
    found = {}
    for milestone in rehab_reference().milestones:
        of_kind = [e for e in ordered if e["kind"] == milestone.event_kind]
        if len(of_kind) >= milestone.occurrence:
            found[milestone.code] = of_kind[milestone.occurrence - 1]
    return found


def _measure(code: str, span: tuple[float, float], progress: float, rng: random.Random) -> float:
    first, best = span
    measure = rehab_reference().measures[code]
    value = first + (best - first) * progress + rng.gauss(0, abs(best - first) * 0.08)
    value = round(min(measure.maximum, max(measure.minimum, value)), 1)
    check_measure(code, value)
    return value


def rehab_rows(
    rng: random.Random,
    facts: PatientFacts,
    events: Sequence[dict[str, Any]],
    plan_id: int,
    today: date,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The amputee's plan (K level for a lower limb only), milestones and dated entries."""
    until = facts.status_date if facts.status_date and facts.status_date < today else today
    operated_on, level = facts.amputations[-1]
    lower = level in LOWER_LIMB_AMPUTATION_LEVELS
    ref = rehab_reference()
    targets = _milestone_targets(events, operated_on)
    milestones = []
    for milestone in ref.milestones:
        event = targets.get(milestone.code)
        achieved = None
        if event is not None and event["state"] in (
            EventState.COMPLETED.value,
            EventState.COVERED.value,
        ):
            achieved = event["closed_on"]
        milestones.append(
            {
                "plan_id": plan_id,
                "code": milestone.code,
                "target": event["due"] if event else None,
                "achieved_on": achieved,
                "version": 1,
            }
        )
    fitted = next((m["achieved_on"] for m in milestones if m["code"] == "first_fitting"), None)
    # sessions at each rehabilitation assessment done, a few more in the first three months
    days = sorted(
        e["closed_on"]
        for e in events
        if e["kind"] == EventKind.PT_ASSESSMENT.value
        and e["state"] == EventState.COMPLETED.value
        and e["closed_on"] >= operated_on
    )
    extra = [operated_on + timedelta(days=rng.randint(5, 90)) for _ in range(rng.randint(2, 6))]
    days = sorted({d for d in days + extra if d <= until})
    therapist = THERAPISTS[rng.randrange(len(THERAPISTS))]
    discipline = DISCIPLINES[0] if lower else DISCIPLINES[1]
    persistent_pain = rng.random() < 0.1
    entries: list[dict[str, Any]] = []

    def entry(kind: str, on: date, code: str, value: float | None, **more: Any) -> None:
        entries.append(
            {
                "plan_id": plan_id,
                "entry": kind,
                "on": on,
                "code": code,
                "value": value,
                "who": more.get("who"),
                "notes": more.get("notes"),
                "version": 1,
            }
        )

    for i, day in enumerate(days):
        progress = min(1.0, (day - operated_on).days / 365)
        entry(
            "session",
            day,
            discipline,
            float(rng.choice((30, 45, 60))),
            who=therapist,
            notes=SESSION_NOTES[min(i, len(SESSION_NOTES) - 1)],
        )
        for kind, start in (("phantom_pain", 6.0), ("residual_limb_pain", 4.0)):
            score = start * (1 - 0.7 * progress) + rng.gauss(0, 1)
            if kind == "phantom_pain" and persistent_pain:
                score = 7 + rng.random() * 2
            value = round(min(10.0, max(0.0, score)))
            check_pain(kind, value)
            entry("pain", day, kind, float(value))
        if (fitted is not None and day >= fitted) or (not lower and i % 2 == 1):
            spans = LOWER_MEASURES if lower else UPPER_MEASURES
            code = list(spans)[i % len(spans)]
            entry("measure", day, code, _measure(code, spans[code], progress, rng))
    first_day = days[0] if days else None
    if first_day is not None:
        entry(
            "referral", first_day, "prosthetist", None, notes="Referred for prosthetic assessment"
        )
        if persistent_pain and len(days) > 2:
            entry("referral", days[2], "psychology", None, notes="Support for phantom limb pain")
        elif rng.random() < 0.2:
            entry("referral", first_day, "peer_support", None, notes="Peer visitor programme")
    assert all(e["code"] in REFERRAL_KINDS for e in entries if e["entry"] == "referral")
    k_level = k_level_on = None
    if lower:
        k_level = rng.choices(list(K_LEVEL_WEIGHTS), weights=list(K_LEVEL_WEIGHTS.values()))[0]
        assert k_level in ref.k_levels
        k_level_on = min(until, fitted or first_day or operated_on + timedelta(days=14))
        k_level_on = max(k_level_on, operated_on)
    plan = {
        "id": plan_id,
        "patient_id": facts.patient_id,
        "reason": "amputation",
        "level": level,
        "side": facts.laterality,
        "k_level": k_level,
        "k_level_on": k_level_on,
        "version": 1,
    }
    return plan, milestones, entries
