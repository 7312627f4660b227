"""The PyPI client ``odp-gent`` (written for data.stad.gent) parses what Belfort serves.

Its host is fixed, so it gets an aiohttp session that sends every request to the live
test server instead — nothing else about the client is changed.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from odp_gent import ODPGent
from yarl import URL

from tests.conftest import ghent_data


class ToTestServer:
    """Quacks like the aiohttp session odp-gent expects; sends requests to ``base``."""

    def __init__(self, base: str) -> None:
        self._session = aiohttp.ClientSession()
        self._base = URL(base)

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        url = URL(str(url))
        assert url.host == "data.stad.gent" and url.path.startswith("/api/records/1.0/")
        target = url.with_scheme(self._base.scheme).with_host(self._base.host).with_port(self._base.port)
        kwargs.pop("ssl", None)
        return self._session.request(method, target, **kwargs)

    async def close(self) -> None:
        await self._session.close()


def recorded(name: str) -> list[dict[str, Any]]:
    return json.loads((ghent_data() / "ods-v1-responses" / name).read_text())["records"]


def run(live: str, call: str, **kwargs: Any) -> list[Any]:
    async def go() -> list[Any]:
        session = ToTestServer(live)
        try:
            client = ODPGent(session=session)  # type: ignore[arg-type]
            return await getattr(client, call)(**kwargs)
        finally:
            await session.close()

    return asyncio.run(go())


def test_garages(live_ghent: str) -> None:
    garages = run(live_ghent, "garages", limit=10)
    expected = {r["fields"]["name"]: r["fields"] for r in recorded("garages.json")}
    assert {g.name for g in garages} == set(expected)
    for garage in garages:
        fields = expected[garage.name]
        assert garage.free_space == fields["availablecapacity"]
        assert garage.total_capacity == fields["totalcapacity"]
        assert (garage.latitude, garage.longitude) == tuple(fields["location"])
        assert garage.updated_at.isoformat().startswith(fields["lastupdate"][:10])
        assert len(garage.garage_id) == 40


def test_park_and_rides(live_ghent: str) -> None:
    spots = run(live_ghent, "park_and_rides", limit=10)
    expected = {r["fields"]["name"]: r["fields"] for r in recorded("park_and_ride.json")}
    assert {s.name for s in spots} == set(expected)
    for spot in spots:
        assert spot.gentse_feesten is (expected[spot.name]["gentse_feesten"] == "True")
        assert spot.free_space == expected[spot.name]["availablespaces"]
    refined = run(live_ghent, "park_and_rides", limit=10, gentse_feesten="False")
    assert {s.name for s in refined} == {n for n, f in expected.items() if f["gentse_feesten"] == "False"}


def test_bluebikes(live_ghent: str) -> None:
    bikes = run(live_ghent, "bluebikes")
    expected = recorded("bluebikes.json")
    assert len(bikes) == 4 * len(expected)  # four station datasets (see conftest)
    first = next(b for b in bikes if b.name == expected[0]["fields"]["name"])
    assert first.bikes_available == expected[0]["fields"]["bikes_available"]
    assert first.latitude == float(expected[0]["fields"]["latitude"])


def test_partago(live_ghent: str) -> None:
    cars = run(live_ghent, "partago_vehicles", limit=10)
    expected = recorded("partago.json")
    assert {c.name for c in cars} == {r["fields"]["displayname"] for r in expected}
    assert all(c.vehicle_type.brand for c in cars)
    assert all(c.last_update.year >= 2024 for c in cars)  # record_timestamp: when Belfort got it
