"""The conditions an additional rule can name as its ``trigger``, and the anchor each one yields.

Conditions are code (they read treatments); every number they compare against comes from the
protocol file (``threshold_mg_m2``). A trigger returns the (anchor date, treatment) pairs it
fires on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from survtrack.domain.agents import agent_catalogue
from survtrack.domain.case import Case, Surgery, Systemic, Treatment
from survtrack.domain.sites import Limb, Site, amputation_limb
from survtrack.protocols.model import AdditionalRule

WARN_DOXORUBICIN_DOSE_UNKNOWN = "doxorubicin dose unknown"

Firing = tuple[date, Treatment]
Trigger = Callable[[Case, AdditionalRule, list[str]], list[Firing]]


def _doxorubicin_cumulative(case: Case, rule: AdditionalRule, warnings: list[str]) -> list[Firing]:
    """Clinical reference section 5, cardiac rule: the anthracycline courses in order of end date;
    at each, the cumulative doxorubicin-equivalent dose so far reaching the threshold, or a dose
    missing so far, fires an echocardiogram anchored on that course's end."""
    catalogue = agent_catalogue()
    courses: list[tuple[date, date, float | None, Systemic]] = []
    for treatment in case.treatments:
        if isinstance(treatment, Systemic):
            factor = catalogue.anthracycline_factor(treatment.agents)
            if factor is not None:
                dose = treatment.doxorubicin_mg_m2
                equivalent = None if dose is None else dose * factor
                courses.append((treatment.end, treatment.start, equivalent, treatment))
    if not courses:
        return []
    # Order by end, then start: the treatments' order in the case file never matters.
    courses.sort(key=lambda course: course[:2])
    threshold = rule.threshold_mg_m2 if rule.threshold_mg_m2 is not None else 0.0
    total, unknown = 0.0, False
    firings: list[Firing] = []
    for end, _start, equivalent, course in courses:
        if equivalent is None:
            unknown = True
        else:
            total += equivalent
        if unknown or total >= threshold:
            firings.append((end, course))
    if unknown:
        warnings.append(WARN_DOXORUBICIN_DOSE_UNKNOWN)
    return firings


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
