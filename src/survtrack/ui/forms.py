"""Shared pieces of the data-entry dialogs: the form dialog with its error line, typed fields.

Fields raise ``BadInput`` naming their label when what was typed cannot be read; the dialog shows
the message under the form, focuses the field and keeps everything typed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.errors import BadInput
from survtrack.services.errors import error_kind, user_message

log = logging.getLogger(__name__)


def report_failure(exc: BaseException, where: str) -> None:
    """Log a failure a user was told about: its type and kind only (its text may hold patient
    data), with the traceback for an error nobody put words to."""
    kind = error_kind(exc)
    if kind is None:
        frames = "".join(traceback.format_tb(exc.__traceback__, limit=8))
        log.error("%s failed: %s\n%s", where, type(exc).__name__, frames)
    else:
        log.warning("%s failed: %s (%s)", where, type(exc).__name__, kind)


class DateField(QLineEdit):
    """A date typed as YYYY-MM-DD (fast from the keyboard); empty means no date."""

    def __init__(self, label: str, value: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.setPlaceholderText("YYYY-MM-DD")
        self.setMaxLength(10)
        if value:
            self.setText(value.isoformat())

    def value(self) -> date | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            if len(text) != 10:
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            raise BadInput(self.label, f"{text!r} is not a date written YYYY-MM-DD") from None


class TimeField(QLineEdit):
    def __init__(self, label: str, value: time | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.setPlaceholderText("HH:MM")
        self.setMaxLength(5)
        if value:
            self.setText(value.strftime("%H:%M"))

    def value(self) -> time | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            return datetime.strptime(text, "%H:%M").time()
        except ValueError:
            raise BadInput(self.label, f"{text!r} is not a time written HH:MM") from None


class NumberField(QLineEdit):
    def __init__(
        self, label: str, value: float | None = None, unit: str = "", parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.label = label
        if unit:
            self.setPlaceholderText(unit)
        if value is not None:
            self.setText(f"{value:g}")

    def value(self) -> float | None:
        text = self.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise BadInput(self.label, f"{text!r} is not a number") from None


def choice_box(options: Sequence[tuple[str, str | None]], current: str | None = None) -> QComboBox:
    """A combo box of (label, value) pairs, value None meaning 'not recorded'."""
    box = QComboBox()
    for label, value in options:
        box.addItem(label, value)
    index = box.findData(current)
    box.setCurrentIndex(max(index, 0))
    return box


def code_options(codes: Sequence[str], blank: str | None = "—") -> list[tuple[str, str | None]]:
    options: list[tuple[str, str | None]] = [] if blank is None else [(blank, None)]
    options += [(code.replace("_", " "), code) for code in codes]
    return options


class FormDialog(QDialog):
    """A dialog with a form, an error line and OK/Cancel; ``save`` does the work or raises."""

    def __init__(self, title: str, parent: QWidget | None = None, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #a61b1b;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.fields: dict[str, QWidget] = {}

    def add(self, label: str, widget: QWidget, name: str | None = None) -> QWidget:
        self.form.addRow(label, widget)
        key = name or label.replace("&", "")
        widget.setObjectName(key)
        self.fields[key] = widget
        return widget

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def submit(self) -> None:
        try:
            self.save()
        except BadInput as exc:
            self.show_error(f"{exc.field[:1].upper()}{exc.field[1:]}: {exc.reason}.")
            self._focus_field(exc.field)
            return
        except Exception as exc:  # every failure is said, in words, and the dialog stays open
            report_failure(exc, "form")
            self.show_error(user_message(exc))
            return
        self.accept()

    def _focus_field(self, label: str) -> None:
        for key, widget in self.fields.items():
            if key.casefold() == label.casefold():
                widget.setFocus()
                return

    def save(self) -> None:
        raise NotImplementedError


def open_dialog(dialog: QDialog, on_accepted: Callable[[], None]) -> None:
    """Open window-modal (no nested event loop), call back on OK, delete the dialog when closed."""
    dialog.accepted.connect(on_accepted)
    dialog.finished.connect(lambda _result: dialog.deleteLater())
    dialog.open()
