"""The overdue worklist as CSV, JSON or an aligned text table (``survtrack overdue``, exports).

Rows come as plain mappings (``OverdueRow.as_dict()``), so this module needs nothing above it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

CSV_COLUMNS = (
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
    "acknowledged",
    "acknowledged_by",
    "note",
)
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


def overdue_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        data = row
        writer.writerow(["" if data[c] is None else data[c] for c in CSV_COLUMNS])
    return out.getvalue()


def overdue_json(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), indent=1) + "\n"


def overdue_text(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "No overdue events.\n"
    table = [list(TEXT_COLUMNS)]
    for row in rows:
        data = row
        table.append(["" if data[c] is None else str(data[c]) for c in TEXT_COLUMNS])
    widths = [max(len(line[i]) for line in table) for i in range(len(TEXT_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    return "\n".join(lines) + f"\n{len(rows)} overdue\n"
