"""Start-up pieces: the demo database is separate from the clinic's and signs in a physician."""

from __future__ import annotations

from pathlib import Path

from survtrack.services.auth import Role
from survtrack.services.database import open_database
from survtrack.services.locations import default_db_url
from survtrack.services.patient_search import count_patients
from survtrack.ui.app import demo_db_url, prepare_demo


def test_demo_uses_its_own_database_and_a_demo_physician() -> None:
    assert demo_db_url() != default_db_url()
    assert Path(demo_db_url().removeprefix("sqlite:///")).name == "survtrack-demo.db"
    db = open_database(demo_db_url())
    try:
        user = prepare_demo(db)
        assert user.role is Role.PHYSICIAN
        first = count_patients(db)
        assert first == 500
        assert prepare_demo(db).user_id == user.user_id  # a second start adds nothing
        assert count_patients(db) == first
    finally:
        db.dispose()
