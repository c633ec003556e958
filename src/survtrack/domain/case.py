"""Case facts: the tumour, treatments, recurrences and status that a calendar is computed from.

These frozen dataclasses are what the generator reads; the database and the case file both turn
into them (see ``case_file`` for the JSON contract).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.sites import Depth, Laterality, Limb, Metastasis, Nodes, Site


@dataclass(frozen=True, slots=True)
class Tumour:
    site: Site
    limb: Limb | None = None
    laterality: Laterality | None = None
    histology: str | None = None
    grade: Grade | None = None
    size_cm: float | None = None
    depth: Depth | None = None
    nodes: Nodes | None = None
    metastasis: Metastasis | None = None
    t4_invasion: bool = False


@dataclass(frozen=True, slots=True)
class Surgery:
    date: date
    procedure: str
    amputation_level: str | None = None
    margin: str | None = None

    @property
    def start(self) -> date:
        return self.date

    @property
    def end(self) -> date:
        return self.date


@dataclass(frozen=True, slots=True)
class Radiation:
    start: date
    end: date
    timing: str | None = None
    modality: str | None = None
    dose_gy: float | None = None


@dataclass(frozen=True, slots=True)
class Systemic:
    start: date
    end: date
    agents: tuple[str, ...]
    doxorubicin_mg_m2: float | None = None  # of the anthracycline listed, in mg/m2 of that agent


Treatment = Surgery | Radiation | Systemic


@dataclass(frozen=True, slots=True)
class Recurrence:
    date: date
    kind: str  # "local" or "distant"


@dataclass(frozen=True, slots=True)
class Status:
    state: str = "active"  # active, deceased, discharged (transferred in the database)
    date: date | None = None

    @property
    def ends_surveillance(self) -> bool:
        return self.state != "active" and self.date is not None


@dataclass(frozen=True, slots=True)
class Case:
    tumour: Tumour
    treatments: tuple[Treatment, ...] = ()
    recurrences: tuple[Recurrence, ...] = ()
    status: Status = field(default_factory=Status)
    surveillance_start: date | None = None


def first_anchor(case: Case) -> date:
    """Episode 1's anchor: ``surveillance_start``, else the latest end of the treatments that
    start before the first recurrence. Without either there is no calendar: bad input."""
    first_recurrence = case.recurrences[0].date if case.recurrences else None
    ends = [
        t.end for t in case.treatments if first_recurrence is None or t.start < first_recurrence
    ]
    anchor = case.surveillance_start or max(ends, default=None)
    if anchor is None:
        raise BadInput(
            "surveillance_start",
            "no anchor: give surveillance_start or a treatment before the first recurrence",
        )
    return anchor
