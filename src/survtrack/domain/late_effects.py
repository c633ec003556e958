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
    "limb_pain": "Pain in the operated limb",
}
#: pain kinds flagged when high at two consecutive entries (sensation is not pain)
FLAGGED_PAINS = ("phantom_pain", "residual_limb_pain")
DISCIPLINES = ("PT", "OT")
REFERRAL_KINDS = ("equipment", "prosthetist", "psychology", "peer_support", "other")


@dataclass(frozen=True, slots=True)
class CtcaeTerm:
    term: str
    organ_class: str
    usual_cause: str
    grades: tuple[int, ...] = (1, 2, 3, 4, 5)  # the grades CTCAE v5.0 defines for this term
    meddra_code: int = 0
    source: str = ""
    plain: tuple[tuple[str, str], ...] = ()  # (language, what the term means for a patient)

    def plain_in(self, language: str) -> str | None:
        return dict(self.plain).get(language)

    @property
    def grades_words(self) -> str:
        """The allowed grades in words: "1 to 3", "2 only"."""
        return grades_words(self.grades)


def grades_words(grades: Sequence[int]) -> str:
    if len(grades) == 1:
        return f"{grades[0]} only"
    if list(grades) == list(range(grades[0], grades[-1] + 1)):
        return f"{grades[0]} to {grades[-1]}"
    return ", ".join(str(g) for g in grades[:-1]) + f" or {grades[-1]}"


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
    event_kind: str | None  # its target is the n-th calendar event of this kind; None: no target
    occurrence: int


@dataclass(frozen=True, slots=True)
class Programme:
    """What a kind of plan records: its milestones, measures and pain scores, and its flags."""

    code: str
    name: str
    k_levels: bool
    tug_fall_flag: bool
    measures: tuple[str, ...]
    pains: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    source: str


@dataclass(frozen=True, slots=True)
class AmputationLevel:
    code: str
    label: str
    limb: str  # upper, lower


@dataclass(frozen=True, slots=True)
class RehabReference:
    measures: dict[str, Measure]
    k_levels: dict[str, str]
    programmes: dict[str, Programme]
    levels: dict[str, AmputationLevel]
    tug_fall_risk_seconds: float
    phantom_pain_high: int
    side_effect_grade_flag: int

    def programme(self, reason: str, level: str | None) -> Programme:
        """The programme of a plan: limb-sparing, or the amputated limb's (lower if unknown)."""
        if reason == "limb_sparing":
            return self.programmes["limb_sparing"]
        found = self.levels.get(level or "")
        return self.programmes[f"{found.limb if found else 'lower'}_amputation"]

    def level_label(self, level: str | None) -> str:
        if not level:
            return ""
        found = self.levels.get(level)
        return found.label if found else level.replace("_", " ")


@lru_cache(maxsize=1)
def ctcae() -> tuple[tuple[CtcaeTerm, ...], dict[int, str]]:
    data = tomllib.loads(resource("ctcae", "terms.toml").read_text(encoding="utf-8"))
    terms = []
    for t in data["terms"]:
        grades = tuple(sorted({int(g) for g in t["grades"]}))
        if not grades or not set(grades) <= {1, 2, 3, 4, 5} or not t.get("source"):
            raise ValueError(f"ctcae/terms.toml: {t['term']!r} needs grades 1-5 and a source")
        terms.append(
            CtcaeTerm(
                t["term"],
                t["organ_class"],
                t["usual_cause"],
                grades,
                int(t["meddra_code"]),
                t["source"],
                tuple(t.get("plain", {}).items()),
            )
        )
    return tuple(terms), {int(k): v for k, v in data["grades"].items()}


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
    programmes = {}
    for code, p in data["programmes"].items():
        unknown = [m for m in p["measures"] if m not in measures] + [
            k for k in p["pains"] if k not in PAIN_KINDS
        ]
        if unknown or not p.get("source"):
            raise ValueError(f"rehab.toml programme {code!r}: unknown {unknown} or no source")
        programmes[code] = Programme(
            code,
            p["name"],
            bool(p["k_levels"]),
            bool(p["tug_fall_flag"]),
            tuple(p["measures"]),
            tuple(p["pains"]),
            tuple(
                Milestone(m["code"], m["name"], m.get("event_kind"), int(m.get("occurrence", 1)))
                for m in p["milestones"]
            ),
            p["source"],
        )
    levels = {
        code: AmputationLevel(code, v["label"], v["limb"])
        for code, v in data["amputation_levels"].items()
    }
    flags = data["flags"]
    return RehabReference(
        measures,
        dict(data["k_levels"]),
        programmes,
        levels,
        float(flags["tug_fall_risk_seconds"]),
        int(flags["phantom_pain_high"]),
        int(flags["side_effect_grade_flag"]),
    )


def check_term(term: str) -> CtcaeTerm:
    found = find_term(term)
    if found is not None:
        return found
    raise BadInput("Term", f"{term!r} is not in the CTCAE catalogue")


def find_term(term: str) -> CtcaeTerm | None:
    return next((t for t in ctcae()[0] if t.term == term), None)


def check_grade(grade: int | None, term: CtcaeTerm | None = None) -> int:
    """The grade, if CTCAE v5.0 defines it (for ``term`` when given; 1 to 5 otherwise)."""
    if grade is None or not 1 <= grade <= 5:
        raise BadInput("Grade", "must be 1 to 5")
    if term is not None and grade not in term.grades:
        raise BadInput(
            "Grade",
            f"CTCAE v5.0 grades {term.term} {term.grades_words}; grade {grade} does not exist "
            "for it",
        )
    return grade


def check_measure(code: str, value: float | None, programme: Programme | None = None) -> Measure:
    measure = rehab_reference().measures.get(code)
    if measure is None:
        raise BadInput("Measure", f"{code!r} is not a known outcome measure")
    if programme is not None and code not in programme.measures:
        raise BadInput("Measure", f"{measure.name} is not a measure for {programme.name.lower()}")
    if value is None:
        raise BadInput(measure.name, "a value is required")
    if not measure.minimum <= value <= measure.maximum:
        raise BadInput(
            measure.name,
            f"must be between {measure.minimum:g} and {measure.maximum:g} {measure.unit}",
        )
    return measure


def check_pain(kind: str, score: int | None, programme: Programme | None = None) -> None:
    if kind not in PAIN_KINDS:
        raise BadInput("Pain", f"kind must be one of {', '.join(PAIN_KINDS.values())}")
    if programme is not None and kind not in programme.pains:
        raise BadInput(PAIN_KINDS[kind], f"is not recorded after {programme.name.lower()}")
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
    "residual_limb_pain": "residual limb pain",
    "severe_side_effect": "grade ≥3 effect",
}


def flags(
    latest_tug: float | None,
    phantom_scores: Sequence[int],
    ongoing_grades: Sequence[tuple[str, int]],
    fitting_window_passed: bool,
    residual_scores: Sequence[int] = (),
) -> list[Flag]:
    """The flags: fall risk, missed first fitting, phantom or residual limb pain, grade 3+.

    ``latest_tug`` is given only for a lower-limb prosthesis user (the fall-risk threshold was
    set in that group); ``phantom_scores`` and ``residual_scores`` are pain scores oldest first;
    ``ongoing_grades`` the current grade of each ongoing side effect.
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
    for code, label, scores in (
        ("phantom_pain", "Phantom pain", phantom_scores),
        ("residual_limb_pain", "Residual limb pain", residual_scores),
    ):
        if len(scores) >= 2 and all(s >= ref.phantom_pain_high for s in scores[-2:]):
            found.append(
                Flag(code, f"{label} ≥ {ref.phantom_pain_high} at two consecutive entries")
            )
    severe = [(term, g) for term, g in ongoing_grades if g >= ref.side_effect_grade_flag]
    for term, grade in severe:
        found.append(Flag("severe_side_effect", f"Ongoing grade {grade}: {term}"))
    return found
