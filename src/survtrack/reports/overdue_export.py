"""The overdue worklist as CSV, JSON or an aligned text table (``survtrack overdue``, exports).

Rows are anything with the worklist row's attributes (``OverdueRow`` from the services), so this
module needs nothing above it. The CSV is written row by row into the given stream: the whole
list is 10^5 rows, and the CLI streams it to standard output.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Protocol, TextIO


class OverdueLike(Protocol):
    mrn: str
    patient: str
    kind: str
    due: date
    window_end: date
    days_overdue: int
    risk: str | None
    physician: str | None
    state: str
    booked: bool
    last_done: date | None
    severity: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str | None


#: The leading columns, read straight off the row; the last three need a word each (below).
_PLAIN = (
    "mrn",
    "patient",
    "kind",
    "due",
    "window_end",
    "days_overdue",
    "risk",
    "physician",
    "state",
    "booked",
    "last_done",
    "severity",
)
CSV_COLUMNS = (*_PLAIN, "acknowledged", "acknowledged_by", "note")
TEXT_COLUMNS = (
    "mrn",
    "patient",
    "kind",
    "due",
    "window_end",
    "days_overdue",
    "risk",
    "physician",
    "booked",
)
_plain_values = attrgetter(*_PLAIN)


def export_values(row: OverdueLike) -> tuple[object, ...]:
    """The row's values in ``CSV_COLUMNS`` order (dates as dates, absent values as None)."""
    acknowledged = row.acknowledged_at
    return (
        *_plain_values(row),
        acknowledged.date() if acknowledged else None,
        row.acknowledged_by,
        row.note,
    )


def as_record(row: OverdueLike) -> dict[str, object]:
    """The row as a JSON object: ``CSV_COLUMNS`` keys, dates written YYYY-MM-DD."""
    return {
        column: value.isoformat() if isinstance(value, date) else value
        for column, value in zip(CSV_COLUMNS, export_values(row), strict=True)
    }


def write_overdue_csv(rows: Iterable[OverdueLike], out: TextIO) -> int:
    """A header and one line per row (None as an empty cell); returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writerow = writer.writerow
    count = 0
    for row in rows:
        writerow(export_values(row))
        count += 1
    return count


def overdue_csv(rows: Iterable[OverdueLike]) -> str:
    out = io.StringIO()
    write_overdue_csv(rows, out)
    return out.getvalue()


def overdue_json(rows: Iterable[OverdueLike]) -> str:
    return json.dumps([as_record(row) for row in rows], indent=1) + "\n"


def overdue_text(rows: Sequence[OverdueLike]) -> str:
    if not rows:
        return "No overdue events.\n"
    table = [list(TEXT_COLUMNS)]
    for row in rows:
        record = as_record(row)
        table.append(["" if record[c] is None else str(record[c]) for c in TEXT_COLUMNS])
    widths = [max(len(line[i]) for line in table) for i in range(len(TEXT_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    return "\n".join(lines) + f"\n{len(rows)} overdue\n"
