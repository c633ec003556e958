"""The FHIR builder alone: a hand-made record becomes a Bundle the R4B models accept, with the
codes from the data file, window periods, appointments and no diagnosis in scheduling resources."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle

from survtrack.reports.fhir_bundle import FhirSource, patient_bundle
from survtrack.services.calendar import EventRow
from survtrack.services.patient_records import (
    PatientRecord,
    RecurrenceRecord,
    TreatmentRecord,
    TumourRecord,
)
from survtrack.services.rehab import EntryRow
from survtrack.services.side_effects import GradePoint, SideEffectRecord

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CLINIC = ZoneInfo("America/New_York")
HISTOLOGY = "Myxoid liposarcoma"


def localize(wall_clock: datetime) -> datetime:
    return wall_clock.replace(tzinfo=CLINIC)


def event(n: int, kind: str, state: str, booked: datetime | None = None) -> EventRow:
    due = date(2026, 12, 1) + timedelta(days=30 * n)
    return EventRow(
        n, 1, kind, due, due - timedelta(days=14), due + timedelta(days=14), due, state,
        booked, "Room 4" if booked else None, None, None, "rule", "source", False, 1,
    )  # fmt: skip


def record() -> PatientRecord:
    tumour = TumourRecord(
        7, date(2025, 6, 2), "extremity", "lower", "left", HISTOLOGY, "3", 8.0, "deep",
        "N0", "M0", "T2", "IIIA", "high",
    )  # fmt: skip
    surgery = TreatmentRecord(
        1, "surgery", date(2025, 9, 1), date(2025, 9, 1), "amputation", "R0", "transfemoral",
        None, None, None, (), None,
    )  # fmt: skip
    radiation = TreatmentRecord(
        2, "radiation", date(2025, 7, 1), date(2025, 8, 10), None, None, None, "preoperative",
        "imrt", 50.0, (), None,
    )  # fmt: skip
    chemo = TreatmentRecord(
        3, "systemic", date(2025, 3, 1), date(2025, 6, 1), None, None, None, None, None,
        None, ("doxorubicin", "ifosfamide"), 300.0,
    )  # fmt: skip
    return PatientRecord(
        11, "M-0042", "Rivera", "Ana María", date(1961, 3, 4), "female", "555-0100", "es",
        "Dr. Cole", "active", None, (tumour,), (chemo, radiation, surgery),
        (RecurrenceRecord(1, date(2026, 6, 1), "local"),), 1,
    )  # fmt: skip


def source() -> FhirSource:
    effect = SideEffectRecord(
        5, "Lymphedema", "Vascular disorders", "radiation", date(2026, 1, 2), "ongoing", None,
        None, (GradePoint(date(2026, 1, 2), 1), GradePoint(date(2026, 4, 2), 2)), 1,
    )  # fmt: skip
    return FhirSource(
        record(),
        (
            event(1, "chest_ct", "completed"),
            event(2, "clinic_visit", "booked", datetime(2027, 1, 5, 14, 15)),
            event(3, "pt_assessment", "waived"),
            event(4, "primary_site_mri", "planned"),
        ),
        (effect,),
        (
            EntryRow(1, "measure", date(2026, 2, 1), "tug", 9.4, None, None),
            EntryRow(2, "pain", date(2026, 2, 1), "phantom_pain", 6.0, None, None),
            EntryRow(3, "session", date(2026, 2, 1), "PT", 45.0, "Kim", None),
        ),
    )


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_bundle_is_valid_r4b_and_holds_every_part_of_the_record() -> None:
    bundle = patient_bundle(source(), NOW, localize)
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    counts = {kind: len(resources(bundle, kind)) for kind in (
        "Patient", "Condition", "Procedure", "MedicationAdministration", "CarePlan",
        "ServiceRequest", "Appointment", "Observation",
    )}  # fmt: skip
    assert counts == {
        "Patient": 1,
        "Condition": 1,
        "Procedure": 2,  # the operation and the radiotherapy course
        "MedicationAdministration": 2,  # one per agent
        "CarePlan": 1,
        "ServiceRequest": 4,
        "Appointment": 1,
        "Observation": 4,  # two grades, a TUG, a pain score (not the therapy session)
    }
    urls = {e["fullUrl"] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        for ref in _references(entry["resource"]):
            assert ref in urls, f"{entry['resource']['resourceType']} points nowhere: {ref}"


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for v in node.values() for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []


def test_condition_carries_icdo3_histology_site_and_ajcc_stage() -> None:
    (condition,) = resources(patient_bundle(source(), NOW, localize), "Condition")
    assert condition["code"]["coding"][0]["code"] == "8852/3"
    assert condition["code"]["text"] == HISTOLOGY
    assert condition["stage"][0]["summary"]["text"] == "Stage IIIA"
    site_codes = {c["code"] for c in condition["bodySite"][0]["coding"]}
    assert site_codes == {"61685007", "7771000"}  # lower limb, left


def test_unknown_histology_has_words_only() -> None:
    plain = record()
    tumour = plain.tumours[0]
    odd = type(tumour)(**{**{f: getattr(tumour, f) for f in tumour.__slots__}, "histology": "odd"})
    patient = type(plain)(**{**{f: getattr(plain, f) for f in plain.__slots__}, "tumours": (odd,)})
    bundle = patient_bundle(FhirSource(patient), NOW, localize)
    Bundle.model_validate(bundle)
    (condition,) = resources(bundle, "Condition")
    assert condition["code"] == {"text": "odd"}
    assert not resources(bundle, "CarePlan")  # no calendar, no care plan


def test_service_requests_follow_the_event_states_and_windows() -> None:
    bundle = patient_bundle(source(), NOW, localize)
    requests = resources(bundle, "ServiceRequest")
    assert [r["status"] for r in requests] == ["completed", "active", "revoked", "active"]
    first = source().events[0]
    assert requests[0]["occurrencePeriod"] == {
        "start": first.window_start.isoformat(),
        "end": first.window_end.isoformat(),
    }
    assert requests[0]["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "24627-2",
        "display": "CT Chest",
    }
    assert requests[2]["code"] == {"text": "Physical therapy assessment"}  # no standard code
    (plan,) = resources(bundle, "CarePlan")
    assert [a["reference"]["reference"] for a in plan["activity"]] == [
        f"urn:uuid:{r['id']}" for r in requests
    ]


def test_the_appointment_is_the_booked_time_at_the_clinic() -> None:
    (appointment,) = resources(patient_bundle(source(), NOW, localize), "Appointment")
    assert appointment["status"] == "booked"
    assert appointment["start"] == "2027-01-05T14:15:00-05:00"
    assert appointment["end"] == "2027-01-05T14:45:00-05:00"
    assert appointment["description"] == "Clinic visit"


def test_no_diagnosis_in_resources_meant_for_scheduling() -> None:
    bundle = patient_bundle(source(), NOW, localize)
    for kind in ("ServiceRequest", "Appointment"):
        for resource in resources(bundle, kind):
            text = str(resource).casefold()
            for clinical in ("liposarcoma", "8852", "sarcoma", "stage", "condition", "iiia"):
                assert clinical not in text, (kind, clinical)
            assert "reasonReference" not in resource and "reasonCode" not in resource


def test_observations_grade_and_outcome_measures() -> None:
    observations = resources(patient_bundle(source(), NOW, localize), "Observation")
    grades = [o for o in observations if "valueInteger" in o]
    assert [o["valueInteger"] for o in grades] == [1, 2]
    assert grades[0]["code"]["text"] == "Lymphedema, CTCAE v5.0 grade"
    tug = next(o for o in observations if o["code"]["text"] == "Timed Up and Go")
    assert tug["valueQuantity"]["value"] == 9.4 and tug["valueQuantity"]["code"] == "s"
    pain = next(o for o in observations if o["code"]["text"] == "Phantom limb pain")
    assert pain["code"]["coding"][0]["code"] == "72514-3"


def test_the_same_record_exports_with_the_same_resource_ids() -> None:
    one = patient_bundle(source(), NOW, localize)
    two = patient_bundle(source(), NOW + timedelta(hours=1), localize)
    assert [e["fullUrl"] for e in one["entry"]] == [e["fullUrl"] for e in two["entry"]]
