"""Areas: the real wijk boundaries (../shared's stadswijken-gent) and the modelled ones,
and assigning points to them; the attack on what the Swing API publishes of the demo."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from belfort.cijfers.geography import load_geography, points_in_rings
from tests.cijfers.test_protection import recovered
from tests.conftest import ghent_data


def test_real_boundaries_assign_points_like_their_centres() -> None:
    geography = load_geography(ghent_data() / "stadswijken-gent.geojson")
    assert not geography.modelled and len(geography.wijken) == 25
    modelled = {w.name: w for w in load_geography(None).wijken}
    # each wijk's published centre lies in that wijk; the modelled codes are the same numbers
    lat = np.array([w.lat for w in geography.wijken])
    lon = np.array([w.lon for w in geography.wijken])
    assert list(geography.assign(lat, lon)) == [w.code for w in geography.wijken]
    assert all(modelled[w.name].code == w.code for w in geography.wijken)
    # Korenmarkt is in the Binnenstad; the North Sea in no wijk
    assert list(geography.assign(np.array([51.05455, 51.5]), np.array([3.72135, 2.9]))) == ["1", ""]


def test_ray_casting_with_a_hole() -> None:
    outer = np.array([(0, 0), (10, 0), (10, 10), (0, 10)], dtype=float)
    hole = np.array([(4, 4), (6, 4), (6, 6), (4, 6)], dtype=float)
    x = np.array([1.0, 5.0, 11.0, 9.9])
    y = np.array([1.0, 5.0, 5.0, 9.9])
    assert list(points_in_rings(x, y, (outer, hole))) == [True, False, False, True]


def test_nothing_hidden_in_the_demo_can_be_recovered_from_the_swing_api(
    client_with_profile: TestClient,
) -> None:
    """Every indicator with hidden values, every period: the wijken and the city as the API
    publishes them, attacked by brute force."""
    attacked = 0
    for code in ("bev_100plus", "huisartsen", "telpunten"):
        rows = client_with_profile.get(
            "/jive/selectiontableasjson.ashx",
            params={
                "var": code,
                "geolevel": "wijk",
                "geocompare": "gemeente",
                "period": "all",
                "geoitem_codes": "true",
            },
        ).json()["rows"]
        for period in sorted({r[1] for r in rows}):
            shown = [r[2] for r in rows if r[1] == period and r[0] != "44021"]
            city = next(r[2] for r in rows if r[1] == period and r[0] == "44021")
            if not any(isinstance(s, str) for s in shown):
                continue
            hidden = [s for s in shown if isinstance(s, str)]
            if len(hidden) > 7:  # the brute force grows as k^n: the model's check covers these
                continue
            attacked += 1
            bound = int(city) if isinstance(city, int | float) else 5
            assert recovered(shown, city, 5, bound=bound) == {}, (code, period, shown, city)
    assert attacked >= 1
