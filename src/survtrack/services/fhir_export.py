"""FHIR R4 export of one patient: read the record, build the Bundle, write the JSON file.

The record, calendar, side effects and rehabilitation entries are read in separate read units
(each its own snapshot); the builder in ``reports.fhir_bundle`` does the rest.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from survtrack.domain.errors import BadInput
from survtrack.reports.fhir_bundle import FhirSource, patient_bundle
from survtrack.services.calendar import load_calendar
from survtrack.services.patient_records import load_patient
from survtrack.services.rehab import load_rehab
from survtrack.services.side_effects import list_side_effects
from survtrack.services.visits import patient_id_by_mrn
from survtrack.store.engine import Database

__all__ = ["check_bundle", "check_output", "fhir_bundle", "patient_id_by_mrn", "write_fhir"]


def _local(wall_clock: datetime) -> datetime:
    """A booked time (the clinic's local wall clock) as an aware time in this machine's zone."""
    return wall_clock.astimezone()


def fhir_bundle(db: Database, patient_id: int, now: datetime | None = None) -> dict[str, Any]:
    record = load_patient(db, patient_id)
    if record is None:
        raise BadInput("patient", "no longer exists")
    rehab = load_rehab(db, patient_id)
    source = FhirSource(
        record,
        load_calendar(db, patient_id),
        list_side_effects(db, patient_id),
        rehab.entries if rehab else (),
    )
    return patient_bundle(source, now or datetime.now(UTC), _local)


def check_bundle(bundle: dict[str, Any]) -> None:
    """Refuse to write what the FHIR R4B models reject (a bug here, never the user's input)."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)


def check_output(path: Path) -> None:
    if path.suffix.lower() != ".json":
        raise BadInput("output", "must be a .json file")
    if not path.parent.exists():
        raise BadInput("output", f"no such folder: {path.parent}")


def write_fhir(db: Database, patient_id: int, path: Path, now: datetime | None = None) -> Path:
    """Write the patient's Bundle to ``path`` (the whole file, or nothing: a temporary file is
    renamed into place)."""
    check_output(path)
    bundle = fhir_bundle(db, patient_id, now)
    check_bundle(bundle)
    text = json.dumps(bundle, indent=1, ensure_ascii=False)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text + "\n", encoding="utf-8")
    partial.replace(path)
    return path
