"""The records a demo clinic keeps besides the calendar: visits with their after-visit summaries,
side effects with their grade histories, and a rehabilitation plan for every amputee.

Built from the simulated calendar (``demo_clinic``): a visit for each of the last completed clinic
visits, milestones achieved when their rehabilitation or fitting event was done. Every value
respects the validation the services apply (CTCAE terms, grades, measure ranges, pain scores,
disciplines, referral kinds, K levels), checked with the same domain functions and reference data.
Pure functions: no database.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from survtrack.domain.events import EventKind, EventState
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
from survtrack.services.demo_clinic import LOCATIONS, PatientFacts

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
_COMPLETED = EventState.COMPLETED.value


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


def _milestone_targets(
    events: Sequence[dict[str, Any]], since: date, programme: Any
) -> dict[str, dict[str, Any]]:
    """Each milestone's event: the n-th rehab or fitting event on or after the operation, as the
    rehabilitation service sets the targets."""
    ordered = sorted((e for e in events if e["due"] >= since), key=lambda e: (e["due"], e["id"]))
    found = {}
    for milestone in programme.milestones:
        if milestone.event_kind is None:
            continue
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
    programme = ref.programme("amputation", level)
    targets = _milestone_targets(events, operated_on, programme)
    milestones = []
    for milestone in programme.milestones:
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
