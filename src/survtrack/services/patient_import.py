"""Importing patients from a hospital extract: a CSV file or a FHIR Bundle of Patient resources.

Two steps, as the window and ``survtrack import`` both use them:

1. ``preview_import`` reads the file and judges every row against the database without writing:
   ``new`` (no patient with this MRN), ``update`` (which fields change), ``unchanged`` or
   ``error`` (named by row and column: a bad date, a duplicate MRN within the file, a missing
   name...). The same validation as the patient form (``patient_edit.validate_patient``).
2. ``apply_import`` writes a preview without errors in one audited transaction, after checking
   that no patient it touches changed since the preview. Unchanged rows write nothing, so
   importing the same file twice changes nothing the second time.

Blank optional cells (and optional columns left out) keep what the database has; a blank sex
is ``unknown`` for a new patient.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from survtrack.domain.errors import BadInput
from survtrack.domain.events import PatientStatus
from survtrack.reports.fhir_patient import RawRow, bundle_patient_rows
from survtrack.services.errors import ConflictError
from survtrack.services.patient_edit import PatientInput, validate_patient
from survtrack.store.audit import Actor, record, record_inserts
from survtrack.store.engine import Database
from survtrack.store.models import Patient, TreatmentRow, search_key

#: The CSV columns, in the order the README documents them.
COLUMNS = (
    "mrn",
    "family_name",
    "given_name",
    "birth_date",
    "sex",
    "phone",
    "language",
    "physician",
)
REQUIRED = ("mrn", "family_name", "given_name", "birth_date")
OPTIONAL = ("phone", "language", "physician")
#: the patient form's labels (``validate_patient`` names fields by them) to import columns
_FORM_LABELS = {
    "MRN": "mrn",
    "Family name": "family_name",
    "Given name": "given_name",
    "Birth date": "birth_date",
    "Sex": "sex",
    "Phone": "phone",
    "Language": "language",
    "Treating physician": "physician",
}
_WORDS = {
    "mrn": "MRN",
    "family_name": "family name",
    "given_name": "given name",
    "birth_date": "birth date",
    "sex": "sex",
    "phone": "phone",
    "language": "language",
    "physician": "physician",
}
_SEX_ALIASES = {"f": "female", "m": "male", "o": "other", "u": "unknown"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHUNK = 500

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"


@dataclass(frozen=True, slots=True)
class PreviewRow:
    row: int
    mrn: str
    status: str  # new, update, unchanged, error
    #: error: the reason ("'1960-02-31' is not a calendar date"); update: "changes phone"
    detail: str = ""
    data: PatientInput | None = None
    patient_id: int | None = None
    version: int | None = None
    #: error: the column (a CSV column name, or a FHIR element such as ``birthDate``)
    column: str = ""
    unit: str = "row"  # or "entry" (of a FHIR Bundle)

    @property
    def message(self) -> str:
        """``row 3, birth_date: '1960-02-31' is not a calendar date`` (errors), else the detail."""
        if self.status == ERROR:
            return f"{self.unit} {self.row}, {self.column}: {self.detail}"
        return self.detail


@dataclass(frozen=True, slots=True)
class ImportPreview:
    source: str  # "csv" or "fhir"
    rows: tuple[PreviewRow, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.status == ERROR]

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def summary(self) -> str:
        parts = [
            f"{self.count(NEW)} new",
            f"{self.count(UPDATE)} to update",
            f"{self.count(UNCHANGED)} unchanged",
        ]
        if self.count(ERROR):
            parts.append(f"{self.count(ERROR)} with errors")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    def line(self) -> str:
        return f"import: {self.created} new, {self.updated} updated, {self.unchanged} unchanged"


# -- reading ---------------------------------------------------------------------------------


def _csv_rows(text: str) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise BadInput("file", "is empty (the first row must name the columns)")
    names = [h.strip().casefold() for h in header]
    for name in names:
        if name not in COLUMNS:
            raise BadInput(
                f"row 1, column {name!r}", f"unknown column; the columns are {', '.join(COLUMNS)}"
            )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise BadInput(f"row 1, column {name!r}", "appears twice")
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            raise BadInput(f"column {name!r}", "is required")
    labels = {name: name for name in COLUMNS}
    rows: list[RawRow] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(names):
            rows.append(RawRow(number, {}, labels, ("row", "has more cells than the header")))
            continue
        values = dict(zip(names, cells, strict=False))
        rows.append(RawRow(number, values, labels))
    return rows


def read_rows(path: Path) -> tuple[str, list[RawRow]]:
    """The raw rows of a CSV extract or a FHIR Bundle (``.json``), and which it was."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BadInput("FILE", f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise BadInput("FILE", f"{path.name} is not UTF-8 text") from None
    except OSError as exc:
        raise BadInput("FILE", f"cannot read {path}: {exc.strerror}") from None
    looks_json = path.suffix.lower() == ".json" or text.lstrip().startswith("{")
    if looks_json:
        try:
            bundle = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput("FILE", f"not valid JSON (line {exc.lineno}): {exc.msg}") from None
        return "fhir", bundle_patient_rows(bundle)
    try:
        return "csv", _csv_rows(text)
    except csv.Error as exc:
        raise BadInput("FILE", f"not a readable CSV file: {exc}") from None


# -- judging ---------------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _parse(raw: RawRow, today: date) -> PatientInput:
    values = {k: (v or "").strip() for k, v in raw.values.items()}
    text = values.get("birth_date", "")
    birth: date | None = None
    if text:
        if not _ISO_DATE.match(text):
            raise _RowError("birth_date", f"{text!r} is not a date written YYYY-MM-DD")
        try:
            birth = date.fromisoformat(text)
        except ValueError:
            raise _RowError("birth_date", f"{text!r} is not a calendar date") from None
    sex = values.get("sex", "").casefold()
    data = PatientInput(
        mrn=values.get("mrn", ""),
        family_name=values.get("family_name", ""),
        given_name=values.get("given_name", ""),
        birth_date=birth,
        sex=_SEX_ALIASES.get(sex, sex) or "unknown",
        phone=values.get("phone", ""),
        language=values.get("language", ""),
        physician=values.get("physician", ""),
    )
    try:
        validate_patient(data, today)
    except BadInput as exc:
        raise _RowError(_FORM_LABELS.get(exc.field, exc.field), exc.reason) from None
    return data


@dataclass(slots=True)
class _Existing:
    id: int
    version: int
    values: dict[str, object]
    first_treatment: date | None = None


def _existing(session: Session, mrns: list[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for start in range(0, len(mrns), _CHUNK):
        chunk = mrns[start : start + _CHUNK]
        for p in session.execute(
            select(
                Patient.id,
                Patient.version,
                Patient.mrn,
                Patient.family_name,
                Patient.given_name,
                Patient.birth_date,
                Patient.sex,
                Patient.phone,
                Patient.language,
                Patient.physician,
            ).where(Patient.mrn.in_(chunk))
        ):
            found[p.mrn] = _Existing(
                p.id,
                p.version,
                {
                    "mrn": p.mrn,
                    "family_name": p.family_name,
                    "given_name": p.given_name,
                    "birth_date": p.birth_date,
                    "sex": p.sex,
                    "phone": p.phone or "",
                    "language": p.language or "",
                    "physician": p.physician or "",
                },
            )
    by_id = {e.id: e for e in found.values()}
    ids = list(by_id)
    for start in range(0, len(ids), _CHUNK):
        for patient_id, first in session.execute(
            select(TreatmentRow.patient_id, func.min(TreatmentRow.start))
            .where(TreatmentRow.patient_id.in_(ids[start : start + _CHUNK]))
            .group_by(TreatmentRow.patient_id)
        ):
            by_id[patient_id].first_treatment = first
    return found


def _merged(data: PatientInput, raw: RawRow, old: _Existing) -> PatientInput:
    """The row's values over the database's: blank optional cells and a blank sex keep them."""
    given_sex = (raw.values.get("sex") or "").strip()
    keep: dict[str, object] = {}
    if not given_sex:
        keep["sex"] = old.values["sex"]
    for name in OPTIONAL:
        if not getattr(data, name):
            keep[name] = old.values[name]
    return replace(data, **keep) if keep else data  # type: ignore[arg-type]


def _judge(raw: RawRow, data: PatientInput, old: _Existing | None) -> tuple[str, str, PatientInput]:
    if old is None:
        return NEW, "", data
    data = _merged(data, raw, old)
    if old.first_treatment and data.birth_date and data.birth_date > old.first_treatment:
        raise _RowError("birth_date", "is after the patient's first treatment")
    changed = [_WORDS[name] for name in COLUMNS if getattr(data, name) != old.values[name]]
    if not changed:
        return UNCHANGED, "", data
    return UPDATE, "changes " + ", ".join(changed), data


def _error(raw: RawRow, mrn: str, column: str, reason: str) -> PreviewRow:
    return PreviewRow(
        raw.row, mrn, ERROR, reason, column=raw.labels.get(column, column), unit=raw.unit
    )


def judge_rows(db: Database, source: str, raws: Iterable[RawRow], today: date) -> ImportPreview:
    """Every row as new, update, unchanged or error, against the database as it is now."""
    raws = list(raws)
    parsed: list[tuple[RawRow, PatientInput | None, PreviewRow | None]] = []
    rows_of_mrn: dict[str, list[int]] = defaultdict(list)
    for raw in raws:
        mrn = (raw.values.get("mrn") or "").strip()
        if raw.problem:
            parsed.append((raw, None, _error(raw, mrn, *raw.problem)))
            continue
        try:
            data = _parse(raw, today)
        except _RowError as exc:
            parsed.append((raw, None, _error(raw, mrn, exc.column, exc.reason)))
            continue
        rows_of_mrn[data.mrn.strip()].append(raw.row)
        parsed.append((raw, data, None))
    with db.read() as session:
        existing = _existing(session, sorted(rows_of_mrn))
    result: list[PreviewRow] = []
    for raw, data, error in parsed:
        if error is not None or data is None:
            assert error is not None
            result.append(error)
            continue
        mrn = data.mrn.strip()
        others = [r for r in rows_of_mrn[mrn] if r != raw.row]
        if others:
            where = ", ".join(str(r) for r in others)
            result.append(_error(raw, mrn, "mrn", f"{mrn} is also on {raw.unit} {where}"))
            continue
        old = existing.get(mrn)
        try:
            status, detail, data = _judge(raw, data, old)
        except _RowError as exc:
            result.append(_error(raw, mrn, exc.column, exc.reason))
            continue
        result.append(
            PreviewRow(
                raw.row,
                mrn,
                status,
                detail,
                data,
                old.id if old else None,
                old.version if old else None,
                unit=raw.unit,
            )
        )
    counts: dict[str, int] = defaultdict(int)
    for row in result:
        counts[row.status] += 1
    return ImportPreview(source, tuple(result), dict(counts))


def preview_import(db: Database, path: Path, today: date) -> ImportPreview:
    """Read ``path`` and judge its rows; nothing is written."""
    source, raws = read_rows(path)
    return judge_rows(db, source, raws, today)


# -- writing ---------------------------------------------------------------------------------


def _values(data: PatientInput) -> dict[str, object]:
    """The patient columns of a row, as ``patient_edit`` stores them."""
    assert data.birth_date is not None
    return {
        "mrn": data.mrn.strip(),
        "family_name": data.family_name.strip(),
        "given_name": data.given_name.strip(),
        "birth_date": data.birth_date,
        "sex": data.sex,
        "phone": data.phone.strip() or None,
        "language": data.language.strip() or None,
        "physician": data.physician.strip() or None,
    }


def _insert_new(session: Session, new: list[PatientInput], now: datetime) -> None:
    """New patients in one executemany, each audited as the ORM would record it (the ORM's
    flush took about five times as long for 10,000 rows)."""
    if not new:
        return
    rows = [
        {**_values(data), "status": PatientStatus.ACTIVE.value, "status_date": None} for data in new
    ]
    for row in rows:
        row["created_at"] = now
    table = Patient.__table__
    session.connection().execute(
        insert(table),
        [
            {
                **row,
                "version": 1,
                "search_key": search_key(
                    str(row["family_name"]), str(row["given_name"]), str(row["mrn"])
                ),
            }
            for row in rows
        ],
    )
    # the ids, by MRN (unique): RETURNING from an executemany goes row by row on SQLite
    ids: dict[str, int] = {}
    mrns = [str(row["mrn"]) for row in rows]
    for start in range(0, len(mrns), _CHUNK):
        ids.update(
            (mrn, patient_id)
            for patient_id, mrn in session.execute(
                select(Patient.id, Patient.mrn).where(Patient.mrn.in_(mrns[start : start + _CHUNK]))
            )
        )
    record_inserts(session, Patient.__tablename__, [(ids[str(r["mrn"])], r) for r in rows])


def apply_import(db: Database, actor: Actor, preview: ImportPreview) -> ImportResult:
    """Write the preview's new and changed patients in one transaction (audited).

    Refused whole when a row has an error (``BadInput``) or when a patient the preview judged
    changed in the meantime (``ConflictError``: preview again).
    """
    errors = preview.errors
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more rows)" if len(errors) > 1 else ""
        raise BadInput(
            f"row {first.row}, {first.column}", f"{first.detail}{more}; nothing imported"
        )
    new = [r for r in preview.rows if r.status == NEW]
    updates = [r for r in preview.rows if r.status == UPDATE]
    result = ImportResult(len(new), len(updates), preview.count(UNCHANGED))
    if not new and not updates:
        return result
    now = datetime.now(UTC)
    with db.write(actor) as session:
        mrns = [r.mrn for r in new] + [r.mrn for r in updates]
        current = _existing(session, mrns)
        for row in new:
            if row.mrn in current:
                raise ConflictError("A patient in this file")
        for row in updates:
            old = current.get(row.mrn)
            if old is None or old.id != row.patient_id or old.version != row.version:
                raise ConflictError("A patient in this file")
        _insert_new(session, [r.data for r in new if r.data is not None], now)
        ids = [r.patient_id for r in updates]
        loaded: dict[int, Patient] = {}
        for start in range(0, len(ids), _CHUNK):
            for patient in session.scalars(
                select(Patient).where(Patient.id.in_(ids[start : start + _CHUNK]))
            ):
                loaded[patient.id] = patient
        for row in updates:
            assert row.data is not None and row.patient_id is not None
            patient = loaded[row.patient_id]
            for key, value in _values(row.data).items():
                setattr(patient, key, value)
        record(
            session,
            "import",
            "patients",
            None,
            {"source": preview.source, "new": result.created, "updated": result.updated},
        )
    return result
