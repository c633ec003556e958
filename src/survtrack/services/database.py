"""Opening the clinic database: connect, migrate to this version's schema, or refuse it; then
import an old ``clinic.toml`` once and take the clinic settings' snapshot."""

from __future__ import annotations

import logging

from survtrack.services.clinic_settings import activate, import_old_settings
from survtrack.services.locations import resolve_db_url
from survtrack.store.engine import Database
from survtrack.store.migrate import DatabaseTooNew, ensure_schema

__all__ = ["Database", "DatabaseTooNew", "open_database"]

log = logging.getLogger(__name__)


def open_database(url: str | None = None, notes: list[str] | None = None) -> Database:
    """The database at ``url`` (or the default), upgraded to the current schema.

    What the staff should be told (the one-time import of clinic.toml) goes into ``notes``, or is
    logged as a warning when no list is given.
    """
    database = Database.open(resolve_db_url(url))
    try:
        ensure_schema(database.engine)
        note = import_old_settings(database)
        activate(database)
    except BaseException:
        database.dispose()
        raise
    if note:
        if notes is None:
            log.warning("survtrack: note: %s", note)
        else:
            notes.append(note)
    return database
