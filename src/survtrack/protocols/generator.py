"""The follow-up calendar generator: a pure function of (case facts, protocols, clinic calendar).

It splits treatments into episodes at each recurrence, anchors every episode, expands the site
protocol's series rules for the episode's risk tier, adds the additional rules (cardiac, amputation,
limb-sparing), drops superseded and post-status events and suggests an open booking day for each.
Every event carries the id and citation of the rule that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from survtrack.domain.agents import agent_catalogue, unknown_agent_warning
from survtrack.domain.agents import normalise as normalise_agent
from survtrack.domain.case import Case, Surgery, Systemic, Treatment, first_anchor
from survtrack.domain.errors import BadInput
from survtrack.domain.risk import (
    RiskTier,
    episode_tier,
    first_episode_risk,
    histology_without_protocol,
    is_desmoid,
    require_default_protocol,
)
from survtrack.domain.staging import StageResult, stage_tumour
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.dates import add_months
from survtrack.protocols.model import AdditionalRule, ProtocolSet, TimedEvent
from survtrack.protocols.triggers import TRIGGERS

_ONE_DAY = timedelta(days=1)
_new_tuple = tuple.__new__

WARN_RECURRENCE_NO_TREATMENT = (
    "recurrence without treatment: calendar anchored on the recurrence date"
)

WARN_NO_TIER = (
    "no risk tier for this histology (AJCC does not stage it): the protocol's high-risk rules used"
)


class PlannedEvent(NamedTuple):
    """One generated event (a named tuple: immutable and cheap, a plan has hundreds)."""

    kind: str
    due: date
    window_start: date
    window_end: date
    suggested: date
    episode: int
    rule: str
    source: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "due": self.due.isoformat(),
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "suggested": self.suggested.isoformat(),
            "episode": self.episode,
            "rule": self.rule,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    stage: str | None
    risk: str
    protocol: str
    warnings: tuple[str, ...]
    events: tuple[PlannedEvent, ...]
    staging: StageResult

    def as_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "risk": self.risk,
            "protocol": self.protocol,
            "warnings": list(self.warnings),
            "events": [event.as_dict() for event in self.events],
        }


@dataclass(frozen=True, slots=True)
class Episode:
    number: int
    anchor: date
    ends_after: date | None  # the next recurrence date: site events due later are superseded
    tier: RiskTier


def episode_of(start: date, recurrence_dates: list[date]) -> int:
    """Episode 1 before the first recurrence; k+1 from recurrence k (inclusive)."""
    return 1 + sum(1 for when in recurrence_dates if start >= when)


def plan_case(
    case: Case,
    protocols: ProtocolSet,
    calendar: ClinicCalendar,
    protocol_id: str | None = None,
) -> Plan:
    """The follow-up calendar of a case.

    ``protocol_id`` is a protocol a physician chose for this patient: it replaces the match by
    site and histology, also for a histology that has no default protocol (GIST, Kaposi sarcoma).
    Every other rule stays (anchors, dates, additional rules, recurrences, status).
    """
    tumour = case.tumour
    if protocol_id is None:
        require_default_protocol(tumour.histology, "tumour.histology")
    desmoid = is_desmoid(tumour.histology)
    staging = stage_tumour(
        tumour.site,
        tumour.size_cm,
        tumour.grade,
        tumour.nodes,
        tumour.metastasis,
        tumour.t4_invasion,
    )
    warnings: list[str] = []
    if protocol_id is None:
        protocol = protocols.for_site(tumour.site.value, desmoid)
        if protocol is None:
            what = "a desmoid tumour of the " if desmoid else "the site "
            raise BadInput(
                "tumour.site",
                f"no protocol of the set in use covers {what}{tumour.site.label.lower()}; "
                "choose a protocol for this patient",
            )
    else:
        protocol = protocols.by_id(protocol_id)
        if protocol is None:
            raise BadInput(
                "protocol",
                "the protocol chosen for this patient is not in the protocol set in use; "
                "choose a protocol for this patient again",
            )
    if desmoid or (protocol_id is not None and histology_without_protocol(tumour.histology)):
        # AJCC does not stage these (desmoid, GIST, Kaposi sarcoma): no stage, and no tier
        stage = None
        if protocol.tiered:
            tier1 = RiskTier.HIGH
            warnings.append(WARN_NO_TIER)
        else:
            tier1 = RiskTier.ANY
    else:
        stage = staging.stage
        tier1, tier_warnings = first_episode_risk(
            staging, tumour.grade, tumour.nodes, tumour.metastasis
        )
        warnings.extend(w for w in staging.warnings if "t4-invasion" not in w)
        warnings.extend(tier_warnings)

    episodes = _episodes(case, tier1, warnings)
    stop = case.status.date if case.status.ends_surveillance else None
    merged = _Merged()
    by_key = merged.by_key
    anchor = episodes[0].anchor
    try:
        for episode in episodes:
            anchor, number, last = episode.anchor, episode.number, episode.ends_after
            if stop is not None:
                day_before = stop - _ONE_DAY  # nothing due on or after the status date
                last = day_before if last is None or day_before < last else last
            for rule in protocol.rules_for(episode.tier.value):
                window = timedelta(days=rule.window_days)
                width, kind = 2 * rule.window_days, rule.kind
                for months in rule.offsets():
                    due = add_months(anchor, months)
                    if last is not None and due > last:
                        break
                    key = (due, kind, number)
                    if key in by_key:
                        merged.add(
                            kind, due, due - window, due + window, number, rule.id, rule.source
                        )
                    else:
                        by_key[key] = (due - window, due + window, width, rule.id, rule.source)
        recurrence_dates = [r.date for r in case.recurrences]
        _unknown_agents(case, warnings)
        for extra in protocols.additional_rules:
            for anchor, treatment in TRIGGERS[extra.trigger](case, extra, warnings):
                number = episode_of(treatment.start, recurrence_dates)
                for timed in extra.events:
                    due, start, end = _timed_dates(timed, anchor)
                    if stop is not None and due >= stop:
                        continue
                    merged.add(extra.kind, due, start, end, number, extra.id, extra.source)
        events = merged.events(calendar, stop, warnings)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, BadInput):
            raise
        raise _out_of_range(case, anchor) from None
    return Plan(
        stage=stage,
        risk=tier1.value,
        protocol=protocol.id,
        warnings=tuple(dict.fromkeys(warnings)),
        events=tuple(events),
        staging=staging,
    )


def _episodes(case: Case, tier1: RiskTier, warnings: list[str]) -> list[Episode]:
    recurrence_dates = [r.date for r in case.recurrences]
    by_episode: dict[int, list[Treatment]] = {}
    for treatment in case.treatments:
        by_episode.setdefault(episode_of(treatment.start, recurrence_dates), []).append(treatment)
    episodes: list[Episode] = []
    for number in range(1, len(recurrence_dates) + 2):
        treatments = by_episode.get(number, [])
        if number == 1:
            anchor = first_anchor(case)
            tier = tier1
        else:
            recurrence = recurrence_dates[number - 2]
            if treatments:
                anchor = max(t.end for t in treatments)
            else:
                anchor = recurrence
                warnings.append(WARN_RECURRENCE_NO_TREATMENT)
            tier = episode_tier(tier1, number)
        ends_after = recurrence_dates[number - 1] if number <= len(recurrence_dates) else None
        episodes.append(Episode(number, anchor, ends_after, tier))
    return episodes


def _timed_dates(timed: TimedEvent, anchor: date) -> tuple[date, date, date]:
    due = timed.at.after(anchor)
    if timed.window_from is not None and timed.window_to is not None:
        return due, timed.window_from.after(anchor), timed.window_to.after(anchor)
    assert timed.before is not None and timed.after is not None
    return due, timed.before.before(due), timed.after.after(due)


class _Merged:
    """Events keyed by (due, kind, episode): one event per kind and day within an episode, with
    the narrowest window (latest start, earliest end) and the rule of the narrowest-window event
    (ties: the smallest rule id). Clinical reference section 5, "One event per kind and day"."""

    __slots__ = ("by_key",)

    def __init__(self) -> None:
        # value: (window start, window end, width of the chosen rule's window, rule, source)
        self.by_key: dict[tuple[date, str, int], tuple[date, date, int, str, str]] = {}

    def add(
        self,
        kind: str,
        due: date,
        window_start: date,
        window_end: date,
        episode: int,
        rule: str,
        source: str,
    ) -> None:
        key = (due, kind, episode)
        width = (window_end - window_start).days
        held = self.by_key.get(key)
        if held is None:
            self.by_key[key] = (window_start, window_end, width, rule, source)
            return
        chosen = (width, rule, source) if (width, rule) < held[2:4] else held[2:]
        self.by_key[key] = (max(held[0], window_start), min(held[1], window_end), *chosen)

    def events(
        self, calendar: ClinicCalendar, stop: date | None, warnings: list[str]
    ) -> list[PlannedEvent]:
        """The merged events sorted by due date, then kind and episode, each with a suggested
        booking day (the due date, with a warning, when the window has no open day)."""
        events = []
        by_key = self.by_key
        for key in sorted(by_key):
            due, kind, episode = key
            window_start, window_end, _, rule, source = by_key[key]
            suggested = calendar.suggest(due, window_start, window_end, before=stop)
            if suggested is None:
                suggested = due
                warnings.append(
                    f"no open clinic day in the window of {kind} due {due.isoformat()}: "
                    "suggested the due date"
                )
            # tuple.__new__ is what PlannedEvent._make does, without a call per field
            events.append(
                _new_tuple(
                    PlannedEvent,
                    (kind, due, window_start, window_end, suggested, episode, rule, source),
                )
            )
        return events


def _unknown_agents(case: Case, warnings: list[str]) -> None:
    """One warning per agent the catalogue does not know, in alphabetical order; of several
    spellings of one name the first in sort order is shown (never the case file's order)."""
    catalogue = agent_catalogue()
    unknown: dict[str, str] = {}
    for treatment in case.treatments:
        if isinstance(treatment, Systemic):
            for name in catalogue.unknown(treatment.agents):
                key = normalise_agent(name)
                unknown[key] = min(unknown.get(key, name), name)
    warnings.extend(unknown_agent_warning(unknown[key]) for key in sorted(unknown))


def _out_of_range(case: Case, anchor: date) -> BadInput:
    """A follow-up date past 9999-12-31: name the field the anchor came from."""
    return BadInput(
        _date_field(case, anchor),
        f"{anchor.isoformat()} is too late: follow-up dates from it fall after the year 9999",
    )


def _date_field(case: Case, when: date) -> str:
    if case.surveillance_start == when:
        return "surveillance_start"
    for index, treatment in enumerate(case.treatments):
        if treatment.end == when:
            return f"treatments[{index}].{'date' if isinstance(treatment, Surgery) else 'end'}"
    for index, recurrence in enumerate(case.recurrences):
        if recurrence.date == when:
            return f"recurrences[{index}].date"
    return "case file"


__all__ = ["AdditionalRule", "Plan", "PlannedEvent", "plan_case"]
