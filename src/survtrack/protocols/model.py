"""The in-memory shape of a protocol: series rules of a site protocol and additional rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from survtrack.protocols.dates import Offset

TIERS = ("low", "high", "any")


@dataclass(frozen=True, slots=True)
class SeriesRule:
    """Events every ``every_months`` after ``from_months``, up to and including ``to_months``."""

    id: str
    tier: str  # "low", "high" or "any"
    kind: str
    from_months: int
    to_months: int
    every_months: int
    window_days: int
    source: str

    def offsets(self) -> range:
        return range(self.from_months + self.every_months, self.to_months + 1, self.every_months)


@dataclass(frozen=True, slots=True)
class TimedEvent:
    """One event of an additional rule: due at ``at`` after the anchor, with its window."""

    at: Offset
    before: Offset | None = None
    after: Offset | None = None
    window_from: Offset | None = None
    window_to: Offset | None = None


@dataclass(frozen=True, slots=True)
class AdditionalRule:
    id: str
    trigger: str
    kind: str
    source: str
    events: tuple[TimedEvent, ...]
    threshold_mg_m2: float | None = None


@dataclass(frozen=True, slots=True)
class SiteProtocol:
    id: str
    name: str
    sites: frozenset[str]
    histology: str  # "default" or "desmoid"
    rules: tuple[SeriesRule, ...]
    _by_tier: dict[str, tuple[SeriesRule, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        by_tier = {tier: tuple(r for r in self.rules if r.tier == tier) for tier in TIERS}
        object.__setattr__(self, "_by_tier", by_tier)

    def rules_for(self, tier: str) -> tuple[SeriesRule, ...]:
        return self._by_tier.get(tier, ())


@dataclass(frozen=True, slots=True)
class ProtocolSet:
    """All protocols a clinic uses: site protocols plus the additional rules."""

    site_protocols: tuple[SiteProtocol, ...]
    additional_rules: tuple[AdditionalRule, ...]

    def for_site(self, site: str, desmoid: bool) -> SiteProtocol | None:
        wanted = "desmoid" if desmoid else "default"
        for protocol in self.site_protocols:
            if protocol.histology == wanted and site in protocol.sites:
                return protocol
        return None
