"""The clinic's settings, kept in the database (one ``clinic_settings`` row, audited per column):
name, address, phones, e-mail, emergency sentences, time zone, locale, holidays country and
region, closure days, default protocol set, idle lock and the number of backups kept.

An administrator changes them (Administration > Clinic settings…); the service refuses anyone
else. The first start of a database with a ``clinic.toml`` in the data folder (or the old
``SURVTRACK_COUNTRY`` / ``SURVTRACK_REGION`` / ``SURVTRACK_CLOSURES`` variables set) imports their
values once, audited as the system; after that neither is read.

Callers pass the database (``clinic_info(db)``, ``clinic_calendar(db_or_session)``) and read the
settings as they are now. ``idle_lock_minutes()`` and ``default_protocol_set()`` without a
database read the snapshot taken when the database was opened (``activate``) and refreshed by
every save from this process.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from babel import Locale, UnknownLocaleError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survtrack.domain.errors import BadInput
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.services.auth import SignedIn
from survtrack.services.locations import data_dir
from survtrack.services.protocol_sets import available_sets, problem_with_set
from survtrack.store.audit import SYSTEM, record
from survtrack.store.engine import Database
from survtrack.store.models import ClinicSettingsRow

DEFAULT_NAME = "Sarcoma Follow-up Clinic"
DEFAULT_IDLE_LOCK_MINUTES = 10
IDLE_LOCK_RANGE = (1, 240)
DEFAULT_BACKUPS_KEPT = 7
BACKUPS_RANGE = (1, 365)
WHERE = "Administration > Clinic settings"
#: The variables that set the calendar before the settings moved into the database.
OLD_VARIABLES = ("SURVTRACK_COUNTRY", "SURVTRACK_REGION", "SURVTRACK_CLOSURES")

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
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class ClinicInfo:
    """What summaries and calendar files need. An empty value is a setting that is not set:
    nothing is ever printed in its place (a summary is refused without a phone, a calendar file
    without a zone).
    """

    name: str = DEFAULT_NAME
    address: str = ""
    phone: str = ""
    after_hours_phone: str = ""
    email: str = ""
    emergency: str = ""  # empty: the summary language's own sentence
    time_zone: str = ""  # IANA name, e.g. "Europe/Madrid"
    locale: str = "en"  # how dates are written, e.g. "en_GB", "en_US", "es_ES"
    emergencies: tuple[tuple[str, str], ...] = ()  # (language, sentence) besides English

    def emergency_in(self, language: str) -> str:
        """The clinic's emergency sentence for a summary language ('' when it set none)."""
        if language == "en" and self.emergency:
            return self.emergency
        return dict(self.emergencies).get(language, "")

    def require_phone(self) -> str:
        """The phone a patient is told to call; a summary is never printed without one."""
        if not self.phone.strip():
            raise BadInput(
                "Clinic phone",
                f"is not set: an administrator sets it in {WHERE} before summaries are printed",
            )
        return self.phone.strip()

    def zone(self) -> ZoneInfo:
        """The clinic's time zone; booked times are wall-clock times in it."""
        if not self.time_zone:
            raise BadInput(
                "Clinic time zone",
                f"is not set: an administrator sets it in {WHERE} before calendar files are "
                "exported",
            )
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True, slots=True)
class ClinicSettings:
    """Every clinic-wide setting as stored; '' is not set. ``version`` 0: never saved."""

    name: str = ""
    address: str = ""
    phone: str = ""
    after_hours_phone: str = ""
    email: str = ""
    emergency_sentences: dict[str, str] = field(default_factory=dict)  # language -> sentence
    time_zone: str = ""
    locale: str = ""
    holidays_country: str = ""
    holidays_region: str = ""
    closure_days: tuple[date, ...] = ()
    default_protocol_set: str = ""
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    backups_kept: int = DEFAULT_BACKUPS_KEPT
    version: int = 0

    def info(self) -> ClinicInfo:
        sentences = dict(self.emergency_sentences)
        return ClinicInfo(
            name=self.name or DEFAULT_NAME,
            address=self.address,
            phone=self.phone,
            after_hours_phone=self.after_hours_phone,
            email=self.email,
            emergency=sentences.pop("en", ""),
            time_zone=self.time_zone,
            locale=self.locale or "en",
            emergencies=tuple(sorted(sentences.items())),
        )


# -- validation ---------------------------------------------------------------------------------


def _limited(label: str, value: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise BadInput(label, f"is longer than {limit} characters")
    return value


def parse_closure_days(text: str) -> tuple[date, ...]:
    """Closure days typed as ISO dates separated by commas, spaces or new lines; sorted, once."""
    days = set()
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        try:
            days.add(date.fromisoformat(part))
        except ValueError:
            raise BadInput("closure days", f"{part!r} is not a date YYYY-MM-DD") from None
    return tuple(sorted(days))


def validate(settings: ClinicSettings) -> ClinicSettings:
    """The settings trimmed and checked; ``BadInput`` names the field and the reason."""
    time_zone = settings.time_zone.strip()
    if time_zone:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(
                "time zone", f"{time_zone!r} is not a time zone name such as Europe/Madrid"
            ) from None
    locale = settings.locale.strip().replace("-", "_")
    if locale:
        try:
            Locale.parse(locale)
        except (ValueError, UnknownLocaleError):
            raise BadInput("locale", f"{locale!r} is not a locale such as en_GB") from None
    country = settings.holidays_country.strip().upper()
    region = settings.holidays_region.strip().upper()
    if country and country not in holidays.list_supported_countries():
        raise BadInput(
            "holidays country",
            f"{country!r} is not a country the holidays package knows (a code such as US or ES)",
        )
    if region:
        if not country:
            raise BadInput("holidays region", "needs a holidays country")
        if region not in holidays.list_supported_countries()[country]:
            raise BadInput(
                "holidays region",
                f"{region!r} is not a region of {country} the holidays package knows",
            )
    email = _limited("e-mail", settings.email, 120)
    if email and not _EMAIL.fullmatch(email):
        raise BadInput("e-mail", f"{email!r} is not an e-mail address")
    low, high = IDLE_LOCK_RANGE
    if not low <= settings.idle_lock_minutes <= high:
        raise BadInput("idle lock minutes", f"must be between {low} and {high}")
    low, high = BACKUPS_RANGE
    if not low <= settings.backups_kept <= high:
        raise BadInput("backups kept", f"must be between {low} and {high}")
    sentences = {}
    for language, sentence in settings.emergency_sentences.items():
        if not re.fullmatch(r"[a-z]{2,3}", language):
            raise BadInput("emergency sentence", f"{language!r} is not a language code such as es")
        if sentence.strip():
            sentences[language] = _limited("emergency sentence", sentence, 500)
    protocol_set = _limited("default protocol set", settings.default_protocol_set, 120)
    if protocol_set:
        _check_protocol_set(protocol_set)
    return replace(
        settings,
        name=_limited("clinic name", settings.name, 120),
        address=_limited("address", settings.address, 2000),
        phone=_limited("phone", settings.phone, 32),
        after_hours_phone=_limited("after-hours phone", settings.after_hours_phone, 32),
        email=email,
        emergency_sentences=sentences,
        time_zone=time_zone,
        locale=locale,
        holidays_country=country,
        holidays_region=region,
        closure_days=tuple(sorted(set(settings.closure_days))),
        default_protocol_set=protocol_set,
    )


def _check_protocol_set(name: str) -> None:
    """A set that exists on this workstation and whose every file can be used."""
    if name not in available_sets():
        raise BadInput(
            "default protocol set",
            f"{name!r} is not a protocol set here; choose one of {', '.join(available_sets())}",
        )
    problem = problem_with_set(name)
    if problem:
        raise BadInput("default protocol set", f"{name!r} cannot be used: {problem}")


# -- reading ------------------------------------------------------------------------------------


def _from_row(row: ClinicSettingsRow | None) -> ClinicSettings:
    if row is None:
        return ClinicSettings()
    return ClinicSettings(
        name=row.name or "",
        address=row.address or "",
        phone=row.phone or "",
        after_hours_phone=row.after_hours_phone or "",
        email=row.email or "",
        emergency_sentences=dict(json.loads(row.emergency_sentences or "{}")),
        time_zone=row.time_zone or "",
        locale=row.locale or "",
        holidays_country=row.holidays_country or "",
        holidays_region=row.holidays_region or "",
        closure_days=parse_closure_days(row.closure_days or ""),
        default_protocol_set=row.default_protocol_set or "",
        idle_lock_minutes=row.idle_lock_minutes,
        backups_kept=row.backups_kept,
        version=row.version,
    )


def settings_in(session: Session) -> ClinicSettings:
    """The settings as the session sees them (inside a read or write unit)."""
    return _from_row(session.get(ClinicSettingsRow, 1))


def load_settings(db: Database) -> ClinicSettings:
    with db.read() as session:
        return settings_in(session)


def clinic_info(db: Database) -> ClinicInfo:
    """What summaries and calendar files print: name, address, phones, zone, locale."""
    return load_settings(db).info()


@lru_cache(maxsize=4)
def _calendar(
    country: str | None, region: str | None, closures: tuple[date, ...]
) -> ClinicCalendar:
    return ClinicCalendar(country, region, closures)


def calendar_of(settings: ClinicSettings) -> ClinicCalendar:
    return _calendar(
        settings.holidays_country or None, settings.holidays_region or None, settings.closure_days
    )


def clinic_calendar(source: Database | Session) -> ClinicCalendar:
    """The days the clinic is open: weekends, the holidays of its country and region and its
    closure days are closed."""
    settings = settings_in(source) if isinstance(source, Session) else load_settings(source)
    return calendar_of(settings)


# -- the snapshot for callers without a database ------------------------------------------------

_active: tuple[str, ClinicSettings] | None = None


def activate(db: Database) -> ClinicSettings:
    """Take the snapshot that ``idle_lock_minutes()`` and ``default_protocol_set()`` read."""
    global _active
    settings = load_settings(db)
    _active = (db.url, settings)
    return settings


def _current(db: Database | None) -> ClinicSettings:
    if db is not None:
        return load_settings(db)
    return _active[1] if _active is not None else ClinicSettings()


def idle_lock_minutes(db: Database | None = None) -> int:
    """Minutes without input before the window locks (1-240, 10 when never set)."""
    return _current(db).idle_lock_minutes


def default_protocol_set(db: Database | None = None) -> str | None:
    """The name of the protocol set new plans use; None when the clinic has not chosen one."""
    return _current(db).default_protocol_set or None


def backups_kept(db: Database | None = None) -> int:
    """How many rotating backups to keep (7 when never set)."""
    return _current(db).backups_kept


# -- writing ------------------------------------------------------------------------------------


def _fill(row: ClinicSettingsRow, settings: ClinicSettings) -> None:
    row.name = settings.name or None
    row.address = settings.address or None
    row.phone = settings.phone or None
    row.after_hours_phone = settings.after_hours_phone or None
    row.email = settings.email or None
    row.emergency_sentences = (
        json.dumps(settings.emergency_sentences, ensure_ascii=False, sort_keys=True)
        if settings.emergency_sentences
        else None
    )
    row.time_zone = settings.time_zone or None
    row.locale = settings.locale or None
    row.holidays_country = settings.holidays_country or None
    row.holidays_region = settings.holidays_region or None
    row.closure_days = ",".join(d.isoformat() for d in settings.closure_days) or None
    row.default_protocol_set = settings.default_protocol_set or None
    row.idle_lock_minutes = settings.idle_lock_minutes
    row.backups_kept = settings.backups_kept


def save_settings(db: Database, user: SignedIn, settings: ClinicSettings) -> ClinicSettings:
    """Store the settings (one transaction, audited column by column); what was stored.

    Only an administrator may; ``settings.version`` is the version the editor started from, so a
    change saved meanwhile from another workstation is never overwritten unseen.
    """
    if not user.is_admin:
        raise PermissionError(
            f"a {user.role.value} account cannot change the clinic settings; ask an administrator"
        )
    settings = validate(settings)
    with db.write(user.actor) as session:
        row = session.get(ClinicSettingsRow, 1)
        stored = row.version if row is not None else 0
        if stored != settings.version:
            raise BadInput(
                "clinic settings",
                "were changed on another workstation meanwhile; open them again to see the change",
            )
        if row is None:
            row = ClinicSettingsRow(id=1)
            session.add(row)
        _fill(row, settings)
        session.flush()
        saved = settings_in(session)
    global _active
    if _active is not None and _active[0] == db.url:
        _active = (db.url, saved)
    return saved


# -- the one-time import from clinic.toml and the old variables ---------------------------------


def clinic_toml_path() -> Path:
    return data_dir() / "clinic.toml"


def read_clinic_toml(path: Path) -> ClinicSettings:
    """The settings a ``clinic.toml`` holds (keys in ``KNOWN_KEYS`` and ``emergency_<lang>``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput("clinic.toml", f"cannot be read: {exc}") from None
    values: dict[str, str] = {}
    sentences: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str):
            raise BadInput(f"clinic.toml {key}", "must be text in quotes")
        if key in KNOWN_KEYS:
            values[key] = value.strip()
        elif match := EMERGENCY_IN.fullmatch(key):
            sentences[match.group(1)] = value.strip()
        else:
            raise BadInput("clinic.toml", f"unknown setting {key!r}")
    if "emergency" in values:
        sentences["en"] = values.pop("emergency")
    return ClinicSettings(**values, emergency_sentences=sentences)


def import_old_settings(db: Database) -> str | None:
    """Import ``clinic.toml`` and the old calendar variables into a database that has no
    settings yet (once: the stored row is the mark); a sentence saying what happened, or None
    when there was nothing to import."""
    path = clinic_toml_path()
    variables = {name: os.environ.get(name, "").strip() for name in OLD_VARIABLES}
    if not path.is_file() and not any(variables.values()):
        return None
    if load_settings(db).version:
        return None
    sources = [str(path)] if path.is_file() else []
    sources += [name for name, value in variables.items() if value]
    try:
        settings = read_clinic_toml(path) if path.is_file() else ClinicSettings()
        settings = validate(
            replace(
                settings,
                holidays_country=variables["SURVTRACK_COUNTRY"],
                holidays_region=variables["SURVTRACK_REGION"],
                closure_days=parse_closure_days(variables["SURVTRACK_CLOSURES"]),
            )
        )
    except BadInput as exc:
        return (
            f"The clinic settings could not be imported from {', '.join(sources)} "
            f"({exc.field}: {exc.reason}); set them in {WHERE}."
        )
    try:
        with db.write(SYSTEM) as session:
            if session.get(ClinicSettingsRow, 1) is not None:
                return None
            row = ClinicSettingsRow(id=1)
            _fill(row, settings)
            session.add(row)
            session.flush()
            record(session, "import", "clinic_settings", 1, {"from": sources})
    except IntegrityError:  # another workstation imported first
        return None
    return (
        f"The clinic settings were imported from {' and '.join(sources)} into the database "
        f"once; they are no longer read from there: change them in {WHERE}."
    )


def clinic_template_path(name: str = "avs.html") -> Path:
    """Where a clinic's own copy of a summary template goes (``avs.html``, ``avs.es.html``)."""
    return data_dir() / "templates" / name
