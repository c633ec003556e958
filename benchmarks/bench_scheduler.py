"""Opening a patient with its calendar, and the 4-week "to book" worklist, on 50,000 patients.

Targets (issue 4): opening a patient (record, calendar, summary, table and timeline on screen)
under 150 ms; the "to book" worklist for the next 4 weeks on screen under 300 ms. Figures are the
median and the 95th percentile of repeated runs on a demo database with full calendars.

    python benchmarks/bench_scheduler.py [--patients N] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OPEN_TARGET_MS = 150.0
WORKLIST_TARGET_MS = 300.0
TODAY = date(2026, 11, 23)


def build(path: Path, patients: int) -> None:
    from survtrack.services.database import open_database
    from survtrack.services.demo import generate_demo
    from survtrack.services.patient_search import count_patients
    from survtrack.store.audit import Actor

    db = open_database(f"sqlite:///{path}")
    try:
        have = count_patients(db)
        if have < patients:
            began = time.perf_counter()
            generate_demo(db, patients - have, 5, TODAY, Actor(None, "bench"))
            print(f"built {patients:,} patients in {time.perf_counter() - began:.1f} s")
    finally:
        db.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, timings: list[float], target: float) -> None:
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(
        f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms over {len(timings)} runs; "
        f"target {target:.0f} ms; ratio {p95 / target:.2f} of target (p95)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "survtrack-bench-50k-events.db"
    )
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    build(args.db, args.patients)

    from PySide6.QtWidgets import QApplication

    from survtrack.services.auth import Role, SignedIn
    from survtrack.services.database import open_database
    from survtrack.services.worklists import to_book
    from survtrack.ui.patient_view import PatientView
    from survtrack.ui.worklist_views import PAGE, WorklistModel

    app = QApplication.instance() or QApplication([])
    db = open_database(f"sqlite:///{args.db}")
    with db.engine.connect() as conn:
        events = conn.exec_driver_sql("SELECT count(*) FROM followup_events").scalar()
    print(f"database: {args.patients:,} patients, {events:,} follow-up events")
    view = PatientView(db, SignedIn(1, "bench", "Bench", Role.SCHEDULER), lambda: TODAY)
    view.resize(1100, 700)
    view.show()
    view.tabs.setCurrentIndex(1)
    rng = random.Random(1)
    opens = []
    for _ in range(args.runs):
        patient_id = rng.randint(1, args.patients)
        began = time.perf_counter()
        view.show_patient(patient_id)
        app.processEvents()  # paint it
        opens.append((time.perf_counter() - began) * 1000)
    report("open patient with calendar", opens, OPEN_TARGET_MS)

    model = WorklistModel(("Due",))
    lists = []
    rows = []
    for _ in range(20):
        began = time.perf_counter()
        rows = to_book(db, TODAY, 4, False, 0, PAGE)
        model.today = TODAY
        model.set_rows(rows, len(rows) < PAGE)
        app.processEvents()
        lists.append((time.perf_counter() - began) * 1000)
    report(f"to-book worklist, 4 weeks (first page of {len(rows)} rows)", lists, WORKLIST_TARGET_MS)
    began = time.perf_counter()
    total = len(to_book(db, TODAY, 4))
    print(
        f"  (the whole 4-week list, {total:,} rows, reads in "
        f"{(time.perf_counter() - began) * 1000:.0f} ms)"
    )
    view.close()
    view.deleteLater()
    app.processEvents()
    del view, model
    db.dispose()


if __name__ == "__main__":
    main()
