"""The demo's street links (``ghent_links.yaml``): Korenmarkt–Veldstraat–Graslei–… between the
zones of Ghent's demo counting points, loaded when the graph has no links yet."""

from __future__ import annotations

from pathlib import Path

from belfort.platform import Platform
from belfort.twin.scenarios.links import LinkSpec, list_links, replace_links, specs_from_text
from belfort.twin.zones import list_zones

DEMO_FILE = Path(__file__).with_name("ghent_links.yaml")


def demo_links(platform: Platform) -> list[LinkSpec]:
    return specs_from_text(DEMO_FILE.read_text(encoding="utf-8"), platform.settings)


def load_demo_links(platform: Platform) -> int:
    """The demo links whose zones exist, when the graph has no links yet; how many were
    added (0 when there were links already)."""
    with platform.db.session() as session:
        if list_links(session):
            return 0
        zones = {z.id for z in list_zones(session)}
        specs = [s for s in demo_links(platform) if {s.from_zone, s.to_zone} <= zones]
        return replace_links(session, platform.settings, specs)
