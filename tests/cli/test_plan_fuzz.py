"""Fuzzing `survtrack plan` (issue 14): whatever the case file holds (malformed JSON, wrong
types, huge numbers, deep nesting, random bytes) the contract holds: a plan (exit 0), or exit 2
with exactly one line on stderr naming the field and nothing on stdout. Never a traceback.

Most runs call the command in-process (fast); a few go through a real subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survtrack.cli import parse, run_command

BASE: dict[str, Any] = {
    "tumour": {"site": "extremity", "grade": "3", "size_cm": 8.0, "depth": "deep"},
    "treatments": [
        {"type": "surgery", "date": "2026-01-10", "procedure": "wide_local_excision"},
        {"type": "radiation", "start": "2025-10-01", "end": "2025-11-10", "dose_gy": 50},
    ],
    "surveillance_start": "2026-02-01",
}
LINE = re.compile(r"^survtrack: (?P<field>[^:\n]+): (?P<reason>[^\n]+)$")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["", "2026-02-30", "0000-01-01", "9999-12-31", "2026-01-10T00:00", "１２"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths(inner, (*prefix, index))
    return found


PATHS = paths(BASE)


def replaced(path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(BASE))
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return data


def run_in_process(
    tmp: Path, content: bytes, capfd: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    case = tmp / "case.json"
    case.write_bytes(content)
    capfd.readouterr()
    code = run_command(parse(["plan", str(case)]))
    out, err = capfd.readouterr()
    return code, out, err


def assert_contract(code: int, out: str, err: str, field_prefix: str | None = None) -> None:
    assert "Traceback" not in err
    if code == 0:
        assert out.strip(), "a plan with nothing on stdout"
        return
    assert code == 2, (code, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    match = LINE.match(lines[0])
    assert match, err
    if field_prefix is not None:
        field = match["field"]
        assert field.startswith(field_prefix) or field in ("case file", "CASE.json"), (
            field_prefix,
            err,
        )


FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(st.sampled_from(PATHS), json_values)
def test_a_wrong_value_anywhere_is_named(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], path: tuple[Any, ...], value: Any
) -> None:
    text = json.dumps(replaced(path, value))
    code, out, err = run_in_process(tmp_path, text.encode(), capfd)
    assert_contract(code, out, err, str(path[0]))


@FUZZ
@given(json_values)
def test_any_json_document_keeps_the_contract(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], value: Any
) -> None:
    code, out, err = run_in_process(tmp_path, json.dumps(value).encode(), capfd)
    assert_contract(code, out, err)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_keep_the_contract(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], content: bytes
) -> None:
    code, out, err = run_in_process(tmp_path, content, capfd)
    assert_contract(code, out, err)


@FUZZ
@given(
    st.sampled_from(PATHS),
    st.integers(min_value=1, max_value=3),
    st.sampled_from(["{", "[", '"', "}", ",", ":"]),
)
def test_truncated_and_damaged_files_keep_the_contract(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], path: tuple[Any, ...], cut: int, junk: str
) -> None:
    text = json.dumps(BASE)
    at = len(text) * cut // 4
    code, out, err = run_in_process(tmp_path, (text[:at] + junk + text[at:]).encode(), capfd)
    assert_contract(code, out, err)


HUGE = [
    "[" * 200_000,
    '{"tumour": ' * 50_000 + "1" + "}" * 50_000,
    json.dumps(replaced(("tumour", "size_cm"), 10**4000))
    if False
    else json.dumps(BASE).replace("8.0", "9" * 100_000),
    json.dumps(replaced(("treatments",), [BASE["treatments"][0]] * 100_000)),
    json.dumps(replaced(("tumour", "grade"), "3" * 5_000_000)),
    json.dumps({**BASE, **{f"k{i}": i for i in range(100_000)}}),
    json.dumps(BASE).replace('"2026-01-10"', '"' + "2026-01-10" * 100_000 + '"'),
    "\ufeff" + json.dumps(BASE),
    json.dumps(BASE) + " trailing",
    json.dumps(BASE).replace('"size_cm": 8.0', '"size_cm": 8.0, "size_cm": "eight"'),
]


@pytest.mark.parametrize("text", HUGE, ids=range(len(HUGE)))
def test_huge_and_deeply_nested_files(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], text: str
) -> None:
    code, out, err = run_in_process(tmp_path, text.encode("utf-8"), capfd)
    assert_contract(code, out, err)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        ("[" * 100_000).encode(),
        json.dumps(replaced(("tumour",), [1, 2, 3])).encode(),
        json.dumps(BASE).replace("8.0", "1e400").encode(),
    ],
    ids=["bytes", "nested", "wrong-type", "huge-number"],
)
def test_real_subprocess_runs_keep_the_contract(content: bytes) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "survtrack", "plan", "-"],
        input=content,
        capture_output=True,
        timeout=120,
    )
    assert_contract(done.returncode, done.stdout.decode(), done.stderr.decode(errors="replace"))
    assert done.returncode == 2
