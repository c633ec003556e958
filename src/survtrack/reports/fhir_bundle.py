"""One patient's record as a FHIR R4 Bundle (type ``collection``), as plain JSON-ready dicts.

Resources: Patient; a Condition per tumour (histology with its ICD-O-3 code where known, site,
AJCC stage); a Procedure per operation and radiotherapy course and a MedicationAdministration per
agent of a systemic course; a CarePlan whose activities reference one ServiceRequest per follow-up
event (status from the event's state, occurrence = its window); an Appointment per booked event;
an Observation per side-effect grade, outcome measure and pain score.

Resources meant for scheduling (ServiceRequest, Appointment) say only the kind of event in words:
no diagnosis, no reason, no note. Codes come from ``resources/fhir/codes.toml``.

The builder is pure: it reads the record through the small protocols below (the services' frozen
records satisfy them) and never touches a database or a clock; ``now`` and ``localize`` (a naive
clinic wall-clock time to an aware one) are passed in.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from survtrack.domain.events import KIND_LABELS, EventKind
from survtrack.domain.late_effects import PAIN_KINDS, rehab_reference
from survtrack.reports.fhir_codes import FhirCodes, fhir_codes

Json = dict[str, Any]
#: uuid5 namespace of the resources' ids: the same record exports with the same ids.
_NAMESPACE = uuid.UUID("6f1c0d0e-5b8e-4d43-9a2b-3f5f1c2a9e41")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class TumourLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def diagnosis_date(self) -> date | None: ...
    @property
    def site(self) -> str: ...
    @property
    def limb(self) -> str | None: ...
    @property
    def laterality(self) -> str | None: ...
    @property
    def histology(self) -> str | None: ...
    @property
    def grade(self) -> str | None: ...
    @property
    def size_cm(self) -> float | None: ...
    @property
    def nodes(self) -> str | None: ...
    @property
    def metastasis(self) -> str | None: ...
    @property
    def t_category(self) -> str | None: ...
    @property
    def stage(self) -> str | None: ...


class TreatmentLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    @property
    def procedure(self) -> str | None: ...
    @property
    def margin(self) -> str | None: ...
    @property
    def amputation_level(self) -> str | None: ...
    @property
    def timing(self) -> str | None: ...
    @property
    def modality(self) -> str | None: ...
    @property
    def dose_gy(self) -> float | None: ...
    @property
    def agents(self) -> tuple[str, ...]: ...
    @property
    def doxorubicin_mg_m2(self) -> float | None: ...


class RecurrenceLike(Protocol):
    @property
    def date(self) -> date: ...
    @property
    def kind(self) -> str: ...


class PatientLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def mrn(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def given_name(self) -> str: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def sex(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def physician(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def status_date(self) -> date | None: ...
    @property
    def tumours(self) -> Sequence[TumourLike]: ...
    @property
    def treatments(self) -> Sequence[TreatmentLike]: ...
    @property
    def recurrences(self) -> Sequence[RecurrenceLike]: ...


class EventLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def window_start(self) -> date: ...
    @property
    def window_end(self) -> date: ...
    @property
    def booked_at(self) -> datetime | None: ...
    @property
    def location(self) -> str | None: ...


class GradeLike(Protocol):
    @property
    def graded_on(self) -> date: ...
    @property
    def grade(self) -> int: ...


class SideEffectLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def term(self) -> str: ...
    @property
    def grades(self) -> Sequence[GradeLike]: ...


class RehabEntryLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def entry(self) -> str: ...
    @property
    def on(self) -> date: ...
    @property
    def code(self) -> str: ...
    @property
    def value(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class FhirSource:
    """Everything the bundle says about one patient."""

    patient: PatientLike
    events: Sequence[EventLike] = ()
    side_effects: Sequence[SideEffectLike] = ()
    rehab_entries: Sequence[RehabEntryLike] = ()


def _words(code: str | None) -> str:
    return (code or "").replace("_", " ")


def kind_words(kind: str) -> str:
    """What a scheduling resource may say: the kind of event, in words."""
    try:
        return KIND_LABELS[EventKind(kind)]
    except ValueError:
        return _words(kind).capitalize()


class _Builder:
    def __init__(
        self, source: FhirSource, now: datetime, localize: Callable[[datetime], datetime]
    ) -> None:
        self.source = source
        self.patient = source.patient
        self.now = now
        self.localize = localize
        self.codes: FhirCodes = fhir_codes()
        self.entries: list[Json] = []

    # -- identity ----------------------------------------------------------------------------

    def _id(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.patient.id}/{kind}/{key}"))

    def _add(self, resource: Json) -> Json:
        self.entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
        return resource

    @staticmethod
    def ref(resource: Json) -> Json:
        return {"reference": f"urn:uuid:{resource['id']}"}

    # -- resources ---------------------------------------------------------------------------

    def patient_resource(self) -> Json:
        p, codes = self.patient, self.codes
        resource: Json = {
            "resourceType": "Patient",
            "id": self._id("patient", p.id),
            "identifier": [
                {
                    "use": "usual",
                    "type": codes.concept(
                        "v2_0203", "MR", "Medical record number", "Medical record number"
                    ),
                    "system": codes.systems["mrn"],
                    "value": p.mrn,
                }
            ],
            "active": p.status == "active",
            "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
            "gender": p.sex,
            "birthDate": p.birth_date.isoformat(),
        }
        if p.phone:
            resource["telecom"] = [{"system": "phone", "value": p.phone}]
        if p.status == "deceased" and p.status_date:
            resource["deceasedDateTime"] = p.status_date.isoformat()
        if p.language:
            language = p.language.strip()
            concept: Json = {"text": language}
            if _LANGUAGE_TAG.match(language):
                concept["coding"] = [{"system": codes.systems["bcp47"], "code": language}]
            resource["communication"] = [{"language": concept, "preferred": True}]
        if p.physician:
            resource["generalPractitioner"] = [{"display": p.physician}]
        return self._add(resource)

    def _body_site(self, t: TumourLike) -> Json:
        key = f"extremity_{t.limb}" if t.site == "extremity" and t.limb else t.site
        words = " ".join(
            w for w in (_words(t.laterality), _words(t.limb), _words(t.site)) if w
        ).capitalize()
        site = self.codes.body_sites.get(key)
        concept = self.codes.concept(
            "snomed", site and site["code"], site and site["display"], words
        )
        side = self.codes.laterality.get(t.laterality or "")
        if side:
            concept.setdefault("coding", []).append(
                {
                    "system": self.codes.systems["snomed"],
                    "code": side["code"],
                    "display": side["display"],
                }
            )
        return concept

    def condition(self, t: TumourLike, patient: Json) -> Json:
        histology = (t.histology or "").strip()
        icdo3 = self.codes.icdo3(histology)
        resource: Json = {
            "resourceType": "Condition",
            "id": self._id("condition", t.id),
            "verificationStatus": self.codes.concept(
                "condition_verification", "confirmed", "Confirmed", "Confirmed"
            ),
            "code": self.codes.concept("icdo3", icdo3, None, histology or "Soft tissue sarcoma"),
            "bodySite": [self._body_site(t)],
            "subject": self.ref(patient),
        }
        if t.diagnosis_date:
            resource["onsetDateTime"] = t.diagnosis_date.isoformat()
        if t.stage:
            resource["stage"] = [
                {
                    "summary": {"text": f"Stage {t.stage}"},
                    "type": {"text": "AJCC 8th edition stage group"},
                }
            ]
        facts = [
            x
            for x in (
                t.t_category,
                t.nodes,
                t.metastasis,
                f"grade {t.grade}" if t.grade else None,
                f"{t.size_cm:g} cm" if t.size_cm else None,
            )
            if x
        ]
        notes = [f"AJCC 8: {', '.join(facts)}"] if facts else []
        notes += [
            f"{r.kind.capitalize()} recurrence on {r.date.isoformat()}"
            for r in self.patient.recurrences
        ]
        if notes:
            resource["note"] = [{"text": n} for n in notes]
        return self._add(resource)

    def treatment(self, tr: TreatmentLike, patient: Json, condition: Json | None) -> None:
        reason = {"reasonReference": [self.ref(condition)]} if condition else {}
        if tr.type == "systemic":
            for index, agent in enumerate(tr.agents):
                resource: Json = {
                    "resourceType": "MedicationAdministration",
                    "id": self._id("medication", f"{tr.id}/{index}"),
                    "status": "completed",
                    "medicationCodeableConcept": {"text": agent},
                    "subject": self.ref(patient),
                    "effectivePeriod": {"start": tr.start.isoformat(), "end": tr.end.isoformat()},
                    **reason,
                }
                if tr.doxorubicin_mg_m2 is not None:
                    resource["dosage"] = {
                        "text": f"Cumulative anthracycline dose of the course: "
                        f"{tr.doxorubicin_mg_m2:g} mg/m²"
                    }
                self._add(resource)
            return
        resource = {
            "resourceType": "Procedure",
            "id": self._id("procedure", tr.id),
            "status": "completed",
            "subject": self.ref(patient),
            **reason,
        }
        if tr.type == "surgery":
            words = _words(tr.procedure or "surgery").capitalize()
            known = self.codes.procedures.get(tr.procedure or "")
            resource["code"] = self.codes.concept(
                "snomed", known and known["code"], known and known["display"], words
            )
            resource["performedDateTime"] = tr.start.isoformat()
            if tr.amputation_level:
                resource["bodySite"] = [{"text": _words(tr.amputation_level).capitalize()}]
            if tr.margin:
                resource["outcome"] = {"text": f"{tr.margin} margin"}
        else:
            radiation = self.codes.procedures["radiation"]
            detail = ", ".join(x for x in (tr.timing, _words(tr.modality)) if x)
            words = f"Radiotherapy ({detail})" if detail else "Radiotherapy"
            resource["code"] = self.codes.concept(
                "snomed", radiation["code"], radiation["display"], words
            )
            resource["performedPeriod"] = {"start": tr.start.isoformat(), "end": tr.end.isoformat()}
            if tr.dose_gy:
                resource["note"] = [{"text": f"Total dose {tr.dose_gy:g} Gy"}]
        self._add(resource)

    def _kind_concept(self, kind: str) -> Json:
        known = self.codes.event_kinds.get(kind)
        if not known:
            return {"text": kind_words(kind)}
        return self.codes.concept(
            known["system"], known["code"], known["display"], kind_words(kind)
        )

    def follow_up(self, patient: Json) -> None:
        events = self.source.events
        if not events:
            return
        plan: Json = {
            "resourceType": "CarePlan",
            "id": self._id("careplan", "follow-up"),
            "status": "active" if self.patient.status == "active" else "completed",
            "intent": "plan",
            "title": "Sarcoma follow-up calendar",
            "subject": self.ref(patient),
            "activity": [],
        }
        self._add(plan)
        for event in events:
            request: Json = {
                "resourceType": "ServiceRequest",
                "id": self._id("servicerequest", event.id),
                "basedOn": [self.ref(plan)],
                "status": self.codes.event_status.get(event.state, "unknown"),
                "intent": "plan",
                "code": self._kind_concept(event.kind),
                "subject": self.ref(patient),
                "occurrencePeriod": {
                    "start": event.window_start.isoformat(),
                    "end": event.window_end.isoformat(),
                },
            }
            self._add(request)
            plan["activity"].append({"reference": self.ref(request)})
            if event.state == "booked" and event.booked_at is not None:
                self.appointment(event, request, patient)

    def appointment(self, event: EventLike, request: Json, patient: Json) -> None:
        assert event.booked_at is not None
        start = self.localize(event.booked_at)
        end = start + timedelta(minutes=self.codes.appointment_minutes)
        participants: list[Json] = [
            {"actor": self.ref(patient), "required": "required", "status": "accepted"}
        ]
        if event.location:
            participants.append(
                {"actor": {"display": event.location}, "required": "required", "status": "accepted"}
            )
        self._add(
            {
                "resourceType": "Appointment",
                "id": self._id("appointment", event.id),
                "status": "booked",
                "serviceType": [{"text": kind_words(event.kind)}],
                "description": kind_words(event.kind),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "basedOn": [self.ref(request)],
                "participant": participants,
            }
        )

    def _observation(
        self, key: str, code: Json, on: date, value: Json, category: str, patient: Json
    ) -> None:
        self._add(
            {
                "resourceType": "Observation",
                "id": self._id("observation", key),
                "status": "final",
                "category": [
                    self.codes.concept(
                        "observation_category", category, category.capitalize(), category
                    )
                ],
                "code": code,
                "subject": self.ref(patient),
                "effectiveDateTime": on.isoformat(),
                **value,
            }
        )

    def observations(self, patient: Json) -> None:
        for effect in self.source.side_effects:
            for index, point in enumerate(effect.grades):
                self._observation(
                    f"grade/{effect.id}/{index}",
                    {"text": f"{effect.term}, CTCAE v5.0 grade"},
                    point.graded_on,
                    {"valueInteger": point.grade},
                    "exam",
                    patient,
                )
        measures = rehab_reference().measures
        ucum = self.codes.systems["ucum"]
        for entry in self.source.rehab_entries:
            if entry.value is None:
                continue
            if entry.entry == "measure" and entry.code in measures:
                unit = self.codes.measure_units.get(entry.code, "1")
                name = measures[entry.code].name
                code = {"text": name}
                value = {"value": entry.value, "unit": measures[entry.code].unit}
                category = "exam"
            elif entry.entry == "pain" and entry.code in PAIN_KINDS:
                pain = self.codes.pain
                unit = pain["unit"]
                code = self.codes.concept(
                    "loinc", pain["code"], pain["display"], PAIN_KINDS[entry.code]
                )
                value = {"value": entry.value, "unit": "points"}
                category = "survey"
            else:
                continue
            self._observation(
                f"rehab/{entry.id}",
                code,
                entry.on,
                {"valueQuantity": {**value, "system": ucum, "code": unit}},
                category,
                patient,
            )

    def bundle(self) -> Json:
        patient = self.patient_resource()
        conditions = [self.condition(t, patient) for t in self.patient.tumours]
        for tr in self.patient.treatments:
            self.treatment(tr, patient, conditions[0] if conditions else None)
        self.follow_up(patient)
        self.observations(patient)
        return {
            "resourceType": "Bundle",
            "id": self._id("bundle", self.now.isoformat()),
            "type": "collection",
            "timestamp": self.now.isoformat(),
            "entry": self.entries,
        }


def patient_bundle(
    source: FhirSource,
    now: datetime,
    localize: Callable[[datetime], datetime],
) -> Json:
    """The FHIR R4 collection Bundle of one patient (``now`` must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (a FHIR instant)")
    return _Builder(source, now, localize).bundle()
