"""Dialogs for the event actions: book or reschedule, record as done, cancel or waive, move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from html import escape

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventKind
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.services.auth import SignedIn
from survtrack.services.booking_checks import double_bookings, event_patient, next_open_day
from survtrack.services.calendar import EventRow
from survtrack.services.clinic_settings import clinic_calendar
from survtrack.services.event_actions import (
    RESULTS,
    Undo,
    book,
    cancel,
    complete,
    move,
    reschedule,
    waive,
)
from survtrack.store.engine import Database
from survtrack.ui.forms import DateField, FormDialog, TimeField, choice_box, format_date
from survtrack.ui.state_colours import warning_text

DEFAULT_TIME = time(9, 0)


def _describe(event: EventRow) -> str:
    return (
        f"{EventKind(event.kind).label}, due {format_date(event.due)} "
        f"(window {format_date(event.window_start)} to {format_date(event.window_end)})"
    )


class _EventDialog(FormDialog):
    def __init__(
        self, title: str, db: Database, user: SignedIn, event: EventRow, parent: QWidget | None
    ) -> None:
        super().__init__(title, parent)
        self.db, self.user, self.event = db, user, event
        self.undo: Undo | None = None
        self.patient = event_patient(db, event.id)
        if self.patient is not None:
            self.setWindowTitle(f"{title}: {self.patient.patient}")
            who = QLabel(f"<b>{escape(self.patient.patient)}</b> (MRN {escape(self.patient.mrn)})")
            who.setObjectName("eventPatient")
            self.form.addRow(who)
        about = QLabel(_describe(event))
        about.setWordWrap(True)
        self.form.addRow(about)


class BookDialog(_EventDialog):
    """Book an open event, or reschedule a booked one; the suggested date comes prefilled."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        event: EventRow,
        now: datetime,
        default_location: str = "",
        parent: QWidget | None = None,
        calendar: ClinicCalendar | None = None,
    ) -> None:
        rescheduling = event.state == "booked"
        super().__init__("Reschedule" if rescheduling else "Book", db, user, event, parent)
        self.now, self.rescheduling = now, rescheduling
        start = event.booked_at.date() if event.booked_at else (event.suggested or event.due)
        self.moved_from_past = start < now.date()
        if self.moved_from_past:  # never prefill a day that has gone: the next open day instead
            start = next_open_day(calendar or clinic_calendar(db), now.date() + timedelta(days=1))
        at = event.booked_at.time() if event.booked_at else DEFAULT_TIME
        self.day = self.add("&Date", DateField("Date", start), "Date", required=True)
        self.at = self.add("&Time", TimeField("Time", at), "Time", required=True)
        self.location = self.add(
            "&Location", QLineEdit(event.location or default_location), "Location"
        )
        self.warning = QLabel()
        self.warning.setObjectName("windowWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {warning_text()};")
        self.form.addRow(self.warning)
        self.day.textChanged.connect(self._check_window)
        self.at.textChanged.connect(self._check_window)
        self.location.textChanged.connect(self._check_window)
        self._check_window()

    def _check_window(self) -> None:
        try:
            day, at = self.day.value(), self.at.value()
        except BadInput:
            day, at = None, None
        lines = []
        if self.moved_from_past and day is not None:
            lines.append("The suggested date has passed; the next open day is filled in.")
        if day is not None and not (self.event.window_start <= day <= self.event.window_end):
            lines.append("This date is outside the event's window.")
        if day is not None and at is not None and self.patient is not None:
            lines += double_bookings(
                self.db,
                self.event.id,
                self.patient.patient_id,
                datetime.combine(day, at),
                self.location.text(),
            )
        self.warning.setText("\n".join(lines))

    def when(self) -> datetime:
        day, at = self.day.value(), self.at.value()
        if day is None:
            raise BadInput("Date", "is required")
        if at is None:
            raise BadInput("Time", "is required")
        return datetime.combine(day, at)

    def save(self) -> None:
        if self.rescheduling:
            self.undo = reschedule(
                self.db,
                self.user,
                self.event.id,
                self.when(),
                self.location.text(),
                self.now,
                self.event.version,
            )
        else:
            self.undo = book(
                self.db,
                self.user,
                self.event.id,
                self.when(),
                self.location.text(),
                self.now,
                self.event.version,
            )


class CompleteDialog(_EventDialog):
    def __init__(
        self,
        db: Database,
        user: SignedIn,
        event: EventRow,
        today: date,
        parent: QWidget | None = None,
        elsewhere: bool = False,
    ) -> None:
        super().__init__(
            "Record as done elsewhere" if elsewhere else "Mark completed", db, user, event, parent
        )
        self.today = today
        done = (
            event.booked_at.date() if event.booked_at and event.booked_at.date() <= today else today
        )
        self.day = self.add("&Date done", DateField("Date done", done), "Date done", required=True)
        self.result_box = self.add(
            "&Result", choice_box([(v, k) for k, v in RESULTS.items()]), "Result"
        )
        self.place = self.add("&Place", QLineEdit(event.location or ""), "Place")

    def save(self) -> None:
        self.undo = complete(
            self.db,
            self.user,
            self.event.id,
            self.day.value(),
            self.result_box.currentData(),
            self.today,
            self.event.version,
            place=self.place.text(),
        )

    @property
    def result_code(self) -> str:
        return str(self.result_box.currentData())


class ReasonDialog(_EventDialog):
    """Cancel (anyone) or waive (physicians) with a reason."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        event: EventRow,
        waiving: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Waive" if waiving else "Cancel event", db, user, event, parent)
        self.waiving = waiving
        self.reason = self.add("&Reason", QLineEdit(), "Reason", required=True)
        self.action: Callable[..., Undo] = waive if waiving else cancel

    def save(self) -> None:
        self.undo = self.action(
            self.db, self.user, self.event.id, self.reason.text(), self.event.version
        )


class MoveDialog(_EventDialog):
    def __init__(
        self, db: Database, user: SignedIn, event: EventRow, parent: QWidget | None = None
    ) -> None:
        super().__init__("Move planned date", db, user, event, parent)
        self.day = self.add(
            "&New date", DateField("Date", event.suggested or event.due), "Date", required=True
        )

    def save(self) -> None:
        self.undo = move(self.db, self.user, self.event.id, self.day.value(), self.event.version)
