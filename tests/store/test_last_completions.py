"""``last_completions`` (the worklists' "last done") always equals the completed events.

The table is kept by database triggers, so these tests change events through the services and
through plain SQL and compare it with a grouping of the events themselves, on both backends.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from survtrack.services.auth import Role, ensure_user
from survtrack.services.demo import generate_demo
from survtrack.services.event_actions import complete, reopen, undo, waive
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, LastCompletion
from tests.factories import TESTER, add_event, add_patient

TODAY = date(2026, 11, 23)


def kept(db: Database) -> dict[tuple[int, str], date]:
    with db.read() as session:
        return {
            (p, k): d
            for p, k, d in session.execute(
                select(LastCompletion.patient_id, LastCompletion.kind, LastCompletion.closed_on)
            )
        }


def truth(db: Database) -> dict[tuple[int, str], date]:
    with db.read() as session:
        return {
            (p, k): d
            for p, k, d in session.execute(
                select(
                    FollowUpEvent.patient_id, FollowUpEvent.kind, func.max(FollowUpEvent.closed_on)
                )
                .where(FollowUpEvent.state == "completed", FollowUpEvent.closed_on.is_not(None))
                .group_by(FollowUpEvent.patient_id, FollowUpEvent.kind)
            )
        }


def test_triggers_exist_at_head(db: Database) -> None:
    """A later migration that rebuilds the events table on SQLite would drop them silently."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            names = set(
                conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                .scalars()
                .all()
            )
            assert {f"last_completions_{verb}" for verb in ("insert", "update", "delete")} <= names
        else:
            names = set(
                conn.exec_driver_sql(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'followup_events'::regclass"
                )
                .scalars()
                .all()
            )
            assert "last_completions_keep" in names


def test_last_done_follows_completion_reopen_undo_waive_and_delete(db: Database) -> None:
    doctor = ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)
    anna = add_patient(db, "1", "Smith", "Anna")
    first = add_event(db, anna, "chest_ct", date(2026, 3, 1))
    second = add_event(db, anna, "chest_ct", date(2026, 6, 1))
    visit = add_event(db, anna, "clinic_visit", date(2026, 6, 1))
    assert kept(db) == {}

    complete(db, doctor, first, date(2026, 3, 2), "ned", TODAY)
    assert kept(db) == {(anna, "chest_ct"): date(2026, 3, 2)}
    token = complete(db, doctor, second, date(2026, 6, 5), "ned", TODAY)
    assert kept(db)[(anna, "chest_ct")] == date(2026, 6, 5)
    undo(db, doctor, token)  # back to planned: the earlier scan is the last one again
    assert kept(db) == {(anna, "chest_ct"): date(2026, 3, 2)}
    reopen(db, doctor, first)
    assert kept(db) == {}

    complete(db, doctor, visit, date(2026, 6, 2), "ned", TODAY)
    waive(db, doctor, first, "done elsewhere", today=TODAY)  # waived is not done
    assert kept(db) == {(anna, "clinic_visit"): date(2026, 6, 2)}
    with db.write(TESTER) as session:  # a correction of the day done, then of the kind
        session.execute(
            update(FollowUpEvent)
            .where(FollowUpEvent.id == visit)
            .values(closed_on=date(2026, 6, 9))
        )
    assert kept(db) == {(anna, "clinic_visit"): date(2026, 6, 9)}
    with db.write(TESTER) as session:
        session.execute(
            update(FollowUpEvent).where(FollowUpEvent.id == visit).values(kind="chest_ct")
        )
    assert kept(db) == {(anna, "chest_ct"): date(2026, 6, 9)}
    with db.write(TESTER) as session:
        session.execute(delete(FollowUpEvent).where(FollowUpEvent.id == visit))
    assert kept(db) == {}


def test_kept_table_equals_the_events_after_random_work(db: Database) -> None:
    generate_demo(db, 12, 5, TODAY, TESTER)
    assert kept(db) == truth(db) and kept(db)
    doctor = ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)
    rng = random.Random(7)
    with db.read() as session:
        events = session.execute(
            select(FollowUpEvent.id, FollowUpEvent.state, FollowUpEvent.due)
        ).all()
    for event_id, _, due in rng.sample(events, 40):
        with db.read() as session:  # a completion may have covered it since
            state = session.scalar(select(FollowUpEvent.state).where(FollowUpEvent.id == event_id))
        if state in ("planned", "missed", "booked"):
            complete(
                db,
                doctor,
                event_id,
                min(due + timedelta(days=rng.randint(0, 20)), TODAY),
                "ned",
                TODAY,
            )
        elif state in ("completed", "waived", "cancelled"):
            reopen(db, doctor, event_id)
    assert kept(db) == truth(db)
