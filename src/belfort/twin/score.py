"""The crowding score: 0–100 per zone and for the city centre, with Ghent's gauge labels.

Per zone: ``score = min(100, round(100 × occupancy / capacity))``, where capacity = net
walkable area × the zone's density level of service (2 persons/m² unless set). So 100 means
"at capacity" — the density at which walking slows and event practice caps a crowd — and the
bands of Ghent's crowd gauge fall at a third (≈ 0.67 p/m², people still move freely) and two
thirds (≈ 1.33 p/m², "kom liever op een ander moment") of it:

    ≤ 33 "rustig"   ≤ 67 "druk"   above "te druk"

The city centre's score is that of its **busiest** centre zone (zones flagged ``centre``;
all zones when none is). A capacity-weighted mean would let a half-empty 18,000 m²
Sint-Pietersplein hide a packed Korenmarkt, and the gauge's message ("kom nu niet") is about
the worst place a visitor would walk into; the weighted figure is given alongside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from belfort.platform import Platform
from belfort.streams.model import from_us, now_us
from belfort.twin.normal import Normal, normals
from belfort.twin.occupancy import Estimate, estimate_all
from belfort.twin.zones import capacity, list_zones

LABELS = ((33, "rustig"), (67, "druk"), (100, "te druk"))


def label(score: int) -> str:
    return next(name for top, name in LABELS if score <= top)


def score_of(occupancy: float, capacity_persons: float) -> int:
    return int(min(100, max(0, round(100 * occupancy / capacity_persons))))


@dataclass(frozen=True)
class ZoneCrowding:
    id: str
    name: str
    centre: bool
    area_m2: float
    capacity: float
    geometry: str  # GeoJSON Polygon text
    estimate: Estimate
    normal: Normal | None
    score: int | None  # None: no current observations

    @property
    def density(self) -> float | None:
        occupancy = self.estimate.occupancy
        return None if occupancy is None else occupancy / self.area_m2

    def to_dict(self) -> dict[str, Any]:
        occupancy, density, normal = self.estimate.occupancy, self.density, self.normal
        return {
            "zone": self.id, "name": self.name, "centre": self.centre,
            "score": self.score, "label": None if self.score is None else label(self.score),
            "occupancy": None if occupancy is None else round(occupancy, 1),
            "density": None if density is None else round(density, 4),
            "capacity": round(self.capacity), "method": self.estimate.method,
            "sensors": self.estimate.sensors,
            "observed": _iso(self.estimate.observed_us),
            "normal": None if normal is None else normal_dict(normal),
        }


def normal_dict(normal: Normal) -> dict[str, Any]:
    return {"now": normal.now, "quarter": _iso(normal.at_us),
            "percentiles": normal.percentiles, "weeks": normal.weeks,
            "ratio": normal.ratio, "band": normal.band}


@dataclass(frozen=True)
class Crowding:
    at_us: int
    zones: list[ZoneCrowding]
    centre_score: int | None  # the busiest centre zone's
    centre_weighted: int | None  # Σ occupancy / Σ capacity over current centre zones
    busiest: ZoneCrowding | None
    sensors: dict[str, Normal]  # each sensor's count now against its normal

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": _iso(self.at_us),
            "centre": {
                "score": self.centre_score,
                "label": None if self.centre_score is None else label(self.centre_score),
                "weighted_score": self.centre_weighted,
                "busiest_zone": self.busiest.id if self.busiest else None,
            },
            "zones": [z.to_dict() for z in self.zones],
            "sensors": {s: normal_dict(n) for s, n in sorted(self.sensors.items())},
        }


def _iso(us: int | None) -> str | None:
    return None if us is None else from_us(us).isoformat().replace("+00:00", "Z")


def crowding_now(platform: Platform, at_us: int | None = None,
                 with_normal: bool = True) -> Crowding:
    """Every zone's crowding now, and the city centre's."""
    at = now_us() if at_us is None else at_us
    settings = platform.settings
    with platform.db.session() as session:
        zones = [(z.id, z.name, z.centre, z.area_m2, capacity(z, settings), z.dwell_seconds,
                  z.geometry) for z in list_zones(session)]
    dwell = {z[0]: z[5] for z in zones if z[5]}
    estimates = estimate_all(platform, dwell, at)
    per_sensor, per_zone = normals(platform, at) if with_normal else ({}, {})
    found: list[ZoneCrowding] = []
    for zone_id, name, centre, area, cap, _, geometry in zones:
        estimate = estimates.get(zone_id, Estimate(None, None, 0, None))
        score = None if estimate.occupancy is None else score_of(estimate.occupancy, cap)
        found.append(ZoneCrowding(zone_id, name, centre, area, cap, geometry, estimate,
                                  per_zone.get(zone_id), score))
    pool = [z for z in found if z.centre] or found
    current = [z for z in pool if z.score is not None]
    busiest = max(current, key=lambda z: (z.score or 0, z.id)) if current else None
    weighted = (score_of(sum(z.estimate.occupancy or 0 for z in current),
                         sum(z.capacity for z in current)) if current else None)
    return Crowding(at, found, busiest.score if busiest else None, weighted, busiest,
                    per_sensor)
