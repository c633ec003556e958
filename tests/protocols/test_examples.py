"""Every worked example (tests/data/examples, copied from the shared examples) must come out
event for event and in order."""

from __future__ import annotations

import json

import pytest

from survtrack.domain.case_file import parse_case_json
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.generator import plan_case
from survtrack.protocols.loader import load_protocols
from tests.paths import EXAMPLES

CASES = sorted(EXAMPLES.glob("*.case.json"))


def test_examples_are_present() -> None:
    assert len(CASES) >= 5, f"expected the shared examples in {EXAMPLES}"


@pytest.mark.parametrize("case_path", CASES, ids=lambda p: p.name.split(".")[0])
def test_example_plan_matches(case_path) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads(
        case_path.with_name(case_path.name.replace(".case", ".expected")).read_text()
    )
    plan = plan_case(parse_case_json(case_path.read_text()), load_protocols(), ClinicCalendar())
    assert plan.stage == expected["stage"]
    assert plan.risk == expected["risk"]
    got = [
        {k: e[k] for k in ("kind", "due", "window_start", "window_end", "episode")}
        for e in plan.as_dict()["events"]  # type: ignore[union-attr]
    ]
    assert got == expected["events"]
    for event in plan.events:
        assert event.rule and event.source
        assert event.window_start <= event.suggested <= event.window_end
        assert event.suggested.weekday() < 5
