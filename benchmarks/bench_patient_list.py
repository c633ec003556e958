"""Start-up and search-as-you-type on a 50,000-patient database, printed against the targets.

Targets (issue 2): the main window on screen with the patient list populated within 1.5 s of
process start; each keystroke's search (first page plus count, the work the window does per
keystroke) under 100 ms on 50,000 patients.

    python benchmarks/bench_patient_list.py [--patients N] [--db PATH]

The database is built once (demo patients without calendars) and reused on later runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

START_TARGET_S = 1.5
KEYSTROKE_TARGET_MS = 100.0

CHILD = r"""
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
from survtrack.services.auth import Role, SignedIn
from survtrack.services.database import open_database
from survtrack.ui.main_window import MainWindow
app = QApplication(sys.argv)
db = open_database(sys.argv[1])
window = MainWindow(db, SignedIn(1, "bench", "Bench", Role.PHYSICIAN))
window.show()
while window.model.rowCount() == 0:
    app.processEvents()
    time.sleep(0.001)
print(f"{time.time() - t0:.3f} {window.count_label.text()}")
window.close()
"""


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
            generate_demo(
                db, patients - have, 11, date(2026, 11, 23), Actor(None, "bench"), with_events=False
            )
            print(f"built {patients:,} patients in {time.perf_counter() - began:.1f} s")
    finally:
        db.dispose()


def keystrokes(path: Path) -> list[tuple[str, float]]:
    from survtrack.services.database import open_database
    from survtrack.services.patient_search import PAGE_SIZE, count_patients, search_patients

    db = open_database(f"sqlite:///{path}")
    results = []
    try:
        for typed in (
            "s",
            "sm",
            "smi",
            "smit",
            "smith",
            "smith j",
            "o'",
            "zz",
            "1",
            "10",
            "1001",
            "100123",
            "1001234",
            "g",
            "ga",
            "gar",
            "garc",
            "garcia m",
        ):
            timings = []
            for _ in range(5):
                began = time.perf_counter()
                rows = search_patients(db, typed, 0, PAGE_SIZE)
                if len(rows) == PAGE_SIZE:
                    count_patients(db, typed)
                timings.append((time.perf_counter() - began) * 1000)
            results.append((typed, statistics.median(timings)))
    finally:
        db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "survtrack-bench-50k.db"
    )
    args = parser.parse_args()
    build(args.db, args.patients)

    starts = []
    for _ in range(3):
        env = {**os.environ, "BENCH_T0": repr(time.time())}
        out = subprocess.run(
            [sys.executable, "-c", CHILD, f"sqlite:///{args.db}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split(" ", 1)
        starts.append(float(out[0]))
    start = statistics.median(starts)
    print(
        f"start to populated window: median {start:.2f} s of 3 runs "
        f"(runs {', '.join(f'{s:.2f}' for s in starts)}); target {START_TARGET_S} s; "
        f"ratio {start / START_TARGET_S:.2f} of target"
    )

    timings = keystrokes(args.db)
    for typed, ms in timings:
        print(f"  search {typed!r:12} {ms:7.1f} ms")
    worst = max(ms for _, ms in timings)
    print(
        f"search per keystroke: worst median {worst:.1f} ms; target {KEYSTROKE_TARGET_MS:.0f} ms;"
        f" ratio {worst / KEYSTROKE_TARGET_MS:.2f} of target"
    )


if __name__ == "__main__":
    main()
