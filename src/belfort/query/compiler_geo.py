"""Full-text search and geographic filters of the query compiler.

A mixin of ``_Compiler`` in ``belfort.query.compiler``: ``search`` compiles a ``Search``,
``geo_filter`` a ``WithinDistance``, ``InBBox`` or ``InPolygon``; ``geopoint`` and
``haversine`` also serve ``distance()`` in ``special_function``. The SQL text helpers
(``quote_identifier``, ``like_escape``) live here too; ``belfort.query.compiler``
re-exports them, with the constants.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from belfort.errors import QueryError
from belfort.query.model import InBBox, InPolygon, Search, WithinDistance

if TYPE_CHECKING:
    from belfort.schema import Field, TableSchema

EARTH_RADIUS_M = 6_371_008.8
MAX_POLYGON_POINTS = 1000
MAX_SEARCH_WORDS = 20


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _as_text(sql: str, type_: str) -> str:
    return sql if type_ == "string" else f"CAST({sql} AS VARCHAR)"


class TextAndGeography:
    """Compiles search and geographic filters; mixed into ``_Compiler``.

    Uses the compiler's ``schema`` and ``bind``.
    """

    if TYPE_CHECKING:  # what the compiler (``belfort.query.compiler._Compiler``) provides
        schema: TableSchema

        def bind(self, value: Any) -> str: ...

    def search(self, e: Search) -> str:
        """Every word must occur in one of the text fields (case-insensitive substring)."""
        if e.fields:
            fields = []
            for name in e.fields:
                f = self.schema.get(name)
                if f is None:
                    raise QueryError(f"unknown field {name[:100]!r}", details={"field": name[:100]})
                fields.append(f)
        else:
            fields = [f for f in self.schema.fields if f.type == "string"]
        words = [w for w in e.text.split() if w]
        if len(words) > MAX_SEARCH_WORDS:
            raise QueryError(f"search takes at most {MAX_SEARCH_WORDS} words")
        if not words:
            return "TRUE"
        if not fields:
            return "FALSE"
        clauses = []
        for word in words:
            pattern = self.bind("%" + like_escape(word) + "%")
            alternatives = [self.contains_sql(f, pattern) for f in fields]
            clauses.append("(" + " OR ".join(alternatives) + ")")
        return "(" + " AND ".join(clauses) + ")"

    def contains_sql(self, f: Field, pattern: str) -> str:
        """``f`` (as text) matches the bound LIKE ``pattern``, any case."""
        return f"({_as_text(quote_identifier(f.name), f.type)} ILIKE {pattern} ESCAPE '\\')"

    def geopoint(self, name: str) -> tuple[str, str]:
        f = self.schema.get(name)
        if f is None:
            raise QueryError(f"unknown field {name[:100]!r}", details={"field": name[:100]})
        if f.type != "geopoint":
            raise QueryError(f"{name!r} is not a geopoint field")
        column = quote_identifier(f.name)
        return f"{column}.lat", f"{column}.lon"

    def coordinate(self, value: float, kind: str) -> str:
        limit = 90 if kind == "lat" else 180
        if not isinstance(value, int | float) or not math.isfinite(value) or abs(value) > limit:
            raise QueryError(f"invalid {'latitude' if kind == 'lat' else 'longitude'} {value!r}")
        return self.bind(float(value))

    def haversine(self, lat: str, lon: str, lat0: float, lon0: float) -> str:
        p_lat, p_lon = self.coordinate(lat0, "lat"), self.coordinate(lon0, "lon")
        return (
            f"(2 * {EARTH_RADIUS_M} * asin(sqrt(power(sin(radians({lat} - {p_lat}) / 2), 2)"
            f" + cos(radians({p_lat})) * cos(radians({lat}))"
            f" * power(sin(radians({lon} - {p_lon}) / 2), 2))))"
        )

    def geo_filter(self, e: WithinDistance | InBBox | InPolygon) -> str:
        lat, lon = self.geopoint(e.field)
        if isinstance(e, WithinDistance):
            if not math.isfinite(e.meters) or e.meters < 0:
                raise QueryError("distance must be a positive number of metres")
            return f"({self.haversine(lat, lon, e.lat, e.lon)} <= {self.bind(float(e.meters))})"
        if isinstance(e, InBBox):
            lat_lo, lat_hi = sorted((e.lat1, e.lat2))
            lon_lo, lon_hi = sorted((e.lon1, e.lon2))
            return (
                f"({lat} BETWEEN {self.coordinate(lat_lo, 'lat')} AND {self.coordinate(lat_hi, 'lat')}"
                f" AND {lon} BETWEEN {self.coordinate(lon_lo, 'lon')} AND {self.coordinate(lon_hi, 'lon')})"
            )
        points = list(e.points)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if not 3 <= len(points) <= MAX_POLYGON_POINTS:
            raise QueryError(f"a polygon needs 3 to {MAX_POLYGON_POINTS} points")
        # Ray casting: the point is inside when a ray crosses an odd number of edges.
        bound = [(self.coordinate(a, "lat"), self.coordinate(b, "lon")) for a, b in points]
        crossings = []
        for i, (yi, xi) in enumerate(bound):
            yj, xj = bound[i - 1]
            crossings.append(
                f"(CASE WHEN (({yi} > {lat}) <> ({yj} > {lat})) AND "
                f"({lon} < ({xj} - {xi}) * ({lat} - {yi}) / ({yj} - {yi}) + {xi}) THEN 1 ELSE 0 END)"
            )
        return f"((({' + '.join(crossings)}) % 2) = 1)"
