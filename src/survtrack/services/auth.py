"""User accounts, roles and sign-in. Passwords are kept only as salted argon2id hashes.

Password rules: at least ``MIN_PASSWORD_LENGTH`` characters, not the user name, not one of the
common passwords shipped in ``resources/security/common-passwords.txt``. After ``LOCK_AFTER``
failed sign-ins in a row an account waits ``lock_delay`` (doubling with each further failure)
before it may try again; an unknown user name costs the same argon2 work as a known one, so the
time taken does not tell whether a name exists. Sign-ins and failures are audited with the user
name attempted, never the password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from survtrack.domain.errors import BadInput
from survtrack.resources import resource
from survtrack.store.audit import SYSTEM, Actor, record
from survtrack.store.engine import Database
from survtrack.store.models import User

MIN_PASSWORD_LENGTH = 12
#: failed sign-ins in a row before the account must wait
LOCK_AFTER = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
_hasher = PasswordHasher()


class Role(StrEnum):
    SCHEDULER = "scheduler"
    PHYSICIAN = "physician"
    THERAPIST = "therapist"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.SCHEDULER: "Scheduler",
    Role.PHYSICIAN: "Physician",
    Role.THERAPIST: "Therapist (PT/OT)",
    Role.ADMINISTRATOR: "Administrator",
}


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The person using the app; ``actor`` is what the audit trail records."""

    user_id: int
    username: str
    full_name: str
    role: Role
    #: an administrator reset the password: the user must choose a new one before working
    must_change_password: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username, self.role.value)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMINISTRATOR


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str
    full_name: str
    role: str
    active: bool


class SignInFailed(Exception):
    """Wrong user name or password, or a disabled account (the message does not say which)."""


class AccountLocked(SignInFailed):
    """Too many failed sign-ins in a row: the account waits until ``until``."""

    def __init__(self, until: datetime) -> None:
        local = until.astimezone().strftime("%H:%M")
        super().__init__(
            f"too many failed sign-ins for this user name: try again after {local}, "
            "or ask an administrator to reset the password"
        )
        self.until = until


class FirstAdministratorExists(PermissionError):
    """Another workstation created the first administrator a moment ago."""


def has_users(db: Database) -> bool:
    with db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lower case; see the file's header for its source)."""
    content = resource("security", "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in content.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(password: str, username: str) -> None:
    """Raise ``BadInput`` naming the rule a new password breaks."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    folded = password.strip().lower()
    name = username.strip().lower()
    # the name itself, or the name with a few characters added ("ada.admin2024")
    if name and name in folded and len(folded) - len(name) < 6:
        raise BadInput("password", "must not be the user name, nor the user name and a few more")
    common = common_passwords()
    if folded in common or folded.replace(" ", "") in common:
        raise BadInput(
            "password", "is one of the most common passwords; choose one nobody would guess"
        )


def _validate(username: str, full_name: str, role: str, password: str) -> None:
    if not username.strip():
        raise BadInput("username", "is required")
    if len(username) > 32 or any(ch.isspace() for ch in username):
        raise BadInput("username", "must be at most 32 characters, without spaces")
    if not full_name.strip():
        raise BadInput("full name", "is required")
    if role not in {r.value for r in Role}:
        raise BadInput("role", f"must be one of {', '.join(r.value for r in Role)}")
    check_password(password, username)


def _lock_first_account(session: Session) -> None:
    """Serialise first starts: on PostgreSQL three workstations starting at once would each see
    no users and each create an administrator (SQLite's BEGIN IMMEDIATE already serialises).
    The lock conflicts with itself, so the second transaction counts after the first commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


def create_user(
    db: Database,
    username: str,
    full_name: str,
    role: str,
    password: str,
    by: SignedIn | None,
) -> int:
    """Add a user. Only an administrator may, except for the very first (administrator) account,
    which is created once even when several workstations start on an empty database at once."""
    _validate(username, full_name, role, password)
    username = username.strip().lower()
    actor = by.actor if by else SYSTEM
    with db.write(actor) as session:
        if by is None:
            _lock_first_account(session)
            if session.scalar(select(func.count()).select_from(User)):
                raise FirstAdministratorExists(
                    "an administrator account already exists (perhaps just created on another "
                    "workstation): sign in with it"
                )
            if role != Role.ADMINISTRATOR:
                raise PermissionError("only an administrator can add users")
        elif not by.is_admin:
            raise PermissionError("only an administrator can add users")
        if session.scalar(select(User.id).where(User.username == username)):
            raise BadInput("username", f"{username!r} is already taken")
        user = User(
            username=username,
            full_name=full_name.strip(),
            role=role,
            password_hash=_hasher.hash(password),
            active=True,
            created_at=datetime.now(UTC),
        )
        session.add(user)
        session.flush()
        return user.id


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of a random secret, verified for unknown names so they cost the same work."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def lock_delay(failures: int) -> timedelta | None:
    """How long an account waits after ``failures`` failed sign-ins in a row (None: not yet)."""
    if failures < LOCK_AFTER:
        return None
    return min(FIRST_LOCK * 2 ** (failures - LOCK_AFTER), LONGEST_LOCK)


def _attempt_actor(name: str) -> Actor:
    return Actor(None, name[:32] or "(empty)")


def _audit_failure(db: Database, name: str, user_id: int | None, reason: str) -> None:
    with db.write(_attempt_actor(name)) as session:
        record(session, "sign_in_failed", "users", user_id, {"username": name, "reason": reason})


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)  # SQLite keeps no zone: stored in UTC
    return moment


def sign_in(db: Database, username: str, password: str, now: datetime | None = None) -> SignedIn:
    """The account, when the password is right, the account active and not waiting after failures.

    Every outcome is audited with the name attempted (never the password).
    """
    now = now or datetime.now(UTC)
    name = username.strip().lower()[:120]
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == name))
    if user is None:
        _verify(_dummy_hash(), password)
        _audit_failure(db, name, None, "unknown user name")
        raise SignInFailed("unknown user name or wrong password")
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        _verify(_dummy_hash(), password)  # the same work, and no answer about the password
        _audit_failure(db, name, user.id, "locked after repeated failures")
        raise AccountLocked(locked_until)
    if not _verify(user.password_hash, password) or not user.active:
        reason = "wrong password" if user.active else "disabled account"
        with db.write(_attempt_actor(name)) as session:
            failures = session.scalar(
                update(User)
                .where(User.id == user.id)
                .values(failed_sign_ins=User.failed_sign_ins + 1)
                .returning(User.failed_sign_ins)
            )
            delay = lock_delay(failures or 0)
            if delay is not None:
                session.execute(
                    update(User).where(User.id == user.id).values(locked_until=now + delay)
                )
            record(
                session,
                "sign_in_failed",
                "users",
                user.id,
                {"username": name, "reason": reason, "failures_in_a_row": failures},
            )
        raise SignInFailed("unknown user name or wrong password")
    signed = SignedIn(
        user.id, user.username, user.full_name, Role(user.role), user.must_change_password
    )
    with db.write(signed.actor) as session:
        values: dict[str, object] = {"failed_sign_ins": 0, "locked_until": None}
        if _hasher.check_needs_rehash(user.password_hash):
            values["password_hash"] = _hasher.hash(password)
        session.execute(update(User).where(User.id == user.id).values(**values))
        record(session, "sign_in", "users", user.id)
    return signed


def change_password(db: Database, user: SignedIn, current: str, new: str) -> SignedIn:
    """The user's own change (also the one a reset forces): the current password, then a new
    one that follows the rules and differs from it. Returns the session without the demand."""
    with db.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.id == user.user_id))
    if stored is None or not _verify(stored, current):
        raise BadInput("current password", "is not correct")
    if new == current:
        raise BadInput("new password", "must differ from the current one")
    try:
        check_password(new, user.username)
    except BadInput as exc:
        raise BadInput("new password", exc.reason) from None
    with db.write(user.actor) as session:
        account = session.get(User, user.user_id)
        assert account is not None
        account.password_hash = _hasher.hash(new)
        account.must_change_password = False
        record(session, "password_changed", "users", user.user_id)
    return replace(user, must_change_password=False)


def reset_password(db: Database, user_id: int, temporary: str, by: SignedIn) -> None:
    """An administrator gives a user a temporary password, to be changed at the next sign-in;
    it also ends a lockout."""
    if not by.is_admin:
        raise PermissionError("only an administrator can reset passwords")
    with db.write(by.actor) as session:
        user = session.get(User, user_id)
        if user is None:
            raise BadInput("user", "no such user")
        check_password(temporary, user.username)
        user.password_hash = _hasher.hash(temporary)
        user.must_change_password = True
        user.failed_sign_ins = 0
        user.locked_until = None
        record(session, "password_reset", "users", user_id)


def list_users(db: Database) -> list[UserRow]:
    with db.read() as session:
        users = session.scalars(select(User).order_by(User.username)).all()
        return [UserRow(u.id, u.username, u.full_name, u.role, u.active) for u in users]


def set_active(db: Database, user_id: int, active: bool, by: SignedIn) -> None:
    """Disable or re-enable an account (never deleted: the audit trail points at it)."""
    if not by.is_admin:
        raise PermissionError("only an administrator can disable users")
    if user_id == by.user_id and not active:
        raise BadInput("active", "you cannot disable your own account")
    with db.write(by.actor) as session:
        user = session.get(User, user_id)
        if user is None:
            raise BadInput("user", "no such user")
        user.active = active


def ensure_user(db: Database, username: str, full_name: str, role: Role) -> SignedIn:
    """The account of that name, created with an unusable password if missing (demo sign-in)."""
    with db.write(SYSTEM) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(
                username=username,
                full_name=full_name,
                role=role.value,
                password_hash="!demo-account-without-password",
                active=True,
                created_at=datetime.now(UTC),
            )
            session.add(user)
            session.flush()
        return SignedIn(user.id, user.username, user.full_name, Role(user.role))
