"""``survtrack overdue`` prints the same rows as the services give the window, in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from survtrack.reports.overdue_export import as_record
from survtrack.services.database import open_database
from survtrack.services.demo import generate_demo
from survtrack.services.overdue import OverdueQuery, overdue_rows
from survtrack.store.audit import Actor
from tests.cli.test_cli import run

AS_OF = date(2026, 11, 23)


def demo_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'overdue.db'}"
    db = open_database(url)
    try:
        generate_demo(db, 150, 9, AS_OF, Actor(None, "demo"))
    finally:
        db.dispose()
    return url


def test_overdue_cli_matches_the_services(tmp_path: Path) -> None:
    url = demo_db(tmp_path)
    db = open_database(url)
    try:
        expected = overdue_rows(db, OverdueQuery(AS_OF))
        physician = expected[0].physician
        expected_one = overdue_rows(db, OverdueQuery(AS_OF, physician=physician))
    finally:
        db.dispose()
    assert len(expected) > 20

    data = json.loads(
        run("overdue", "--db", url, "--as-of", "2026-11-23", "--format", "json").stdout
    )
    assert data == [as_record(row) for row in expected]
    for key in ("mrn", "patient", "kind", "due", "window_end", "days_overdue", "risk", "physician"):
        assert key in data[0]

    result = run(
        "overdue",
        "--db",
        url,
        "--as-of",
        "2026-11-23",
        "--physician",
        str(physician),
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [
        {k: "" if v is None else str(v) for k, v in as_record(e).items()} for e in expected_one
    ]
    assert all(r["physician"] == physician for r in rows)

    text = run("overdue", "--db", url, "--as-of", "2026-11-23").stdout
    assert text.splitlines()[0].split()[:3] == ["mrn", "patient", "kind"]
    assert text.rstrip().endswith(f"{len(expected)} overdue")


def test_overdue_cli_bad_input(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for args, field in (
        (["--as-of", "2026-02-30"], "as-of"),
        (["--kind", "pet"], "kind"),
        (["--min-days", "-1"], "minimum days overdue"),
    ):
        result = run("overdue", "--db", url, *args)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith(f"survtrack: {field}:")
