"""Registering and editing a patient, and recording a status change (deceased, discharged, ...)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLineEdit, QWidget

from survtrack.domain.events import PatientStatus
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import CalendarChange
from survtrack.services.patient_edit import (
    SEXES,
    PatientInput,
    create_patient,
    set_status,
    update_patient,
)
from survtrack.services.patient_records import PatientRecord
from survtrack.store.engine import Database
from survtrack.ui.forms import DateField, FormDialog, choice_box, code_options


class PatientDialog(FormDialog):
    """New patient when ``record`` is None, else edit that patient."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        record: PatientRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Edit patient" if record else "New patient", parent)
        self.db, self.user, self.today, self.record = db, user, today, record
        self.patient_id: int | None = record.id if record else None
        self.mrn = self.add("&MRN", QLineEdit(record.mrn if record else ""), "MRN", required=True)
        self.family = self.add(
            "&Family name", QLineEdit(record.family_name if record else ""), "Family name", True
        )
        self.given = self.add(
            "&Given name", QLineEdit(record.given_name if record else ""), "Given name", True
        )
        self.birth = self.add(
            "&Birth date",
            DateField("Birth date", record.birth_date if record else None),
            "Birth date",
            required=True,
        )
        self.sex = self.add(
            "&Sex",
            choice_box(
                code_options(SEXES, blank=None, field="sex"), record.sex if record else "unknown"
            ),
            "Sex",
        )
        self.phone = self.add("&Phone", QLineEdit(record.phone or "" if record else ""), "Phone")
        self.language = self.add(
            "&Language", QLineEdit(record.language or "" if record else ""), "Language"
        )
        self.physician = self.add(
            "Treating p&hysician",
            QLineEdit(record.physician or "" if record else ""),
            "Treating physician",
        )

    def data(self) -> PatientInput:
        return PatientInput(
            mrn=self.mrn.text(),
            family_name=self.family.text(),
            given_name=self.given.text(),
            birth_date=self.birth.value(),
            sex=self.sex.currentData(),
            phone=self.phone.text(),
            language=self.language.text(),
            physician=self.physician.text(),
        )

    def save(self) -> None:
        data = self.data()
        if self.record is None:
            self.patient_id = create_patient(self.db, self.user, data, self.today)
        else:
            update_patient(
                self.db,
                self.user,
                self.record.id,
                data,
                self.today,
                expected_version=self.record.version,
            )


class StatusDialog(FormDialog):
    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        record: PatientRecord,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Patient status",
            parent,
            "Deceased, discharged and transferred patients leave the worklists; "
            "their planned and booked events from that date are cancelled.",
        )
        self.db, self.user, self.today, self.record = db, user, today, record
        self.change: CalendarChange | None = None
        self.status = self.add(
            "&Status",
            choice_box([(s.value.capitalize(), s.value) for s in PatientStatus], record.status),
            "Status",
        )
        self.when = self.add(
            "&Date", DateField("Status date", record.status_date or today), "Status date"
        )

    def save(self) -> None:
        status = self.status.currentData()
        when = self.when.value() if status != PatientStatus.ACTIVE.value else None
        self.change = set_status(
            self.db,
            self.user,
            self.record.id,
            status,
            when,
            self.today,
            expected_version=self.record.version,
        )
