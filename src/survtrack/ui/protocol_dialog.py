"""Assign a protocol to one patient (issue 12 item 6): the protocols of the set in use by name,
what each covers, and a required reason; the calendar is regenerated when it is saved."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from survtrack.domain.errors import BadInput
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import CalendarChange
from survtrack.services.clinic_settings import default_protocol_set
from survtrack.services.protocol_choice import (
    REASON_LIMIT,
    Assignment,
    assign_protocol,
    load_assignment,
)
from survtrack.services.protocol_sets import load_set, protocol_choices
from survtrack.store.engine import Database
from survtrack.ui.forms import FormDialog

DEFAULT_CHOICE = "The clinic's default (chosen by site and histology)"


def assignment_words(assignment: Assignment | None) -> str:
    """The current assignment as the patient record shows it."""
    if assignment is None:
        return "Protocol: the clinic's default (chosen by site and histology)."
    when = assignment.chosen_at.date().isoformat() if assignment.chosen_at else "an unknown date"
    return (
        f"Protocol chosen for this patient: {assignment.name}, by {assignment.chosen_by} on "
        f"{when}. Reason: {assignment.reason}"
    )


class AssignProtocolDialog(FormDialog):
    """Choose the protocol of one patient; ``change`` holds what happened to the calendar."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        patient_id: int,
        patient: str,
        mrn: str,
        version: int,
        parent: QWidget | None = None,
    ) -> None:
        self.current = load_assignment(db, patient_id)
        super().__init__(
            "Assign a protocol",
            parent,
            f"Patient: {patient} (MRN {mrn}).\n{assignment_words(self.current)}\n"
            "The follow-up calendar is made again from the protocol you choose; completed, "
            "booked and moved events stay as they are.",
        )
        self.setObjectName("assignProtocolDialog")
        self.db, self.user, self.patient_id, self.version = db, user, patient_id, version
        self.change: CalendarChange | None = None
        self.protocol = QComboBox()
        self.covers = QLabel()
        self.covers.setObjectName("protocolCovers")
        self.covers.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_LIMIT)
        self.reason.setPlaceholderText("e.g. GIST: follow-up agreed at the tumour board")
        self.add("&Protocol", self.protocol, "Protocol", required=True)
        self.form.addRow("", self.covers)
        self.add("&Reason", self.reason, "Reason", required=True)
        try:
            choices = protocol_choices(load_set(default_protocol_set(db)))
        except BadInput as exc:
            choices = []
            self.show_error(f"{exc.field}: {exc.reason}")
            self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(False)
        self.what: dict[str | None, str] = {}
        if self.current is None:
            self.protocol.addItem("Choose a protocol…", "")
        else:
            self.protocol.addItem(DEFAULT_CHOICE, None)
            self.what[None] = "Back to the protocol the clinic's default set matches by site "
            self.what[None] += "and histology (GIST and Kaposi sarcoma have none)."
        for choice in choices:
            self.protocol.addItem(choice.name, choice.id)
            self.what[choice.id] = choice.covers
        current = self.current.protocol_id if self.current else None
        self.protocol.setCurrentIndex(max(self.protocol.findData(current), 0))
        self.protocol.currentIndexChanged.connect(self._show_covers)
        self._show_covers()
        self.reason.setFocus()

    def _show_covers(self) -> None:
        self.covers.setText(self.what.get(self.protocol.currentData(), ""))

    def save(self) -> None:
        if self.protocol.currentData() == "":
            raise BadInput("Protocol", "is required: choose one from the list")
        self.change = assign_protocol(
            self.db,
            self.user,
            self.patient_id,
            self.protocol.currentData(),
            self.reason.text(),
            self.version,
        )
