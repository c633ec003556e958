"""The clinic's settings: calendar (holidays, closure days), and its name, address, phones, time
zone and locale for summaries and calendar files.

The calendar is read from ``SURVTRACK_COUNTRY``, ``SURVTRACK_REGION`` and ``SURVTRACK_CLOSURES``
(comma-separated YYYY-MM-DD), the rest from ``clinic.toml`` in the data folder (keys in
``KNOWN_KEYS``, documented in the README), until a settings screen stores them in the database.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

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


KNOWN_KEYS = (
    "name",
    "address",
    "phone",
    "after_hours_phone",
    "email",
    "emergency",
    "time_zone",
    "locale",
)
#: ``emergency_es``, ``emergency_fr``...: the emergency sentence of a summary in that language.
EMERGENCY_IN = re.compile(r"emergency_([a-z]{2,3})")


@dataclass(frozen=True, slots=True)
class ClinicInfo:
    """What ``clinic.toml`` says. An empty value is a setting that is not set: nothing is ever
    printed in its place (a summary is refused without a phone, a calendar file without a zone).
    """

    name: str = "Sarcoma Follow-up Clinic"
    address: str = ""
    phone: str = ""
    after_hours_phone: str = ""
    email: str = ""
    emergency: str = ""  # empty: the summary language's own sentence
    time_zone: str = ""  # IANA name, e.g. "Europe/Madrid"
    locale: str = "en"  # how dates are written, e.g. "en_GB", "en_US", "es_ES"
    emergencies: tuple[tuple[str, str], ...] = ()  # (language, sentence) from emergency_<lang>
    #: minutes without keyboard or mouse before the window locks (``idle_lock_minutes``)
    idle_lock_minutes: int = 10

    def emergency_in(self, language: str) -> str:
        """The clinic's emergency sentence for a summary language ('' when it set none)."""
        if language == "en" and self.emergency:
            return self.emergency
        return dict(self.emergencies).get(language, "")

    def require_phone(self) -> str:
        """The phone a patient is told to call; a summary is never printed without one."""
        if not self.phone.strip():
            raise BadInput(
                "clinic.toml phone",
                f'is not set: add phone = "..." to {data_dir() / "clinic.toml"} '
                "before printing summaries",
            )
        return self.phone.strip()

    def zone(self) -> ZoneInfo:
        """The clinic's time zone; booked times are wall-clock times in it."""
        if not self.time_zone:
            raise BadInput(
                "clinic.toml time_zone",
                f'is not set: add time_zone = "Region/City" to {data_dir() / "clinic.toml"} '
                "before exporting calendar files",
            )
        return ZoneInfo(self.time_zone)


def clinic_info() -> ClinicInfo:
    """The clinic's settings from ``clinic.toml`` in the data folder (defaults without one)."""
    path = data_dir() / "clinic.toml"
    if not path.exists():
        return ClinicInfo()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput("clinic.toml", f"cannot be read: {exc}") from None
    return parse_clinic_settings(data)


def parse_clinic_settings(data: dict[str, object]) -> ClinicInfo:
    values: dict[str, str] = {}
    emergencies = []
    idle = IDLE_LOCK_DEFAULT
    for key, value in data.items():
        if key == "idle_lock_minutes":
            idle = _idle_minutes(value)
            continue
        if not isinstance(value, str):
            raise BadInput(f"clinic.toml {key}", "must be text in quotes")
        if key in KNOWN_KEYS:
            values[key] = value.strip()
        elif match := EMERGENCY_IN.fullmatch(key):
            emergencies.append((match.group(1), value.strip()))
        else:
            raise BadInput("clinic.toml", f"unknown setting {key!r}")
    if values.get("time_zone"):
        try:
            ZoneInfo(values["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(
                "clinic.toml time_zone",
                f"{values['time_zone']!r} is not a time zone name such as Europe/Madrid",
            ) from None
    if values.get("locale"):
        try:
            Locale.parse(values["locale"].replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            raise BadInput(
                "clinic.toml locale", f"{values['locale']!r} is not a locale such as en_GB"
            ) from None
    return ClinicInfo(**values, emergencies=tuple(emergencies), idle_lock_minutes=idle)


IDLE_LOCK_DEFAULT = 10
IDLE_LOCK_RANGE = range(1, 121)


def _idle_minutes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in IDLE_LOCK_RANGE:
        raise BadInput(
            "clinic.toml idle_lock_minutes",
            f"must be a whole number of minutes from {IDLE_LOCK_RANGE.start} to "
            f"{IDLE_LOCK_RANGE.stop - 1}, without quotes",
        )
    return value


def idle_lock_minutes() -> int:
    """Minutes without use before the window locks (clinic.toml ``idle_lock_minutes``, 10)."""
    return clinic_info().idle_lock_minutes


def clinic_template_path(name: str = "avs.html") -> Path:
    """Where a clinic's own copy of a summary template goes (``avs.html``, ``avs.es.html``)."""
    return data_dir() / "templates" / name
