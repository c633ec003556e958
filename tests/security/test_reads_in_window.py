"""Issue 14 point 2 in the window: opening a record and writing exports are audited as reads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from survtrack.services.auth import Role, ensure_user
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry
from survtrack.ui.main_window import MainWindow

TODAY = date(2026, 11, 23)


def reads(db: Database) -> list[dict[str, object]]:
    with db.read() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)
        ).all()
    return [{"user": r.username, "patient": r.entity_id, **json.loads(r.changes)} for r in rows]


def test_opening_and_exporting_are_audited(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    user = ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)
    pid = create_patient(
        db, user, PatientInput("R001", "Reade", "Pat", date(1960, 1, 1), "female"), TODAY
    )
    window = MainWindow(db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patient_view.record is not None)
    window.patient_view.show_patient(pid)  # a refresh of the same record: not a new read
    fhir = tmp_path / "p.json"
    window.export_fhir(fhir)
    qtbot.waitUntil(fhir.exists)
    csv = tmp_path / "overdue.csv"
    with qtbot.waitSignal(window.overdue.exported, timeout=20000):
        window.overdue.export_csv(csv)
    window.close()
    assert reads(db) == [
        {"user": "doc", "patient": pid, "what": "record opened"},
        {"user": "doc", "patient": pid, "what": "FHIR record exported", "file": str(fhir)},
        {
            "user": "doc",
            "patient": None,
            "what": "overdue list exported",
            "file": str(csv),
            "as of": TODAY.isoformat(),
            "format": "csv",
        },
    ]
