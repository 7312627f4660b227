"""The dataset page's chart for a viewer whose grant allows aggregates only (issue 14,
item 3): the number of records per value of a text or yes/no field, under the viewer's
aggregation threshold (``belfort.query.disclosure``) like every API's counts — a value with
fewer than k records is left out, and so are the values that would reveal it through the
total — with what was hidden said in words. Records, the map and downloads are not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.requests import Request

from belfort.platform import Platform
from belfort.policy.reading import ReadableVersion
from belfort.portal import charts, values
from belfort.portal.i18n import Translator
from belfort.query.disclosure import Disclosure
from belfort.query.facets import facet_query

CATEGORY_TYPES = ("string", "boolean")
MAX_VALUES = 50  # as the ordinary chart's categories


@dataclass
class CountsChart:
    fields: list[tuple[str, str]]  # (name, label) of the fields it may count per value
    x: str | None = None
    svg: str = ""
    svg_narrow: str = ""
    headers: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    hidden_text: str = ""
    threshold_text: str = ""


def counts_chart(platform: Platform, rv: ReadableVersion, disclosure: Disclosure,
                 request: Request, lang: str, title: str, names: Mapping[str, str]
                 ) -> CountsChart:
    """Records per value of ``chart_x`` (a text or yes/no field; else the first one)."""
    t = Translator(lang)
    k = values.format_number(disclosure.min_group_size, lang)
    fields = [f for f in rv.schema.fields if f.type in CATEGORY_TYPES]
    if disclosure.filter_fields is not None:
        fields = [f for f in fields if f.name in disclosure.filter_fields]
    chart = CountsChart([(f.name, names.get(f.name, f.name)) for f in fields],
                        threshold_text=t("counts_threshold", k=k))
    if not fields:
        return chart
    asked = request.query_params.get("chart_x", "")
    x = next((f.name for f in fields if f.name == asked), fields[0].name)
    chart.x = x
    result = platform.engine.execute(facet_query(rv.schema, x, None, MAX_VALUES), rv.schema,
                                     rv.path, disclosure=disclosure)
    rows = [{"x": v, "y": n} for v, n in result.rows]
    if result.suppressed:
        chart.hidden_text = t("counts_hidden", n=values.format_number(result.suppressed, lang),
                              k=k)
    if not rows:
        return chart
    shown = charts.ChartRequest("bar", "x", "y", aggregate="none", x_type="string")
    axis = {"x": names.get(x, x), "y": t("chart_count")}
    chart.svg, chart.svg_narrow = (
        charts.render_svg(charts.chart_spec(shown, rows, title=title, lang=lang, narrow=n,
                                            names=axis))
        for n in (False, True))
    chart.headers, chart.cells = charts.chart_table(rows, shown, lang=lang, names=axis)
    return chart
