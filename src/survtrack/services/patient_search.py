"""The patient list: search by MRN or name as you type, sorted and paged in SQL.

A word matches anywhere in "family, given mrn" (case-insensitive); every word must match.

The UI asks for one page at a time (``canFetchMore``/``fetchMore``); the count is a separate query
so the first page appears before the total is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from survtrack.store.engine import Database
from survtrack.store.models import Patient, Tumour

PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class PatientListRow:
    id: int
    mrn: str
    name: str
    birth_date: date
    site: str | None
    stage: str | None
    physician: str | None
    status: str


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(statement: Select, text: str) -> Select:
    for token in text.casefold().replace(",", " ").split():
        escaped = _escape_like(token)
        statement = statement.where(Patient.search_key.like(f"%{escaped}%", escape="\\"))
    return statement


def search_patients(
    db: Database, text: str, offset: int = 0, limit: int = PAGE_SIZE
) -> list[PatientListRow]:
    """One page of patients whose name or MRN contains every word of ``text``, by name.

    Two steps: the page of ids comes from the ``search_key`` index alone (no table reads while
    scanning), then only those rows are read with their first tumour.
    """
    ids_page = _filtered(select(Patient.id), text).order_by(Patient.search_key, Patient.id)
    ids_page = ids_page.offset(offset).limit(limit)
    other = aliased(Tumour)
    first_tumour = (
        select(func.min(other.id))
        .where(other.patient_id == Patient.id)
        .correlate(Patient)
        .scalar_subquery()
    )
    with db.read() as session:
        ids = list(session.scalars(ids_page))
        if not ids:
            return []
        rows = session.execute(
            select(
                Patient.id,
                Patient.mrn,
                Patient.family_name,
                Patient.given_name,
                Patient.birth_date,
                Tumour.site,
                Tumour.stage,
                Patient.physician,
                Patient.status,
            )
            .outerjoin(Tumour, Tumour.id == first_tumour)
            .where(Patient.id.in_(ids))
        ).all()
    order = {patient_id: position for position, patient_id in enumerate(ids)}
    rows = sorted(rows, key=lambda r: order[r.id])
    return [
        PatientListRow(
            r.id,
            r.mrn,
            f"{r.family_name}, {r.given_name}",
            r.birth_date,
            r.site,
            r.stage,
            r.physician,
            r.status,
        )
        for r in rows
    ]


def count_patients(db: Database, text: str = "") -> int:
    with db.read() as session:
        statement = _filtered(select(func.count()).select_from(Patient), text)
        return int(session.scalar(statement) or 0)
