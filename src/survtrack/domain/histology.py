"""The histology catalogue (data: ``resources/catalogues/histology.toml``) and the word rules that
decide a histology's handling (desmoid protocol, or no default protocol for GIST and Kaposi).

Histology stays free text: the catalogue helps typing (``HistologyCatalogue.search``) and the
handling is decided by whole words of whatever was typed (clinical reference section 5).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from survtrack.domain.words import has_phrase, words
from survtrack.resources import resource

DESMOID = "desmoid"
NO_PROTOCOL_HANDLINGS = ("gist", "kaposi")


@dataclass(frozen=True, slots=True)
class HistologyEntry:
    """One catalogue name with its ICD-O-3 morphology code and the synonyms it is found by."""

    name: str
    code: str
    synonyms: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """What a picker shows: the name and its code, e.g. "Leiomyosarcoma (8890/3)"."""
        return f"{self.name} ({self.code})"


@dataclass(frozen=True, slots=True)
class Handling:
    """A histology handling selected by whole-word phrases (see the catalogue's [handling])."""

    key: str
    label: str
    phrases: tuple[tuple[str, ...], ...]
    source: str

    def matches(self, text_words: tuple[str, ...]) -> bool:
        return any(has_phrase(text_words, phrase) for phrase in self.phrases)


@dataclass(frozen=True, slots=True)
class HistologyCatalogue:
    source: str
    entries: tuple[HistologyEntry, ...]
    handlings: dict[str, Handling]

    def handling(self, histology: str | None) -> Handling | None:
        """The handling a histology selects: no default protocol wins over desmoid."""
        text_words = words(histology)
        if not text_words:
            return None
        for key in (*NO_PROTOCOL_HANDLINGS, DESMOID):
            handling = self.handlings.get(key)
            if handling is not None and handling.matches(text_words):
                return handling
        return None

    def search(self, query: str, limit: int = 20) -> list[HistologyEntry]:
        """Entries whose name, a synonym or the code matches every typed word as a word prefix.

        Ranked: the name starts with the query, then a name word matches, then a synonym starts
        with it, then a synonym word or the code matches; alphabetical within a rank. An empty
        query lists the catalogue alphabetically.
        """
        wanted = words(query)
        if not wanted:
            return sorted(self.entries, key=lambda e: e.name.casefold())[:limit]
        folded = query.strip().casefold()
        ranked: list[tuple[int, str, HistologyEntry]] = []
        for entry in self.entries:
            name_words = words(entry.name)
            if entry.name.casefold().startswith(folded):
                rank = 0
            elif _prefixes_all(wanted, name_words):
                rank = 1
            elif any(s.casefold().startswith(folded) for s in entry.synonyms):
                rank = 2
            elif any(_prefixes_all(wanted, words(s)) for s in entry.synonyms) or (
                entry.code.startswith(folded)
            ):
                rank = 3
            else:
                continue
            ranked.append((rank, entry.name.casefold(), entry))
        ranked.sort(key=lambda item: item[:2])
        return [entry for _, _, entry in ranked[:limit]]

    def by_name(self, text: str) -> HistologyEntry | None:
        """The entry whose name, display text or a synonym is exactly ``text`` (any case)."""
        folded = text.strip().casefold()
        for entry in self.entries:
            names = (entry.name, entry.display, *entry.synonyms)
            if any(folded == name.casefold() for name in names):
                return entry
        return None


def _prefixes_all(wanted: tuple[str, ...], candidate: tuple[str, ...]) -> bool:
    return all(any(word.startswith(w) for word in candidate) for w in wanted)


def parse_histology_catalogue(text: str) -> HistologyCatalogue:
    """Parse and check the catalogue; a broken file raises ``ValueError`` naming the entry."""
    data = tomllib.loads(text)
    source = data.get("catalogue", {}).get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError("histology catalogue: [catalogue] source (the citation) is required")
    handlings: dict[str, Handling] = {}
    for key, raw in data.get("handling", {}).items():
        phrases = raw.get("phrases")
        if not isinstance(phrases, list) or not phrases:
            raise ValueError(f"histology catalogue: handling {key!r} needs phrases")
        handlings[key] = Handling(
            key=key,
            label=_text(raw, "label", f"handling {key!r}"),
            phrases=tuple(tuple(words(" ".join(p))) for p in phrases),
            source=_text(raw, "source", f"handling {key!r}"),
        )
    entries = tuple(_entry(raw, index) for index, raw in enumerate(data.get("entries", [])))
    if not entries:
        raise ValueError("histology catalogue: no [[entries]]")
    return HistologyCatalogue(source=source, entries=entries, handlings=handlings)


def _entry(raw: Any, index: int) -> HistologyEntry:
    where = f"entry #{index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"histology catalogue: {where} must be a table")
    name = _text(raw, "name", where)
    code = _text(raw, "code", f"entry {name!r}")
    synonyms = raw.get("synonyms", [])
    if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
        raise ValueError(f"histology catalogue: entry {name!r}: synonyms must be a list of text")
    return HistologyEntry(name=name, code=code, synonyms=tuple(synonyms))


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"histology catalogue: {where}: field {key!r} is required")
    return value


@lru_cache(maxsize=1)
def histology_catalogue() -> HistologyCatalogue:
    """The shipped catalogue, read once."""
    text = resource("catalogues", "histology.toml").read_text(encoding="utf-8")
    return parse_histology_catalogue(text)


@lru_cache(maxsize=4096)
def histology_handling(histology: str | None) -> str | None:
    """``"desmoid"``, ``"gist"``, ``"kaposi"`` or None for a histology text (cached: a clinic
    types the same few dozen names)."""
    handling = histology_catalogue().handling(histology)
    return handling.key if handling else None


def is_desmoid(histology: str | None) -> bool:
    return histology_handling(histology) == DESMOID


def histology_without_protocol(histology: str | None) -> str | None:
    """The name of a histology that has no default protocol (GIST, Kaposi sarcoma), else None."""
    key = histology_handling(histology)
    if key in NO_PROTOCOL_HANDLINGS:
        return histology_catalogue().handlings[key].label
    return None
