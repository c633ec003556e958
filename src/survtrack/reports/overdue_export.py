"""The overdue worklist as CSV, JSON or an aligned text table (``survtrack overdue``, exports).

Rows are sequences of values in ``CSV_COLUMNS`` order (the services' ``iter_export_values``), so
this module needs nothing above it. The CSV is written row by row into the given stream: the
whole list is 10^5 rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TextIO

from survtrack.domain.labels import kind_label, label, state_label

CSV_COLUMNS = (
    "mrn",
    "patient",
    "kind",
    "due",
    "window_end",
    "days_overdue",
    "missed_slots",
    "risk",
    "physician",
    "state",
    "booked",
    "booked_for",
    "last_done",
    "severity",
    "acknowledged",
    "acknowledged_by",
    "hidden_until",
    "note",
)
TEXT_COLUMNS = (
    "mrn",
    "patient",
    "kind",
    "due",
    "window_end",
    "days_overdue",
    "missed_slots",
    "risk",
    "physician",
    "booked_for",
)


def as_record(values: Sequence[object]) -> dict[str, object]:
    """One row as a JSON object: ``CSV_COLUMNS`` keys, days written YYYY-MM-DD."""
    return {
        column: value.isoformat() if isinstance(value, date) else value
        for column, value in zip(CSV_COLUMNS, values, strict=True)
    }


def write_overdue_csv(rows: Iterable[Sequence[object]], out: TextIO) -> int:
    """A header and one line per row (None as an empty cell); returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    writerow = writer.writerow
    for row in rows:
        writerow(row)
        count += 1
    return count


_LABELLED = {
    CSV_COLUMNS.index("kind"): kind_label,
    CSV_COLUMNS.index("state"): state_label,
    CSV_COLUMNS.index("risk"): lambda code: label("risk", code),
    CSV_COLUMNS.index("severity"): lambda code: code.capitalize(),
}


def in_words(values: Sequence[object]) -> list[object]:
    """One row with its codes in words ("Chest CT", "Booked", "High risk"): for files people open
    in a spreadsheet. The CLI keeps the codes (its CSV is read by scripts)."""
    return [
        _LABELLED[i](value) if i in _LABELLED and isinstance(value, str) and value else value
        for i, value in enumerate(values)
    ]


def overdue_csv(rows: Iterable[Sequence[object]], words: bool = False) -> str:
    """The CSV text; ``words`` writes labels instead of codes (the window's export for Excel)."""
    out = io.StringIO()
    write_overdue_csv((in_words(row) for row in rows) if words else rows, out)
    return out.getvalue()


def overdue_json(rows: Iterable[Sequence[object]]) -> str:
    return json.dumps([as_record(row) for row in rows], indent=1) + "\n"


def overdue_text(rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return "No overdue follow-up.\n"
    table = [list(TEXT_COLUMNS)]
    for row in rows:
        record = as_record(row)
        table.append(["" if record[c] is None else str(record[c]) for c in TEXT_COLUMNS])
    widths = [max(len(line[i]) for line in table) for i in range(len(TEXT_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    return "\n".join(lines) + f"\n{len(rows)} overdue (one row per patient and kind)\n"
