"""The in-memory shape of a protocol: series rules of a site protocol and additional rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from survtrack.protocols.dates import Offset

TIERS = ("low", "high", "any")
#: What a site protocol's ``histology`` says: ``default`` and ``desmoid`` are matched by site and
#: histology; ``chosen`` is never matched, only used when a physician assigns it to a patient.
HISTOLOGIES = ("default", "desmoid", "chosen")


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

    def interval_words(self) -> str:
        """What the rule does, as its citation must say it: "every 3 months in years 1-3",
        "yearly in years 6-10", "every 6 months in year 1" (months when not whole years)."""
        every = {1: "monthly", 12: "yearly"}.get(
            self.every_months, f"every {self.every_months} months"
        )
        if self.from_months % 12 or self.to_months % 12:
            return f"{every} in months {self.from_months + 1}-{self.to_months}"
        first, last = self.from_months // 12 + 1, self.to_months // 12
        return f"{every} in {f'year {first}' if first == last else f'years {first}-{last}'}"


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
    histology: str  # "default", "desmoid" or "chosen"
    rules: tuple[SeriesRule, ...]
    file: str = ""  # the file it was read from, for messages
    _by_tier: dict[str, tuple[SeriesRule, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # rules of tier "any" apply at every tier
        any_rules = tuple(r for r in self.rules if r.tier == "any")
        by_tier = {
            tier: tuple(r for r in self.rules if r.tier == tier or r.tier == "any")
            for tier in ("low", "high")
        }
        by_tier["any"] = any_rules
        object.__setattr__(self, "_by_tier", by_tier)

    def rules_for(self, tier: str) -> tuple[SeriesRule, ...]:
        return self._by_tier.get(tier, ())

    @property
    def tiered(self) -> bool:
        """Whether the protocol has low- or high-risk rules (else every rule is ``any``)."""
        return any(rule.tier != "any" for rule in self.rules)


@dataclass(frozen=True, slots=True)
class ProtocolSet:
    """All protocols a clinic uses: site protocols plus the additional rules."""

    site_protocols: tuple[SiteProtocol, ...]
    additional_rules: tuple[AdditionalRule, ...]

    def by_id(self, protocol_id: str) -> SiteProtocol | None:
        """The site protocol with that id (a patient's assigned protocol), or None."""
        for protocol in self.site_protocols:
            if protocol.id == protocol_id:
                return protocol
        return None

    def for_site(self, site: str, desmoid: bool) -> SiteProtocol | None:
        wanted = "desmoid" if desmoid else "default"
        for protocol in self.site_protocols:
            if protocol.histology == wanted and site in protocol.sites:
                return protocol
        return None
