"""The visits tab: record a visit, and its after-visit summary in preview, on the printer or as a
PDF; the patient's appointments as an .ics file. Also the clinic day's batch of summaries, with a
progress dialog that can be cancelled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.errors import BadInput
from survtrack.reports.avs_pdf import page_layout, paint_documents, write_pdf
from survtrack.reports.avs_template import TemplateError
from survtrack.reports.printed_document import PrintedDocument
from survtrack.services.audit_reads import (
    CALENDAR_EXPORTED,
    SUMMARY_PRINTED,
    SUMMARY_SAVED,
    audit_read,
)
from survtrack.services.auth import SignedIn
from survtrack.services.clinic_settings import clinic_info
from survtrack.services.errors import user_message
from survtrack.services.patient_calendar import patient_calendar_ics
from survtrack.services.summaries import Summary, build_summary
from survtrack.services.visits import (
    VisitInput,
    VisitRecord,
    list_visits,
    patient_physician,
    record_visit,
    visits_on,
)
from survtrack.store.audit import SYSTEM, Actor
from survtrack.store.engine import Database
from survtrack.ui.forms import DateField, FormDialog, open_dialog, report_failure
from survtrack.ui.saving import checked_write
from survtrack.ui.tables import fill_rows, read_only_table


class VisitDialog(FormDialog):
    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Record visit", parent)
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        self.visit_id: int | None = None
        self.day = self.add("&Date", DateField("Visit date", today), "Visit date", True)
        # The patient's own physician by default; whoever is signed in may be a scheduler.
        self.clinician = self.add(
            "&Clinician", QLineEdit(patient_physician(db, patient_id)), "Clinician"
        )
        self.location = self.add("&Location", QLineEdit("Sarcoma clinic"), "Location")
        self.texts: dict[str, QPlainTextEdit] = {}
        for key, label in (
            ("reason", "&Reason"),
            ("findings", "&Findings"),
            ("results_reviewed", "Results re&viewed"),
            ("rehab_status", "Re&hab status"),
            ("plan", "&Plan"),
            ("instructions", "&Instructions for the patient"),
        ):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(48)
            self.texts[key] = edit
            self.add(label, edit, key.replace("_", " ").capitalize())

    def save(self) -> None:
        data = VisitInput(
            self.day.value(),
            self.clinician.text(),
            self.location.text(),
            **{k: e.toPlainText() for k, e in self.texts.items()},
        )
        self.visit_id = record_visit(self.db, self.user, self.patient_id, data, self.today)


def _printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout())
    return printer


def print_documents(
    parent: QWidget, documents: list[PrintedDocument], printer: QPrinter, title: str
) -> bool:
    """Print with a cancellable progress dialog; the window keeps repainting meanwhile."""
    progress = QProgressDialog(title, "Cancel", 0, len(documents), parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)

    def step(done: int, total: int) -> bool:
        progress.setValue(done)
        QApplication.processEvents()
        return not progress.wasCanceled()

    _, finished = paint_documents(printer, documents, step)
    progress.close()
    return finished


class VisitsView(QWidget):
    changed = Signal(str)

    def __init__(
        self, db: Database, user: SignedIn, today: Callable[[], date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.user, self.today = db, user, today
        self.patient_id: int | None = None
        self.visits: list[VisitRecord] = []
        self.dialog: FormDialog | None = None
        self.preview_dialog: QPrintPreviewDialog | None = None
        self.table = read_only_table(["Date", "Clinician", "Location", "Reason"], "visitsTable")
        self.table.setAccessibleName("Visits")
        self.large_print = QCheckBox("&Large print")
        buttons = QHBoxLayout()
        for text, slot in (
            ("Record &visit…", self.record),
            ("Summary pre&view…", self.preview),
            ("&Print summary…", self.print_summary),
            ("Summary P&DF…", lambda: self.export_pdf()),
            ("Calendar (.ics)…", lambda: self.export_ics()),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addWidget(self.large_print)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

    def show_patient(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.visits = list_visits(self.db, patient_id)
        fill_rows(
            self.table,
            [
                (v.visit_date.isoformat(), v.clinician, v.location or "", v.reason or "")
                for v in self.visits
            ],
        )
        if self.visits:
            self.table.selectRow(0)

    def selected(self) -> VisitRecord | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.visits[rows.pop()] if len(rows) == 1 else None

    def record(self) -> None:
        if self.patient_id is None:
            return
        self.dialog = VisitDialog(self.db, self.user, self.today(), self.patient_id, self)
        open_dialog(self.dialog, self._recorded)

    def _recorded(self) -> None:
        if self.patient_id is not None:
            self.show_patient(self.patient_id)
        self.changed.emit("Visit recorded. Print its summary with Ctrl+P.")

    def summary(self) -> PrintedDocument | None:
        """The selected visit's summary. What must not reach a patient (no clinic phone, a visit
        after death or discharge, a broken clinic template) is reported, not printed; a summary
        printed in English for want of a template in the patient's language says so."""
        visit = self.selected()
        if visit is None or self.patient_id is None:
            self.changed.emit("Select a visit first.")
            return None
        try:
            summary: Summary = build_summary(
                self.db, self.patient_id, visit, self.today(), self.large_print.isChecked()
            )
        except (TemplateError, BadInput) as exc:
            QMessageBox.critical(
                self, "After-visit summary", f"The summary cannot be printed.\n{exc}"
            )
            return None
        if summary.staff_note:
            self.changed.emit(summary.staff_note)
        return summary.document

    def preview(self) -> None:
        document = self.summary()
        if document is None:
            return
        printer = _printer()
        dialog = QPrintPreviewDialog(printer, self)
        dialog._printer = printer  # type: ignore[attr-defined]  # the dialog does not own it
        dialog.paintRequested.connect(lambda printer: paint_documents(printer, [document]))
        self.preview_dialog = dialog
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()

    def print_summary(self) -> None:
        document = self.summary()
        if document is None:
            return
        printer = _printer()
        if QPrintDialog(printer, self).exec():
            assert self.patient_id is not None
            audit_read(self.db, self.user.actor, SUMMARY_PRINTED, self.patient_id)
            print_documents(self, [document], printer, "Printing the summary…")

    def export_pdf(self, path: Path | None = None) -> Path | None:
        document = self.summary()
        if document is None:
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Summary as PDF", "summary.pdf", "PDF files (*.pdf)"
            )
            if not name:
                return None
            path = Path(name)
        assert self.patient_id is not None
        audit_read(self.db, self.user.actor, SUMMARY_SAVED, self.patient_id, path=path)
        target = path
        try:
            checked_write(target, lambda: write_pdf([document], target))
        except Exception as exc:  # never "saved" for a file that was not written
            report_failure(exc, "summary PDF")
            QMessageBox.critical(self, "After-visit summary", user_message(exc))
            return None
        self.changed.emit(f"Saved {path}")
        return path

    def export_ics(self, path: Path | None = None) -> Path | None:
        if self.patient_id is None:
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self,
                "Appointments for the patient's calendar",
                "appointments.ics",
                "Calendar (*.ics)",
            )
            if not name:
                return None
            path = Path(name)
        now = datetime.combine(self.today(), datetime.now().time())
        try:
            data = patient_calendar_ics(self.db, self.user, self.patient_id, now)
        except BadInput as exc:
            QMessageBox.critical(self, "Calendar file", f"The calendar cannot be exported.\n{exc}")
            return None
        assert self.patient_id is not None
        audit_read(self.db, self.user.actor, CALENDAR_EXPORTED, self.patient_id, path=path)
        target = path
        try:
            checked_write(target, lambda: target.write_bytes(data))
        except Exception as exc:  # never "saved" for a file that was not written
            report_failure(exc, "calendar file")
            QMessageBox.critical(self, "Calendar file", user_message(exc))
            return None
        self.changed.emit(f"Saved {path}")
        return path


def batch_summaries(
    parent: QWidget,
    db: Database,
    day: date,
    path: Path | None,
    printer: QPrinter | None = None,
    progress: Callable[[int, int], bool] | None = None,
    notes: list[str] | None = None,
    actor: Actor | None = None,
) -> tuple[int, bool]:
    """Every summary of a clinic day into one PDF (or to a printer); (count, finished).

    Raises ``BadInput`` (before anything is written) when a summary must not be printed: no
    clinic phone, a visit after death or discharge. Notes for the staff go into ``notes``.
    Each patient's summary is audited as a read by ``actor`` before it is printed or saved.
    """
    visits = visits_on(db, day)
    if not visits:
        return 0, True
    clinic_info(db).require_phone()
    dialog = QProgressDialog(
        f"Summaries for {day.isoformat()}…", "Cancel", 0, 2 * len(visits), parent
    )
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(200)

    def step(done: int, offset: int) -> bool:
        dialog.setValue(offset + done)
        QApplication.processEvents()
        keep_going = not dialog.wasCanceled()
        if progress is not None:
            keep_going = progress(offset + done, 2 * len(visits)) and keep_going
        return keep_going

    documents = []
    printed: list[int] = []
    for index, visit in enumerate(visits):
        try:
            summary = build_summary(db, visit.patient_id, visit, day)
        except BadInput as exc:
            if exc.field != "Visit date":
                dialog.close()
                raise
            if notes is not None:  # after death or discharge: no summary, and the staff know
                notes.append(f"No summary for visit {visit.id}: {exc.reason}.")
        except TemplateError:
            dialog.close()
            raise
        else:
            documents.append(summary.document)
            printed.append(visit.patient_id)
            if summary.staff_note and notes is not None:
                notes.append(f"Visit {visit.id}: {summary.staff_note}")
        if not step(index + 1, 0):
            dialog.close()
            return len(documents), False
    if not documents:
        dialog.close()
        return 0, True
    for patient_id in printed:
        what = SUMMARY_PRINTED if printer is not None else SUMMARY_SAVED
        audit_read(
            db, actor or SYSTEM, what, patient_id, path=path, detail={"day": day.isoformat()}
        )
    if printer is not None:
        _, finished = paint_documents(printer, documents, lambda d, _t: step(d, len(visits)))
    else:
        assert path is not None
        target, cancelled = path, []

        def step_pdf(done: int, _total: int) -> bool:
            keep_going = step(done, len(visits))
            if not keep_going:
                cancelled.append(True)
            return keep_going

        try:
            checked_write(target, lambda: write_pdf(documents, target, step_pdf))
            finished = True
        except OSError:
            if not cancelled:  # not written: an error, never "saved" nor "cancelled"
                dialog.close()
                raise
            finished = False  # a cancelled file is removed
    dialog.close()
    return len(documents), finished
