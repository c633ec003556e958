"""The clinic's settings: calendar (holidays, closure days) and its name, address and phone.

Read from ``SURVTRACK_COUNTRY``, ``SURVTRACK_REGION`` and ``SURVTRACK_CLOSURES`` (comma-separated
YYYY-MM-DD) until a settings screen stores them in the database.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from survtrack.domain.errors import BadInput
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.services.locations import data_dir


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


@dataclass(frozen=True, slots=True)
class ClinicInfo:
    name: str = "Sarcoma Follow-up Clinic"
    address: str = "Address not set (clinic.toml in the data folder)"
    phone: str = "(phone not set)"
    email: str = "followup-clinic@example.invalid"
    emergency: str = (
        "In an emergency call your local emergency number or go to the nearest "
        "emergency department."
    )


def clinic_info() -> ClinicInfo:
    """Name, address, phone and emergency sentence from ``clinic.toml`` in the data folder."""
    path = data_dir() / "clinic.toml"
    if not path.exists():
        return ClinicInfo()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput("clinic.toml", f"cannot be read: {exc}") from None
    known = {"name", "address", "phone", "email", "emergency"}
    unknown = set(data) - known
    if unknown:
        raise BadInput("clinic.toml", f"unknown setting {sorted(unknown)[0]!r}")
    return ClinicInfo(**{k: str(v) for k, v in data.items()})


def clinic_template_path() -> Path:
    return data_dir() / "templates" / "avs.html"
