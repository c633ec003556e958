"""The diagnosis form's histology field: search-as-you-type over the catalogue, free text kept."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.patient_records import load_patient
from survtrack.store.engine import Database
from survtrack.ui.diagnosis_dialogs import TumourDialog
from survtrack.ui.histology_field import HistologyField
from tests.factories import add_patient


def shown(field: HistologyField) -> list[str]:
    return [field.suggestions.index(r, 0).data() for r in range(field.suggestions.rowCount())]


def make_field(qtbot: QtBot) -> HistologyField:
    field = HistologyField()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    field.setFocus()
    return field


def test_typing_shows_catalogue_names_with_codes(qtbot: QtBot) -> None:
    field = make_field(qtbot)
    qtbot.keyClicks(field, "leio")
    popup = field.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert shown(field)[0] == "Leiomyosarcoma (8890/3)"
    field.clear()
    qtbot.keyClicks(field, "MFH")
    assert shown(field) == ["Undifferentiated pleomorphic sarcoma (8802/3)"]


def test_picking_a_suggestion_puts_its_name_in_the_field(qtbot: QtBot) -> None:
    field = make_field(qtbot)
    qtbot.keyClicks(field, "myxoid lipo")
    popup = field.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert field.text() == "Myxoid liposarcoma"
    assert not popup.isVisible()


def test_free_text_is_kept_as_typed(qtbot: QtBot) -> None:
    field = make_field(qtbot)
    typed = "Spindle cell sarcoma, favour MPNST (second opinion pending)"
    qtbot.keyClicks(field, typed)
    assert field.text() == typed
    field.clear()
    qtbot.keyClicks(field, "zzz unknown entity")
    assert shown(field) == [] and not field.completer().popup().isVisible()
    assert field.text() == "zzz unknown entity"


def test_diagnosis_dialog_saves_free_text_and_no_longer_reads_pathologist_as_gist(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    user = ensure_user(sqlite_db, "pat", "Dr Pat", Role.PHYSICIAN)
    patient_id = add_patient(sqlite_db, "5500001", "Tester", "Una")
    dialog = TumourDialog(sqlite_db, user, date(2026, 11, 23), patient_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.findChild(HistologyField, "Histology")
    assert field is not None
    typed = "leiomyosarcoma, reviewed by sarcoma pathologist"
    field.clear()
    qtbot.keyClicks(field, typed)
    dialog.grade.setCurrentIndex(dialog.grade.findData("2"))
    qtbot.keyClicks(dialog.size, "4")
    stage = dialog.findChild(QLabel, "stagePreview")
    assert "GIST" not in stage.text() and stage.text().startswith("Stage II")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error.text()
    record = load_patient(sqlite_db, patient_id)
    assert record is not None
    assert [t.histology for t in record.tumours][-1] == typed
