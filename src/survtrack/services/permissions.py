"""What each role may change, decided in one place; services call ``require`` before writing.

A therapist records rehabilitation and side effects but cannot change a diagnosis, a treatment or
a recurrence (and, like everyone but a physician, cannot waive a follow-up event: that check lives
with the event actions). The UI asks ``can`` to hide or disable what the user cannot do; the
service refuses anyway, with a message that says who can.
"""

from __future__ import annotations

from enum import StrEnum

from survtrack.services.auth import Role, SignedIn


class Action(StrEnum):
    CHANGE_DIAGNOSIS = "change_diagnosis"
    RECORD_REHAB = "record_rehab"
    RECORD_SIDE_EFFECTS = "record_side_effects"
    ASSIGN_PROTOCOL = "assign_protocol"


#: (roles allowed, what the refusal says the user tried to do and whom to ask)
RULES: dict[Action, tuple[frozenset[Role], str]] = {
    Action.CHANGE_DIAGNOSIS: (
        frozenset({Role.PHYSICIAN, Role.SCHEDULER, Role.ADMINISTRATOR}),
        "change a diagnosis, treatment or recurrence; ask a physician",
    ),
    Action.RECORD_REHAB: (frozenset(Role), "record rehabilitation"),
    Action.RECORD_SIDE_EFFECTS: (frozenset(Role), "record side effects"),
    Action.ASSIGN_PROTOCOL: (
        frozenset({Role.PHYSICIAN, Role.ADMINISTRATOR}),
        "assign a protocol to a patient; ask a physician",
    ),
}


def can(user: SignedIn, action: Action) -> bool:
    return user.role in RULES[action][0]


def require(user: SignedIn, action: Action) -> None:
    """Raise ``PermissionError`` (shown to the user as is) when the role may not do ``action``."""
    allowed, what = RULES[action]
    if user.role not in allowed:
        raise PermissionError(f"a {user.role.value} account cannot {what}")
