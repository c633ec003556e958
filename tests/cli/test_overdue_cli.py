"""``survtrack overdue`` prints the same rows as the services give the window, in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

from survtrack.services.auth import Role, ensure_user
from survtrack.services.database import open_database
from survtrack.services.demo import generate_demo
from survtrack.services.overdue import OverdueQuery, OverdueRow, acknowledge, add_note, overdue_rows
from survtrack.store.audit import Actor
from tests.cli.test_cli import add_clerk, run

AS_OF = date(2026, 11, 23)


def demo_db(url: str) -> str:
    add_clerk(url)
    db = open_database(url)
    try:
        generate_demo(db, 400, 9, AS_OF, Actor(None, "demo"))
    finally:
        db.dispose()
    return url


def record(row: OverdueRow) -> dict[str, object]:
    """What the export must say of a row the window shows, column by column."""
    return {
        "mrn": row.mrn,
        "patient": row.patient,
        "kind": row.kind,
        "due": row.due.isoformat(),
        "window_end": row.window_end.isoformat(),
        "days_overdue": row.days_overdue,
        "missed_slots": row.slots,
        "risk": row.risk,
        "physician": row.physician,
        "state": row.state,
        "booked": row.booked,
        "booked_for": row.booked_at.strftime("%Y-%m-%d %H:%M") if row.booked_at else None,
        "last_done": row.last_done.isoformat() if row.last_done else None,
        "severity": row.severity,
        "acknowledged": row.acknowledged_at.date().isoformat() if row.acknowledged_at else None,
        "acknowledged_by": row.acknowledged_by,
        "hidden_until": row.snoozed_until.isoformat() if row.snoozed_until else None,
        "note": row.note,
    }


def test_overdue_cli_matches_the_services(empty_db_url: str) -> None:
    """On both backends: SQLite gives days as text, PostgreSQL as dates; same output."""
    url = demo_db(empty_db_url)
    db = open_database(url)
    try:
        doctor = ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)
        every = OverdueQuery(AS_OF, section="all")
        some = overdue_rows(db, every)[::3]
        acknowledge(
            db, doctor, some, date(2026, 12, 20), AS_OF, datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
        )
        add_note(db, doctor, some[0].event_id, 'Rebooked at the "other" hospital, see letter')
        expected = overdue_rows(db, every)
        with_hidden = overdue_rows(db, OverdueQuery(AS_OF, section="all", acknowledged=True))
        physician = expected[0].physician
        expected_one = overdue_rows(db, OverdueQuery(AS_OF, physician=physician, section="all"))
    finally:
        db.dispose()
    assert len(expected) > 5 and len(with_hidden) == len(expected) + len(some)

    data = json.loads(
        run("overdue", "--db", url, "--as-of", "2026-11-23", "--format", "json").stdout
    )
    assert data == [record(row) for row in expected]
    data = json.loads(
        run(
            "overdue",
            "--db",
            url,
            "--as-of",
            "2026-11-23",
            "--include-acknowledged",
            "--format",
            "json",
        ).stdout
    )
    assert data == [record(row) for row in with_hidden]
    assert any(r["note"] for r in data) and any(r["hidden_until"] for r in data)
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
        {k: "" if v is None else str(v) for k, v in record(e).items()} for e in expected_one
    ]
    assert all(r["physician"] == physician for r in rows)

    text = run("overdue", "--db", url, "--as-of", "2026-11-23").stdout
    assert text.splitlines()[0].split()[:3] == ["mrn", "patient", "kind"]
    assert text.rstrip().endswith(f"{len(expected)} overdue (one row per patient and kind)")

    # a physician filter finds part of a name, and says so when it matches nobody
    surname = str(physician).split()[-1].lower()
    assert run("overdue", "--db", url, "--as-of", "2026-11-23", "--physician", surname).stdout == (
        run("overdue", "--db", url, "--as-of", "2026-11-23", "--physician", str(physician)).stdout
    )
    nobody = run("overdue", "--db", url, "--physician", "Nobody-at-all")
    assert nobody.returncode == 2 and nobody.stdout == ""
    assert nobody.stderr.startswith("survtrack: physician: no patient's physician matches")


def test_overdue_cli_bad_input(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for args, field in (
        (["--as-of", "2026-02-30"], "as-of"),
        (["--as-of", "2026-W48-1"], "as-of"),
        (["--kind", "pet"], "kind"),
        (["--min-days", "-1"], "minimum days overdue"),
    ):
        result = run("overdue", "--db", url, *args)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith(f"survtrack: {field}:")
