"""Synthetic demo patients: realistic, deterministic for a seed, and fast to insert.

Proportions follow published soft tissue sarcoma series roughly: half extremity (mostly lower
limb), grade 3 the most common, about 1 in 20 extremity operations an amputation, a quarter treated
with chemotherapy (mostly doxorubicin based), one in six recurring, some deceased or discharged.
Each patient's follow-up calendar comes from the real generator; past events are mostly completed,
some missed or still open (overdue), and events whose window is about to open are partly booked.

Rows are written with Core bulk inserts in one transaction; the audit trail gets one entry that
says how many rows the demo added.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Boolean, Connection, Date, DateTime, Table, func, insert, select, text

from survtrack.domain.case import Case, Radiation, Recurrence, Status, Surgery, Systemic, Tumour
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.risk import RiskTier, episode_tier, first_episode_risk, is_desmoid
from survtrack.domain.sites import (
    LOWER_LIMB_AMPUTATION_LEVELS,
    UPPER_LIMB_AMPUTATION_LEVELS,
    Depth,
    Laterality,
    Limb,
    Metastasis,
    Nodes,
    Site,
)
from survtrack.domain.staging import stage_tumour
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.generator import plan_case
from survtrack.protocols.loader import load_protocols
from survtrack.services.demo_names import (
    FAMILY_NAMES,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    LANGUAGES,
    PHYSICIANS,
)
from survtrack.store.audit import Actor, record
from survtrack.store.engine import Database
from survtrack.store.models import (
    FollowUpEvent,
    Patient,
    RecurrenceRow,
    TreatmentRow,
    search_key,
)
from survtrack.store.models import Tumour as TumourRow

T = TypeVar("T")
MAX_PATIENTS = 1_000_000
BATCH = 2_000

SITE_WEIGHTS = {
    Site.EXTREMITY: 55,
    Site.TRUNK: 12,
    Site.RETROPERITONEUM: 15,
    Site.HEAD_NECK: 5,
    Site.VISCERAL: 13,
}
HISTOLOGY_WEIGHTS = {
    "soft": {
        "undifferentiated pleomorphic sarcoma": 20,
        "myxoid liposarcoma": 10,
        "well-differentiated liposarcoma": 9,
        "myxofibrosarcoma": 12,
        "synovial sarcoma": 8,
        "leiomyosarcoma": 10,
        "malignant peripheral nerve sheath tumour": 5,
        "desmoid tumour": 5,
        "pleomorphic liposarcoma": 4,
        "fibrosarcoma": 3,
        "epithelioid sarcoma": 2,
        "clear cell sarcoma": 2,
    },
    "abdominal": {
        "well-differentiated liposarcoma": 30,
        "dedifferentiated liposarcoma": 28,
        "leiomyosarcoma": 30,
        "solitary fibrous tumour": 6,
        "desmoid tumour": 3,
        "undifferentiated pleomorphic sarcoma": 3,
    },
    "head_neck": {
        "angiosarcoma": 25,
        "undifferentiated pleomorphic sarcoma": 25,
        "rhabdomyosarcoma": 15,
        "synovial sarcoma": 10,
        "malignant peripheral nerve sheath tumour": 15,
        "desmoid tumour": 10,
    },
}
GRADE_WEIGHTS = {Grade.G1: 30, Grade.G2: 25, Grade.G3: 40, Grade.GX: 5}


@dataclass(frozen=True, slots=True)
class DemoSummary:
    patients: int
    tumours: int
    treatments: int
    recurrences: int
    events: int
    deceased: int
    amputations: int

    def line(self) -> str:
        return (
            f"demo: added {self.patients} patients ({self.deceased} deceased, "
            f"{self.amputations} amputations), {self.treatments} treatments, "
            f"{self.recurrences} recurrences, {self.events} follow-up events"
        )


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


@dataclass(slots=True)
class _Synth:
    patient: dict[str, Any]
    tumour: dict[str, Any]
    treatments: list[dict[str, Any]]
    recurrences: list[dict[str, Any]]
    case: Case


def _synth_patient(rng: random.Random, index: int, today: date, now: datetime) -> _Synth:
    sex = "female" if rng.random() < 0.47 else "male"
    given = _pick(rng, GIVEN_NAMES_FEMALE if sex == "female" else GIVEN_NAMES_MALE)
    family = _pick(rng, FAMILY_NAMES)
    diagnosis = today - timedelta(days=rng.randint(75, 10 * 365))
    age = max(18, min(92, int(rng.gauss(58, 15))))
    birth = diagnosis - timedelta(days=age * 365 + rng.randint(0, 364))

    site = _weighted(rng, SITE_WEIGHTS)
    group = {"extremity": "soft", "trunk": "soft", "head_neck": "head_neck"}.get(site, "abdominal")
    histology = _weighted(rng, HISTOLOGY_WEIGHTS[group])
    desmoid = is_desmoid(histology)
    grade = None if desmoid else _weighted(rng, GRADE_WEIGHTS)
    median = (
        15.0
        if site in (Site.RETROPERITONEUM, Site.VISCERAL)
        else 3.5
        if site is Site.HEAD_NECK
        else 7.0
    )
    size = round(min(45.0, max(0.5, median * math.exp(rng.gauss(0, 0.55)))), 1)
    limb = None
    if site is Site.EXTREMITY:
        limb = Limb.LOWER if rng.random() < 0.75 else Limb.UPPER
    laterality = None
    if site in (Site.EXTREMITY, Site.TRUNK, Site.HEAD_NECK):
        laterality = rng.choice((Laterality.LEFT, Laterality.RIGHT))
    nodes = Nodes.N1 if rng.random() < 0.03 else Nodes.N0
    metastasis = Metastasis.M1 if rng.random() < 0.07 else Metastasis.M0
    depth = Depth.DEEP if rng.random() < 0.75 else Depth.SUPERFICIAL
    tumour = Tumour(site, limb, laterality, histology, grade, size, depth, nodes, metastasis)
    staging = stage_tumour(site, size, grade, nodes, metastasis)
    risk = "any" if desmoid else first_episode_risk(staging, grade, nodes, metastasis)[0].value

    treatments: list[Surgery | Radiation | Systemic] = []
    high_grade = grade in (Grade.G2, Grade.G3)
    day = diagnosis + timedelta(days=rng.randint(10, 30))
    chemo = high_grade and rng.random() < (0.45 if size > 5 else 0.15)
    if chemo:
        roll = rng.random()
        agents = (
            ("doxorubicin", "ifosfamide")
            if roll < 0.7
            else ("doxorubicin",)
            if roll < 0.9
            else ("gemcitabine", "docetaxel")
        )
        dose = None
        if "doxorubicin" in agents and rng.random() > 0.05:
            dose = float(rng.choice((150, 225, 300, 375, 450)))
        end = day + timedelta(days=rng.randint(60, 120))
        treatments.append(Systemic(day, end, agents, dose))
        day = end + timedelta(days=rng.randint(14, 28))
    radiate = site in (Site.EXTREMITY, Site.TRUNK, Site.HEAD_NECK) and rng.random() < 0.5
    radiate = radiate or (site is Site.RETROPERITONEUM and rng.random() < 0.2)
    preop = radiate and rng.random() < 0.6
    if preop:
        end = day + timedelta(days=rng.randint(33, 40))
        treatments.append(Radiation(day, end, "preoperative", "imrt", 50.0))
        day = end + timedelta(days=rng.randint(28, 42))
    if site is Site.EXTREMITY:
        roll = rng.random()
        procedure = (
            "amputation" if roll < 0.06 else "limb_sparing" if roll < 0.6 else "wide_local_excision"
        )
    elif site is Site.TRUNK:
        procedure = "wide_local_excision"
    else:
        procedure = "other"
    level = None
    if procedure == "amputation":
        levels = (
            LOWER_LIMB_AMPUTATION_LEVELS if limb is Limb.LOWER else UPPER_LIMB_AMPUTATION_LEVELS
        )
        level = rng.choice(levels[:5])
    margin = _weighted(rng, {"R0": 80, "R1": 17, "R2": 3})
    treatments.append(Surgery(day, procedure, level, margin))
    if radiate and not preop:
        start = day + timedelta(days=rng.randint(28, 50))
        treatments.append(
            Radiation(
                start, start + timedelta(days=rng.randint(40, 46)), "postoperative", "imrt", 66.0
            )
        )

    last_end = max(t.end for t in treatments)
    recurrences: list[Recurrence] = []
    if rng.random() < 0.17 and (today - last_end).days > 200:
        when = last_end + timedelta(days=rng.randint(120, min(2400, (today - last_end).days)))
        kind = "local" if rng.random() < 0.6 else "distant"
        recurrences.append(Recurrence(when, kind))
        if rng.random() < 0.7 and when + timedelta(days=40) < today:
            if kind == "local" and site is Site.EXTREMITY and rng.random() < 0.2:
                levels = (
                    LOWER_LIMB_AMPUTATION_LEVELS
                    if limb is Limb.LOWER
                    else UPPER_LIMB_AMPUTATION_LEVELS
                )
                treatments.append(
                    Surgery(when + timedelta(days=30), "amputation", rng.choice(levels[:5]))
                )
            elif kind == "local":
                treatments.append(Surgery(when + timedelta(days=30), "wide_local_excision"))
            else:
                treatments.append(
                    Systemic(
                        when + timedelta(days=21),
                        when + timedelta(days=120),
                        ("doxorubicin",),
                        225.0,
                    )
                )

    status, status_date = "active", None
    roll = rng.random()
    if roll < 0.13 and (today - last_end).days > 60:
        status = "deceased" if roll < 0.08 else "discharged" if roll < 0.11 else "transferred"
        status_date = last_end + timedelta(days=rng.randint(30, (today - last_end).days))
    case_state = (
        "active" if status == "active" else "discharged" if status == "transferred" else status
    )
    case = Case(tumour, tuple(treatments), tuple(recurrences), Status(case_state, status_date))

    mrn = f"{1_000_000 + index:07d}"
    patient = {
        "mrn": mrn,
        "family_name": family,
        "given_name": given,
        "search_key": search_key(family, given, mrn),
        "birth_date": birth,
        "sex": sex,
        "phone": f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        "language": _pick(rng, LANGUAGES),
        "physician": _pick(rng, PHYSICIANS),
        "status": status,
        "status_date": status_date,
        "created_at": now,
        "version": 1,
    }
    tumour_row = {
        "diagnosis_date": diagnosis,
        "site": site.value,
        "limb": limb and limb.value,
        "laterality": laterality and laterality.value,
        "histology": histology,
        "grade": grade and grade.value,
        "size_cm": size,
        "depth": depth.value,
        "nodes": nodes.value,
        "metastasis": metastasis.value,
        "t4_invasion": False,
        "t_category": staging.t,
        "stage": None if desmoid else staging.stage,
        "risk": risk,
        "version": 1,
    }
    treatment_rows = [_treatment_row(t) for t in treatments]
    recurrence_rows = [{"date": r.date, "kind": r.kind, "version": 1} for r in recurrences]
    return _Synth(patient, tumour_row, treatment_rows, recurrence_rows, case)


def _treatment_row(t: Surgery | Radiation | Systemic) -> dict[str, Any]:
    row: dict[str, Any] = {
        "start": t.start,
        "end": t.end,
        "procedure": None,
        "margin": None,
        "amputation_level": None,
        "timing": None,
        "modality": None,
        "dose_gy": None,
        "agents": None,
        "doxorubicin_mg_m2": None,
        "version": 1,
    }
    if isinstance(t, Surgery):
        row.update(
            type="surgery",
            procedure=t.procedure,
            margin=t.margin,
            amputation_level=t.amputation_level,
        )
    elif isinstance(t, Radiation):
        row.update(type="radiation", timing=t.timing, modality=t.modality, dose_gy=t.dose_gy)
    else:
        row.update(
            type="systemic", agents=", ".join(t.agents), doxorubicin_mg_m2=t.doxorubicin_mg_m2
        )
    return row


def _event_rows(
    rng: random.Random, synth: _Synth, patient_id: int, today: date, calendar: ClinicCalendar
) -> list[dict[str, Any]]:
    plan = plan_case(synth.case, load_protocols(), calendar)
    tier = RiskTier(plan.risk)
    rows = []
    for event in plan.events:
        state, result, reason, booked_at, location = "planned", None, None, None, None
        closed_on = None
        if event.window_end < today:
            roll = rng.random()
            if roll < 0.86:
                state, result, closed_on = "completed", "ned", event.suggested
            elif roll < 0.90:
                state = "missed"
            elif roll < 0.92:
                state, reason = "cancelled", "patient request"
        elif event.window_start <= today + timedelta(days=56) and rng.random() < 0.5:
            state, location = "booked", "Sarcoma clinic"
            booked_at = datetime.combine(event.suggested, datetime.min.time()) + timedelta(
                hours=rng.choice((8, 9, 10, 11, 13, 14, 15))
            )
        rows.append(
            {
                "patient_id": patient_id,
                "episode": event.episode,
                "kind": event.kind,
                "due": event.due,
                "window_start": event.window_start,
                "window_end": event.window_end,
                "suggested": event.suggested,
                "rule_id": event.rule,
                "source": event.source,
                "state": state,
                "booked_at": booked_at,
                "location": location,
                "result": result,
                "reason": reason,
                "moved_by_hand": False,
                "risk": episode_tier(tier, event.episode).value,
                "closed_on": closed_on,
                "note": None,
                "acknowledged_at": None,
                "acknowledged_by": None,
                "version": 1,
            }
        )
    return rows


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types would store: ISO text for dates, 0/1 for booleans."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S.%f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany per table and batch. On SQLite the rows go to the driver as plain tuples
    (three times faster than SQLAlchemy's per-value processing for millions of events)."""
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    # Dates, times and flags go through one converted-value cache per column (a demo has a
    # few thousand distinct days for millions of values); other values pass as they are.
    converted = [
        (i, _SqliteValues().__getitem__)
        for i, c in enumerate(columns)
        if isinstance(table.c[c].type, (Date, DateTime, Boolean))
    ]
    values_of = itemgetter(*columns)
    params = []
    for row in rows:
        values = list(values_of(row))
        for i, convert in converted:
            values[i] = convert(values[i])
        params.append(tuple(values))
    connection.exec_driver_sql(sql, params)


class _SqliteValues(dict):  # type: ignore[type-arg]
    """Values to what SQLite stores for them, each distinct value converted once."""

    def __missing__(self, value: Any) -> Any:
        stored = self[value] = _sqlite_value(value)
        return stored


BULK_CACHE_KIB = 1024 * 1024


@contextmanager
def _bulk_cache(connection: Connection) -> Iterator[None]:
    """A large page cache for the load on SQLite, restored after.

    With the default 2 MB the indexes' pages are written out to the WAL and read back many
    times over within the one transaction (measured: a third of the demo's time in the kernel).
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def generate_demo(
    db: Database,
    patients: int,
    seed: int,
    today: date,
    actor: Actor,
    with_events: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Add ``patients`` synthetic patients; the same seed and today give the same patients."""
    if not 1 <= patients <= MAX_PATIENTS:
        raise BadInput("patients", f"must be between 1 and {MAX_PATIENTS}")
    rng = random.Random(seed)
    now = datetime.now(UTC)
    calendar = ClinicCalendar()
    counts = dict(tumours=0, treatments=0, recurrences=0, events=0, deceased=0, amputations=0)
    with db.write(actor) as session, _bulk_cache(session.connection()):
        next_id = int(session.scalar(select(func.coalesce(func.max(Patient.id), 0))) or 0) + 1
        done = 0
        while done < patients:
            size = min(BATCH, patients - done)
            p_rows, t_rows, tr_rows, r_rows, e_rows = [], [], [], [], []
            for offset in range(size):
                pid = next_id + done + offset
                synth = _synth_patient(rng, pid, today, now)
                p_rows.append({"id": pid, **synth.patient})
                t_rows.append({"patient_id": pid, **synth.tumour})
                tr_rows.extend({"patient_id": pid, **row} for row in synth.treatments)
                r_rows.extend({"patient_id": pid, **row} for row in synth.recurrences)
                counts["amputations"] += sum(
                    1 for row in synth.treatments if row["procedure"] == "amputation"
                )
                counts["deceased"] += synth.patient["status"] == "deceased"
                if with_events:
                    e_rows.extend(_event_rows(rng, synth, pid, today, calendar))
            connection = session.connection()
            for model, rows in (
                (Patient, p_rows),
                (TumourRow, t_rows),
                (TreatmentRow, tr_rows),
                (RecurrenceRow, r_rows),
                (FollowUpEvent, e_rows),
            ):
                if rows:
                    _bulk_insert(connection, model.__table__, rows)
            counts["tumours"] += len(t_rows)
            counts["treatments"] += len(tr_rows)
            counts["recurrences"] += len(r_rows)
            counts["events"] += len(e_rows)
            done += size
            if progress:
                progress(done, patients)
        if session.connection().dialect.name == "postgresql":
            # the patients were inserted with their ids: move the id sequence past them, or
            # the next patient added through the app collides with one of them
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('patients', 'id'), "
                    "(SELECT max(id) FROM patients))"
                )
            )
        summary = DemoSummary(patients=patients, **counts)
        record(
            session,
            "demo",
            "patients",
            None,
            {
                "seed": seed,
                "today": today.isoformat(),
                "patients": patients,
                "events": counts["events"],
            },
        )
    db.optimize(thorough=True)
    return summary
