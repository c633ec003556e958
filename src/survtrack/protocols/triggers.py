"""The conditions an additional rule can name as its ``trigger``, and the anchor each one yields.

Conditions are code (they read treatments); every number they compare against comes from the
protocol file (``threshold_mg_m2``). A trigger returns the (anchor date, treatment) pairs it
fires on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from survtrack.domain.case import Case, Surgery, Systemic, Treatment
from survtrack.domain.sites import Limb, Site, amputation_limb
from survtrack.protocols.model import AdditionalRule

WARN_DOXORUBICIN_DOSE_UNKNOWN = "doxorubicin dose unknown"

Firing = tuple[date, Treatment]
Trigger = Callable[[Case, AdditionalRule, list[str]], list[Firing]]


def _doxorubicin_cumulative(case: Case, rule: AdditionalRule, warnings: list[str]) -> list[Firing]:
    courses = [t for t in case.treatments if isinstance(t, Systemic) and t.has_agent("doxorubicin")]
    if not courses:
        return []
    unknown = any(course.doxorubicin_mg_m2 is None for course in courses)
    total = sum(course.doxorubicin_mg_m2 or 0.0 for course in courses)
    if unknown:
        warnings.append(WARN_DOXORUBICIN_DOSE_UNKNOWN)
    threshold = rule.threshold_mg_m2 if rule.threshold_mg_m2 is not None else 0.0
    if not unknown and total < threshold:
        return []
    last = max(courses, key=lambda course: course.end)
    return [(last.end, last)]


def _surgeries(case: Case, procedure: str) -> list[Surgery]:
    return [t for t in case.treatments if isinstance(t, Surgery) and t.procedure == procedure]


def _amputation(case: Case, rule: AdditionalRule, warnings: list[str]) -> list[Firing]:
    return [(s.date, s) for s in _surgeries(case, "amputation")]


def _amputation_on(limb: Limb) -> Trigger:
    def fire(case: Case, rule: AdditionalRule, warnings: list[str]) -> list[Firing]:
        return [
            (s.date, s)
            for s in _surgeries(case, "amputation")
            if s.amputation_level and amputation_limb(s.amputation_level) is limb
        ]

    return fire


def _limb_sparing_extremity(case: Case, rule: AdditionalRule, warnings: list[str]) -> list[Firing]:
    if case.tumour.site is not Site.EXTREMITY:
        return []
    return [(s.date, s) for s in _surgeries(case, "limb_sparing")]


TRIGGERS: dict[str, Trigger] = {
    "doxorubicin_cumulative": _doxorubicin_cumulative,
    "amputation": _amputation,
    "amputation_lower_limb": _amputation_on(Limb.LOWER),
    "amputation_upper_limb": _amputation_on(Limb.UPPER),
    "limb_sparing_extremity": _limb_sparing_extremity,
}
