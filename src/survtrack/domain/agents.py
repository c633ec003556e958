"""The agent catalogue (data: ``resources/catalogues/agents.toml``): names and synonyms of systemic
agents, and the doxorubicin-equivalent factor of each anthracycline (clinical reference section 5).

Names are compared case-insensitively with surrounding spaces trimmed. An agent the catalogue does
not know is kept as written; ``unknown_agent_warning`` words the warning that names it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from survtrack.resources import resource


@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    synonyms: tuple[str, ...] = ()
    doxorubicin_factor: float | None = None  # set for anthracyclines only

    @property
    def is_anthracycline(self) -> bool:
        return self.doxorubicin_factor is not None


@dataclass(frozen=True, slots=True)
class AgentCatalogue:
    source: str
    agents: tuple[Agent, ...]
    _by_name: dict[str, Agent]

    def find(self, written: str) -> Agent | None:
        """The agent a written name stands for, or None when the catalogue does not know it."""
        return self._by_name.get(normalise(written))

    def anthracycline_factor(self, agents: Iterable[str]) -> float | None:
        """The doxorubicin-equivalent factor of the anthracycline among ``agents`` (the largest,
        the cautious one, if several are listed), or None when there is none."""
        factors = [
            agent.doxorubicin_factor
            for agent in (self.find(a) for a in agents)
            if agent is not None and agent.doxorubicin_factor is not None
        ]
        return max(factors, default=None)

    def unknown(self, agents: Iterable[str]) -> list[str]:
        """The written names (trimmed, first spelling kept) the catalogue does not know."""
        seen: dict[str, str] = {}
        for agent in agents:
            key = normalise(agent)
            if key and key not in self._by_name:
                seen.setdefault(key, agent.strip())
        return list(seen.values())

    def anthracycline_names(self) -> list[str]:
        return [a.name for a in self.agents if a.is_anthracycline]


def normalise(name: str) -> str:
    return " ".join(name.split()).casefold()


def unknown_agent_warning(name: str) -> str:
    """The plain sentence shown for an agent the catalogue does not know."""
    return (
        f'agent "{name}" is not in the agent catalogue: kept as written, '
        "not counted by the cardiac rule"
    )


def parse_agent_catalogue(text: str) -> AgentCatalogue:
    """Parse and check the catalogue; a broken file raises ``ValueError`` naming the agent."""
    data = tomllib.loads(text)
    source = data.get("catalogue", {}).get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError("agent catalogue: [catalogue] source (the citation) is required")
    agents: list[Agent] = []
    by_name: dict[str, Agent] = {}
    for index, raw in enumerate(data.get("agents", [])):
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"agent catalogue: agent #{index + 1}: field 'name' is required")
        synonyms = raw.get("synonyms", [])
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            raise ValueError(f"agent catalogue: agent {name!r}: synonyms must be a list of text")
        factor = raw.get("doxorubicin_factor")
        if factor is not None and (
            isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0
        ):
            raise ValueError(
                f"agent catalogue: agent {name!r}: doxorubicin_factor must be a number above 0"
            )
        agent = Agent(name, tuple(synonyms), None if factor is None else float(factor))
        agents.append(agent)
        for written in (name, *synonyms):
            key = normalise(written)
            if key in by_name:
                raise ValueError(f"agent catalogue: {written!r} is listed twice")
            by_name[key] = agent
    if not agents:
        raise ValueError("agent catalogue: no [[agents]]")
    return AgentCatalogue(source, tuple(agents), by_name)


@lru_cache(maxsize=1)
def agent_catalogue() -> AgentCatalogue:
    """The shipped catalogue, read once."""
    return parse_agent_catalogue(resource("catalogues", "agents.toml").read_text(encoding="utf-8"))
