"""After-visit summaries: one summary PDF, and a clinic day's batch of 200 into one PDF.

Targets (issue 7): one summary PDF in under 300 ms; a batch of 200 in under 30 s with the window
responsive throughout. Responsiveness is measured as the longest stretch between two progress
callbacks (where the window processes its events); it should stay well under 100 ms.

    python benchmarks/bench_summaries.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = date(2026, 11, 23)
ONE_TARGET_MS = 300.0
BATCH_TARGET_S = 30.0
BATCH = 200


def deceased_or_discharged_before(db, patient_id: int) -> bool:  # type: ignore[no-untyped-def]
    """No visit can be recorded after a death or discharge (issue 13): the demo has some."""
    from survtrack.store.models import Patient

    with db.read() as session:
        patient = session.get(Patient, patient_id)
        return patient.status in ("deceased", "discharged") and patient.status_date < TODAY


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from survtrack.reports.avs_pdf import register_fonts, write_pdf
    from survtrack.services.auth import Role, ensure_user
    from survtrack.services.database import open_database
    from survtrack.services.demo import generate_demo
    from survtrack.services.summaries import build_summary
    from survtrack.services.visits import VisitInput, record_visit, visits_on
    from survtrack.store.audit import Actor

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="survtrack-avs-bench-"))
    # the clinic's settings (a summary is refused without the phone): a clinic.toml in a private
    # data folder, imported into the new database once when it is opened
    os.environ["SURVTRACK_DATA_DIR"] = str(folder)
    (folder / "clinic.toml").write_text(
        'name = "Bench Clinic"\nphone = "555-0100"\nafter_hours_phone = "555-0199"\n'
        'time_zone = "Europe/London"\nlocale = "en_GB"\n',
        encoding="utf-8",
    )
    db = open_database(f"sqlite:///{folder / 'avs.db'}")
    generate_demo(db, BATCH + 60, 3, TODAY, Actor(None, "bench"))
    user = ensure_user(db, "doc", "Dr Bench", Role.PHYSICIAN)
    eligible = [p for p in range(1, BATCH + 61) if not deceased_or_discharged_before(db, p)]
    for patient_id in eligible[:BATCH]:
        record_visit(
            db,
            user,
            patient_id,
            VisitInput(
                TODAY,
                "Dr Bench",
                "Room 2",
                "Follow-up",
                "No evidence of disease.",
                "CT clear",
                "",
                "Continue surveillance.",
                "Keep your appointments.",
            ),
            TODAY,
        )
    register_fonts()
    visits = visits_on(db, TODAY)

    singles = []
    for visit in visits[:20]:
        began = time.perf_counter()
        write_pdf([build_summary(db, visit.patient_id, visit, TODAY).document], folder / "one.pdf")
        singles.append((time.perf_counter() - began) * 1000)
    one = statistics.median(singles)
    print(
        f"one summary (content, layout, PDF): median {one:.0f} ms of 20; target "
        f"{ONE_TARGET_MS:.0f} ms; ratio {one / ONE_TARGET_MS:.2f} of target"
    )

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick(done: int, total: int) -> bool:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        app.processEvents()
        last[0] = time.perf_counter()
        return True

    began = time.perf_counter()
    documents = []
    for index, visit in enumerate(visits):
        documents.append(build_summary(db, visit.patient_id, visit, TODAY).document)
        tick(index + 1, len(visits))
    pages = write_pdf(documents, folder / "batch.pdf", tick)
    elapsed = time.perf_counter() - began
    print(
        f"batch of {len(visits)} summaries ({pages} pages): {elapsed:.1f} s; target "
        f"{BATCH_TARGET_S:.0f} s; ratio {elapsed / BATCH_TARGET_S:.2f} of target"
    )
    print(
        f"  longest time without processing events: {max(gaps):.0f} ms "
        f"(median {statistics.median(gaps):.0f} ms)"
    )
    db.dispose()


if __name__ == "__main__":
    main()
