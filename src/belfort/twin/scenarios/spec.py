"""What a scenario asks: its name, what closes (zones and links) and the window, checked
against the graph and the limits before anything runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from belfort.errors import ScenarioInvalid
from belfort.settings import Settings
from belfort.twin.scenarios.graph import Network

LOCAL = ZoneInfo("Europe/Brussels")
FIELDS = ("name", "closures", "start", "end")
MAX_CLOSURES = 100
MAX_NAME = 200
HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class Closure:
    kind: str  # "zone" or "link"
    id: str

    def to_dict(self) -> dict[str, str]:
        return {self.kind: self.id}


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    closures: tuple[Closure, ...]
    start_us: int  # whole hours, UTC
    end_us: int

    @property
    def hours(self) -> int:
        return (self.end_us - self.start_us) // HOUR_US

    @property
    def closed_zones(self) -> frozenset[str]:
        return frozenset(c.id for c in self.closures if c.kind == "zone")

    @property
    def closed_links(self) -> frozenset[str]:
        return frozenset(c.id for c in self.closures if c.kind == "link")


def _time(value: Any, what: str, problems: list[str]) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40 or "\x00" in value:
        problems.append(f"{what}: an ISO 8601 time such as 2026-12-24T14:00:00+01:00")
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        problems.append(f"{what}: an ISO 8601 time such as 2026-12-24T14:00:00+01:00")
        return None
    return found if found.tzinfo else found.replace(tzinfo=LOCAL)  # no offset: Ghent's time


def _closures(value: Any, problems: list[str]) -> list[Closure]:
    if not isinstance(value, list) or not value:
        problems.append('closures: a list of one or more {"zone": id} or {"link": id}')
        return []
    if len(value) > MAX_CLOSURES:
        problems.append(f"closures: at most {MAX_CLOSURES}")
        return []
    found: list[Closure] = []
    for n, item in enumerate(value, 1):
        if (not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in
                ("zone", "link") or not isinstance(next(iter(item.values())), str)):
            problems.append(f'closure {n}: {{"zone": id}} or {{"link": id}}')
            continue
        kind, ident = next(iter(item.items()))
        closure = Closure(kind, ident[:100])
        if closure in found:
            problems.append(f"closure {n}: {kind} {closure.id!r} is closed twice")
        found.append(closure)
    return found


def spec_from_mapping(data: Any, network: Network, settings: Settings) -> ScenarioSpec:
    """A checked ``ScenarioSpec``; ``ScenarioInvalid`` listing every problem otherwise."""
    if not isinstance(data, dict):
        raise ScenarioInvalid("a scenario is a JSON object",
                              details={"problems": ["not an object"]})
    problems: list[str] = []
    unknown = sorted(str(k)[:40] for k in data if k not in FIELDS)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown[:10])}; known: {', '.join(FIELDS)}")
    name = data.get("name")
    if (not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME
            or "\x00" in name):
        problems.append(f"name: required, at most {MAX_NAME} characters, no NUL")
    closures = _closures(data.get("closures"), problems)
    links = {link.id for link in network.links}
    for closure in closures:
        known = network.nodes if closure.kind == "zone" else links
        if closure.id not in known:
            problems.append(f"no {closure.kind} {closure.id!r} in the zone graph")
    start, end = _time(data.get("start"), "start", problems), _time(data.get("end"), "end",
                                                                     problems)
    start_us = end_us = 0
    if start is not None and end is not None:
        if end <= start:
            problems.append("end: after start")
        else:
            start_us = int(start.timestamp() // 3600) * HOUR_US  # whole hours
            end_us = -int(-end.timestamp() // 3600) * HOUR_US
            if (end_us - start_us) // HOUR_US > settings.twin_scenario_max_hours:
                problems.append(f"the window covers at most {settings.twin_scenario_max_hours} "
                                "hours (BELFORT_TWIN_SCENARIO_MAX_HOURS)")
            work = len(network.links) * min(168, (end_us - start_us) // HOUR_US)
            if work > settings.twin_scenario_max_link_hours:
                problems.append(f"{len(network.links)} links × the window's hours is {work}; "
                                f"at most {settings.twin_scenario_max_link_hours} "
                                "(BELFORT_TWIN_SCENARIO_MAX_LINK_HOURS): a shorter window")
    if not network.links:
        problems.append("the zone graph has no street links yet: add them first")
    if problems:
        raise ScenarioInvalid("invalid scenario: " + "; ".join(problems[:20]),
                              details={"problems": problems[:100]})
    assert isinstance(name, str)
    return ScenarioSpec(name.strip(), tuple(closures), start_us, end_us)
