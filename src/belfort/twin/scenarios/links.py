"""The zone graph's street links, kept in the database (``zone_links``): checked, added,
removed, replaced as a whole from a YAML or JSON file, and read with the zones into the
``Network`` the engine walks."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from belfort.catalog.models import ZoneLink
from belfort.errors import ScenarioInvalid, ZoneGraphTooLarge, ZoneLinkExists, ZoneLinkNotFound
from belfort.settings import Settings
from belfort.twin.scenarios.graph import Link, Network, Node
from belfort.twin.zones import ZONE_ID, capacity, list_zones

LINK_ID = ZONE_ID
FIELDS = ("id", "from", "to", "name", "width_m", "length_m")
MAX_WIDTH_M = 200.0
MAX_LENGTH_M = 20_000.0
MAX_FILE_BYTES = 4_000_000


@dataclass(frozen=True)
class LinkSpec:
    id: str
    from_zone: str
    to_zone: str
    width_m: float
    length_m: float
    name: str | None = None


def _invalid(problems: list[str]) -> ScenarioInvalid:
    return ScenarioInvalid("invalid link: " + "; ".join(problems[:20]),
                           details={"problems": problems[:100]})


def _measure(value: Any, what: str, high: float, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{what}: a finite number of metres")
    elif not 0 < value <= high:
        problems.append(f"{what}: above 0 and at most {high:g} m")


def spec_from_mapping(data: Any) -> LinkSpec:
    """A ``LinkSpec`` from a JSON/YAML object: ``{"id", "from", "to", "width_m", "length_m",
    "name"}``; unknown keys and wrong types are refused, every problem listed."""
    if not isinstance(data, dict):
        raise _invalid(["a link is an object"])
    problems: list[str] = []
    unknown = sorted(str(k)[:40] for k in data if k not in FIELDS)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown[:10])}; known: {', '.join(FIELDS)}")
    for key in ("id", "from", "to"):
        value = data.get(key)
        if not isinstance(value, str) or not LINK_ID.match(value):
            problems.append(f"{key}: 1-100 lower-case letters, digits and '-'")
    if data.get("from") == data.get("to") and data.get("from") is not None:
        problems.append("from and to: a link joins two different zones (no loops)")
    name = data.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 200 or "\x00" in name):
        problems.append("name: at most 200 characters, no NUL")
    _measure(data.get("width_m"), "width_m", MAX_WIDTH_M, problems)
    _measure(data.get("length_m"), "length_m", MAX_LENGTH_M, problems)
    if problems:
        raise _invalid(problems)
    return LinkSpec(data["id"], data["from"], data["to"], float(data["width_m"]),
                    float(data["length_m"]), name.strip() if isinstance(name, str) else None)


def specs_from_text(text: str, settings: Settings) -> list[LinkSpec]:
    """The links of a YAML or JSON document: ``{"links": [...]}`` or a bare list."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise ZoneGraphTooLarge(f"a links file is at most {MAX_FILE_BYTES} bytes")
    if "\x00" in text:
        raise _invalid(["the file holds a NUL character"])
    try:
        data = json.loads(text) if text.lstrip().startswith(("{", "[")) else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise _invalid([f"not readable as YAML or JSON: {str(exc)[:200]}"]) from None
    if isinstance(data, dict) and set(data) == {"links"}:
        data = data["links"]
    if not isinstance(data, list):
        raise _invalid(["a links file is a list of links, or {\"links\": [...]}"])
    if len(data) > settings.twin_scenario_max_links:
        raise ZoneGraphTooLarge(
            f"{len(data)} links; at most {settings.twin_scenario_max_links} "
            "(BELFORT_TWIN_SCENARIO_MAX_LINKS)",
            details={"limit": settings.twin_scenario_max_links})
    specs: list[LinkSpec] = []
    problems: list[str] = []
    for n, item in enumerate(data):
        try:
            specs.append(spec_from_mapping(item))
        except ScenarioInvalid as exc:
            problems.extend(f"link {n + 1}: {p}" for p in exc.details["problems"])
    if problems:
        raise _invalid(problems)
    return specs


def _check_against(session: Session, specs: list[LinkSpec], existing: list[ZoneLink]) -> None:
    zones = {z.id for z in list_zones(session)}
    problems: list[str] = []
    ids: set[str] = {link.id for link in existing}
    pairs = {frozenset((link.from_zone, link.to_zone)) for link in existing}
    for spec in specs:
        for zone in (spec.from_zone, spec.to_zone):
            if zone not in zones:
                problems.append(f"{spec.id}: no zone {zone!r}")
        pair = frozenset((spec.from_zone, spec.to_zone))
        if spec.id in ids or pair in pairs:
            raise ZoneLinkExists(f"a link {spec.id!r} (or one between "
                                 f"{spec.from_zone!r} and {spec.to_zone!r}) exists already")
        ids.add(spec.id)
        pairs.add(pair)
    if problems:
        raise _invalid(problems)


def add_link(session: Session, settings: Settings, spec: LinkSpec) -> ZoneLink:
    count = session.scalar(select(func.count()).select_from(ZoneLink)) or 0
    if count >= settings.twin_scenario_max_links:
        raise ZoneGraphTooLarge(f"the graph holds {settings.twin_scenario_max_links} links "
                                "already (BELFORT_TWIN_SCENARIO_MAX_LINKS)")
    _check_against(session, [spec], list_links(session))
    link = _row(spec)
    session.add(link)
    session.flush()
    return link


def replace_links(session: Session, settings: Settings, specs: list[LinkSpec]) -> int:
    """Make ``specs`` the graph's links (all or nothing); how many there are now."""
    if len(specs) > settings.twin_scenario_max_links:
        raise ZoneGraphTooLarge(f"at most {settings.twin_scenario_max_links} links")
    _check_against(session, specs, [])
    session.execute(delete(ZoneLink))
    session.add_all([_row(spec) for spec in specs])
    session.flush()
    return len(specs)


def _row(spec: LinkSpec) -> ZoneLink:
    return ZoneLink(id=spec.id, from_zone=spec.from_zone, to_zone=spec.to_zone,
                    name=spec.name, width_m=spec.width_m, length_m=spec.length_m)


def get_link(session: Session, link_id: str) -> ZoneLink:
    link = session.get(ZoneLink, link_id) if LINK_ID.match(link_id) else None
    if link is None:
        raise ZoneLinkNotFound(f"no link {link_id[:100]!r}")
    return link


def remove_link(session: Session, link_id: str) -> None:
    session.delete(get_link(session, link_id))


def list_links(session: Session) -> list[ZoneLink]:
    return list(session.scalars(select(ZoneLink).order_by(ZoneLink.id)))


def link_dict(link: ZoneLink, settings: Settings) -> dict[str, Any]:
    return {"id": link.id, "from": link.from_zone, "to": link.to_zone, "name": link.name,
            "width_m": link.width_m, "length_m": link.length_m,
            "capacity_per_hour": round(link.width_m * settings.twin_scenario_flow_rate * 60)}


def load_network(session: Session, settings: Settings) -> Network:
    """The zones and links as they are now."""
    nodes = {z.id: Node(z.id, z.name, capacity(z, settings), z.area_m2,
                        z.dwell_seconds or settings.twin_dwell_seconds)
             for z in list_zones(session)}
    links = tuple(Link(row.id, row.from_zone, row.to_zone, row.width_m, row.length_m)
                  for row in list_links(session)
                  if row.from_zone in nodes and row.to_zone in nodes)
    return Network(nodes, links)
