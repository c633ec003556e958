"""Accounts and sign-in: first administrator, roles, hashing, disabling, audit of who did what."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.services.auth import (
    Role,
    SignInFailed,
    create_user,
    has_users,
    list_users,
    set_active,
    sign_in,
)
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry, User

PASSWORD = "correct horse battery"


def make_admin(db: Database):  # type: ignore[no-untyped-def]
    create_user(db, "Admin", "Ada Admin", "administrator", PASSWORD, None)
    return sign_in(db, "admin", PASSWORD)


def test_first_run_creates_the_administrator_and_signs_in(db: Database) -> None:
    assert not has_users(db)
    admin = make_admin(db)
    assert has_users(db)
    assert admin.role is Role.ADMINISTRATOR and admin.username == "admin"


def test_password_stored_only_as_a_slow_salted_hash(db: Database) -> None:
    make_admin(db)
    with db.read() as session:
        stored = session.scalar(select(User.password_hash))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    with db.read() as session:
        changes = " ".join(session.scalars(select(AuditEntry.changes)))
    assert "argon2" not in changes and PASSWORD not in changes


def test_only_the_first_account_may_be_created_without_an_administrator(db: Database) -> None:
    with pytest.raises(PermissionError):
        create_user(db, "sched", "Sam", "scheduler", PASSWORD, None)
    admin = make_admin(db)
    with pytest.raises(PermissionError):
        create_user(db, "other", "Other", "administrator", PASSWORD, None)
    create_user(db, "sched", "Sam Scheduler", "scheduler", PASSWORD, admin)
    scheduler = sign_in(db, "sched", PASSWORD)
    with pytest.raises(PermissionError):
        create_user(db, "doc", "Doc", "physician", PASSWORD, scheduler)


@pytest.mark.parametrize(
    ("username", "full_name", "role", "password", "field"),
    [
        ("", "A", "scheduler", PASSWORD, "username"),
        ("a b", "A", "scheduler", PASSWORD, "username"),
        ("ab", " ", "scheduler", PASSWORD, "full name"),
        ("ab", "A", "nurse", PASSWORD, "role"),
        ("ab", "A", "scheduler", "short", "password"),
    ],
)
def test_validation_names_the_field(
    db: Database, username: str, full_name: str, role: str, password: str, field: str
) -> None:
    admin = make_admin(db)
    with pytest.raises(BadInput) as info:
        create_user(db, username, full_name, role, password, admin)
    assert info.value.field == field


def test_duplicate_username_refused(db: Database) -> None:
    admin = make_admin(db)
    with pytest.raises(BadInput, match="already taken"):
        create_user(db, "ADMIN", "Again", "physician", PASSWORD, admin)


def test_wrong_password_and_disabled_account_cannot_sign_in(db: Database) -> None:
    admin = make_admin(db)
    with pytest.raises(SignInFailed):
        sign_in(db, "admin", "wrong password")
    with pytest.raises(SignInFailed):
        sign_in(db, "nobody", PASSWORD)
    user_id = create_user(db, "doc", "Dr Doc", "physician", PASSWORD, admin)
    set_active(db, user_id, False, admin)
    with pytest.raises(SignInFailed):
        sign_in(db, "doc", PASSWORD)
    assert [u.active for u in list_users(db) if u.username == "doc"] == [False]
    set_active(db, user_id, True, admin)
    assert sign_in(db, "doc", PASSWORD).role is Role.PHYSICIAN


def test_admin_cannot_disable_themself(db: Database) -> None:
    admin = make_admin(db)
    with pytest.raises(BadInput, match="your own account"):
        set_active(db, admin.user_id, False, admin)


def test_audit_records_who_made_the_change(db: Database) -> None:
    admin = make_admin(db)
    user_id = create_user(db, "doc", "Dr Doc", "physician", PASSWORD, admin)
    set_active(db, user_id, False, admin)
    with db.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "users",
                AuditEntry.entity_id == user_id,
                AuditEntry.action == "update",
            )
        ).one()
    assert (entry.user_id, entry.username) == (admin.user_id, "admin")
    assert json.loads(entry.changes) == {"active": [True, False]}
