"""Bringing a database to the schema this version of the app expects, or refusing it.

``ensure_schema`` runs at every start: an empty database is created, an older one upgraded, and
one written by a newer SurvTrack (a revision this build does not know) is refused with
``DatabaseTooNew`` before anything reads or writes it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


class DatabaseTooNew(RuntimeError):
    """The database schema comes from a newer version of SurvTrack."""


def alembic_config(engine: Engine) -> Config:
    folder = Path(__file__).resolve().parent / "migrations"  # shipped next to this module
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def ensure_schema(engine: Engine) -> None:
    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    current = current_revision(engine)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:  # alembic raises several kinds for an unknown id
            raise DatabaseTooNew(
                f"This database was written by a newer version of SurvTrack (schema {current}). "
                "It has not been opened or changed; install the newer version to use it."
            ) from None
        if current == script.get_current_head():
            return
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
