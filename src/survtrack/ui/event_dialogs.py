"""Dialogs for the event actions: book or reschedule, record as done, cancel or waive, move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventKind
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import EventRow
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
from survtrack.ui.forms import DateField, FormDialog, TimeField, choice_box

DEFAULT_TIME = time(9, 0)


def _describe(event: EventRow) -> str:
    return (
        f"{EventKind(event.kind).label}, due {event.due.isoformat()} "
        f"(window {event.window_start.isoformat()} to {event.window_end.isoformat()})"
    )


class _EventDialog(FormDialog):
    def __init__(
        self, title: str, db: Database, user: SignedIn, event: EventRow, parent: QWidget | None
    ) -> None:
        super().__init__(title, parent)
        self.db, self.user, self.event = db, user, event
        self.undo: Undo | None = None
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
    ) -> None:
        rescheduling = event.state == "booked"
        super().__init__("Reschedule" if rescheduling else "Book", db, user, event, parent)
        self.now, self.rescheduling = now, rescheduling
        start = event.booked_at.date() if event.booked_at else (event.suggested or event.due)
        at = event.booked_at.time() if event.booked_at else DEFAULT_TIME
        self.day = self.add("&Date", DateField("Date", start), "Date")
        self.at = self.add("&Time", TimeField("Time", at), "Time")
        self.location = self.add(
            "&Location", QLineEdit(event.location or default_location), "Location"
        )
        self.warning = QLabel()
        self.warning.setObjectName("windowWarning")
        self.warning.setStyleSheet("color: #8a5a00;")
        self.form.addRow(self.warning)
        self.day.textChanged.connect(self._check_window)
        self._check_window()

    def _check_window(self) -> None:
        try:
            day = self.day.value()
        except BadInput:
            day = None
        outside = day is not None and not (self.event.window_start <= day <= self.event.window_end)
        self.warning.setText("This date is outside the event's window." if outside else "")

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
        self.day = self.add("&Date done", DateField("Date done", done), "Date done")
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
        self.reason = self.add("&Reason", QLineEdit(), "Reason")
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
        self.day = self.add("&New date", DateField("Date", event.suggested or event.due), "Date")

    def save(self) -> None:
        self.undo = move(self.db, self.user, self.event.id, self.day.value(), self.event.version)
