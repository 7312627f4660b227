"""The demo's street links join the demo's zones into one connected graph, once."""

from __future__ import annotations

from belfort.platform import Platform
from belfort.twin.demo_zones import demo_zones, load_demo_zones
from belfort.twin.scenarios.demand import free_minutes
from belfort.twin.scenarios.demo_links import demo_links, load_demo_links
from belfort.twin.scenarios.links import load_network


def test_the_demo_links_join_every_demo_zone(platform: Platform) -> None:
    zones = {z.id for z in demo_zones()}
    links = demo_links(platform)
    assert {z for s in links for z in (s.from_zone, s.to_zone)} == zones
    assert {frozenset(("korenmarkt", "veldstraat")), frozenset(("korenmarkt", "graslei"))} <= {
        frozenset((s.from_zone, s.to_zone)) for s in links}
    load_demo_zones(platform)
    assert load_demo_links(platform) == len(links) == 16
    assert load_demo_links(platform) == 0  # twice: nothing more
    with platform.db.session() as session:
        network = load_network(session, platform.settings)
    minutes = free_minutes(network)
    assert len(minutes) == len(zones) * (len(zones) - 1)  # every zone reaches every other
    # Korenmarkt to Graslei is next door; to the Sint-Pieters station it is a long walk
    assert minutes[("korenmarkt", "graslei")] < 2 < 30 < minutes[
        ("korenmarkt", "gent-sint-pieters-stationsplein")]
