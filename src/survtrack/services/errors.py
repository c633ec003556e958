"""Errors the services raise besides ``BadInput``."""

from __future__ import annotations


class ConflictError(Exception):
    """The row was changed at another workstation since it was read; nothing was written."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} was changed at another workstation since you opened it. Nothing was saved; "
            "the screen shows the current version."
        )


def check_version(what: str, current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise ConflictError(what)
