"""The physician's overdue list (one row per patient and kind) on 100,000 demo patients.

Targets (issue 11), each a ratio to a minimal program doing the same work in the same run:
- the overdue list's first page (default order) within 2x of a minimal sqlite3 program that runs
  the same SQL statement (compiled once from the query layer, with literal values; it joins each
  row's patient, note, booking and last completion), computes severity with the domain rule,
  sorts and slices;
- the full CSV export (`survtrack overdue --format csv`, a separate process) within 1.2x of a
  minimal sqlite3 + csv program writing the same file (checked byte for byte), also a process;
- `survtrack demo --patients 100000` in under 180 s (timed when this script builds its database).

    python benchmarks/bench_overdue.py [--patients N] [--db PATH]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

AS_OF = date(2026, 11, 23)
PAGE_RATIO_TARGET = 2.0
EXPORT_RATIO_TARGET = 1.2
DEMO_TARGET_S = 180.0
PAGE = 200
BENCH_USER, BENCH_PASSWORD = "bench", "benchmark passphrase"  # a throwaway database
SIGNED_IN = {"SURVTRACK_USER": BENCH_USER, "SURVTRACK_PASSWORD": BENCH_PASSWORD}


def bench_user(path: Path) -> None:
    """The administrator the benchmark signs in as (the demo into a named file, the export)."""
    from survtrack.services.auth import create_user
    from survtrack.services.database import open_database

    db = open_database(f"sqlite:///{path}")  # makes the schema when the file is new
    try:
        with db.engine.connect() as conn:
            known = conn.exec_driver_sql(
                "SELECT count(*) FROM users WHERE username = ?", (BENCH_USER,)
            ).scalar()
        if not known:
            create_user(db, BENCH_USER, "Benchmark", "administrator", BENCH_PASSWORD, None)
    finally:
        db.dispose(optimize=False)


def build(path: Path, patients: int) -> None:
    if path.exists():
        bench_user(path)
        return
    bench_user(path)  # schema and user first: the timing is the demo's own
    began = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "survtrack",
            "demo",
            "--patients",
            str(patients),
            "--seed",
            "100",
            "--db",
            f"sqlite:///{path}",
        ],
        check=True,
        env={**os.environ, **SIGNED_IN},
    )  # fmt: skip
    elapsed = time.perf_counter() - began
    print(
        f"survtrack demo --patients {patients:,}: {elapsed:.1f} s; target {DEMO_TARGET_S:.0f} s;"
        f" ratio {elapsed / DEMO_TARGET_S:.2f} of target"
    )


def compiled_sql() -> str:
    """The query layer's grouped statement for the whole list, as SQLite text."""
    from sqlalchemy.dialects import sqlite

    from survtrack.services.overdue import OverdueQuery, _group_statement

    statement = _group_statement(OverdueQuery(AS_OF, section="all"))
    return str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


#: The minimal program: sqlite3, csv and the domain's severity rule; no SQLAlchemy, no row
#: objects. It writes the export's columns in the export's order; the page mode sorts and slices.
MINIMAL = r"""
import csv, sqlite3, sys
from datetime import date
from survtrack.domain.overdue import SEVERITY_RANK, Severity, severity
path, as_of, mode, sql = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3], sys.stdin.read()
conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
groups = conn.execute(sql).fetchall()
rows = []
for (eid, pid, kind, due, end, risk, state, version, slots, booking, booked_at, location,
     ack_at, ack_by, snoozed, ack_oldest, ack_slots, ack_booking, note, mrn, family, given,
     physician, last) in groups:
    if snoozed and date.fromisoformat(snoozed[:10]) > as_of and ack_oldest == eid and \
            ack_slots == slots and ack_booking == booking:
        continue
    days = (as_of - date.fromisoformat(end)).days
    rows.append((eid, pid, kind, due, end, days, slots, risk, physician, state, booking,
                 booked_at, mrn, f"{family}, {given}", ack_at, ack_by, snoozed,
                 severity(kind, risk, days, slots).value, note, last))
rows.sort(key=lambda r: r[0])
rows.sort(key=lambda r: (SEVERITY_RANK[Severity(r[17])], -r[5], -r[6]))
if mode == "page":
    print(len(rows[:200]))
    sys.exit()
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(("mrn", "patient", "kind", "due", "window_end", "days_overdue", "missed_slots",
              "risk", "physician", "state", "booked", "booked_for", "last_done", "severity",
              "acknowledged", "acknowledged_by", "hidden_until", "note"))
for (eid, pid, kind, due, end, days, slots, risk, physician, state, booking, booked_at, mrn,
     name, ack_at, ack_by, snoozed, grade, note, last) in rows:
    out.writerow((mrn, name, kind, due, end, days, slots, risk, physician, state,
                  booking is not None, booked_at[:16] if booked_at else None,
                  last, grade, ack_at[:10] if ack_at else None, ack_by,
                  snoozed and snoozed[:10], note))
"""


def run_minimal(path: Path, mode: str, sql: str) -> tuple[float, str]:
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MINIMAL, str(path), AS_OF.isoformat(), mode],
        input=sql, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - began, result.stdout


def run_cli(path: Path) -> tuple[float, str]:
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "survtrack", "overdue", "--db", f"sqlite:///{path}",
         "--as-of", AS_OF.isoformat(), "--format", "csv"],
        capture_output=True, text=True, check=True, env={**os.environ, **SIGNED_IN},
    )  # fmt: skip
    return time.perf_counter() - began, result.stdout


def export_in_process(db) -> str:  # type: ignore[no-untyped-def]
    """The CSV text `survtrack overdue --format csv` writes, made in this process."""
    from survtrack.reports.overdue_export import write_overdue_csv
    from survtrack.services.overdue import OverdueQuery, iter_export_values

    output = io.StringIO()
    write_overdue_csv(iter_export_values(db, OverdueQuery(AS_OF, section="all")), output)
    return output.getvalue()


def sign_in_seconds(db) -> float:  # type: ignore[no-untyped-def]
    """What the CLI's sign-in costs: the password checked (argon2, deliberately slow) and the
    sign-in audited."""
    from survtrack.services.auth import sign_in

    began = time.perf_counter()
    sign_in(db, BENCH_USER, BENCH_PASSWORD)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"survtrack-bench-{args.patients}.db"
    build(path, args.patients)

    from survtrack.services.database import open_database
    from survtrack.services.overdue import OverdueQuery, overdue_rows

    db = open_database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        events = conn.exec_driver_sql("SELECT count(*) FROM followup_events").scalar()
    rows = overdue_rows(db, OverdueQuery(AS_OF, section="all"))
    patients_overdue = len({r.patient_id for r in rows if not r.booked})
    print(
        f"database: {args.patients:,} patients, {events:,} follow-up events; overdue list "
        f"{len(rows):,} rows (patient and kind), {patients_overdue:,} patients with something "
        "overdue and not booked"
    )
    sql = compiled_sql()

    page_times, minimal_page, export_times, sign_ins = [], [], [], []
    for _ in range(5):
        began = time.perf_counter()
        overdue_rows(db, OverdueQuery(AS_OF), 0, PAGE)
        page_times.append(time.perf_counter() - began)
    for _ in range(3):
        # what `survtrack overdue --format csv` does after signing in, in this process
        began = time.perf_counter()
        export_text = export_in_process(db)
        export_times.append(time.perf_counter() - began)
        sign_ins.append(sign_in_seconds(db))
    db.dispose()
    # the minimal program's own time, without its interpreter start
    start_only = statistics.median(
        run_minimal(path, "none", "SELECT 1 WHERE 0")[0] for _ in range(3)
    )
    for _ in range(5):
        elapsed, _ = run_minimal(path, "page", sql)
        minimal_page.append(max(elapsed - start_only, 1e-6))
    page, floor = statistics.median(page_times), statistics.median(minimal_page)
    print(
        f"overdue first page: median {page * 1000:.0f} ms; minimal sqlite3 program "
        f"{floor * 1000:.0f} ms (without its start-up); ratio {page / floor:.2f} "
        f"(target <= {PAGE_RATIO_TARGET})"
    )

    cli, minimal = [], []
    for _ in range(3):
        elapsed, cli_text = run_cli(path)
        cli.append(elapsed)
        elapsed, minimal_text = run_minimal(path, "csv", sql)
        minimal.append(elapsed)
    same = "identical" if cli_text == minimal_text == export_text else "DIFFERENT"
    whole, floor = statistics.median(cli), statistics.median(minimal)
    signing = statistics.median(sign_ins)
    print(
        f"full CSV export ({cli_text.count(chr(10)) - 1:,} rows): survtrack overdue "
        f"{whole:.2f} s; minimal sqlite3 program {floor:.2f} s (both whole processes; output "
        f"{same}); ratio {whole / floor:.2f} (target <= {EXPORT_RATIO_TARGET})"
    )
    print(
        f"  of which the sign-in (argon2 verification and its audited write) {signing:.2f} s; "
        f"without it {whole - signing:.2f} s, ratio {(whole - signing) / floor:.2f}"
    )
    work, floor_work = statistics.median(export_times), max(floor - start_only, 1e-6)
    print(
        f"  the export's own work (query, rows, CSV text; no interpreter start, imports or "
        f"sign-in): {work * 1000:.0f} ms; minimal program without its start-up "
        f"{floor_work * 1000:.0f} ms; ratio {work / floor_work:.2f}"
    )


if __name__ == "__main__":
    main()
