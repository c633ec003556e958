"""Synthetic demo patients: realistic, deterministic for a seed, and fast to insert.

Proportions follow published soft tissue sarcoma series roughly: half extremity (mostly lower
limb), grade 3 the most common, about 1 in 20 extremity operations an amputation, a quarter treated
with chemotherapy (mostly doxorubicin based), one in six recurring, some deceased or discharged.
About 1 in 100 has a GIST or Kaposi sarcoma, which the engine refuses: those patients get the
calendar service's "plan problem" and appear on the "Needs a plan" list. No treatment is dated
after today, nobody leaves follow-up before their last treatment, and a second amputation of a
limb is always higher up than the first.

Each patient's follow-up calendar comes from the real generator and the clinic's past is simulated
on it (``demo_clinic``: bookings, no-shows, cancellations, waivers, completions covering earlier
events), with visits, side effects and, for every amputee, a rehabilitation plan.

Rows are written with Core bulk inserts in one transaction; the audit trail gets one entry that
says how many rows the demo added.
"""

from __future__ import annotations

import marshal
import math
import pickle
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Boolean, Connection, Date, DateTime, Table, func, insert, select

from survtrack.domain.case import Case, Radiation, Recurrence, Status, Surgery, Systemic, Tumour
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.risk import (
    RiskTier,
    episode_tier,
    first_episode_risk,
    is_desmoid,
    require_default_protocol,
)
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
from survtrack.protocols.generator import Plan, plan_case
from survtrack.protocols.loader import load_protocols
from survtrack.services.calendar import plan_problem
from survtrack.services.clinic_settings import clinic_calendar
from survtrack.services.demo_clinic import ClinicStats, PatientFacts, event_rows
from survtrack.services.demo_names import (
    FAMILY_NAMES,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    LANGUAGES,
    PHYSICIANS,
)
from survtrack.services.demo_records import rehab_rows, side_effect_rows, visit_rows
from survtrack.store.audit import Actor, record
from survtrack.store.engine import Database
from survtrack.store.models import (
    FollowUpEvent,
    Patient,
    RecurrenceRow,
    RehabEntry,
    RehabMilestone,
    RehabPlan,
    SideEffect,
    SideEffectGrade,
    TreatmentRow,
    Visit,
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
        "Kaposi sarcoma": 1,
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
# GIST in the gut: the engine refuses it (no default protocol), so the "Needs a plan" list has some
HISTOLOGY_WEIGHTS["visceral"] = {
    **HISTOLOGY_WEIGHTS["abdominal"],
    "gastrointestinal stromal tumour (GIST)": 4,
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
    visits: int = 0
    side_effects: int = 0
    rehab_plans: int = 0
    needs_plan: int = 0  # active patients whose case the engine refuses
    bookings: int = 0  # simulated appointments that took place, were missed or cancelled
    no_shows: int = 0
    covered: int = 0  # events closed by a later completion of their kind

    def line(self) -> str:
        return (
            f"demo: added {self.patients} patients ({self.deceased} deceased, "
            f"{self.amputations} amputations), {self.treatments} treatments, "
            f"{self.recurrences} recurrences, {self.events} follow-up events, "
            f"{self.visits} visits, {self.side_effects} side effects, "
            f"{self.rehab_plans} rehabilitation plans"
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
    group = {
        "extremity": "soft",
        "trunk": "soft",
        "head_neck": "head_neck",
        "visceral": "visceral",
    }.get(site, "abdominal")
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
            ("imatinib",)
            if "GIST" in histology
            else ("doxorubicin", "ifosfamide")
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

    # A recent diagnosis whose treatment would still be running today: diagnosed earlier instead
    # (no treatment is dated after today).
    overrun = (max(t.end for t in treatments) - today).days + 1
    if overrun > 0:
        shift = timedelta(days=overrun + rng.randint(0, 60))
        diagnosis, birth = diagnosis - shift, birth - shift
        treatments = [_shifted(t, shift) for t in treatments]
    last_end = max(t.end for t in treatments)
    recurrences: list[Recurrence] = []
    if rng.random() < 0.17 and (today - last_end).days > 200:
        when = last_end + timedelta(days=rng.randint(120, min(2400, (today - last_end).days)))
        kind = "local" if rng.random() < 0.6 else "distant"
        recurrences.append(Recurrence(when, kind))
        if rng.random() < 0.7 and when + timedelta(days=40) < today:
            # a second amputation can only be higher up the same limb than the first
            higher = (
                LOWER_LIMB_AMPUTATION_LEVELS if limb is Limb.LOWER else UPPER_LIMB_AMPUTATION_LEVELS
            )
            higher = higher[: higher.index(level)] if level else higher[:5]
            if kind == "local" and site is Site.EXTREMITY and rng.random() < 0.2 and higher:
                treatments.append(
                    Surgery(when + timedelta(days=30), "amputation", rng.choice(higher))
                )
            elif kind == "local":
                treatments.append(Surgery(when + timedelta(days=30), "wide_local_excision"))
            elif when + timedelta(days=120) < today:
                treatments.append(
                    Systemic(
                        when + timedelta(days=21),
                        when + timedelta(days=120),
                        ("doxorubicin",),
                        225.0,
                    )
                )

    # leaving follow-up comes after the last treatment and recurrence
    last_fact = max([t.end for t in treatments] + [r.date for r in recurrences])
    status, status_date = "active", None
    roll = rng.random()
    if roll < 0.13 and (today - last_fact).days > 60:
        status = "deceased" if roll < 0.08 else "discharged" if roll < 0.11 else "transferred"
        status_date = last_fact + timedelta(days=rng.randint(30, (today - last_fact).days))
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


def _shifted(t: Surgery | Radiation | Systemic, by: timedelta) -> Surgery | Radiation | Systemic:
    if isinstance(t, Surgery):
        return replace(t, date=t.date - by)
    return replace(t, start=t.start - by, end=t.end - by)


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


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types would store: ISO text for dates, 0/1 for booleans."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")
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
    _insert_params(connection, table.name, *_sqlite_params(table, rows))


def _sqlite_params(table: Table, rows: list[dict[str, Any]]) -> tuple[list[str], list[tuple]]:  # type: ignore[type-arg]
    """The rows' columns and their values as SQLite stores them, one tuple a row.

    Built column by column: dates, times and flags go through one converted-value cache per
    column (a demo has a few thousand distinct days for millions of values); other values pass
    as they are.
    """
    columns = list(rows[0])
    values = []
    for column in columns:
        found = [row[column] for row in rows]
        if isinstance(table.c[column].type, (Date, DateTime, Boolean)):
            found = list(map(_SqliteValues().__getitem__, found))
        values.append(found)
    return columns, list(zip(*values, strict=True))


def _insert_params(
    connection: Connection,
    table_name: str,
    columns: list[str],
    params: list[tuple],  # type: ignore[type-arg]
) -> None:
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table_name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
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


@contextmanager
def _new_file_load(connection: Connection) -> Iterator[None]:
    """Into a new SQLite file (no patient yet): the loaded tables' indexes and triggers are set
    aside during the load and made again at its end, in the same transaction.

    An index built once from the whole table is a sort; kept during the load it takes millions of
    inserts at random places, which is most of the load's time at 10^5 patients once the file
    outgrows the page cache. ``last_completions`` (kept by the events' triggers) is filled by one
    statement computing what the triggers would have. Each index and trigger is made again from
    its own stored SQL, so the schema is unchanged; an error rolls the whole transaction back,
    dropped indexes included. No fsync happens inside the transaction (``synchronous`` applies
    to the commit, which stays as configured).
    """
    if (
        connection.dialect.name != "sqlite"
        or connection.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM patients)").scalar()
    ):
        yield
        return
    tables = tuple(model.__tablename__ for model in _TABLE_ORDER)
    marks = ", ".join("?" for _ in tables)
    aside = connection.exec_driver_sql(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY type, name",
        tables,
    ).all()
    for kind, name, _ in aside:
        connection.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    yield
    for _kind, _, sql in aside:  # indexes first (ordered by type), then triggers
        connection.exec_driver_sql(sql)
    connection.exec_driver_sql(
        "INSERT INTO last_completions (patient_id, kind, closed_on) "
        "SELECT patient_id, kind, max(closed_on) FROM followup_events "
        "WHERE state = 'completed' AND closed_on IS NOT NULL GROUP BY patient_id, kind"
    )


def _facts(synth: _Synth, patient_id: int) -> PatientFacts:
    amputations = sorted(
        (t["start"], t["amputation_level"])
        for t in synth.treatments
        if t["procedure"] == "amputation"
    )
    return PatientFacts(
        patient_id=patient_id,
        birth=synth.patient["birth_date"],
        physician=synth.patient["physician"],
        status=synth.patient["status"],
        status_date=synth.patient["status_date"],
        histology=synth.tumour["histology"],
        site=synth.tumour["site"],
        laterality=synth.tumour["laterality"],
        treatments=synth.treatments,
        amputations=amputations,
    )


@dataclass(slots=True)
class _Ids:
    """The next free id of each table the demo links rows to by id."""

    patients: int
    events: int
    side_effects: int
    rehab_plans: int


_LINKED = (Patient, FollowUpEvent, SideEffect, RehabPlan)


def _next_id(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: ids given explicitly leave the tables' sequences behind; move them on."""
    if connection.dialect.name != "postgresql":
        return
    for model in _LINKED:
        name = model.__tablename__
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
        )


def generate_demo(
    db: Database,
    patients: int,
    seed: int,
    today: date,
    actor: Actor,
    with_events: bool = True,
    progress: Callable[[int, int], None] | None = None,
    worker: bool | None = None,
) -> DemoSummary:
    """Add ``patients`` synthetic patients; the same seed and today give the same patients.

    With events, each patient's calendar comes from the engine and the clinic's past is simulated
    (``demo_clinic``): bookings, no-shows, cancellations, waivers, completions and the events they
    cover, visits, side effects and rehabilitation. Without, only the patients and their case
    facts are written (and why the engine refuses a case, for the "Needs a plan" list).

    ``worker``: make the rows in a second process while this one writes them (SQLite only; by
    default from ``WORKER_FROM`` patients on). The rows are the same either way.
    """
    if not 1 <= patients <= MAX_PATIENTS:
        raise BadInput("patients", f"must be between 1 and {MAX_PATIENTS}")
    now = datetime.now(UTC)
    calendar = clinic_calendar(db)
    with (
        db.write(actor) as session,
        _bulk_cache(session.connection()),
        _new_file_load(session.connection()),
    ):
        connection = session.connection()
        first = _Ids(
            _next_id(session, Patient),
            _next_id(session, FollowUpEvent),
            _next_id(session, SideEffect),
            _next_id(session, RehabPlan),
        )
        job = _Job(patients, seed, today, now, calendar, with_events, first)
        if worker is None:
            worker = patients >= WORKER_FROM and not getattr(sys, "frozen", False)
        if worker and connection.dialect.name == "sqlite":
            counts, stats = _load_from_worker(connection, job, progress)
        else:
            counts, stats = _Counts(), ClinicStats()
            for done, tables in _batches(job, counts, stats):
                for model in _TABLE_ORDER:
                    if tables[model]:
                        _bulk_insert(connection, model.__table__, tables[model])
                if progress:
                    progress(done, patients)
        _advance_sequences(connection)
        summary = DemoSummary(
            patients=patients,
            **counts.as_dict(),
            bookings=stats.bookings,
            no_shows=stats.no_shows,
            covered=stats.covered,
        )
        record(
            session,
            "demo",
            "patients",
            None,
            {
                "seed": seed,
                "today": today.isoformat(),
                "patients": patients,
                "events": counts.events,
            },
        )
    db.optimize(thorough=True)
    return summary


#: From this many patients on, the rows are made in a second process while this one writes.
WORKER_FROM = 20_000


@dataclass(frozen=True, slots=True)
class _Job:
    """What makes the demo's rows (everything a worker process needs, picklable)."""

    patients: int
    seed: int
    today: date
    now: datetime
    calendar: ClinicCalendar
    with_events: bool
    first: _Ids


@dataclass(slots=True)
class _Counts:
    """Rows the demo added, by what they are, for its summary line."""

    tumours: int = 0
    treatments: int = 0
    recurrences: int = 0
    events: int = 0
    deceased: int = 0
    amputations: int = 0
    visits: int = 0
    side_effects: int = 0
    rehab_plans: int = 0
    needs_plan: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


def _batches(
    job: _Job, counts: _Counts, stats: ClinicStats
) -> Iterator[tuple[int, dict[Any, list[dict[str, Any]]]]]:
    """The rows of each batch of patients, table by table, with how many patients are done.

    One random generator for the whole demo, patients in order: the same job gives the same rows
    wherever it runs.
    """
    rng = random.Random(job.seed)
    protocols = load_protocols()
    calendar, today, now, with_events = job.calendar, job.today, job.now, job.with_events
    ids = replace(job.first)
    done = 0
    while done < job.patients:
        size = min(BATCH, job.patients - done)
        tables: dict[Any, list[dict[str, Any]]] = {model: [] for model in _TABLE_ORDER}
        for offset in range(size):
            pid = job.first.patients + done + offset
            synth = _synth_patient(rng, pid, today, now)
            patient = {"id": pid, **synth.patient, "plan_problem": None}
            tables[Patient].append(patient)
            tables[TumourRow].append({"patient_id": pid, **synth.tumour})
            tables[TreatmentRow].extend({"patient_id": pid, **row} for row in synth.treatments)
            tables[RecurrenceRow].extend({"patient_id": pid, **row} for row in synth.recurrences)
            counts.amputations += sum(
                1 for row in synth.treatments if row["procedure"] == "amputation"
            )
            counts.deceased += synth.patient["status"] == "deceased"
            try:
                plan = plan_case(synth.case, protocols, calendar) if with_events else None
                require_default_protocol(synth.tumour["histology"], "tumour.histology")
            except BadInput as exc:
                # the same words the calendar service stores when the engine refuses a case
                patient["plan_problem"] = plan_problem(exc)
                counts.needs_plan += synth.patient["status"] == "active"
                plan = None
            if with_events:
                _history(rng, synth, _facts(synth, pid), plan, ids, today, calendar, stats, tables)
        counts.tumours += len(tables[TumourRow])
        counts.treatments += len(tables[TreatmentRow])
        counts.recurrences += len(tables[RecurrenceRow])
        counts.events += len(tables[FollowUpEvent])
        counts.visits += len(tables[Visit])
        counts.side_effects += len(tables[SideEffect])
        counts.rehab_plans += len(tables[RehabPlan])
        done += size
        yield done, tables


def _load_from_worker(
    connection: Connection, job: _Job, progress: Callable[[int, int], None] | None
) -> tuple[_Counts, ClinicStats]:
    """Rows made by a worker process (``_worker_main``), written here as they arrive.

    Making the rows (the engine, the clinic's past) and writing them take about as long each at
    10^5 patients; on two cores they overlap. The worker is a plain ``python -c`` of this module
    (no multiprocessing: nothing of the caller's main script is run again). The job goes in as
    pickle on its standard input; the batches come back on its standard output as length-prefixed
    ``marshal`` data: plain tuples of text, numbers and None, ten times faster to pack than pickle.
    """
    # a failing worker's last words go to a file, never to the user's terminal
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from survtrack.services.demo import _worker_main; _worker_main()",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            return _receive(connection, job, progress, process, errors)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                with suppress(OSError):  # a broken pipe to a worker that died
                    pipe.close()  # type: ignore[union-attr]


def _receive(
    connection: Connection,
    job: _Job,
    progress: Callable[[int, int], None] | None,
    process: subprocess.Popen[bytes],
    errors: Any,
) -> tuple[_Counts, ClinicStats]:
    assert process.stdin is not None and process.stdout is not None
    with suppress(BrokenPipeError):  # a worker that died at once is told below
        process.stdin.write(pickle.dumps(job))
        process.stdin.close()
    read = process.stdout.read
    while True:
        head = read(8)
        if len(head) < 8:
            process.wait()
            errors.seek(0)
            said = errors.read().decode(errors="replace").strip().splitlines()
            raise RuntimeError(
                "the demo's worker process ended without its rows"
                + (f": {said[-1]}" if said else "")
            )
        batch = marshal.loads(read(int.from_bytes(head, "little")))
        if isinstance(batch, str):
            raise RuntimeError(f"the demo's worker process failed: {batch}")
        if batch is None:
            break
        done, tables = batch
        for table_name, columns, params in tables:
            _insert_params(connection, table_name, columns, params)
        if progress:
            progress(done, job.patients)
    outcome = pickle.loads(read())
    return outcome  # type: ignore[no-any-return]


def _worker_main() -> None:
    """The worker process: every batch's rows as SQLite stores them, then counts and stats."""
    out = sys.stdout.buffer

    def send(value: Any) -> None:
        data = marshal.dumps(value)
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)

    job: _Job = pickle.loads(sys.stdin.buffer.read())
    try:
        counts, stats = _Counts(), ClinicStats()
        for done, tables in _batches(job, counts, stats):
            packed = [
                (model.__tablename__, *_sqlite_params(model.__table__, tables[model]))
                for model in _TABLE_ORDER
                if tables[model]
            ]
            send((done, packed))
    except Exception as exc:  # told to the writer, which rolls the whole demo back
        send(f"{type(exc).__name__}: {exc}")
        out.flush()
        return
    send(None)
    out.write(pickle.dumps((counts, stats)))
    out.flush()


#: Parents before children (foreign keys).
_TABLE_ORDER = (
    Patient,
    TumourRow,
    TreatmentRow,
    RecurrenceRow,
    FollowUpEvent,
    Visit,
    SideEffect,
    SideEffectGrade,
    RehabPlan,
    RehabMilestone,
    RehabEntry,
)


def _history(
    rng: random.Random,
    synth: _Synth,
    facts: PatientFacts,
    plan: Plan | None,
    ids: _Ids,
    today: date,
    calendar: ClinicCalendar,
    stats: ClinicStats,
    tables: dict[Any, list[dict[str, Any]]],
) -> None:
    """The patient's simulated past: calendar events, visits, side effects, rehabilitation."""
    events: list[dict[str, Any]] = []
    if plan is not None:
        tier = RiskTier(plan.risk)
        risks = [episode_tier(tier, e.episode).value for e in plan.events]
        events = event_rows(rng, facts, plan.events, risks, ids.events, today, calendar, stats)
        ids.events += len(events)
        tables[FollowUpEvent].extend(events)
        tables[Visit].extend(visit_rows(rng, facts, events))
    effects, grades = side_effect_rows(rng, facts, ids.side_effects, today)
    ids.side_effects += len(effects)
    tables[SideEffect].extend(effects)
    tables[SideEffectGrade].extend(grades)
    if facts.amputations:
        rehab, milestones, entries = rehab_rows(rng, facts, events, ids.rehab_plans, today)
        ids.rehab_plans += 1
        tables[RehabPlan].append(rehab)
        tables[RehabMilestone].extend(milestones)
        tables[RehabEntry].extend(entries)
