"""``survtrack fhir`` and ``survtrack import`` as a user runs them: exit codes, messages, files."""

from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from survtrack.services.database import open_database
from survtrack.store.models import AuditEntry, Patient
from tests.cli.test_cli import add_clerk, demo_patients, run

HEADER = "mrn,family_name,given_name,birth_date,sex\n"


def demo(url: str, patients: int = 3) -> str:
    return demo_patients(url, patients, seed=7)


def counts(url: str) -> tuple[int, int]:
    """Patients, and audit entries other than the command's own sign-in and preview."""
    db = open_database(url)
    try:
        with db.read() as session:
            return (
                int(session.scalar(select(func.count()).select_from(Patient)) or 0),
                int(
                    session.scalar(
                        select(func.count())
                        .select_from(AuditEntry)
                        .where(AuditEntry.action.not_in(("sign_in", "read")))
                    )
                    or 0
                ),
            )
    finally:
        db.dispose()


def test_fhir_writes_a_valid_bundle(empty_db_url: str, tmp_path: Path) -> None:
    mrn = demo(empty_db_url)
    out = tmp_path / "p.json"
    result = run("fhir", "--mrn", mrn, "-o", str(out), "--db", empty_db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    bundle = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["identifier"][0]["value"] == mrn


def test_fhir_bad_input(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    demo(url, 1)
    for args, message in (
        (("--mrn", "NOPE", "-o", str(tmp_path / "p.json")), "survtrack: mrn: no patient with MRN"),
        (("--mrn", "NOPE", "-o", str(tmp_path / "p.xml")), "survtrack: output: must be a .json"),
        (
            ("-o", str(tmp_path / "p.json")),
            "survtrack: the following arguments are required: --mrn",
        ),
    ):
        result = run("fhir", *args, "--db", url)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert not (tmp_path / "p.json").exists()


def test_import_dry_run_then_import(empty_db_url: str, tmp_path: Path) -> None:
    add_clerk(empty_db_url)
    extract = tmp_path / "extract.csv"
    extract.write_text(
        HEADER + "A1,Ames,Ann,1960-01-02,female\nA2,Bell,Bo,1961-03-04,m\n", encoding="utf-8"
    )
    dry = run("import", str(extract), "--dry-run", "--db", empty_db_url)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "row 2: new A1",
        "row 3: new A2",
        "import --dry-run: 2 new, 0 to update, 0 unchanged; nothing written",
    ]
    assert counts(empty_db_url)[0] == 0
    done = run("import", str(extract), "--db", empty_db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "import: 2 new, 0 updated, 0 unchanged\n"
    written = counts(empty_db_url)
    assert written[0] == 2
    again = run("import", str(extract), "--db", empty_db_url)
    assert again.stdout == "import: 0 new, 0 updated, 2 unchanged\n"
    assert counts(empty_db_url) == written  # no patient, no audit entry


def test_import_errors_exit_2_named_by_row_and_column(tmp_path: Path) -> None:
    url = add_clerk(f"sqlite:///{tmp_path / 'x.db'}")
    extract = tmp_path / "extract.csv"
    extract.write_text(
        HEADER
        + "A1,Ames,Ann,1960-13-02,female\nA2,Bell,Bo,1961-03-04,m\nA2,Bell,Bo,1961-03-04,m\n",
        encoding="utf-8",
    )
    for extra in (("--dry-run",), ()):
        result = run("import", str(extract), *extra, "--db", url, "--create")
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            "survtrack: row 2, birth_date: '1960-13-02' is not a calendar date",
            "survtrack: row 3, mrn: A2 is also on row 4",
            "survtrack: row 4, mrn: A2 is also on row 3",
        ]
    assert counts(url)[0] == 0
    missing = run("import", str(tmp_path / "nope.csv"), "--dry-run", "--db", url, "--create")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith("survtrack: FILE: no such file")
