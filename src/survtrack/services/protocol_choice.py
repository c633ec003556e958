"""A protocol chosen for one patient (issue 12 item 6).

A physician or an administrator may assign a patient a protocol of the set in use instead of the
one matched by site and histology (a GIST or Kaposi sarcoma, which has no default, or a reason of
their own), always with a reason. The assignment, who made it and when are stored on the patient
and audited like every write; the calendar is regenerated in the same transaction, so a patient on
the "Needs a plan" list leaves it. Clearing the assignment returns the patient to the clinic's
default protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from survtrack.domain.errors import BadInput
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import CalendarChange, regenerate_in_session
from survtrack.services.clinic_settings import settings_in
from survtrack.services.errors import check_version
from survtrack.services.permissions import Action, can, require
from survtrack.services.protocol_sets import covers, load_set
from survtrack.store.engine import Database
from survtrack.store.models import Patient

REASON_LIMIT = 500


def can_assign(user: SignedIn) -> bool:
    """Physicians and administrators (``services.permissions``)."""
    return can(user, Action.ASSIGN_PROTOCOL)


@dataclass(frozen=True, slots=True)
class Assignment:
    """A patient's chosen protocol as the patient record shows it."""

    protocol_id: str
    name: str  # the protocol's name, or a sentence when the set in use lacks it
    covers: str
    reason: str
    chosen_by: str
    chosen_at: datetime | None
    available: bool  # False: the set in use has no protocol with that id


def assign_protocol(
    db: Database,
    user: SignedIn,
    patient_id: int,
    protocol_id: str | None,
    reason: str,
    version: int | None,
) -> CalendarChange:
    """Assign ``protocol_id`` (None: back to the clinic default) with a reason; the calendar is
    regenerated in the same transaction. Returns what changed in the calendar."""
    require(user, Action.ASSIGN_PROTOCOL)
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("Reason", "is required: say why this patient gets this protocol")
    if len(reason) > REASON_LIMIT:
        raise BadInput("Reason", f"must be at most {REASON_LIMIT} characters")
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        check_version("This patient", patient.version, version)
        if protocol_id is not None:
            protocols = load_set(settings_in(session).default_protocol_set)
            if protocols.by_id(protocol_id) is None:
                raise BadInput("Protocol", "is not in the protocol set in use; choose another")
        if protocol_id is None and patient.protocol_id is None:
            raise BadInput("Protocol", "this patient already follows the clinic's default")
        patient.protocol_id = protocol_id
        patient.protocol_reason = reason
        patient.protocol_chosen_by = user.full_name
        patient.protocol_chosen_at = datetime.now(UTC)
        session.flush()
        return regenerate_in_session(session, patient_id)


def load_assignment(db: Database, patient_id: int) -> Assignment | None:
    """The patient's chosen protocol, or None when the clinic default applies."""
    with db.read() as session:
        patient = session.get(Patient, patient_id)
        if patient is None or patient.protocol_id is None:
            return None
        name, what, available = patient.protocol_id, "", False
        try:
            protocol = load_set(settings_in(session).default_protocol_set).by_id(
                patient.protocol_id
            )
        except BadInput:
            protocol = None
        if protocol is not None:
            name, what, available = protocol.name, covers(protocol), True
        else:
            name = "a protocol that is not in the protocol set in use"
        return Assignment(
            patient.protocol_id,
            name,
            what,
            patient.protocol_reason or "",
            patient.protocol_chosen_by or "",
            patient.protocol_chosen_at,
            available,
        )
