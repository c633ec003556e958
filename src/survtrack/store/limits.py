"""Limits every stored value keeps: text no longer than its column, dates within a sane range.

Checked at every flush, whatever service wrote the row, so that no field is left without a
limit (SQLite does not enforce a column's length; PostgreSQL would fail with a raw error). A value
out of bounds raises ``BadInput`` naming the field, and the whole write is rolled back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, String, Text, event, inspect
from sqlalchemy.orm import Session

from survtrack.domain.errors import BadInput
from survtrack.store.models import AuditEntry

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
#: text columns without a declared length (``Text``): their limit in characters
TEXT_LIMITS = {"source": 1000}
DEFAULT_TEXT_LIMIT = 4000


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def check_row(obj: Any, changed_only: bool = False) -> None:
    """Raise ``BadInput`` for the first value of ``obj`` (a mapped row) out of its limits
    (``changed_only``: of the values changed, so that an old row can still be edited)."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if changed_only and not state.attrs[attr.key].history.has_changes():
            continue
        column = attr.columns[0]
        value = state.dict.get(attr.key)
        if value is None or (not hasattr(value, "__len__") and not isinstance(value, date)):
            continue
        kind = column.type
        if isinstance(kind, String | Text) and isinstance(value, str):
            limit = kind.length or TEXT_LIMITS.get(attr.key, DEFAULT_TEXT_LIMIT)
            if len(value) > limit:
                raise BadInput(_label(attr.key), f"must be at most {limit} characters")
        elif isinstance(kind, DateTime) and isinstance(value, datetime):
            day = (value.astimezone(UTC) if value.tzinfo else value).date()
            _check_day(attr.key, day)
        elif isinstance(kind, Date) and isinstance(value, date):
            _check_day(attr.key, value)


def _check_day(key: str, day: date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise BadInput(
            _label(key),
            f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}",
        )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.new:
        if not isinstance(obj, AuditEntry):
            check_row(obj)
    for obj in session.dirty:
        if not isinstance(obj, AuditEntry):
            check_row(obj, changed_only=True)


_installed = False


def install_limits() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True
