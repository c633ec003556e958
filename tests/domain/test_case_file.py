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
