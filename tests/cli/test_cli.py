"""The command-line contract, run as a user runs it: real subprocesses, exit codes, output."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.paths import EXAMPLES

#: the account the command-line tests sign in with (see ``add_clerk``)
CLERK = "clerk"
CLERK_PASSWORD = "a clerk's long passphrase"
SIGNED_IN = {"SURVTRACK_USER": CLERK, "SURVTRACK_PASSWORD": CLERK_PASSWORD}


def add_clerk(url: str, role: str = "administrator", name: str = CLERK) -> str:
    """The test account ``name`` with ``role`` in the database at ``url`` (migrated, and the
    account written straight to the table, when missing). Returns ``url``."""
    from datetime import UTC, datetime

    from argon2 import PasswordHasher
    from sqlalchemy import select

    from survtrack.services.database import open_database
    from survtrack.store.audit import SYSTEM
    from survtrack.store.models import User

    db = open_database(url)
    try:
        with db.write(SYSTEM) as session:
            if session.scalar(select(User.id).where(User.username == name)) is None:
                session.add(
                    User(
                        username=name,
                        full_name="Clerk Tester",
                        role=role,
                        password_hash=PasswordHasher().hash(CLERK_PASSWORD),
                        active=True,
                        created_at=datetime.now(UTC),
                    )
                )
    finally:
        db.dispose()
    return url


def demo_patients(url: str, patients: int = 2, seed: int = 3) -> str:
    """The clerk and a few demo patients in the database at ``url``; returns the first MRN."""
    from datetime import date

    from sqlalchemy import select

    from survtrack.services.database import open_database
    from survtrack.services.demo import generate_demo
    from survtrack.store.audit import Actor
    from survtrack.store.models import Patient

    add_clerk(url)
    db = open_database(url)
    try:
        generate_demo(db, patients, seed, date(2026, 11, 23), Actor(None, "demo"))
        with db.read() as session:
            mrn = session.scalar(select(Patient.mrn).order_by(Patient.id).limit(1))
    finally:
        db.dispose()
    assert mrn is not None
    return mrn


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, signed in as ``CLERK`` unless ``env`` says otherwise."""
    return subprocess.run(
        [sys.executable, "-m", "survtrack", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **SIGNED_IN, **(env or {})},
    )


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("stage", "plan", "demo", "--db", "--demo"):
        assert command in result.stdout


def test_demo_fills_the_database(tmp_path: Path) -> None:
    missing_path = tmp_path / "missing.db"
    missing = run("demo", "--patients", "25", "--seed", "4", "--db", f"sqlite:///{missing_path}")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr == f"survtrack: no database at {missing_path}; use --create to make one\n"
    assert not missing_path.exists()
    url = add_clerk(f"sqlite:///{tmp_path / 'cli.db'}")
    result = run("demo", "--patients", "25", "--seed", "4", "--db", url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("demo: added 25 patients")
    again = run("--db", url, "demo", "--patients", "5")
    assert again.returncode == 0 and "added 5 patients" in again.stdout
    from survtrack.services.database import open_database
    from survtrack.services.patient_search import count_patients

    db = open_database(url)
    try:
        assert count_patients(db) == 30
    finally:
        db.dispose()


def test_demo_without_db_fills_only_the_demo_database(tmp_path: Path) -> None:
    """``SURVTRACK_DB`` names the clinic's database: ``survtrack demo`` never writes there."""
    from survtrack.services.database import open_database
    from survtrack.services.locations import demo_db_url
    from survtrack.services.patient_search import count_patients

    clinic = tmp_path / "clinic.db"
    data = tmp_path / "data"
    result = run(
        "demo",
        "--patients",
        "3",
        "--no-events",
        env={"SURVTRACK_DB": f"sqlite:///{clinic}", "SURVTRACK_DATA_DIR": str(data)},
    )
    assert result.returncode == 0, result.stderr
    assert not clinic.exists()
    assert (data / "survtrack-demo.db").exists()
    assert demo_db_url().endswith("survtrack-demo.db")
    db = open_database(f"sqlite:///{data / 'survtrack-demo.db'}")
    try:
        assert count_patients(db) == 3
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("args", "stdout"),
    [
        (["--site", "extremity", "--size-cm", "8", "--grade", "3"], "IIIA\n"),
        (
            ["--site", "retroperitoneum", "--size-cm", "3", "--grade", "1", "--nodes", "N1"],
            "IIIB\n",
        ),
        (["--site", "trunk", "--size-cm", "5.0", "--grade", "1"], "IA\n"),
        (["--site", "trunk", "--size-cm", "5.1", "--grade", "1"], "IB\n"),
        (["--site", "visceral", "--grade", "2"], "none\n"),
    ],
)
def test_stage_text(args: list[str], stdout: str) -> None:
    result = run("stage", *args)
    assert result.returncode == 0 and result.stdout == stdout


def test_stage_json() -> None:
    result = run(
        "stage",
        "--site",
        "head_neck",
        "--size-cm",
        "3",
        "--grade",
        "X",
        "--t4-invasion",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["site"] == "head_neck" and data["t"] == "T4" and data["stage"] is None
    assert any("GX" in w for w in data["warnings"])


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["stage", "--site", "leg"], "--site"),
        (["stage", "--site", "trunk", "--size-cm", "0"], "size-cm"),
        (["stage", "--site", "trunk", "--size-cm", "abc"], "--size-cm"),
        (["stage", "--site", "trunk", "--grade", "4"], "--grade"),
        (["stage"], "--site"),
        (["plan", "/no/such/case.json"], "CASE.json"),
        (["demo", "--patients", "0"], "patients"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], field: str, tmp_path: Path) -> None:
    result = run(*args, env={"SURVTRACK_DB": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and field in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("{not json", "case file"),
        ('{"tumour": {"site": "extremity"}, "treatments": [], "extra": 1}', "extra"),
        ('{"tumour": {"site": "extremity"}}', "surveillance_start"),
        (
            '{"tumour": {"site": "extremity", "histology": "GIST"}, '
            '"surveillance_start": "2026-01-01"}',
            "tumour.histology",
        ),
        (
            '{"tumour": {"site": "extremity", "size_cm": -2}, "surveillance_start": "2026-01-01"}',
            "tumour.size_cm",
        ),
        (
            '{"tumour": {"site": "extremity"}, "surveillance_start": "2026-13-01"}',
            "surveillance_start",
        ),
    ],
)
def test_plan_bad_case_exit_2(case: str, field: str) -> None:
    result = run("plan", "-", stdin=case)
    assert result.returncode == 2 and result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"survtrack: {field}:")


@pytest.mark.parametrize("name", ["ext_iiia_rt_chemo", "local_recurrence"])
def test_plan_json_matches_example(name: str) -> None:
    result = run("plan", str(EXAMPLES / f"{name}.case.json"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = json.loads((EXAMPLES / f"{name}.expected.json").read_text())
    assert data["stage"] == expected["stage"] and data["risk"] == expected["risk"]
    assert [
        {k: e[k] for k in ("kind", "due", "window_start", "window_end", "episode")}
        for e in data["events"]
    ] == expected["events"]
    assert set(data) == {"stage", "risk", "protocol", "warnings", "events"}
    assert all(e["rule"] and e["source"] and e["suggested"] for e in data["events"])


def test_plan_csv_and_ics_agree_with_json() -> None:
    case = str(EXAMPLES / "rp_low.case.json")
    events = json.loads(run("plan", case).stdout)["events"]
    rows = list(csv.DictReader(io.StringIO(run("plan", case, "--format", "csv").stdout)))
    assert [(r["kind"], r["due"], r["rule"]) for r in rows] == [
        (e["kind"], e["due"], e["rule"]) for e in events
    ]
    ics = Calendar.from_ical(run("plan", case, "--format", "ics").stdout)
    vevents = [c for c in ics.walk("VEVENT")]
    assert len(vevents) == len(events)
    assert str(ics["METHOD"]) == "PUBLISH"
    assert vevents[0].decoded("dtstart").isoformat() == events[0]["suggested"]
    assert len({str(v["UID"]) for v in vevents}) == len(events)
    assert "liposarcoma" not in run("plan", case, "--format", "ics").stdout


def test_plan_ics_uids_come_from_the_patients_key_and_the_text_names_no_rule() -> None:
    desmoid = json.dumps(
        {
            "tumour": {"site": "extremity", "histology": "desmoid tumour"},
            "treatments": [{"type": "surgery", "date": "2026-01-10", "procedure": "other"}],
        }
    )
    key_a, key_b = "a1" * 16, "b2" * 16

    def uids(key: str | None) -> tuple[set[str], str]:
        args = ["plan", "-", "--format", "ics"] + (["--calendar-key", key] if key else [])
        result = run(*args, stdin=desmoid)
        assert result.returncode == 0, result.stderr
        calendar = Calendar.from_ical(result.stdout)
        return {str(v["UID"]) for v in calendar.walk("VEVENT")}, result.stdout

    first, text = uids(key_a)
    assert first == uids(key_a)[0]  # the same patient's key: the same UIDs
    assert not first & uids(key_b)[0]  # another patient: none shared
    assert not first & uids(None)[0]  # no key: a random one
    unfolded = text.replace("\r\n ", "").lower()
    assert "desmoid" not in unfolded and "rule" not in unfolded
    bad = run("plan", "-", "--format", "ics", "--calendar-key", "1234", stdin=desmoid)
    assert bad.returncode == 2 and bad.stderr.startswith("survtrack: calendar-key:")


def test_plan_with_country_holidays() -> None:
    case = json.dumps(
        {
            "tumour": {"site": "extremity", "grade": "3", "size_cm": 8},
            "surveillance_start": "2026-09-25",
        }
    )
    plain = json.loads(run("plan", "-", stdin=case).stdout)["events"][0]
    gb = json.loads(run("plan", "-", "--country", "GB", "--region", "ENG", stdin=case).stdout)
    assert plain["suggested"] == "2026-12-25"
    assert gb["events"][0]["suggested"] == "2026-12-29"
    bad = run("plan", "-", "--country", "XX", stdin=case)
    assert bad.returncode == 2 and bad.stderr.startswith("survtrack: country:")
