"""Reading FHIR Patient resources back into the columns of the patient import.

``bundle_patient_rows`` turns a Bundle (any type) of Patient resources into the same raw rows a
CSV extract gives (text by column name), so both go through one validation. A value the reader
cannot take becomes a ``RowProblem`` naming the entry and the FHIR element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survtrack.domain.errors import BadInput
from survtrack.reports.fhir_codes import fhir_codes

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RawRow:
    """One patient as text by import column; ``row`` is the line (CSV) or entry number (FHIR)."""

    row: int
    values: dict[str, str]
    #: the file's name for each column (a FHIR element path), for messages
    labels: dict[str, str]
    problem: tuple[str, str] | None = None  # (column label, reason)
    #: what ``row`` counts: a CSV row (the header is row 1) or a Bundle entry
    unit: str = "row"


LABELS = {
    "mrn": "identifier",
    "family_name": "name.family",
    "given_name": "name.given",
    "birth_date": "birthDate",
    "sex": "gender",
    "phone": "telecom",
    "language": "communication.language",
    "physician": "generalPractitioner",
}


def _mrn(identifiers: list[Json]) -> str | None:
    codes = fhir_codes()
    mr_system = codes.systems["v2_0203"]
    for identifier in identifiers:
        for coding in (identifier.get("type") or {}).get("coding") or []:
            if coding.get("system") == mr_system and coding.get("code") == "MR":
                return str(identifier.get("value") or "")
    for identifier in identifiers:
        if identifier.get("system") == codes.systems["mrn"]:
            return str(identifier.get("value") or "")
    if len(identifiers) == 1:
        return str(identifiers[0].get("value") or "")
    return None


def _name(names: list[Json]) -> Json:
    for name in names:
        if name.get("use") == "official":
            return name
    return names[0] if names else {}


def _language(communication: list[Json]) -> str:
    preferred = [c for c in communication if c.get("preferred")] or communication
    if not preferred:
        return ""
    concept = preferred[0].get("language") or {}
    for coding in concept.get("coding") or []:
        if coding.get("code"):
            return str(coding["code"])
    return str(concept.get("text") or "")


def patient_values(resource: Json) -> dict[str, str]:
    """The import columns of one Patient resource (``BadInput`` names the element)."""
    identifiers = resource.get("identifier") or []
    if not isinstance(identifiers, list):
        raise BadInput("identifier", "must be a list")
    mrn = _mrn(identifiers)
    if mrn is None:
        raise BadInput("identifier", "no medical record number (an identifier of type MR)")
    name = _name(resource.get("name") or [])
    given = name.get("given") or []
    if not isinstance(given, list):
        raise BadInput("name.given", "must be a list")
    phones = [t for t in resource.get("telecom") or [] if t.get("system") == "phone"]
    practitioners = resource.get("generalPractitioner") or []
    return {
        "mrn": mrn,
        "family_name": str(name.get("family") or ""),
        "given_name": " ".join(str(g) for g in given),
        "birth_date": str(resource.get("birthDate") or ""),
        "sex": str(resource.get("gender") or ""),
        "phone": str(phones[0].get("value") or "") if phones else "",
        "language": _language(resource.get("communication") or []),
        "physician": str(practitioners[0].get("display") or "") if practitioners else "",
    }


def bundle_patient_rows(bundle: Any) -> list[RawRow]:
    """One raw row per Patient entry of a Bundle (other resources are skipped)."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BadInput("resourceType", "the file is not a FHIR Bundle")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise BadInput("entry", "must be a list")
    rows: list[RawRow] = []
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            continue
        try:
            rows.append(RawRow(number, patient_values(resource), LABELS, unit="entry"))
        except BadInput as exc:
            rows.append(RawRow(number, {}, LABELS, (exc.field, exc.reason), unit="entry"))
    if not rows:
        raise BadInput("entry", "the Bundle holds no Patient resource")
    return rows
