"""The words a patient reads, per summary language, and dates written out in the clinic's locale.

The words are data: ``resources/summary/<language>.toml`` (one file per language, next to the
template ``templates/avs[.<language>].html``) and ``resources/summary/common.toml`` (what does not
depend on the language: language names, appointment lengths, warning-sign conditions and their
sources). Dates go through Babel in a locale made of the summary language and the clinic's region
(clinic locale ``en_GB`` with a Spanish summary gives ``es_GB``, falling back to ``es``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from survtrack.resources import resource

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class WarningSign:
    id: str
    when: str  # always, abdominal, anthracycline, amputation, recent_surgery
    source: str


@dataclass(frozen=True, slots=True)
class Common:
    languages: dict[str, tuple[str, ...]]
    minutes: dict[str, int]
    preparation_sources: dict[str, str]
    warning_signs: tuple[WarningSign, ...]
    recent_surgery_days: int
    anthracyclines: frozenset[str]
    goal_grace_days: int
    referral_days: int


@lru_cache(maxsize=1)
def common() -> Common:
    data = tomllib.loads(resource("summary", "common.toml").read_text(encoding="utf-8"))
    return Common(
        {code: tuple(v.casefold() for v in values) for code, values in data["languages"].items()},
        {kind: int(m) for kind, m in data["minutes"].items()},
        dict(data["preparation_sources"]),
        tuple(WarningSign(s["id"], s["when"], s["source"]) for s in data["warning_signs"]),
        int(data["conditions"]["recent_surgery_days"]),
        frozenset(a.casefold() for a in data["conditions"]["anthracyclines"]),
        int(data["rehab"]["goal_grace_days"]),
        int(data["rehab"]["referral_days"]),
    )


def shipped_languages() -> tuple[str, ...]:
    """Languages with both a words file and a shipped template, English first."""
    found = [
        code
        for code in common().languages
        if resource("summary", f"{code}.toml").is_file()
        and resource("templates", template_name(code)).is_file()
    ]
    return tuple(sorted(found, key=lambda c: (c != DEFAULT_LANGUAGE, c)))


def template_name(language: str) -> str:
    return "avs.html" if language == DEFAULT_LANGUAGE else f"avs.{language}.html"


def summary_language(preferred: str | None) -> str | None:
    """The summary language for a patient's stored preference; None when there is none for it.

    An empty preference is English. "es-MX", "ES_es", "Spanish" and "Español" are Spanish.
    """
    text = (preferred or "").strip().casefold()
    if not text:
        return DEFAULT_LANGUAGE
    head = re.split(r"[-_ ]", text, maxsplit=1)[0]
    for code, names in common().languages.items():
        if text in names or head in names:
            return code if code in shipped_languages() else None
    return None


class Words:
    """One language's words; ``w("words.place", place=...)`` fills a phrase."""

    def __init__(self, language: str, data: dict[str, Any]) -> None:
        self.language = language
        self.data = data

    def get(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            node = node[part]
        return node

    def __call__(self, key: str, **values: object) -> str:
        return str(self.get(key)).format(**values)

    def has(self, key: str) -> bool:
        try:
            self.get(key)
        except KeyError:
            return False
        return True


@lru_cache(maxsize=8)
def words(language: str) -> Words:
    data = tomllib.loads(resource("summary", f"{language}.toml").read_text(encoding="utf-8"))
    return Words(language, data)


@lru_cache(maxsize=32)
def babel_locale(language: str, clinic_locale: str) -> Locale:
    """The summary language in the clinic's region (``es`` + ``en_US`` -> ``es_US``)."""
    try:
        clinic = Locale.parse(clinic_locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        clinic = Locale.parse(DEFAULT_LANGUAGE)
    if clinic.language == language:
        return clinic
    if clinic.territory:
        try:
            return Locale.parse(f"{language}_{clinic.territory}")
        except (ValueError, UnknownLocaleError):
            pass
    return Locale.parse(language)


class DateWords:
    """Dates and times in one summary language and the clinic's locale."""

    def __init__(self, w: Words, clinic_locale: str) -> None:
        self.w = w
        self.locale = babel_locale(w.language, clinic_locale)

    def day(self, d: date) -> str:
        """The full date with the weekday, e.g. "Tuesday, December 8, 2026"."""
        return format_date(d, self.w.get("format.date"), locale=self.locale)

    def birth(self, d: date) -> str:
        return format_date(d, self.w.get("format.birth_date"), locale=self.locale)

    def clock(self, t: time) -> str:
        return format_time(t, self.w.get("format.time"), locale=self.locale)

    def moment(self, when: datetime) -> str:
        return self.w("words.at", date=self.day(when.date()), time=self.clock(when.time()))

    def month(self, d: date) -> str:
        return format_date(d, self.w.get("format.month_year"), locale=self.locale)

    def around(self, d: date, today: date) -> str:
        """ "in early January 2027", "around mid-January 2027"; "as soon as we can" if past."""
        if d <= today:
            return self.w("words.soon")
        part = "early" if d.day <= 10 else "mid" if d.day <= 20 else "late"
        return self.w(f"words.{part}", month=self.month(d))
