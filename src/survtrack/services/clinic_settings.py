"""The clinic's calendar settings: country and region for public holidays, closure days.

Read from ``SURVTRACK_COUNTRY``, ``SURVTRACK_REGION`` and ``SURVTRACK_CLOSURES`` (comma-separated
YYYY-MM-DD) until a settings screen stores them in the database.
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache

from survtrack.domain.errors import BadInput
from survtrack.protocols.clinic_calendar import ClinicCalendar


@lru_cache(maxsize=4)
def _calendar(country: str | None, region: str | None, closures: str) -> ClinicCalendar:
    days = []
    for text in filter(None, (part.strip() for part in closures.split(","))):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            raise BadInput("SURVTRACK_CLOSURES", f"{text!r} is not a date YYYY-MM-DD") from None
    return ClinicCalendar(country, region, days)


def clinic_calendar() -> ClinicCalendar:
    return _calendar(
        os.environ.get("SURVTRACK_COUNTRY") or None,
        os.environ.get("SURVTRACK_REGION") or None,
        os.environ.get("SURVTRACK_CLOSURES", ""),
    )
