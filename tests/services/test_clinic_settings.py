"""Clinic settings in the database: each change written and read back on both backends, audited,
refused for non-administrators and for bad values; the one-time import of clinic.toml; the
machine's config file and the database location."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.services import clinic_settings as cs
from survtrack.services.auth import Role, ensure_user
from survtrack.services.clinic_settings import (
    ClinicSettings,
    clinic_calendar,
    clinic_info,
    default_protocol_set,
    idle_lock_minutes,
    load_settings,
    save_settings,
)
from survtrack.services.database import open_database
from survtrack.services.locations import resolve_db_url
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry
from tests.clinic import administrator

CHANGES: list[tuple[str, Any, str, Any]] = [
    # (field, value, audited column, value the audit shows)
    ("name", "Northside Sarcoma Unit", "name", "Northside Sarcoma Unit"),
    ("address", "1 Harbour Road, Springfield", "address", "1 Harbour Road, Springfield"),
    ("phone", "555-0100", "phone", "555-0100"),
    ("after_hours_phone", "555-0199", "after_hours_phone", "555-0199"),
    ("email", "clinic@example.org", "email", "clinic@example.org"),
    (
        "emergency_sentences",
        {"en": "Call 999 now.", "es": "Llame al 112 ahora."},
        "emergency_sentences",
        '{"en": "Call 999 now.", "es": "Llame al 112 ahora."}',
    ),
    ("time_zone", "Europe/Madrid", "time_zone", "Europe/Madrid"),
    ("locale", "es_ES", "locale", "es_ES"),
    ("holidays_country", "ES", "holidays_country", "ES"),
    ("closure_days", (date(2026, 12, 24), date(2026, 12, 31)), "closure_days",
     "2026-12-24,2026-12-31"),
    ("default_protocol_set", "SurvTrack default", "default_protocol_set", "SurvTrack default"),
    ("idle_lock_minutes", 25, "idle_lock_minutes", 25),
    ("backups_kept", 14, "backups_kept", 14),
]  # fmt: skip


def audits(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "clinic_settings")
                .order_by(AuditEntry.id)
            )
        )


@pytest.mark.parametrize(
    ("field", "value", "column", "shown"), CHANGES, ids=[c[0] for c in CHANGES]
)
def test_each_setting_is_written_audited_and_read_back(
    db: Database, field: str, value: Any, column: str, shown: Any
) -> None:
    admin = administrator(db)
    saved = save_settings(db, admin, replace(ClinicSettings(), **{field: value}))
    assert getattr(saved, field) == value and saved.version == 1
    # read back through a connection of its own: what is stored, not what was kept in memory
    again = Database.open(db.engine.url.render_as_string(hide_password=False))
    try:
        assert getattr(load_settings(again), field) == value
    finally:
        again.dispose()
    [entry] = audits(db)
    assert entry.username == admin.username and entry.action == "insert"
    assert json.loads(entry.changes)[column] == [None, shown]
    # changed again: one update entry with the old and the new value
    other = replace(saved, **{field: getattr(ClinicSettings(), field)})
    cleared = save_settings(db, admin, other)
    assert getattr(load_settings(db), field) == getattr(ClinicSettings(), field)
    assert cleared.version == 2
    assert json.loads(audits(db)[-1].changes)[column][0] == shown


def test_a_region_is_stored_with_its_country_and_changes_the_calendar(db: Database) -> None:
    admin = administrator(db)
    christmas = date(2026, 12, 25)
    assert clinic_calendar(db).is_open(christmas)  # no country: only weekends close
    saved = save_settings(
        db,
        admin,
        ClinicSettings(
            holidays_country="es", holidays_region="md", closure_days=(date(2026, 12, 28),)
        ),
    )
    assert (saved.holidays_country, saved.holidays_region) == ("ES", "MD")
    calendar = clinic_calendar(db)
    assert not calendar.is_open(christmas)
    assert not calendar.is_open(date(2026, 12, 28))  # the clinic's own closure day
    assert (calendar.country, calendar.region) == ("ES", "MD")
    with db.read() as session:  # also inside a unit of work, as calendar regeneration reads it
        assert not clinic_calendar(session).is_open(date(2026, 12, 28))


def test_summary_settings_come_from_the_database(db: Database) -> None:
    admin = administrator(db)
    info = clinic_info(db)
    assert info.name == "Sarcoma Follow-up Clinic" and info.locale == "en" and not info.phone
    save_settings(
        db,
        admin,
        ClinicSettings(
            name="Northside",
            phone="555-0100",
            emergency_sentences={"en": "Call 911.", "es": "Llame al 911."},
        ),
    )
    info = clinic_info(db)
    assert info.require_phone() == "555-0100"
    assert info.emergency_in("en") == "Call 911." and info.emergency_in("es") == "Llame al 911."


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.SCHEDULER, Role.THERAPIST])
def test_only_an_administrator_changes_them(db: Database, role: Role) -> None:
    user = ensure_user(db, role.value, "Someone", role)
    with pytest.raises(PermissionError, match=f"a {role.value} account cannot change the clinic"):
        save_settings(db, user, ClinicSettings(phone="555-0100"))
    assert load_settings(db) == ClinicSettings() and audits(db) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "time zone: 'Mars/Olympus' is not a time zone"),
        ({"locale": "xx_QQ"}, "locale: 'xx_QQ' is not a locale"),
        ({"holidays_country": "QQ"}, "holidays country: 'QQ' is not a country"),
        ({"holidays_country": "ES", "holidays_region": "ZZ"}, "holidays region: 'ZZ' is not a"),
        ({"holidays_region": "MD"}, "holidays region: needs a holidays country"),
        ({"idle_lock_minutes": 0}, "idle lock minutes: must be between 1 and 240"),
        ({"idle_lock_minutes": 241}, "idle lock minutes: must be between 1 and 240"),
        ({"backups_kept": 0}, "backups kept: must be between 1 and 365"),
        ({"email": "clinic at example"}, "e-mail: 'clinic at example' is not an e-mail"),
    ],
)
def test_bad_values_are_refused_with_the_field_and_nothing_is_written(
    db: Database, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadInput) as caught:
        save_settings(db, administrator(db), replace(ClinicSettings(), **change))
    assert f"{caught.value.field}: {caught.value.reason}".startswith(message)
    assert load_settings(db).version == 0


def test_closure_days_are_typed_as_dates() -> None:
    assert cs.parse_closure_days("2026-12-31\n2026-12-24, 2026-12-24") == (
        date(2026, 12, 24),
        date(2026, 12, 31),
    )
    with pytest.raises(BadInput, match="'24/12/2026' is not a date YYYY-MM-DD"):
        cs.parse_closure_days("24/12/2026")


def test_a_change_made_meanwhile_elsewhere_is_not_overwritten(db: Database) -> None:
    admin = administrator(db)
    first = save_settings(db, admin, ClinicSettings(phone="555-0100"))
    save_settings(db, admin, replace(first, phone="555-0111"))  # another workstation
    with pytest.raises(BadInput, match="changed on another workstation meanwhile"):
        save_settings(db, admin, replace(first, name="Stale"))
    assert load_settings(db).phone == "555-0111" and load_settings(db).name == ""


def test_idle_lock_and_default_protocol_set_without_a_database_read_the_snapshot(
    db: Database,
) -> None:
    cs.activate(db)
    assert idle_lock_minutes() == 10 and default_protocol_set() is None
    shipped = "SurvTrack default"
    save_settings(
        db, administrator(db), ClinicSettings(idle_lock_minutes=3, default_protocol_set=shipped)
    )
    assert idle_lock_minutes() == 3 and default_protocol_set() == shipped  # refreshed by the save
    assert idle_lock_minutes(db) == 3 and default_protocol_set(db) == shipped


# -- the one-time import ------------------------------------------------------------------------


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("SURVTRACK_DATA_DIR", str(folder))
    return folder


def test_clinic_toml_is_imported_once_audited_as_the_system(
    empty_db_url: str, data_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = data_folder / "clinic.toml"
    toml.write_text(
        'name = "Northside"\nphone = "555-0100"\ntime_zone = "America/New_York"\n'
        'locale = "en_US"\nemergency = "Call 911."\nemergency_es = "Llame al 911."\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SURVTRACK_COUNTRY", "US")
    monkeypatch.setenv("SURVTRACK_CLOSURES", "2026-12-24")
    notes: list[str] = []
    db = open_database(empty_db_url, notes)
    try:
        [note] = notes
        assert str(toml) in note and "SURVTRACK_COUNTRY" in note
        assert "Administration > Clinic settings" in note
        settings = load_settings(db)
        assert (settings.name, settings.phone, settings.time_zone) == (
            "Northside",
            "555-0100",
            "America/New_York",
        )
        assert settings.emergency_sentences == {"en": "Call 911.", "es": "Llame al 911."}
        assert (settings.holidays_country, settings.closure_days) == ("US", (date(2026, 12, 24),))
        assert not clinic_calendar(db).is_open(date(2026, 12, 25))
        entries = audits(db)
        assert {e.username for e in entries} == {"system"}
        assert [e.action for e in entries] == ["insert", "import"]
        assert str(toml) in entries[1].changes
    finally:
        db.dispose()
    # once: a later start, even with a changed file, leaves the database as it is
    toml.write_text('phone = "555-0999"\n', encoding="utf-8")
    notes.clear()
    db = open_database(empty_db_url, notes)
    try:
        assert notes == [] and load_settings(db).phone == "555-0100" and len(audits(db)) == 2
    finally:
        db.dispose()


def test_a_clinic_toml_that_cannot_be_imported_is_reported_and_nothing_stored(
    empty_db_url: str, data_folder: Path
) -> None:
    (data_folder / "clinic.toml").write_text('phone = "555-0100"\ncolour = "red"\n')
    notes: list[str] = []
    db = open_database(empty_db_url, notes)
    try:
        [note] = notes
        assert "could not be imported" in note and "unknown setting 'colour'" in note
        assert load_settings(db).version == 0 and audits(db) == []
    finally:
        db.dispose()


def test_without_clinic_toml_nothing_is_imported(empty_db_url: str, data_folder: Path) -> None:
    notes: list[str] = []
    db = open_database(empty_db_url, notes)
    try:
        assert notes == [] and load_settings(db).version == 0
    finally:
        db.dispose()


# -- where the database is ----------------------------------------------------------------------


def test_database_location_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = tmp_path / "survtrack.ini"
    monkeypatch.setenv("SURVTRACK_CONFIG", str(ini))
    monkeypatch.setenv("SURVTRACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SURVTRACK_DB", raising=False)
    assert resolve_db_url(None) == f"sqlite:///{tmp_path / 'data' / 'survtrack.db'}"
    ini.write_text("[database]\nurl = postgresql+psycopg://survtrack@dbserver/survtrack\n")
    assert resolve_db_url(None) == "postgresql+psycopg://survtrack@dbserver/survtrack"
    ini.write_text(f"[database]\nurl = {tmp_path / 'shared.db'}\n")  # a plain path: SQLite
    assert resolve_db_url(None) == f"sqlite:///{tmp_path / 'shared.db'}"
    monkeypatch.setenv("SURVTRACK_DB", "sqlite:///env.db")
    assert resolve_db_url(None) == "sqlite:///env.db"
    assert resolve_db_url("sqlite:///given.db") == "sqlite:///given.db"
    ini.write_text("[database\nurl = x\n")
    monkeypatch.delenv("SURVTRACK_DB")
    with pytest.raises(BadInput, match=r"survtrack\.ini: cannot be read"):
        resolve_db_url(None)


def test_on_windows_the_database_is_machine_wide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survtrack.services import locations

    monkeypatch.delenv("SURVTRACK_CONFIG")
    monkeypatch.delenv("SURVTRACK_DATA_DIR")
    monkeypatch.delenv("SURVTRACK_DB", raising=False)
    monkeypatch.setenv("PROGRAMDATA", str(tmp_path / "ProgramData"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "alice"))
    monkeypatch.setattr(sys, "platform", "win32")
    machine = tmp_path / "ProgramData" / "SurvTrack"
    assert locations.config_candidates() == [machine / "survtrack.ini"]
    assert locations.resolve_db_url(None) == f"sqlite:///{machine / 'survtrack.db'}"
    assert locations.data_dir() == tmp_path / "alice" / "SurvTrack"  # the demo stays per user
    # a registry an earlier version kept per user goes on being used until it is moved
    old = tmp_path / "alice" / "SurvTrack" / "survtrack.db"
    old.parent.mkdir(parents=True)
    old.touch()
    assert locations.resolve_db_url(None) == f"sqlite:///{old}"
    machine.mkdir(parents=True)
    (machine / "survtrack.db").touch()
    assert locations.resolve_db_url(None) == f"sqlite:///{machine / 'survtrack.db'}"


def test_on_linux_the_config_is_looked_for_in_etc_then_xdg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survtrack.services import locations

    monkeypatch.delenv("SURVTRACK_CONFIG")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    assert locations.config_candidates() == [
        Path("/etc/survtrack/survtrack.ini"),
        tmp_path / "a" / "survtrack" / "survtrack.ini",
        tmp_path / "b" / "survtrack" / "survtrack.ini",
    ]
