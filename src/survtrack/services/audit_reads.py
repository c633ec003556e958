"""Reads of patient data in the audit trail: a record opened, a summary printed or saved, an
export written (overdue list, calendar file, FHIR).

One ``read`` entry per act, in its own short transaction, naming who, the patient (or, for a list,
how many patients and which filters) and what was done; the file's name when one was written.
The entry is written before the data leaves the app: an export that then fails is still on record
as attempted, never the other way round.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from survtrack.store.audit import Actor, record
from survtrack.store.engine import Database

#: what was done, in the words the audit trail keeps
OPENED = "record opened"
SUMMARY_PRINTED = "summary printed"
SUMMARY_SAVED = "summary saved"
OVERDUE_EXPORTED = "overdue list exported"
CALENDAR_EXPORTED = "calendar file exported"
FHIR_EXPORTED = "FHIR record exported"
IMPORT_PREVIEWED = "import previewed"


def audit_read(
    db: Database,
    actor: Actor,
    what: str,
    patient_id: int | None = None,
    *,
    path: Path | str | None = None,
    count: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record that ``actor`` read patient data (``what``: one of the words above)."""
    changes: dict[str, Any] = {"what": what, **(detail or {})}
    if path is not None:
        changes["file"] = str(path)
    if count is not None:
        changes["patients"] = count
    with db.write(actor) as session:
        record(session, "read", "patients", patient_id, changes)
