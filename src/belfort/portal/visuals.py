"""The dataset page's chart and map sections, and the map's GeoJSON.

Both are computed from an immutable version, so they are cached per version file and
question (``platform.cache``): the default chart of a dataset page is drawn once per
version and language, not on every visit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from starlette.requests import Request

from belfort.errors import BelfortError
from belfort.platform import Platform
from belfort.policy.reading import ReadableVersion
from belfort.portal import chart_choice, charts, map_base, maps, messages
from belfort.portal.i18n import Translator

MAP_FEATURES = 5000


@dataclass
class ChartSection:
    options: charts.ChartOptions
    request: charts.ChartRequest | None
    svg: str = ""
    svg_narrow: str = ""  # the same chart drawn for phones (shown instead under 45rem)
    headers: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    error: str | None = None


@dataclass
class MapSection:
    geojson_url: str
    legend: maps.Legend
    description: str
    left_out: int
    tile_url: str | None
    base: map_base.BaseLayer | None = None
    base_text: str = ""


def chart_section(platform: Platform, rv: ReadableVersion, request: Request, lang: str,
                  title: str, names: Mapping[str, str] | None = None) -> ChartSection:
    """The dataset page's chart: asked in the query string or chosen (``chart_choice``);
    ``names`` are the fields' names for people (field id → title) on axes and legend."""
    names = dict(names or {})
    options = charts.chart_options(rv.schema)
    try:
        asked = charts.parse_chart_request(request.query_params, rv.schema)
        chosen = asked or _cached(platform, ("chart-default", str(rv.path)),
                                  lambda: chart_choice.default_chart(platform, rv))
        if chosen is None:
            return ChartSection(options, None)
        resolved = charts.resolve_chart(platform, rv, chosen)

        def draw() -> tuple[str, str, list[str], list[list[str]]]:
            rows = charts.chart_data(platform, rv, resolved, lang=lang)
            svg, narrow = (charts.render_svg(charts.chart_spec(resolved, rows, title=title, lang=lang,
                                                               narrow=n, names=names))
                           for n in (False, True))
            headers, cells = charts.chart_table(rows, resolved, lang=lang, names=names)
            return svg, narrow, headers, cells

        svg, narrow, headers, cells = _cached(platform, ("chart", str(rv.path), resolved, lang, title,
                                                        tuple(sorted(names.items()))), draw)
        return ChartSection(options, resolved, svg, narrow, headers, cells)
    except BelfortError as exc:
        return ChartSection(options, None, error=messages.said(Translator(lang), exc, names=names))


def map_geojson(platform: Platform, rv: ReadableVersion, lang: str) -> dict[str, Any]:
    """The records on the map, with the legend map.js colours them by."""

    def build() -> dict[str, Any]:
        features = maps.map_features(platform, rv, limit=MAP_FEATURES, lang=lang)
        color_by = maps.default_color_field(rv.schema, features)
        features["legend"] = maps.legend(features, color_by, lang=lang).to_dict()
        return features

    return _cached(platform, ("map-features", str(rv.path), lang), build)


def map_section(platform: Platform, rv: ReadableVersion, dataset_id: str, lang: str) -> MapSection | None:
    if maps.geometry_field(rv.schema) is None:
        return None
    features = map_geojson(platform, rv, lang)
    base = map_base.base_layer(platform)
    return MapSection(
        geojson_url=f"/datasets/{dataset_id}/map.geojson?lang={lang}",
        legend=_legend(features),
        description=f"{features['shown']} / {features['total']}",
        left_out=int(features["omitted"]) + int(features["unreadable"]),
        tile_url=platform.settings.map_tile_url,
        base=base,
        base_text=base_legend(base, lang),
    )


def base_legend(base: map_base.BaseLayer | None, lang: str) -> str:
    """The base layer's line in the map's legend ("" without one)."""
    if base is None:
        return ""
    key = "map_base_modelled" if base.modelled else "map_base_legend"
    return Translator(lang)(key, title=base.title(lang))


def map_svg(platform: Platform, rv: ReadableVersion, lang: str, title: str) -> str:
    """The map for pages without JavaScript: the base layer under the data; its legend is
    the page's (one legend, in HTML)."""
    features = map_geojson(platform, rv, lang)
    base = map_base.base_layer(platform)
    text = base_legend(base, lang)
    return _cached(platform, ("map-svg", str(rv.path), lang, title, base.etag if base else None),
                   lambda: maps.render_svg_map(features, _legend(features), title=title, lang=lang,
                                               base=base.collection if base else None,
                                               base_text=text + "." if text else ""))


def _legend(features: dict[str, Any]) -> maps.Legend:
    """The legend ``map_geojson`` stored with the features (as JSON for map.js)."""
    data = features["legend"]
    return maps.Legend(data["field"], data["kind"], tuple(maps.LegendClass(**c) for c in data["classes"]))


def legend_json(section: MapSection) -> str:
    return orjson.dumps(section.legend.to_dict()).decode()


T = TypeVar("T")


def _cached(platform: Platform, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    kept: T = platform.cache.get_or_build(key, lambda: (build(),))[0]
    return kept
