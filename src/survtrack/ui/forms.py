"""Shared pieces of the data-entry dialogs: the form dialog with its error line, typed fields.

Fields raise ``BadInput`` naming their label when what was typed cannot be read; the dialog shows
the message under the form, focuses the field and keeps everything typed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
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
from survtrack.domain.labels import label as code_label
from survtrack.services.errors import error_kind, user_message
from survtrack.ui.state_colours import error_text

ISO_FORMAT = "yyyy-MM-dd"
REQUIRED_MARK = " *"


def date_format(locale: QLocale | None = None) -> str:
    """The locale's short date format with a four-digit year (``dd/MM/yyyy`` in en_GB,
    ``M/d/yyyy`` in en_US); ISO ``yyyy-MM-dd`` where the locale has no usable one (C)."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        return ISO_FORMAT
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return pattern


def format_date(day: date | None, locale: QLocale | None = None) -> str:
    """A date as the user's locale writes it (empty for no date)."""
    if day is None:
        return ""
    return QDate(day.year, day.month, day.day).toString(date_format(locale))


def _calendar_icon(colour: QColor) -> QIcon:
    """A small calendar glyph for the pop-up button, drawn in the text colour of the palette."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(colour)
    painter.drawRect(1, 2, 13, 12)
    painter.fillRect(1, 2, 14, 4, colour)
    for row in range(2):
        for column in range(3):
            painter.fillRect(3 + column * 4, 8 + row * 3, 2, 2, colour)
    painter.end()
    return QIcon(pixmap)


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
    """A date: typed in the locale's short format or as ISO YYYY-MM-DD (fast from the keyboard),
    or picked from a calendar pop-up (the button at the right, or Alt+Down / F4); shown in the
    locale's format once typed. Empty means no date."""

    picked = Signal()

    def __init__(self, label: str, value: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.display_format = date_format()
        self.setPlaceholderText(self.display_format.upper())
        self.setMaxLength(10)
        self.setAccessibleName(label)
        self.setAccessibleDescription(
            f"Date written {self._example()} or YYYY-MM-DD; Alt+Down opens a calendar"
        )
        self.setToolTip(f"{self._example()} or YYYY-MM-DD; Alt+Down opens a calendar")
        self.popup_action = self.addAction(
            _calendar_icon(self.palette().color(QPalette.ColorRole.Text)),
            QLineEdit.ActionPosition.TrailingPosition,
        )
        self.popup_action.setToolTip("Pick a date from a calendar")
        self.popup_action.triggered.connect(self.open_calendar)
        self.calendar: QCalendarWidget | None = None
        self.editingFinished.connect(self._tidy)
        self.set_value(value)
        metrics = self.fontMetrics()
        self.setMinimumWidth(metrics.horizontalAdvance("00/00/00000") + 40)

    def _example(self) -> str:
        return format_date(date(2026, 11, 25))

    def set_value(self, day: date | None) -> None:
        self.setText(format_date(day))

    def _tidy(self) -> None:
        """After typing, show what was read in the locale's format (so 2026-11-25 becomes
        25/11/2026 in en_GB): the user sees how the date was understood."""
        try:
            day = self.value()
        except BadInput:
            return
        if day is not None and self.text() != format_date(day):
            self.set_value(day)

    def value(self) -> date | None:
        text = self.text().strip()
        if not text:
            return None
        if len(text) == 10 and text[4] == "-":
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        loose = self.display_format.replace("dd", "d").replace("MM", "M")
        patterns = (self.display_format, loose, self.display_format.replace("yyyy", "yy"))
        for pattern in patterns:
            parsed = QDate.fromString(text, pattern)
            if parsed.isValid():
                year = parsed.year()
                if "yyyy" not in pattern and year < 1950:
                    year += 100  # two-digit years are this century
                return date(year, parsed.month(), parsed.day())
        raise BadInput(
            self.label, f"{text!r} is not a date written {self._example()} or YYYY-MM-DD"
        ) from None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_down = (
            event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def open_calendar(self) -> QCalendarWidget:
        """The calendar pop-up under the field, on the date typed (or today)."""
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setObjectName("datePopup")
            self.calendar.setAccessibleName(f"{self.label}: calendar")
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._pick)
            self.calendar.activated.connect(self._pick)
        try:
            current = self.value() or date.today()
        except BadInput:
            current = date.today()
        self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        self.calendar.adjustSize()
        self.calendar.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.calendar.show()
        self.calendar.setFocus()
        return self.calendar

    def _pick(self, picked: QDate) -> None:
        self.set_value(date(picked.year(), picked.month(), picked.day()))
        if self.calendar is not None:
            self.calendar.hide()
        self.setFocus()
        self.picked.emit()


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


def code_options(
    codes: Sequence[str], blank: str | None = "—", field: str = ""
) -> list[tuple[str, str | None]]:
    """(label, code) pairs for a combo: the words of ``domain.labels`` for ``field``."""
    options: list[tuple[str, str | None]] = [] if blank is None else [(blank, None)]
    options += [(code_label(field, code), code) for code in codes]
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
        self.error.setStyleSheet(f"color: {error_text()};")
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
        self.legend = QLabel("* required")
        self.legend.setObjectName("requiredLegend")
        self.legend.hide()
        layout.addWidget(self.legend)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.fields: dict[str, QWidget] = {}

    def add(
        self, label: str, widget: QWidget, name: str | None = None, required: bool = False
    ) -> QWidget:
        """A row of the form; a required field's label carries an asterisk and its accessible
        description says "Required" (a legend under the form explains the asterisk)."""
        self.form.addRow(label + (REQUIRED_MARK if required else ""), widget)
        key = name or label.replace("&", "")
        widget.setObjectName(key)
        if not widget.accessibleName():
            widget.setAccessibleName(key)
        if required:
            described = widget.accessibleDescription()
            widget.setAccessibleDescription("Required" + (f". {described}" if described else ""))
            widget.setProperty("required", True)
            self.legend.show()
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
