"""Opening the clinic database: connect, migrate to this version's schema, or refuse it."""

from __future__ import annotations

from survtrack.services.locations import resolve_db_url
from survtrack.store.engine import Database
from survtrack.store.migrate import DatabaseTooNew, ensure_schema

__all__ = ["Database", "DatabaseTooNew", "open_database"]


def open_database(url: str | None = None) -> Database:
    """The database at ``url`` (or the default), upgraded to the current schema."""
    database = Database.open(resolve_db_url(url))
    try:
        ensure_schema(database.engine)
    except BaseException:
        database.dispose()
        raise
    return database
