"""The one error type for bad input: it names the field and the reason."""

from __future__ import annotations


class BadInput(ValueError):
    """Input that cannot be accepted; ``field`` is the dotted path of the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
