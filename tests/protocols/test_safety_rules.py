"""Issue 12 engine rules (clinical reference section 5): agents by catalogue, an echocardiogram at
every course reaching the threshold, GX high risk, one event per kind and day, order independence,
and follow-up dates beyond the calendar."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survtrack.domain.case import Case, Recurrence, Surgery, Systemic, Tumour
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.risk import WARN_GX_HIGH
from survtrack.domain.sites import Site
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.dates import add_months
from survtrack.protocols.generator import Plan, plan_case
from survtrack.protocols.loader import load_protocols
from survtrack.protocols.triggers import WARN_DOXORUBICIN_DOSE_UNKNOWN
from tests.protocols.test_properties import CALENDARS, cases

HIGH_THIGH = Tumour(Site.EXTREMITY, grade=Grade.G3, size_cm=8.0)
SURGERY = Surgery(date(2025, 1, 10), "wide_local_excision")


def plan(case: Case) -> Plan:
    return plan_case(case, load_protocols(), ClinicCalendar())


def echoes(p: Plan) -> list[tuple[date, date, date, int]]:
    return [
        (e.due, e.window_start, e.window_end, e.episode)
        for e in p.events
        if e.kind == "echocardiogram"
    ]


def course(end: date, dose: float | None, *agents: str) -> Systemic:
    return Systemic(date(end.year, 1, 2), end, agents or ("doxorubicin",), dose)


# --- cardiac rule --------------------------------------------------------------------------


def test_an_echo_after_every_course_at_or_over_the_threshold() -> None:
    """The issue's example: 300 mg/m2 in 2025 and 150 more in 2029 give two echoes."""
    first, second = course(date(2025, 3, 31), 300), course(date(2029, 5, 15), 150)
    p = plan(Case(HIGH_THIGH, (first, second, SURGERY)))
    assert echoes(p) == [
        (date(2025, 9, 30), date(2025, 9, 30), date(2026, 3, 31), 1),
        (date(2029, 11, 15), date(2029, 11, 15), date(2030, 5, 15), 1),
    ]


def test_no_echo_before_the_cumulative_dose_reaches_it() -> None:
    courses = (course(date(2025, 3, 1), 150), course(date(2025, 6, 1), 100))
    p = plan(Case(HIGH_THIGH, (*courses, SURGERY)))
    assert [e[0] for e in echoes(p)] == [date(2025, 12, 1)]


def test_a_missing_dose_fires_from_that_course_on() -> None:
    courses = (
        course(date(2025, 2, 1), 100),
        course(date(2025, 4, 1), None),
        course(date(2025, 6, 1), 10),
    )
    p = plan(Case(HIGH_THIGH, (*courses, SURGERY)))
    assert [e[0] for e in echoes(p)] == [date(2025, 10, 1), date(2025, 12, 1)]
    assert WARN_DOXORUBICIN_DOSE_UNKNOWN in p.warnings


@pytest.mark.parametrize(
    "agent",
    [
        "Adriamycin",
        "doxorubicin hydrochloride",
        "liposomal doxorubicin",
        " Pegylated Liposomal Doxorubicin ",
    ],
)
def test_doxorubicin_synonyms_give_the_echo(agent: str) -> None:
    p = plan(Case(HIGH_THIGH, (course(date(2025, 3, 1), 300, agent, "ifosfamide"), SURGERY)))
    assert len(echoes(p)) == 1
    assert not any("catalogue" in w for w in p.warnings)


@pytest.mark.parametrize(
    ("epirubicin", "doxorubicin", "echo"),
    [(300, 0, False), (373, 0, False), (374, 0, True), (300, 50, True), (300, 48, False)],
)
def test_epirubicin_counts_at_its_doxorubicin_equivalent(
    epirubicin: float, doxorubicin: float, echo: bool
) -> None:
    courses = (
        course(date(2025, 3, 1), epirubicin, "epirubicin"),
        course(date(2025, 6, 1), doxorubicin, "doxorubicin"),
    )
    p = plan(Case(HIGH_THIGH, (*courses, SURGERY)))
    assert bool(echoes(p)) is echo


def test_unknown_agent_is_named_in_a_warning() -> None:
    treatments = (course(date(2025, 3, 1), None, "Drug X", "ifosfamide"), SURGERY)
    p = plan(Case(HIGH_THIGH, treatments))
    assert not echoes(p)  # no anthracycline: the cardiac rule ignores it
    named = [w for w in p.warnings if "Drug X" in w]
    assert len(named) == 1 and "not counted by the cardiac rule" in named[0]
    assert not any("ifosfamide" in w for w in p.warnings)


def test_unknown_agent_spellings_give_one_warning_whatever_the_order() -> None:
    a = course(date(2025, 3, 1), None, "drug  x")
    b = course(date(2025, 5, 1), None, "Drug X")
    first, second = plan(Case(HIGH_THIGH, (a, b, SURGERY))), plan(Case(HIGH_THIGH, (b, a, SURGERY)))
    assert first.warnings == second.warnings
    assert len([w for w in first.warnings if "catalogue" in w]) == 1


def test_echo_carries_the_episode_of_its_course() -> None:
    recurrence = Recurrence(date(2027, 1, 1), "distant")
    later = Systemic(date(2027, 2, 1), date(2027, 5, 1), ("doxorubicin",), 100.0)
    p = plan(Case(HIGH_THIGH, (course(date(2025, 3, 1), 200), SURGERY, later), (recurrence,)))
    assert [(e[0], e[3]) for e in echoes(p)] == [(date(2027, 11, 1), 2)]


# --- grade GX ------------------------------------------------------------------------------


@pytest.mark.parametrize("site", list(Site))
def test_grade_gx_takes_the_high_risk_calendar_at_every_site(site: Site) -> None:
    p = plan(Case(Tumour(site, grade=Grade.GX, size_cm=1.0), (SURGERY,)))
    assert p.risk == "high"
    assert WARN_GX_HIGH == "grade not assessable (GX): high-risk calendar used"
    assert WARN_GX_HIGH in p.warnings
    if site in (Site.EXTREMITY, Site.TRUNK, Site.RETROPERITONEUM):
        assert p.stage == "IA"  # staging still groups GX with G1
    kinds = {e.kind for e in p.events}
    assert "chest_ct" in kinds and "chest_xray" not in kinds


def test_desmoid_with_gx_has_no_grade_warning() -> None:
    p = plan(Case(Tumour(Site.TRUNK, histology="desmoid", grade=Grade.GX), (SURGERY,)))
    assert p.risk == "any" and WARN_GX_HIGH not in p.warnings


def test_histology_words_choose_the_protocol() -> None:
    ups = "leiomyosarcoma, reviewed by sarcoma pathologist"
    assert plan(Case(Tumour(Site.VISCERAL, histology=ups, grade=Grade.G2), (SURGERY,))).events
    plantar = plan(
        Case(
            Tumour(
                Site.EXTREMITY,
                "lower",
                histology="plantar fibromatosis",
                grade=Grade.G1,
                size_cm=2.0,
            ),
            (SURGERY,),
        )
    )
    assert plantar.protocol == "extremity-trunk-head-neck"
    kaposiform = Tumour(Site.TRUNK, histology="kaposiform hemangioendothelioma", grade=Grade.G2)
    assert plan(Case(kaposiform, (SURGERY,))).events
    deep = plan(Case(Tumour(Site.TRUNK, histology="deep fibromatosis"), (SURGERY,)))
    assert deep.protocol == "desmoid"


# --- one event per kind and day ------------------------------------------------------------


def test_two_rules_on_one_day_merge_with_the_narrowest_window() -> None:
    # limb-sparing on 1 March: pt_assessment due 1 April, +-14 days; an amputation on 4 March:
    # week 4 is also 1 April, +-7 days.
    sparing = Surgery(date(2026, 3, 1), "limb_sparing")
    amputation = Surgery(date(2026, 3, 4), "amputation", "transtibial")
    for order in ((sparing, amputation), (amputation, sparing)):
        p = plan(Case(HIGH_THIGH, order))
        on_day = [e for e in p.events if e.kind == "pt_assessment" and e.due == date(2026, 4, 1)]
        assert len(on_day) == 1
        event = on_day[0]
        assert (event.window_start, event.window_end) == (date(2026, 3, 25), date(2026, 4, 8))
        assert event.rule == "amputation-rehab-pt"


def test_merged_window_is_latest_start_and_earliest_end() -> None:
    # Upper-limb first fitting: due amputation + 30 days, window amputation..due. Lower-limb
    # fitting: due amputation + 6 weeks, window due..due + 14 days. Same due date: the window is
    # the one day both allow, the rule the narrower one's (lower limb, 14 days).
    upper = Surgery(date(2026, 3, 14), "amputation", "transradial")  # + 30 d = 13 April
    lower = Surgery(date(2026, 3, 2), "amputation", "transtibial")  # + 6 w = 13 April
    results = []
    for order in ((upper, lower), (lower, upper)):
        p = plan(Case(HIGH_THIGH, order))
        fittings = [e for e in p.events if e.kind == "prosthetic_fitting"]
        results.append(fittings)
        on_day = [e for e in fittings if e.due == date(2026, 4, 13)]
        assert len(on_day) == 1
        assert (on_day[0].window_start, on_day[0].window_end) == (
            date(2026, 4, 13),
            date(2026, 4, 13),
        )
        assert on_day[0].rule == "amputation-lower-fitting"
    assert results[0] == results[1]


def test_same_day_treatments_give_one_event_each() -> None:
    amputation = Surgery(date(2026, 3, 2), "amputation", "transfemoral")
    p = plan(Case(HIGH_THIGH, (amputation, amputation)))
    assert len([e for e in p.events if e.kind == "pt_assessment"]) == 13


LISTS = st.lists(st.integers(0, 100), min_size=8, max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), calendar_key=st.sampled_from(list(CALENDARS)), data=st.data())
def test_plan_never_depends_on_the_order_of_treatments(
    case: Case, calendar_key: str | None, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(case.treatments))
    calendar = CALENDARS[calendar_key]
    protocols = load_protocols()
    first = plan_case(case, protocols, calendar)
    second = plan_case(
        Case(case.tumour, tuple(shuffled), case.recurrences, case.status), protocols, calendar
    )
    assert first.as_dict() == second.as_dict()
    keys = [(e.episode, e.kind, e.due) for e in first.events]
    assert len(keys) == len(set(keys)), "one event per episode, kind and day"


@settings(max_examples=100, deadline=None)
@given(
    doses=st.lists(st.one_of(st.none(), st.floats(0, 400)), min_size=1, max_size=5),
    agent=st.sampled_from(["doxorubicin", "Adriamycin", "epirubicin", "liposomal doxorubicin"]),
)
def test_cardiac_rule_matches_the_reference_table(doses: list[float | None], agent: str) -> None:
    factor = 0.67 if agent == "epirubicin" else 1.0
    courses = [course(date(2020 + i, 6, 30), dose, agent) for i, dose in enumerate(doses)]
    p = plan(Case(HIGH_THIGH, (*courses, Surgery(date(2026, 1, 10), "other"))))
    expected = []
    total, unknown = 0.0, False
    for c in courses:
        if c.doxorubicin_mg_m2 is None:
            unknown = True
        else:
            total += c.doxorubicin_mg_m2 * factor
        if unknown or total >= 250:
            expected.append(add_months(c.end, 6))
    assert [e[0] for e in echoes(p)] == expected
    assert (WARN_DOXORUBICIN_DOSE_UNKNOWN in p.warnings) is (None in doses)


# --- dates beyond the calendar -------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "field"),
    [
        (Case(HIGH_THIGH, (), surveillance_start=date(9999, 12, 31)), "surveillance_start"),
        (Case(HIGH_THIGH, (Surgery(date(9995, 6, 1), "other"),)), "treatments[0].date"),
        (
            Case(
                HIGH_THIGH,
                (SURGERY, Surgery(date(9999, 1, 1), "amputation", "transfemoral")),
                surveillance_start=date(2025, 2, 1),
            ),
            "treatments[1].date",
        ),
        (
            Case(HIGH_THIGH, (SURGERY,), (Recurrence(date(9999, 12, 31), "local"),)),
            "recurrences[0].date",
        ),
    ],
)
def test_follow_up_beyond_the_calendar_is_bad_input(case: Case, field: str) -> None:
    with pytest.raises(BadInput) as info:
        plan(case)
    assert info.value.field == field
    assert "is too late: follow-up dates from it fall after the year 9999" in info.value.reason
