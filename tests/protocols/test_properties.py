"""Property tests of the generator over random cases (hypothesis)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survtrack.domain.case import Case, Radiation, Recurrence, Status, Surgery, Systemic, Tumour
from survtrack.domain.grading import Grade
from survtrack.domain.sites import AMPUTATION_LEVELS, Metastasis, Nodes, Site
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.dates import add_months
from survtrack.protocols.generator import episode_of, plan_case
from survtrack.protocols.loader import load_protocols

DATES = st.dates(date(2020, 1, 1), date(2030, 12, 31))
AGENTS = st.sampled_from(
    [
        ("doxorubicin",),
        ("Adriamycin", "ifosfamide"),
        ("pegylated liposomal doxorubicin",),
        ("epirubicin",),
        ("Drug X",),
        ("drug y", "Drug X", "doxorubicin"),
    ]
)
CALENDARS = {
    None: ClinicCalendar(),
    "US": ClinicCalendar("US", "NY"),
    "closures": ClinicCalendar("FR", closures=[date(2026, 12, 24), date(2027, 1, 4)]),
}


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tumour = Tumour(
        site=draw(st.sampled_from(list(Site))),
        histology=draw(
            st.sampled_from(
                [
                    None,
                    "leiomyosarcoma",
                    "desmoid tumour",
                    "plantar fibromatosis",
                    "leiomyosarcoma, reviewed by sarcoma pathologist",
                ]
            )
        ),
        grade=draw(st.sampled_from([None, *Grade])),
        size_cm=draw(st.one_of(st.none(), st.floats(0.1, 40))),
        nodes=draw(st.sampled_from([None, *Nodes])),
        metastasis=draw(st.sampled_from([None, *Metastasis])),
    )
    start = draw(DATES)
    treatments = []
    for _ in range(draw(st.integers(1, 4))):
        begin = start + timedelta(days=draw(st.integers(0, 1500)))
        kind = draw(st.sampled_from(["surgery", "radiation", "systemic"]))
        if kind == "surgery":
            procedure = draw(st.sampled_from(["amputation", "limb_sparing", "wide_local_excision"]))
            level = draw(st.sampled_from(AMPUTATION_LEVELS)) if procedure == "amputation" else None
            treatments.append(Surgery(begin, procedure, level))
        elif kind == "radiation":
            treatments.append(Radiation(begin, begin + timedelta(days=draw(st.integers(0, 60)))))
        else:
            dose = draw(st.one_of(st.none(), st.floats(0, 600)))
            treatments.append(
                Systemic(
                    begin, begin + timedelta(days=draw(st.integers(0, 200))), draw(AGENTS), dose
                )
            )
    first = min(t.start for t in treatments)
    recurrences = tuple(
        sorted(
            (
                Recurrence(
                    first + timedelta(days=draw(st.integers(1, 2500))),
                    draw(st.sampled_from(["local", "distant"])),
                )
                for _ in range(draw(st.integers(0, 2)))
            ),
            key=lambda r: r.date,
        )
    )
    status = Status()
    if draw(st.booleans()):
        status = Status(
            draw(st.sampled_from(["deceased", "discharged"])),
            first + timedelta(days=draw(st.integers(0, 4000))),
        )
    return Case(tumour, tuple(treatments), recurrences, status)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), calendar_key=st.sampled_from(list(CALENDARS)))
def test_generator_invariants(case: Case, calendar_key: str | None) -> None:
    calendar = CALENDARS[calendar_key]
    plan = plan_case(case, load_protocols(), calendar)
    keys = set()
    by_rule: dict[tuple[str, int], list[date]] = defaultdict(list)
    stop = case.status.date if case.status.ends_surveillance else None
    recurrence_dates = [r.date for r in case.recurrences]
    for event in plan.events:
        assert event.window_start <= event.due <= event.window_end
        key = (event.rule, event.episode, event.due, event.kind)
        assert key not in keys, f"duplicate event {key}"
        keys.add(key)
        by_rule[(event.rule, event.episode)].append(event.due)
        if stop is not None:
            assert event.due < stop
            assert event.suggested < stop
        if any("no open clinic day" in w and event.due.isoformat() in w for w in plan.warnings):
            continue
        assert event.window_start <= event.suggested <= event.window_end
        assert calendar.is_open(event.suggested)
        # site-protocol events of an episode never outlive the next recurrence
        is_site_rule = not event.rule.startswith(("cardiac", "amputation", "limb-sparing"))
        if is_site_rule and event.episode <= len(recurrence_dates):
            assert event.due <= recurrence_dates[event.episode - 1]
    for dues in by_rule.values():
        if len(dues) > 1:
            assert all(a < b for a, b in itertools.pairwise(dues))
    assert list(plan.events) == sorted(
        plan.events, key=lambda e: (e.due, e.kind, e.episode, e.rule)
    )


@given(anchor=DATES, months=st.integers(0, 240))
def test_add_months_clamps_from_the_anchor(anchor: date, months: int) -> None:
    due = add_months(anchor, months)
    total = anchor.month - 1 + months
    assert (due.year, due.month) == (anchor.year + total // 12, total % 12 + 1)
    assert due.day == anchor.day or (due.day < anchor.day and (due + timedelta(days=1)).day == 1)


@given(start=DATES, recurrences=st.lists(DATES, max_size=3, unique=True))
def test_episode_of_counts_recurrences_on_or_before(start: date, recurrences: list[date]) -> None:
    dates = sorted(recurrences)
    assert episode_of(start, dates) == 1 + sum(1 for r in dates if r <= start)


@given(anchor=st.dates(date(1, 1, 1), date(9999, 12, 31)), months=st.integers(-240, 240))
def test_add_months_agrees_with_dateutil(anchor: date, months: int) -> None:
    from dateutil.relativedelta import relativedelta

    try:
        expected: date | None = anchor + relativedelta(months=months)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError):
            add_months.__wrapped__(anchor, months)
    else:
        assert add_months.__wrapped__(anchor, months) == expected
