"""Several workstations at once (issue 14): processes doing random event actions and calendar
regenerations on the same database, on SQLite and PostgreSQL.

Asserted: 0 lost writes (every action reported successful is in the database's audit trail, which
is written in the same transaction) and 0 raw errors (every failure is one a user is told about in
words: ``services.errors.error_kind`` knows it).
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from sqlalchemy import func, select

from survtrack.services.auth import Role, ensure_user
from survtrack.services.calendar import load_calendar, regenerate_in_session
from survtrack.services.demo import generate_demo
from survtrack.services.errors import error_kind
from survtrack.services.event_actions import book
from survtrack.services.overdue import add_note
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry, Patient

PROCESSES = 4
ACTIONS = 50
TODAY = date(2026, 11, 23)
Outcome = tuple[str, str, str]  # (what, "ok" | error kind | "RAW:<type>", token)


def _worker(url: str, worker: int, seed: int) -> list[Outcome]:
    db = Database.open(url)
    user = ensure_user(db, f"load{worker}", f"Load {worker}", Role.PHYSICIAN)
    rng = random.Random(seed)
    with db.read() as session:
        patients = list(session.scalars(select(Patient.id)))
    outcomes: list[Outcome] = []
    for number in range(ACTIONS):
        patient = rng.choice(patients[:6])  # a few patients: plenty of real conflicts
        token = f"w{worker}n{number}"
        what = rng.choice(("note", "note", "book", "regenerate"))
        try:
            if what == "regenerate":
                with db.write(user.actor) as session:
                    regenerate_in_session(session, patient)
            else:
                events = [e for e in load_calendar(db, patient) if e.state in ("planned", "due")]
                if not events:
                    continue
                event = rng.choice(events)
                if what == "note":
                    add_note(db, user, event.id, f"load note {token}", event.version)
                else:
                    when = datetime.combine(TODAY + timedelta(days=rng.randint(1, 60)), clock(9))
                    book(
                        db, user, event.id, when, f"Room {token}", datetime.now(UTC), event.version
                    )
        except Exception as exc:  # classified here: the test counts raw errors
            kind = error_kind(exc)
            outcomes.append((what, kind or f"RAW:{type(exc).__name__}", token))
        else:
            outcomes.append((what, "ok", token))
    db.dispose(optimize=False)
    return outcomes


def test_workstations_at_once_lose_nothing_and_say_every_failure(db: Database) -> None:
    generate_demo(
        db,
        12,
        seed=14,
        today=TODAY,
        actor=ensure_user(db, "setup", "Setup", Role.ADMINISTRATOR).actor,
    )
    for worker in range(PROCESSES):
        ensure_user(db, f"load{worker}", f"Load {worker}", Role.PHYSICIAN)
    url = db.engine.url.render_as_string(hide_password=False)
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results = pool.starmap(_worker, [(url, w, 1000 + w) for w in range(PROCESSES)])
    elapsed = time.monotonic() - started
    outcomes = [o for per_worker in results for o in per_worker]
    print("outcomes:", Counter((o[0], o[1]) for o in outcomes), f"{elapsed:.1f} s")
    raw = [o for o in outcomes if o[1].startswith("RAW:")]
    assert raw == [], raw
    done = [o for o in outcomes if o[1] == "ok"]
    assert len(done) >= len(outcomes) // 3, outcomes  # the load did real work
    with db.read() as session:
        for what, _, token in done:
            if what == "regenerate":
                continue
            found = session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity == "followup_events", AuditEntry.changes.contains(token))
            )
            assert found, f"{what} {token} was reported saved but is not in the database"
    assert elapsed < 90, elapsed
