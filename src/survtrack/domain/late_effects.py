"""Late-effect and rehabilitation reference data (CTCAE terms, measures, K levels, milestones) and
the rules over it: valid ranges, grade meanings, and the flags a clinician must see.

The data lives in resources/ctcae/terms.toml and resources/rehab/rehab.toml; this module reads and
checks it. Pure Python, no clock: "today" is passed in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from survtrack.domain.errors import BadInput
from survtrack.resources import resource

ATTRIBUTIONS = ("surgery", "radiation", "chemotherapy", "targeted therapy", "other")
PAIN_KINDS = {
    "phantom_pain": "Phantom limb pain",
    "residual_limb_pain": "Residual limb pain",
    "phantom_sensation": "Phantom sensation",
}
DISCIPLINES = ("PT", "OT")
REFERRAL_KINDS = ("equipment", "prosthetist", "psychology", "peer_support", "other")


@dataclass(frozen=True, slots=True)
class CtcaeTerm:
    term: str
    organ_class: str
    usual_cause: str
    plain: tuple[tuple[str, str], ...] = ()  # (language, what the term means for a patient)

    def plain_in(self, language: str) -> str | None:
        return dict(self.plain).get(language)


@dataclass(frozen=True, slots=True)
class Measure:
    code: str
    name: str
    unit: str
    minimum: float
    maximum: float


@dataclass(frozen=True, slots=True)
class Milestone:
    code: str
    name: str
    event_kind: str
    occurrence: int


@dataclass(frozen=True, slots=True)
class RehabReference:
    measures: dict[str, Measure]
    k_levels: dict[str, str]
    milestones: tuple[Milestone, ...]
    tug_fall_risk_seconds: float
    phantom_pain_high: int
    side_effect_grade_flag: int


@lru_cache(maxsize=1)
def ctcae() -> tuple[tuple[CtcaeTerm, ...], dict[int, str]]:
    data = tomllib.loads(resource("ctcae", "terms.toml").read_text(encoding="utf-8"))
    terms = tuple(
        CtcaeTerm(t["term"], t["organ_class"], t["usual_cause"], tuple(t.get("plain", {}).items()))
        for t in data["terms"]
    )
    return terms, {int(k): v for k, v in data["grades"].items()}


def search_terms(text: str) -> list[CtcaeTerm]:
    """Terms whose name, organ class or usual cause contains every word typed, by organ class."""
    words = text.casefold().split()
    terms, _ = ctcae()
    found = [
        t
        for t in terms
        if all(w in f"{t.term} {t.organ_class} {t.usual_cause}".casefold() for w in words)
    ]
    return sorted(found, key=lambda t: (t.organ_class, t.term))


def grade_meaning(grade: int) -> str:
    return ctcae()[1][grade]


def ctcae_term(term: str) -> CtcaeTerm | None:
    """The shipped entry for a term (None for a term the list no longer offers)."""
    return next((t for t in ctcae()[0] if t.term == term), None)


@lru_cache(maxsize=1)
def rehab_reference() -> RehabReference:
    data = tomllib.loads(resource("rehab", "rehab.toml").read_text(encoding="utf-8"))
    measures = {
        m["code"]: Measure(
            m["code"], m["name"], m["unit"], float(m["minimum"]), float(m["maximum"])
        )
        for m in data["measures"]
    }
    milestones = tuple(
        Milestone(m["code"], m["name"], m["event_kind"], int(m["occurrence"]))
        for m in data["milestones"]
    )
    flags = data["flags"]
    return RehabReference(
        measures,
        dict(data["k_levels"]),
        milestones,
        float(flags["tug_fall_risk_seconds"]),
        int(flags["phantom_pain_high"]),
        int(flags["side_effect_grade_flag"]),
    )


def check_term(term: str) -> CtcaeTerm:
    for candidate in ctcae()[0]:
        if candidate.term == term:
            return candidate
    raise BadInput("Term", f"{term!r} is not in the CTCAE catalogue")


def check_grade(grade: int | None) -> int:
    if grade is None or not 1 <= grade <= 5:
        raise BadInput("Grade", "must be 1 to 5")
    return grade


def check_measure(code: str, value: float | None) -> Measure:
    measure = rehab_reference().measures.get(code)
    if measure is None:
        raise BadInput("Measure", f"{code!r} is not a known outcome measure")
    if value is None:
        raise BadInput(measure.name, "a value is required")
    if not measure.minimum <= value <= measure.maximum:
        raise BadInput(
            measure.name,
            f"must be between {measure.minimum:g} and {measure.maximum:g} {measure.unit}",
        )
    return measure


def check_pain(kind: str, score: int | None) -> None:
    if kind not in PAIN_KINDS:
        raise BadInput("Pain", f"kind must be one of {', '.join(PAIN_KINDS)}")
    if score is None or not 0 <= score <= 10:
        raise BadInput(PAIN_KINDS[kind], "must be 0 to 10")


def check_not_future(label: str, when: date | None, today: date) -> date:
    if when is None:
        raise BadInput(label, "is required")
    if when > today:
        raise BadInput(label, "is in the future")
    return when


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    text: str

    @property
    def short(self) -> str:
        return FLAG_SHORT.get(self.code, self.code)


FLAG_SHORT = {
    "fall_risk": "fall risk",
    "fitting_overdue": "fitting overdue",
    "phantom_pain": "phantom pain",
    "severe_side_effect": "grade ≥3 effect",
}


def flags(
    latest_tug: float | None,
    phantom_scores: Sequence[int],
    ongoing_grades: Sequence[tuple[str, int]],
    fitting_window_passed: bool,
) -> list[Flag]:
    """The flags of section 3 of the issue: fall risk, missed first fitting, phantom pain, grade 3+.

    ``phantom_scores`` are phantom limb pain scores oldest first; ``ongoing_grades`` the current
    grade of each ongoing side effect.
    """
    ref = rehab_reference()
    found = []
    if latest_tug is not None and latest_tug >= ref.tug_fall_risk_seconds:
        found.append(
            Flag(
                "fall_risk", f"Fall risk: TUG {latest_tug:g} s (≥ {ref.tug_fall_risk_seconds:g} s)"
            )
        )
    if fitting_window_passed:
        found.append(
            Flag("fitting_overdue", "First prosthetic fitting window passed without fitting")
        )
    if len(phantom_scores) >= 2 and all(s >= ref.phantom_pain_high for s in phantom_scores[-2:]):
        found.append(
            Flag(
                "phantom_pain", f"Phantom pain ≥ {ref.phantom_pain_high} at two consecutive entries"
            )
        )
    severe = [(term, g) for term, g in ongoing_grades if g >= ref.side_effect_grade_flag]
    for term, grade in severe:
        found.append(Flag("severe_side_effect", f"Ongoing grade {grade}: {term}"))
    return found
