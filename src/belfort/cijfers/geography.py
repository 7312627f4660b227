"""The areas indicators are given for: the city (``gemeente``), its 25 wijken (``wijk``)
and, when loaded, statistical sectors (``sector``); and assigning points to them.

Wijken come from the real boundaries (``BELFORT_CIJFERS_WIJKEN``: the city's
``stadswijken-gent.geojson``) when that file is configured and readable, otherwise from
Belfort's own modelled wijken (``belfort.demo.ghent_places``: a centre per wijk; a point
belongs to the nearest centre within ``MODELLED_RADIUS_M``). Codes are the city's wijk
numbers either way, so values keep their area when the boundaries are loaded later.

Point-in-polygon is vectorised ray casting over numpy arrays (even-odd over every ring,
so holes and multipolygons work); no geometry library is needed.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from belfort.demo.ghent_places import WIJKEN
from belfort.errors import InvalidRequest
from belfort.platform import Platform

CITY_LEVEL = "gemeente"
WIJK_LEVEL = "wijk"
SECTOR_LEVEL = "sector"
LEVELS = (CITY_LEVEL, WIJK_LEVEL, SECTOR_LEVEL)
LEVEL_NAMES = {CITY_LEVEL: "Gemeente", WIJK_LEVEL: "Wijk", SECTOR_LEVEL: "Statistische sector"}
CITY_CODE = "44021"  # Ghent's NIS code
CITY_NAME = "Gent"
MODELLED_RADIUS_M = 4000.0
MAX_GEOJSON_BYTES = 50_000_000
MAX_RING_POINTS = 200_000

# The city's wijk numbers (stadswijken-gent: ``wijknr``) by name, for the modelled wijken.
OFFICIAL_NUMBERS = {
    "Binnenstad": 1,
    "Sluizeken - Tolhuis - Ham": 2,
    "Macharius - Heirnis": 3,
    "Brugse Poort - Rooigem": 4,
    "Watersportbaan - Ekkergem": 5,
    "Elisabethbegijnhof - Prinsenhof - Papegaai - Sint-Michiels": 6,
    "Rabot - Blaisantvest": 7,
    "Wondelgem": 8,
    "Bloemekenswijk": 9,
    "Muide - Meulestede - Afrikalaan": 10,
    "Gentse Kanaaldorpen en -zone": 11,
    "Oostakker": 12,
    "Dampoort": 13,
    "Sint-Amandsberg": 14,
    "Moscou - Vogelhoek": 15,
    "Gentbrugge": 16,
    "Oud Gentbrugge": 17,
    "Ledeberg": 18,
    "Zwijnaarde": 19,
    "Nieuw Gent - UZ": 20,
    "Stationsbuurt-Zuid": 21,
    "Stationsbuurt-Noord": 22,
    "Sint-Denijs-Westrem - Afsnee": 23,
    "Mariakerke": 24,
    "Drongen": 25,
}


@dataclass(frozen=True)
class Area:
    level: str
    code: str
    name: str
    lat: float
    lon: float
    inhabitants: int | None = None  # the modelled figure (demo), when known
    rings: tuple[np.ndarray, ...] = field(
        default=(), compare=False, repr=False
    )  # (lon, lat) arrays
    parent: str | None = None  # a sector's wijk code


@dataclass(frozen=True)
class Geography:
    """The city and its wijken (and sectors when loaded); ``modelled``: no real boundaries."""

    city: Area
    wijken: tuple[Area, ...]
    sectors: tuple[Area, ...] = ()
    modelled: bool = True

    def items(self, level: str) -> tuple[Area, ...]:
        if level == CITY_LEVEL:
            return (self.city,)
        if level == WIJK_LEVEL:
            return self.wijken
        if level == SECTOR_LEVEL:
            return self.sectors
        raise InvalidRequest(f"unknown geographic level {level[:40]!r}; one of {', '.join(LEVELS)}")

    def levels(self) -> tuple[str, ...]:
        return (CITY_LEVEL, WIJK_LEVEL) + ((SECTOR_LEVEL,) if self.sectors else ())

    def assign(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The wijk code of each point (``""`` outside every wijk)."""
        codes = np.full(len(lat), "", dtype=object)
        if not len(lat):
            return codes
        if self.modelled:
            centres = np.array([(w.lat, w.lon) for w in self.wijken])
            kx = 111_320.0 * math.cos(math.radians(51.05))
            dy = (lat[:, None] - centres[None, :, 0]) * 110_540.0
            dx = (lon[:, None] - centres[None, :, 1]) * kx
            distance = np.hypot(dx, dy)
            nearest = distance.argmin(axis=1)
            near = distance[np.arange(len(lat)), nearest] <= MODELLED_RADIUS_M
            names = np.array([w.code for w in self.wijken], dtype=object)
            codes[near] = names[nearest[near]]
            return codes
        for wijk in self.wijken:
            inside = points_in_rings(lon, lat, wijk.rings) & (codes == "")
            codes[inside] = wijk.code
        return codes

    def assign_sectors(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The sector code of each point (``""`` outside every sector, or no sectors)."""
        codes = np.full(len(lat), "", dtype=object)
        for sector in self.sectors:
            inside = points_in_rings(lon, lat, sector.rings) & (codes == "")
            codes[inside] = sector.code
        return codes


def points_in_rings(x: np.ndarray, y: np.ndarray, rings: tuple[np.ndarray, ...]) -> np.ndarray:
    """Even-odd ray casting of every point against every ring (vectorised per edge)."""
    inside = np.zeros(len(x), dtype=bool)
    for ring in rings:
        xs, ys = ring[:, 0], ring[:, 1]
        lo_x, hi_x, lo_y, hi_y = xs.min(), xs.max(), ys.min(), ys.max()
        candidates = np.nonzero((x >= lo_x) & (x <= hi_x) & (y >= lo_y) & (y <= hi_y))[0]
        if not len(candidates):
            continue
        px, py = x[candidates][:, None], y[candidates][:, None]
        x1, y1 = xs[None, :], ys[None, :]
        x2, y2 = np.roll(xs, -1)[None, :], np.roll(ys, -1)[None, :]
        straddles = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            cross_x = (x2 - x1) * (py - y1) / (y2 - y1) + x1
        crossings = np.count_nonzero(straddles & (px < cross_x), axis=1)
        inside[candidates] ^= (crossings % 2) == 1
    return inside


def _rings(geometry: Any) -> tuple[np.ndarray, ...]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    polygons = (
        [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else None
    )
    if not isinstance(polygons, list):
        raise InvalidRequest("a wijk's geometry must be a Polygon or MultiPolygon")
    found = []
    for polygon in polygons:
        for ring in polygon:
            array = np.asarray(ring, dtype=float)
            if array.ndim != 2 or array.shape[1] < 2 or not 3 <= len(array) <= MAX_RING_POINTS:
                raise InvalidRequest("a wijk's ring must have 3 or more [lon, lat] positions")
            found.append(array[:, :2])
    return tuple(found)


def _modelled_wijken() -> tuple[Area, ...]:
    return tuple(
        sorted(
            (
                Area(WIJK_LEVEL, str(OFFICIAL_NUMBERS[w.naam]), w.naam, w.lat, w.lon, w.inwoners)
                for w in WIJKEN
            ),
            key=lambda a: int(a.code),
        )
    )


def wijken_from_geojson(path: Path) -> tuple[Area, ...]:
    """The wijken of a ``stadswijken-gent``-shaped GeoJSON file (``wijknr``, ``wijk``)."""
    if path.stat().st_size > MAX_GEOJSON_BYTES:
        raise InvalidRequest(f"{path.name}: larger than {MAX_GEOJSON_BYTES} bytes")
    data = json.loads(path.read_text(encoding="utf-8"))
    inhabitants = {str(OFFICIAL_NUMBERS[w.naam]): w.inwoners for w in WIJKEN}
    found = []
    for feature in data.get("features") or []:
        properties = feature.get("properties") or {}
        code, name = properties.get("wijknr"), properties.get("wijk")
        if code is None or not name:
            raise InvalidRequest(f"{path.name}: every feature needs wijknr and wijk")
        rings = _rings(feature.get("geometry"))
        lon, lat = rings[0][:, 0].mean(), rings[0][:, 1].mean()
        point = properties.get("geo_point_2d") or {}
        found.append(
            Area(
                WIJK_LEVEL,
                str(int(code)),
                str(name)[:200],
                float(point.get("lat", lat)),
                float(point.get("lon", lon)),
                inhabitants.get(str(int(code))),
                rings,
            )
        )
    if not found:
        raise InvalidRequest(f"{path.name}: no wijken")
    return tuple(sorted(found, key=lambda a: int(a.code)))


def load_geography(path: Path | None) -> Geography:
    """The real wijken from ``path`` when given and present; the modelled ones otherwise."""
    modelled = _modelled_wijken()
    city = Area(
        CITY_LEVEL, CITY_CODE, CITY_NAME, 51.0543, 3.7174, sum(w.inhabitants or 0 for w in modelled)
    )
    if path is not None and path.is_file():
        return Geography(city, wijken_from_geojson(path), modelled=False)
    return Geography(city, modelled)


class _GeographyComponent:
    def __init__(self, geography: Geography) -> None:
        self.geography = geography
        self.sectors_mark: tuple[int, int] | None = None
        self.lock = threading.Lock()


def _mark(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def geography_of(platform: Platform) -> Geography:
    """The process's geography: the wijken read once (``BELFORT_CIJFERS_WIJKEN`` or the
    modelled ones), the sectors read again whenever ``belfort cijfers sectors load`` (in any
    process) replaced them (one ``stat`` per call)."""
    from belfort.cijfers.sectors import read_sectors, sectors_file  # it imports this module

    component = platform.component(
        _GeographyComponent,
        lambda p: _GeographyComponent(load_geography(p.settings.cijfers_wijken)),
    )
    path = sectors_file(platform)
    mark = _mark(path)
    if mark != component.sectors_mark:
        with component.lock:
            if mark != component.sectors_mark:
                sectors = read_sectors(path) if mark is not None else ()
                component.geography = replace(component.geography, sectors=sectors)
                component.sectors_mark = mark
    return component.geography
