"""The codes of the FHIR export, read once from ``resources/fhir/codes.toml``.

The builder asks this module for a CodeableConcept; where the data file lists no standard code the
concept carries words only.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from survtrack.resources import resource

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FhirCodes:
    systems: dict[str, str]
    appointment_minutes: int
    body_sites: dict[str, Json]
    laterality: dict[str, Json]
    histology: dict[str, str]
    procedures: dict[str, Json]
    event_kinds: dict[str, Json]
    event_status: dict[str, str]
    measure_units: dict[str, str]
    pain: Json

    def concept(self, system: str, code: str | None, display: str | None, text: str) -> Json:
        """A CodeableConcept with one coding when ``code`` is given, always with ``text``."""
        concept: Json = {"text": text}
        if code:
            coding: Json = {"system": self.systems[system], "code": code}
            if display:
                coding["display"] = display
            concept["coding"] = [coding]
        return concept

    def icdo3(self, histology: str | None) -> str | None:
        if not histology:
            return None
        return self.histology.get(" ".join(histology.casefold().split()))


@lru_cache(maxsize=1)
def fhir_codes() -> FhirCodes:
    data = tomllib.loads(resource("fhir", "codes.toml").read_text(encoding="utf-8"))
    return FhirCodes(
        systems=data["systems"],
        appointment_minutes=int(data["appointment"]["minutes"]),
        body_sites=data["body_sites"],
        laterality=data["laterality"],
        histology={k.casefold(): v for k, v in data["histology"].items()},
        procedures=data["procedures"],
        event_kinds=data["event_kinds"],
        event_status=data["event_status"],
        measure_units={k: v["unit"] for k, v in data["measures"].items()},
        pain=data["pain"],
    )
