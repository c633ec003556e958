"""Which days the clinic is open, and the suggested booking date inside an event's window.

Closed: Saturdays, Sundays, public holidays of the configured country and region (``holidays``
package) and the clinic's own closure days. With no country, only weekends are closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays

from survtrack.domain.errors import BadInput

_SUGGEST_CACHE_LIMIT = 500_000


class ClinicCalendar:
    def __init__(
        self,
        country: str | None = None,
        region: str | None = None,
        closures: Iterable[date] = (),
    ) -> None:
        self.country = country
        self.region = region
        self.closures = frozenset(closures)
        self._holidays: holidays.HolidayBase | None = None
        if country:
            try:
                self._holidays = holidays.country_holidays(country, subdiv=region)
            except NotImplementedError:
                raise BadInput(
                    "country", f"{country!r} is not a country code holidays knows"
                ) from None
            except ValueError as exc:
                raise BadInput("region", f"{region!r}: {exc}") from None
        elif region:
            raise BadInput("region", "needs a country")
        self._open_cache: dict[date, bool] = {}
        self._suggest_cache: dict[tuple[date, date, date, date | None], date | None] = {}

    def is_open(self, day: date) -> bool:
        cached = self._open_cache.get(day)
        if cached is None:
            cached = (
                day.weekday() < 5
                and day not in self.closures
                and (self._holidays is None or day not in self._holidays)
            )
            self._open_cache[day] = cached
        return cached

    def holiday_name(self, day: date) -> str | None:
        if self._holidays is None:
            return None
        return self._holidays.get(day)

    def suggest(
        self, due: date, window_start: date, window_end: date, before: date | None = None
    ) -> date | None:
        """First open day in [due, window end], else the last open day in [window start, due).

        ``before`` excludes that day and every later one (death or discharge). None when no open
        day qualifies: the caller falls back to the due date and warns.
        """
        key = (due, window_start, window_end, before)
        try:
            return self._suggest_cache[key]
        except KeyError:
            pass
        if len(self._suggest_cache) > _SUGGEST_CACHE_LIMIT:
            self._suggest_cache.clear()
        found = self._search(due, window_start, window_end, before)
        self._suggest_cache[key] = found
        return found

    def _search(
        self, due: date, window_start: date, window_end: date, before: date | None
    ) -> date | None:
        last = window_end if before is None else min(window_end, before - timedelta(days=1))
        day = due
        while day <= last:
            if self.is_open(day):
                return day
            day += timedelta(days=1)
        day = min(due - timedelta(days=1), last)
        while day >= window_start:
            if self.is_open(day):
                return day
            day -= timedelta(days=1)
        return None
