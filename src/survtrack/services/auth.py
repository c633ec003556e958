"""User accounts, roles and sign-in. Passwords are kept only as salted argon2id hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from survtrack.domain.errors import BadInput
from survtrack.store.audit import SYSTEM, Actor, record
from survtrack.store.engine import Database
from survtrack.store.models import User

MIN_PASSWORD_LENGTH = 8
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

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username)

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


def has_users(db: Database) -> bool:
    with db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def _validate(username: str, full_name: str, role: str, password: str) -> None:
    if not username.strip():
        raise BadInput("username", "is required")
    if len(username) > 32 or any(ch.isspace() for ch in username):
        raise BadInput("username", "must be at most 32 characters, without spaces")
    if not full_name.strip():
        raise BadInput("full name", "is required")
    if role not in {r.value for r in Role}:
        raise BadInput("role", f"must be one of {', '.join(r.value for r in Role)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    db: Database,
    username: str,
    full_name: str,
    role: str,
    password: str,
    by: SignedIn | None,
) -> int:
    """Add a user. Only an administrator may, except for the very first (administrator) account."""
    _validate(username, full_name, role, password)
    username = username.strip().lower()
    actor = by.actor if by else SYSTEM
    with db.write(actor) as session:
        first = not session.scalar(select(func.count()).select_from(User))
        if by is None and not (first and role == Role.ADMINISTRATOR):
            raise PermissionError("only an administrator can add users")
        if by is not None and not by.is_admin:
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


def sign_in(db: Database, username: str, password: str) -> SignedIn:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
    try:
        if user is None or not user.active:
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise SignInFailed("unknown user name or wrong password") from None
    assert user is not None
    signed = SignedIn(user.id, user.username, user.full_name, Role(user.role))
    with db.write(signed.actor) as session:
        record(session, "sign_in", "users", user.id)
    return signed


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
