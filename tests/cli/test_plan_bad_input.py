"""`survtrack plan` on the bad input of issue 12: one line naming the field, exit 2, nothing on
standard output; and the plan's warnings for the new rules."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BASE = {
    "tumour": {"site": "extremity", "grade": "3", "size_cm": 8.0},
    "treatments": [{"type": "surgery", "date": "2026-01-10", "procedure": "wide_local_excision"}],
}


def plan(text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "survtrack", "plan", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
    )


def case_text(**changes: object) -> str:
    data = json.loads(json.dumps(BASE))
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (case_text().replace("8.0", "1e400"), "tumour.size_cm"),
        (case_text().replace("8.0", "7" * 5000), "tumour.size_cm"),
        (case_text(surveillance_start="9999-12-31"), "surveillance_start"),
        (
            case_text(
                treatments=[
                    {
                        "type": "surgery",
                        "date": "9999-12-31",
                        "procedure": "amputation",
                        "amputation_level": "transtibial",
                    }
                ]
            ),
            "treatments[0].date",
        ),
        ('{"tumour": ' * 100_000 + "}" * 100_000, "case file"),
        ("[" * 100_000, "case file"),
        (case_text(surveillance_start="2025-W50-3"), "surveillance_start"),
        (case_text(status={"state": "deceased", "date": "2026-01-09"}), "status.date"),
        (case_text(status={"state": "discharged", "date": "2025-W01-1"}), "status.date"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(text: str, field: str) -> None:
    result = plan(text)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    line = result.stderr.rstrip("\n")
    assert "\n" not in line and line.startswith(f"survtrack: {field}: ")
    assert "Traceback" not in result.stderr


def test_plan_warns_gx_and_names_unknown_agents() -> None:
    text = case_text(
        tumour={"site": "extremity", "grade": "X", "size_cm": 3.0},
        treatments=[
            {
                "type": "systemic",
                "start": "2025-06-01",
                "end": "2025-09-01",
                "agents": ["Adriamycin", "Drug X"],
                "doxorubicin_mg_m2": 300,
            },
            {"type": "surgery", "date": "2026-01-10", "procedure": "wide_local_excision"},
        ],
    )
    result = plan(text)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["stage"], data["risk"]) == ("IA", "high")
    assert "grade not assessable (GX): high-risk calendar used" in data["warnings"]
    assert any('"Drug X"' in w for w in data["warnings"])
    assert [e["due"] for e in data["events"] if e["kind"] == "echocardiogram"] == ["2026-03-01"]
