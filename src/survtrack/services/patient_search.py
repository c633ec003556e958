"""The patient list: search by MRN or name as you type, sorted and paged in SQL.

The UI asks for one page at a time (``canFetchMore``/``fetchMore``); the count is a separate query
so the first page appears before the total is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
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


def name_key(family_name: str, given_name: str) -> str:
    """The lower-case key the search matches against: ``"family, given"``."""
    return f"{family_name.strip()}, {given_name.strip()}".casefold()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(statement: Select, text: str) -> Select:
    for token in text.casefold().replace(",", " ").split():
        escaped = _escape_like(token)
        statement = statement.where(
            or_(
                Patient.name_key.like(f"%{escaped}%", escape="\\"),
                func.lower(Patient.mrn).like(f"{escaped}%", escape="\\"),
            )
        )
    return statement


def search_patients(
    db: Database, text: str, offset: int = 0, limit: int = PAGE_SIZE
) -> list[PatientListRow]:
    """One page of patients matching every word of ``text`` (name) or its start (MRN)."""
    other = aliased(Tumour)
    first_tumour = (
        select(func.min(other.id))
        .where(other.patient_id == Patient.id)
        .correlate(Patient)
        .scalar_subquery()
    )
    statement = (
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
        .order_by(Patient.name_key, Patient.id)
        .offset(offset)
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(_filtered(statement, text)).all()
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
