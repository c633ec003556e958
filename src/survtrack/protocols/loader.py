"""Loading and validating protocol files (TOML).

A broken file is refused with a ``ProtocolError`` that names the file, the rule id (or its position)
and the field. The shipped defaults live in ``survtrack/resources/protocols``; a clinic may point
``load_protocols`` at a folder of its own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from survtrack.domain.events import EventKind
from survtrack.domain.sites import Site
from survtrack.protocols.dates import Offset
from survtrack.protocols.model import (
    HISTOLOGIES,
    TIERS,
    AdditionalRule,
    ProtocolSet,
    SeriesRule,
    SiteProtocol,
    TimedEvent,
)
from survtrack.protocols.triggers import TRIGGERS
from survtrack.resources import resource_dir

_SERIES_KEYS = {
    "id",
    "tier",
    "kind",
    "from_months",
    "to_months",
    "every_months",
    "window_days",
    "source",
}
_ADDITIONAL_KEYS = {"id", "trigger", "kind", "source", "events", "threshold_mg_m2"}
_EVENT_KEYS = {"at", "before", "after", "window_from", "window_to"}


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message names file, rule and field."""


def default_protocol_dir() -> Path:
    return resource_dir("protocols")


@lru_cache(maxsize=8)
def load_protocols(folder: Path | None = None) -> ProtocolSet:
    """Every ``*.toml`` in the folder (the shipped defaults when None), validated."""
    folder = folder or default_protocol_dir()
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ProtocolError(f"{folder}: no protocol files (*.toml) found")
    return parse_protocol_files((path.name, path.read_text(encoding="utf-8")) for path in files)


def parse_protocol_files(named_texts: Iterable[tuple[str, str]]) -> ProtocolSet:
    site_protocols: list[SiteProtocol] = []
    additional: list[AdditionalRule] = []
    seen_ids: dict[str, str] = {}
    protocol_files: dict[str, str] = {}
    for name, text in named_texts:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProtocolError(f"{name}: not valid TOML ({exc})") from None
        header = data.get("protocol")
        if not isinstance(header, dict) or not isinstance(header.get("id"), str):
            raise ProtocolError(f"{name}: missing [protocol] table with an id")
        rules = data.get("rules")
        if not isinstance(rules, list) or not rules:
            raise ProtocolError(f"{name}: no [[rules]]")
        unknown_top = set(data) - {"protocol", "rules"}
        if unknown_top:
            raise ProtocolError(f"{name}: unknown table {sorted(unknown_top)[0]!r}")
        is_additional = "sites" not in header
        if header["id"] in protocol_files:
            raise ProtocolError(
                f"{name}: [protocol] id {header['id']!r} is already used by "
                f"{protocol_files[header['id']]}"
            )
        protocol_files[header["id"]] = name
        for index, raw in enumerate(rules):
            where = _where(name, raw, index)
            if not isinstance(raw, dict):
                raise ProtocolError(f"{where}: must be a table")
            rule_id = raw.get("id")
            if not isinstance(rule_id, str) or not rule_id:
                raise ProtocolError(f"{where}: field 'id' is required")
            if rule_id in seen_ids:
                raise ProtocolError(f"{where}: duplicate rule id (also in {seen_ids[rule_id]})")
            seen_ids[rule_id] = name
        if is_additional:
            additional.extend(_additional_rule(name, raw, i) for i, raw in enumerate(rules))
        else:
            site_protocols.append(_site_protocol(name, header, rules))
    _check_no_overlap(site_protocols)
    return ProtocolSet(tuple(site_protocols), tuple(additional))


def _check_no_overlap(site_protocols: list[SiteProtocol]) -> None:
    """One protocol per site and histology: two files matching the same patient are refused."""
    covered: dict[tuple[str, str], SiteProtocol] = {}
    for protocol in site_protocols:
        if protocol.histology == "chosen":
            continue
        for site in sorted(protocol.sites):
            other = covered.setdefault((site, protocol.histology), protocol)
            if other is not protocol:
                raise ProtocolError(
                    f"{protocol.file}: [protocol] sites: {site!r} ({protocol.histology} "
                    f"histology) is already covered by {other.file}; give the file the id "
                    f'{other.id!r} to replace it, or histology = "chosen"'
                )


def _where(name: str, raw: Any, index: int) -> str:
    rule_id = raw.get("id") if isinstance(raw, dict) else None
    return f"{name}: rule {rule_id!r}" if isinstance(rule_id, str) else f"{name}: rule #{index + 1}"


def _site_protocol(name: str, header: dict[str, Any], rules: list[Any]) -> SiteProtocol:
    sites = header.get("sites")
    valid_sites = {site.value for site in Site}
    if not isinstance(sites, list) or not sites or any(s not in valid_sites for s in sites):
        raise ProtocolError(
            f"{name}: [protocol] sites must list site groups from {sorted(valid_sites)}"
        )
    histology = header.get("histology", "default")
    if histology not in HISTOLOGIES:
        raise ProtocolError(
            f"{name}: [protocol] histology must be one of {', '.join(map(repr, HISTOLOGIES))}"
        )
    title = header.get("name")
    if not isinstance(title, str) or not title.strip():
        raise ProtocolError(
            f"{name}: [protocol] field 'name' (the protocol's name in words) is required"
        )
    unknown = set(header) - {"id", "name", "sites", "histology"}
    if unknown:
        raise ProtocolError(f"{name}: [protocol] unknown field {sorted(unknown)[0]!r}")
    parsed = tuple(_series_rule(name, raw, index) for index, raw in enumerate(rules))
    return SiteProtocol(
        id=header["id"],
        name=title.strip(),
        sites=frozenset(sites),
        histology=histology,
        rules=parsed,
        file=name,
    )


def _series_rule(name: str, raw: dict[str, Any], index: int) -> SeriesRule:
    where = _where(name, raw, index)
    _check_keys(where, raw, _SERIES_KEYS)
    tier = raw.get("tier")
    if tier not in TIERS:
        raise ProtocolError(f"{where}: field 'tier' must be one of {', '.join(TIERS)}")
    numbers = {
        key: _whole(where, raw, key, minimum)
        for key, minimum in (
            ("from_months", 0),
            ("to_months", 1),
            ("every_months", 1),
            ("window_days", 0),
        )
    }
    if numbers["to_months"] <= numbers["from_months"]:
        raise ProtocolError(f"{where}: field 'to_months' must be greater than 'from_months'")
    rule = SeriesRule(
        id=raw["id"],
        tier=tier,
        kind=_kind(where, raw),
        source=_source(where, raw),
        **numbers,
    )
    words = rule.interval_words()
    if words.casefold() not in rule.source.casefold():
        raise ProtocolError(
            f"{where}: field 'source' must say what the rule does ({words!r}) and then the "
            "guideline it follows"
        )
    return rule


def _additional_rule(name: str, raw: dict[str, Any], index: int) -> AdditionalRule:
    where = _where(name, raw, index)
    _check_keys(where, raw, _ADDITIONAL_KEYS)
    trigger = raw.get("trigger")
    if trigger not in TRIGGERS:
        raise ProtocolError(f"{where}: field 'trigger' must be one of {', '.join(TRIGGERS)}")
    threshold = raw.get("threshold_mg_m2")
    if trigger == "doxorubicin_cumulative" and (
        not isinstance(threshold, int | float) or isinstance(threshold, bool) or threshold < 0
    ):
        raise ProtocolError(f"{where}: field 'threshold_mg_m2' must be a number of 0 or more")
    events_raw = raw.get("events")
    if not isinstance(events_raw, list) or not events_raw:
        raise ProtocolError(f"{where}: field 'events' must list at least one event")
    events = tuple(_timed_event(f"{where} events[{i}]", e) for i, e in enumerate(events_raw))
    return AdditionalRule(
        id=raw["id"],
        trigger=trigger,
        kind=_kind(where, raw),
        source=_source(where, raw),
        events=events,
        threshold_mg_m2=float(threshold) if threshold is not None else None,
    )


def _timed_event(where: str, raw: Any) -> TimedEvent:
    if not isinstance(raw, dict):
        raise ProtocolError(f"{where}: must be a table")
    _check_keys(where, raw, _EVENT_KEYS)
    if "at" not in raw:
        raise ProtocolError(f"{where}: field 'at' is required")
    relative = "before" in raw or "after" in raw
    absolute = "window_from" in raw or "window_to" in raw
    if (
        relative == absolute
        or (relative and not {"before", "after"} <= set(raw))
        or (absolute and not {"window_from", "window_to"} <= set(raw))
    ):
        raise ProtocolError(
            f"{where}: give either 'before' and 'after', or 'window_from' and 'window_to'"
        )
    offsets = {}
    for key in _EVENT_KEYS & set(raw):
        try:
            offsets[key] = Offset.parse(raw[key])
        except ValueError as exc:
            raise ProtocolError(f"{where}: field {key!r}: {exc}") from None
    return TimedEvent(**offsets)


def _check_keys(where: str, raw: dict[str, Any], allowed: set[str]) -> None:
    for key in raw:
        if key not in allowed:
            raise ProtocolError(f"{where}: unknown field {key!r}")


def _whole(where: str, raw: dict[str, Any], key: str, minimum: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ProtocolError(f"{where}: field {key!r} must be a whole number of {minimum} or more")
    return value


def _kind(where: str, raw: dict[str, Any]) -> str:
    kind = raw.get("kind")
    if kind not in {k.value for k in EventKind}:
        raise ProtocolError(f"{where}: field 'kind' {kind!r} is not a known event kind")
    return str(kind)


def _source(where: str, raw: dict[str, Any]) -> str:
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ProtocolError(f"{where}: field 'source' (the citation) is required")
    return source
