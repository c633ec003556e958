"""Issue 14 point 8: a log file without patient data; a crash dialog with "Copy details"."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import date
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from survtrack.services.app_log import configure_logging
from survtrack.services.audit_reads import OPENED, audit_read
from survtrack.services.overdue import OverdueQuery, overdue_rows
from survtrack.services.patient_records import load_patient
from survtrack.services.patient_search import search_patients
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.ui.crash_dialog import crash_dialog, handle_exception
from tests.factories import add_patient

NAME, GIVEN, MRN = "Quixotica", "Zebedee", "MRN-774411"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    engine_logger = logging.getLogger("sqlalchemy.engine")
    engine_level = engine_logger.level
    path = configure_logging(tmp_path, "DEBUG")
    engine_logger.setLevel(logging.DEBUG)  # every statement and every result row
    yield path
    engine_logger.setLevel(engine_level)
    for handler in list(root.handlers):
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_a_session_log_names_no_patient(db: Database, log_file: Path) -> None:
    patient_id = add_patient(db, MRN, NAME, GIVEN)
    search_patients(db, NAME[:5])
    load_patient(db, patient_id)
    audit_read(db, Actor(None, "tester"), OPENED, patient_id)
    overdue_rows(db, OverdueQuery(date(2030, 1, 1)))
    log = logging.getLogger("survtrack.test")
    log.info("opened %s", {"mrn": MRN})  # a careless line: refused
    log.warning("patient", extra={"family_name": NAME})
    log.warning("a session line without patient data")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "a session line without patient data" in text
    assert "SELECT" in text  # the SQL itself is logged, its values are not
    for secret in (NAME, GIVEN, MRN, "1965-04-12"):
        assert secret not in text
    assert log_file.stat().st_mode & 0o777 == 0o600


def test_an_unexpected_error_is_logged_and_shown_without_its_message(
    log_file: Path, qtbot: object
) -> None:
    shown: list[str] = []
    try:
        raise KeyError(f"{NAME} {MRN}")
    except KeyError:
        handle_exception(*sys.exc_info(), show=shown.append)  # type: ignore[arg-type]
    assert len(shown) == 1
    details = shown[0]
    assert "KeyError" in details and "test_logs_crashes.py" in details
    assert NAME not in details and MRN not in details
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "builtins.KeyError (message withheld" in text and NAME not in text

    box = crash_dialog(details)
    copy = next(b for b in box.buttons() if b.text() == "Copy details")
    copy.click()
    assert QApplication.clipboard().text() == details
    assert box.detailedText() == details
    assert isinstance(box, QMessageBox)
    box.deleteLater()
