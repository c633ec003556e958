"""The declarative base, its type map and the column aliases shared by every model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from sqlalchemy import Date, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

int_pk = Annotated[int, mapped_column(Integer, primary_key=True)]
str_code = Annotated[str, 32]
str_name = Annotated[str, 120]
str_text = Annotated[str, 2000]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - read by SQLAlchemy, never mutated
        str_code: String(32),
        str_name: String(120),
        str_text: String(2000),
        datetime: DateTime(timezone=True),
        date: Date(),
        int: Integer(),
    }


class Versioned:
    """A version counter on every editable row: a stale write raises ``StaleDataError``.

    Two workstations that edit the same row: the second commit finds the version moved and fails
    instead of silently overwriting the first.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(self) -> dict[str, Any]:
        return {"version_id_col": self.version}
