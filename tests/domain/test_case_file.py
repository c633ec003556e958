"""The case file contract: every kind of bad input is refused naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from survtrack.domain.case_file import parse_case, parse_case_json
from survtrack.domain.errors import BadInput

BASE: dict[str, Any] = {
    "tumour": {"site": "extremity", "grade": "3", "size_cm": 8.0},
    "treatments": [{"type": "surgery", "date": "2026-01-10", "procedure": "wide_local_excision"}],
}


def with_(path: str, value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(BASE))
    node = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if value is ...:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (with_("colour", "blue"), "colour"),
        (with_("tumour.site", ...), "tumour.site"),
        (with_("tumour.site", "leg"), "tumour.site"),
        (with_("tumour.grade", "4"), "tumour.grade"),
        (with_("tumour.grade", 3), "tumour.grade"),
        (with_("tumour.nodes", "N2"), "tumour.nodes"),
        (with_("tumour.metastasis", "MX"), "tumour.metastasis"),
        (with_("tumour.size_cm", 0), "tumour.size_cm"),
        (with_("tumour.size_cm", -1.5), "tumour.size_cm"),
        (with_("tumour.size_cm", "8"), "tumour.size_cm"),
        (with_("tumour.histology", "GIST"), "tumour.histology"),
        (with_("tumour.histology", "Kaposi sarcoma"), "tumour.histology"),
        (with_("tumour.stage", "IIIA"), "tumour.stage"),
        (with_("treatments.0.date", "2026-02-30"), "treatments[0].date"),
        (with_("treatments.0.date", "10/01/2026"), "treatments[0].date"),
        (with_("treatments.0.procedure", "biopsy"), "treatments[0].procedure"),
        (with_("treatments.0.procedure", "amputation"), "treatments[0].amputation_level"),
        (with_("treatments.0.amputation_level", "transfemoral"), "treatments[0].amputation_level"),
        (
            with_(
                "treatments.0", {"type": "radiation", "start": "2026-02-01", "end": "2026-01-01"}
            ),
            "treatments[0].end",
        ),
        (
            with_(
                "treatments.0",
                {"type": "radiation", "start": "2026-01-01", "end": "2026-02-01", "dose_gy": 0},
            ),
            "treatments[0].dose_gy",
        ),
        (
            with_(
                "treatments.0",
                {"type": "systemic", "start": "2026-01-01", "end": "2026-02-01", "agents": []},
            ),
            "treatments[0].agents",
        ),
        (
            with_(
                "treatments.0",
                {
                    "type": "systemic",
                    "start": "2026-01-01",
                    "end": "2026-02-01",
                    "agents": ["doxorubicin"],
                    "doxorubicin_mg_m2": -1,
                },
            ),
            "treatments[0].doxorubicin_mg_m2",
        ),
        (
            with_(
                "treatments.0",
                {
                    "type": "systemic",
                    "start": "2026-01-01",
                    "end": "2026-02-01",
                    "agents": ["ifosfamide"],
                    "doxorubicin_mg_m2": 100,
                },
            ),
            "treatments[0].doxorubicin_mg_m2",
        ),
        (with_("treatments.0", {"type": "hormone", "start": "2026-01-01"}), "treatments[0].type"),
        (with_("treatments", []), "surveillance_start"),
        (with_("status", {"state": "deceased"}), "status.date"),
        (with_("status", {"state": "lost"}), "status.state"),
        (with_("recurrences", [{"date": "2026-05-01", "kind": "regional"}]), "recurrences[0].kind"),
        ([1, 2], "case file"),
    ],
)
def test_bad_input_names_the_field(data: Any, field: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_case(data)
    assert info.value.field == field


def test_malformed_json() -> None:
    with pytest.raises(BadInput, match="malformed JSON"):
        parse_case_json('{"tumour": ')


def test_anchor_only_from_treatments_before_the_first_recurrence() -> None:
    data = with_("recurrences", [{"date": "2025-12-01", "kind": "local"}])
    with pytest.raises(BadInput, match="surveillance_start"):
        parse_case(data)
    data["surveillance_start"] = "2025-06-01"
    assert parse_case(data).surveillance_start is not None


def test_valid_case_round_trip() -> None:
    case = parse_case(BASE)
    assert case.tumour.size_cm == 8.0 and case.treatments[0].procedure == "wide_local_excision"


# --- issue 12: bad input that used to slip through -----------------------------------------


def _json_with(path: str, raw_value: str) -> str:
    """The base case as JSON text with one value replaced by raw JSON text."""
    marker = "__RAW__"
    return json.dumps(with_(path, marker)).replace(f'"{marker}"', raw_value)


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        (_json_with("tumour.size_cm", "1e400"), "tumour.size_cm", "number too large"),
        (_json_with("tumour.size_cm", "-1e400"), "tumour.size_cm", "number too large"),
        (_json_with("tumour.size_cm", "9" * 5000), "tumour.size_cm", "too long to convert"),
        (_json_with("tumour.size_cm", "9" * 400), "tumour.size_cm", "number too large"),
        (_json_with("tumour.size_cm", "NaN"), "tumour.size_cm", "must be a number"),
        (_json_with("tumour.grade", "9" * 5000), "tumour.grade", "5000 digits"),
        ("[" * 100_000 + "]" * 100_000, "case file", "nested too deeply"),
        ('{"tumour": ' * 50_000 + "1" + "}" * 50_000, "case file", "nested too deeply"),
    ],
)
def test_numbers_and_nesting_beyond_python_are_bad_input(
    text: str, field: str, reason: str
) -> None:
    with pytest.raises(BadInput) as info:
        parse_case_json(text)
    assert info.value.field == field
    assert reason in info.value.reason


@pytest.mark.parametrize(
    "written",
    ["2025-W50-3", "2025W503", "2025-350", "2025-12-10T00:00", "２０２５-12-10", "+2025-1-10"],
)
def test_only_calendar_dates_written_yyyy_mm_dd(written: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_case(with_("treatments.0.date", written))
    assert info.value.field == "treatments[0].date"
    assert "YYYY-MM-DD" in info.value.reason


@pytest.mark.parametrize("state", ["deceased", "discharged"])
def test_status_date_before_the_anchor_is_refused(state: str) -> None:
    data = with_("status", {"state": state, "date": "2026-01-09"})  # surgery 2026-01-10
    with pytest.raises(BadInput) as info:
        parse_case(data)
    assert info.value.field == "status.date"
    assert "before the start of follow-up (2026-01-10)" in info.value.reason
    data["status"]["date"] = "2026-01-10"
    assert parse_case(data).status.date is not None


@pytest.mark.parametrize(
    "agents",
    [
        ["Adriamycin"],
        ["doxorubicin hydrochloride", "ifosfamide"],
        ["liposomal doxorubicin"],
        ["Pegylated liposomal doxorubicin"],
        ["epirubicin"],
    ],
)
def test_dose_accepted_for_every_anthracycline_name(agents: list[str]) -> None:
    data = with_(
        "treatments.0",
        {
            "type": "systemic",
            "start": "2025-06-01",
            "end": "2025-09-01",
            "agents": agents,
            "doxorubicin_mg_m2": 300,
        },
    )
    case = parse_case(data)
    assert case.treatments[0].doxorubicin_mg_m2 == 300


def test_dose_without_an_anthracycline_names_the_accepted_agents() -> None:
    data = with_(
        "treatments.0",
        {
            "type": "systemic",
            "start": "2025-06-01",
            "end": "2025-09-01",
            "agents": ["ifosfamide", "drug X"],
            "doxorubicin_mg_m2": 300,
        },
    )
    with pytest.raises(BadInput) as info:
        parse_case(data)
    assert info.value.field == "treatments[0].doxorubicin_mg_m2"
    assert "doxorubicin, epirubicin" in info.value.reason


def test_unknown_agents_are_kept_as_written() -> None:
    data = with_(
        "treatments.0",
        {"type": "systemic", "start": "2025-06-01", "end": "2025-09-01", "agents": [" Drug X "]},
    )
    assert parse_case(data).treatments[0].agents == ("Drug X",)
