"""Date offsets written in protocol files ("2w", "6m", "30d") and month arithmetic from an anchor.

Every due date is computed from its anchor in one step (never chained), month-end clamped:
31 January + 1 month is 28 or 29 February, 31 January + 6 months is 31 July. A result past
9999-12-31 raises ``ValueError`` (the generator turns it into bad input naming the anchor).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

_OFFSET = re.compile(r"^(\d+)([dwm])$")


@dataclass(frozen=True, slots=True)
class Offset:
    """A whole number of days, weeks or calendar months."""

    amount: int
    unit: str  # "d", "w" or "m"

    @classmethod
    def parse(cls, text: str) -> Offset:
        match = _OFFSET.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not an offset like 14d, 6w or 3m")
        return cls(int(match.group(1)), match.group(2))

    def after(self, anchor: date) -> date:
        if self.unit == "m":
            return add_months(anchor, self.amount)
        return anchor + timedelta(days=self.amount * (7 if self.unit == "w" else 1))

    def before(self, anchor: date) -> date:
        if self.unit == "m":
            return add_months(anchor, -self.amount)
        return anchor - timedelta(days=self.amount * (7 if self.unit == "w" else 1))

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


@lru_cache(maxsize=65536)
def add_months(anchor: date, months: int) -> date:
    """Anchor plus whole calendar months, clamped to the month's last day."""
    years, month0 = divmod(anchor.month - 1 + months, 12)
    year, month = anchor.year + years, month0 + 1
    day = anchor.day
    if day > 28:
        if not 1 <= year <= 9999:
            raise ValueError(f"year {year} is out of range")
        day = min(day, monthrange(year, month)[1])
    return date(year, month, day)
