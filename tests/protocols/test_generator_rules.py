"""The protocol rules of clinical-reference section 5 at their edges."""

from __future__ import annotations

from datetime import date

import pytest

from survtrack.domain.case import Case, Radiation, Recurrence, Status, Surgery, Systemic, Tumour
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.sites import Site
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.generator import WARN_RECURRENCE_NO_TREATMENT, plan_case
from survtrack.protocols.loader import load_protocols
from survtrack.protocols.triggers import WARN_DOXORUBICIN_DOSE_UNKNOWN

HIGH_THIGH = Tumour(Site.EXTREMITY, grade=Grade.G3, size_cm=8.0)
SURGERY = Surgery(date(2026, 1, 10), "wide_local_excision")


def plan(case: Case, calendar: ClinicCalendar | None = None):  # type: ignore[no-untyped-def]
    return plan_case(case, load_protocols(), calendar or ClinicCalendar())


def kinds(p, kind: str) -> list:  # type: ignore[no-untyped-def]
    return [e for e in p.events if e.kind == kind]


def test_high_risk_extremity_ten_years() -> None:
    p = plan(Case(HIGH_THIGH, (SURGERY,)))
    visits = kinds(p, "clinic_visit")
    assert len(visits) == 12 + 4 + 5
    assert visits[0].due == date(2026, 4, 10) and visits[-1].due == date(2036, 1, 10)
    assert len(kinds(p, "primary_site_mri")) == 6 + 2
    assert not kinds(p, "chest_xray")


def test_month_end_anchor_clamps_without_chaining() -> None:
    p = plan(Case(HIGH_THIGH, (Surgery(date(2027, 1, 31), "other"),)))
    dues = [e.due for e in kinds(p, "clinic_visit")][:4]
    # 31 Jan + 3 m = 30 Apr, + 6 m = 31 Jul (not 30 Jul), + 9 m = 31 Oct, + 12 m = 31 Jan
    assert dues == [date(2027, 4, 30), date(2027, 7, 31), date(2027, 10, 31), date(2028, 1, 31)]


def test_29_february_anchor() -> None:
    p = plan(Case(HIGH_THIGH, (Surgery(date(2028, 2, 29), "other"),)))
    yearly = [e.due for e in kinds(p, "clinic_visit") if e.rule.endswith("m60-120")]
    assert yearly[0] == date(2034, 2, 28)
    assert date(2032, 2, 29) in [e.due for e in kinds(p, "clinic_visit")]


@pytest.mark.parametrize(
    ("doses", "echo"),
    [((250.0,), True), ((249.0,), False), ((150.0, 100.0), True), ((None,), True)],
)
def test_cardiac_rule(doses: tuple[float | None, ...], echo: bool) -> None:
    courses = tuple(
        Systemic(date(2025, 6 + 2 * i, 1), date(2025, 7 + 2 * i, 1), (" Doxorubicin ",), dose)
        for i, dose in enumerate(doses)
    )
    p = plan(Case(HIGH_THIGH, (*courses, SURGERY)))
    echos = kinds(p, "echocardiogram")
    assert len(echos) == (1 if echo else 0)
    if echo:
        last_end = courses[-1].end
        assert echos[0].due == date(
            last_end.year + (last_end.month + 6 > 12), (last_end.month + 5) % 12 + 1, 1
        )
        assert echos[0].window_start == echos[0].due
    assert (WARN_DOXORUBICIN_DOSE_UNKNOWN in p.warnings) is (None in doses)


def test_upper_limb_amputation_fittings() -> None:
    tumour = Tumour(Site.EXTREMITY, grade=Grade.G1, size_cm=3.0)
    p = plan(Case(tumour, (Surgery(date(2026, 3, 2), "amputation", "transradial"),)))
    fittings = kinds(p, "prosthetic_fitting")
    assert [(f.due, f.window_start, f.window_end) for f in fittings] == [
        (date(2026, 4, 1), date(2026, 3, 2), date(2026, 4, 1)),
        (date(2026, 9, 2), date(2026, 8, 3), date(2026, 9, 2)),
    ]
    assert len(kinds(p, "pt_assessment")) == 13


def test_limb_sparing_rehab_only_for_extremity() -> None:
    trunk = Tumour(Site.TRUNK, grade=Grade.G1, size_cm=3.0)
    sparing = Surgery(date(2026, 3, 2), "limb_sparing")
    assert not kinds(plan(Case(trunk, (sparing,))), "pt_assessment")
    assert len(kinds(plan(Case(HIGH_THIGH, (sparing,))), "pt_assessment")) == 1
    assert not kinds(plan(Case(HIGH_THIGH, (SURGERY,))), "pt_assessment")


def test_recurrence_supersedes_site_events_but_keeps_the_one_on_the_date() -> None:
    recurrence = date(2026, 10, 10)  # exactly the 9-month visit of the first episode
    p = plan(Case(HIGH_THIGH, (SURGERY,), (Recurrence(recurrence, "local"),)))
    first = [e for e in p.events if e.episode == 1]
    assert max(e.due for e in first) == recurrence
    second = [e for e in p.events if e.episode == 2]
    assert second[0].due == date(2027, 1, 10)  # anchored on the recurrence date itself
    assert WARN_RECURRENCE_NO_TREATMENT in p.warnings


def test_later_episode_is_high_even_after_low_first() -> None:
    low = Tumour(Site.EXTREMITY, grade=Grade.G1, size_cm=3.0)
    p = plan(
        Case(
            low,
            (SURGERY, Radiation(date(2027, 3, 1), date(2027, 4, 1))),
            (Recurrence(date(2027, 2, 1), "distant"),),
        )
    )
    assert p.risk == "low" and p.stage == "IA"
    assert any(e.kind == "chest_ct" and e.episode == 2 for e in p.events)
    assert not any(e.kind == "chest_ct" and e.episode == 1 for e in p.events)


@pytest.mark.parametrize("state", ["deceased", "discharged"])
def test_nothing_due_on_or_after_status_date(state: str) -> None:
    stop = date(2027, 1, 10)  # the due date of a visit: that visit must go too
    p = plan(Case(HIGH_THIGH, (SURGERY,), status=Status(state, stop)))
    assert p.events and max(e.due for e in p.events) < stop
    assert all(e.suggested < stop for e in p.events)


def test_desmoid_any_site_unstaged_without_grade_warning() -> None:
    tumour = Tumour(Site.TRUNK, histology="Desmoid-type FIBROMATOSIS", size_cm=9.0)
    p = plan(Case(tumour, (SURGERY,)))
    assert (p.stage, p.risk, p.protocol) == (None, "any", "desmoid")
    assert not p.warnings


@pytest.mark.parametrize("histology", ["GIST", "gastrointestinal stromal tumour", "Kaposi sarcoma"])
def test_no_default_protocol(histology: str) -> None:
    with pytest.raises(BadInput, match=r"tumour\.histology"):
        plan(Case(Tumour(Site.VISCERAL, histology=histology), (SURGERY,)))


def test_incomplete_staging_uses_high_risk_with_warning() -> None:
    p = plan(Case(Tumour(Site.EXTREMITY, grade=Grade.G1), (SURGERY,)))
    assert p.stage is None and p.risk == "high"
    assert "staging incomplete: high-risk calendar used" in p.warnings


def test_holidays_move_the_suggested_date() -> None:
    # 2026-12-25 is a Friday: GB closes it, no country means open.
    case = Case(HIGH_THIGH, (Surgery(date(2026, 9, 25), "other"),))
    plain = plan(case)
    gb = plan(case, ClinicCalendar("GB", "ENG"))
    first_plain = kinds(plain, "clinic_visit")[0]
    first_gb = kinds(gb, "clinic_visit")[0]
    assert first_plain.due == date(2026, 12, 25) == first_plain.suggested
    assert first_gb.suggested == date(2026, 12, 29)  # 26-28 weekend and Boxing Day substitute


def test_closure_days_respected() -> None:
    case = Case(HIGH_THIGH, (Surgery(date(2026, 9, 23), "other"),))  # first visit Wed 23 Dec
    p = plan(case, ClinicCalendar(closures=[date(2026, 12, 23), date(2026, 12, 24)]))
    assert kinds(p, "clinic_visit")[0].suggested == date(2026, 12, 25)
