"""What the Gent in Cijfers pages show, built from published values only
(``belfort.cijfers.published``): figures as people read them, trend lines, ranks, the
sentences of a wijk's summary, the map's classes and legend."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from belfort.cijfers import profile
from belfort.cijfers.geography import Area, Geography
from belfort.cijfers.published import (
    MISSING_KEYS,
    POPULATION,
    IndicatorInfo,
    Published,
    Series,
    WijkFigures,
)
from belfort.portal import cijfers_svg
from belfort.portal.i18n import Translator
from belfort.portal.map_base import voronoi_cells

HIDDEN_MARK = "x"
# the themes in the order of the city's neighbourhood monitor; others after them, "" last
THEME_ORDER = ("demografie", "huishoudens", "migratie", "werk", "inkomen", "wonen",
               "kinderopvang", "gezondheid", "mobiliteit", "economie", "leefbaarheid")


def number_text(number: float, decimals: int, lang: str) -> str:
    """1.234,5 in Dutch, 1,234.5 in English."""
    text = f"{number:,.{max(decimals, 0)}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


@dataclass(frozen=True)
class Figure:
    """A published cell as the page writes it: ``text``, and ``note`` the key of its
    explanation when it is not a number."""

    text: str
    number: float | None
    note: str | None = None

    @property
    def css(self) -> str:
        return "num" if self.number is not None else "num protected"


def figure(shown: Published, info: IndicatorInfo, t: Translator) -> Figure:
    if shown.number is not None:
        return Figure(number_text(shown.number, info.decimals, t.lang), shown.number)
    if shown.mark == HIDDEN_MARK:
        return Figure(t("gic_hidden"), None, "hidden")
    if shown.mark is not None:
        return Figure(shown.mark, None, "below")
    key = MISSING_KEYS.get(shown.missing or 0, "empty")
    return Figure(t(f"gic_missing_{key}"), None, f"missing_{key}")


def theme_name(t: Translator, theme: str) -> str:
    key = f"gic_theme_{theme}"
    return t(key) if key in t.messages else theme.capitalize()


def by_theme(infos: Sequence[IndicatorInfo], t: Translator
             ) -> list[tuple[str, list[IndicatorInfo]]]:
    groups: dict[str, list[IndicatorInfo]] = defaultdict(list)
    for info in infos:
        groups[info.theme].append(info)
    order = sorted(groups, key=lambda theme: (
        THEME_ORDER.index(theme) if theme in THEME_ORDER else len(THEME_ORDER), theme == "",
        theme))
    return [(theme_name(t, theme), groups[theme]) for theme in order]


@dataclass
class Row:
    info: IndicatorInfo
    period: str | None
    cells: list[Figure]
    city: Figure
    rank: profile.Rank | None = None
    svg: str = ""
    series_html: Markup = field(default_factory=Markup)


def _trend(series: Series, wijk: Area, city: str, counted: bool, t: Translator) -> str:
    periods = series.periods
    own = [series.get(wijk.code, p).number for p in periods]
    lines = [cijfers_svg.Line(own, cijfers_svg.WIJK_LINE)]
    if not counted:
        lines.append(cijfers_svg.Line([series.get(city, p).number for p in periods],
                                      cijfers_svg.CITY_LINE, dashed=True))
    numbers = [v for line in lines for v in line.values if v is not None]
    info = series.info
    low = number_text(min(numbers), info.decimals, t.lang) if numbers else "–"
    high = number_text(max(numbers), info.decimals, t.lang) if numbers else "–"
    name = info.name(t.lang)
    title = t("gic_trend_title", name=name, wijk=wijk.name, first=periods[0] if periods else "",
              last=periods[-1] if periods else "")
    description = t("gic_trend_desc_count" if counted else "gic_trend_desc", wijk=wijk.name,
                    low=low, high=high)
    return cijfers_svg.trend(periods, lines, title, description,
                             lambda v: number_text(v, info.decimals, t.lang))


@dataclass
class Profile:
    wijk: Area
    themes: list[tuple[str, list[Row]]]
    sentences: list[str]
    notes: set[str]
    modelled: bool
    infos: Sequence[IndicatorInfo]
    html: str | None = None  # the page's main content, once rendered


def wijk_profile(wijk: Area, geography: Geography, infos: Sequence[IndicatorInfo],
                 series: dict[str, Series], others: dict[str, WijkFigures],
                 t: Translator) -> Profile:
    """The rows of a wijk's profile: latest figure, city's figure, rank, trend, series."""
    city = geography.city.code
    population = series.get(POPULATION)
    comparisons: list[profile.Comparison] = []
    notes: set[str] = set()
    rows_by_code: dict[str, Row] = {}
    for info in infos:
        s = series[info.code]
        latest = s.latest
        at = others.get(info.code)
        # the rank and the comparison need every wijk's figure in the row's own period
        wijken = at.values if at is not None and at.period == latest else None
        counted = profile.is_count(s, city, wijken or {})
        own = figure(s.get(wijk.code, latest), info, t) if latest else figure(Published(), info, t)
        whole = figure(s.get(city, latest), info, t) if latest else figure(Published(), info, t)
        notes.update(n for n in (own.note, whole.note) if n)
        row = Row(info, latest, [own], whole,
                  profile.rank(wijk.code, wijken, len(geography.wijken)) if wijken else None)
        if latest:
            row.svg = _trend(s, wijk, city, counted, t)
            series_rows = [
                (p, [figure(s.get(wijk.code, p), info, t), figure(s.get(city, p), info, t)])
                for p in s.periods
            ]
            notes.update(f.note for _, cells in series_rows for f in cells if f.note)
            row.series_html = series_table(series_rows, info, wijk, t)
            found = profile.compare(s, wijk.code, city, counted, population) if wijken else None
            if found is not None:
                comparisons.append(found)
        rows_by_code[info.code] = row
    infos_by_code = {i.code: i for i in infos}
    sentences = [sentence(c, infos_by_code[c.code], t) for c in profile.notable(comparisons)]
    themes = [(name, [rows_by_code[i.code] for i in group]) for name, group in by_theme(infos, t)]
    return Profile(wijk, themes, sentences, notes, any(i.modelled for i in infos), infos)


def series_table(rows: Sequence[tuple[str, Sequence[Figure]]], info: IndicatorInfo, wijk: Area,
                 t: Translator) -> Markup:
    """The figures behind a trend line, folded away (``<details>``: no JavaScript needed);
    written here rather than in the template: a profile has hundreds of them."""
    head = (f"<details><summary>{escape(t('gic_series_show', name=info.name(t.lang)))}</summary>"
            f'<table class="data"><caption>'
            f"{escape(t('gic_series_caption', name=info.name(t.lang), wijk=wijk.name))}</caption>"
            f'<thead><tr><th scope="col">{escape(t("gic_col_period"))}</th>'
            f'<th scope="col">{escape(wijk.name)}</th>'
            f'<th scope="col">{escape(t("gic_col_city"))}</th></tr></thead><tbody>')
    body = "".join(
        f'<tr><th scope="row">{escape(p)}</th>'
        + "".join(f'<td class="{f.css}">{escape(f.text)}</td>' for f in cells) + "</tr>"
        for p, cells in rows
    )
    return Markup(head + body + "</tbody></table></details>")


def sentence(c: profile.Comparison, info: IndicatorInfo, t: Translator) -> str:
    decimals = 1 if c.per_thousand else info.decimals
    wijk, city = number_text(c.wijk, decimals, t.lang), number_text(c.city, decimals, t.lang)
    name = info.name(t.lang)
    if c.per_thousand:
        key = "gic_more_count" if c.direction == "higher" else "gic_less_count"
        return t(key, name=name[:1].lower() + name[1:], wijk=wijk, city=city)
    return t("gic_higher" if c.direction == "higher" else "gic_lower", name=name, wijk=wijk,
             city=city)


def compare_rows(wijken: Sequence[Area], geography: Geography, infos: Sequence[IndicatorInfo],
                 series: dict[str, Series], t: Translator
                 ) -> tuple[list[tuple[str, list[Row]]], set[str]]:
    notes: set[str] = set()
    rows: dict[str, Row] = {}
    for info in infos:
        s = series[info.code]
        latest = s.latest
        cells = [figure(s.get(w.code, latest) if latest else Published(), info, t) for w in wijken]
        whole = figure(s.get(geography.city.code, latest) if latest else Published(), info, t)
        notes.update(f.note for f in [*cells, whole] if f.note)
        rows[info.code] = Row(info, latest, cells, whole)
    return [(name, [rows[i.code] for i in group]) for name, group in by_theme(infos, t)], notes


_CELLS: dict[int, list[list[list[float]]]] = {}


def shapes_of(geography: Geography) -> dict[str, list[Any]]:
    """Each wijk's rings (lon, lat): the real boundaries, or modelled cells around the
    wijken's centres (kept per geography)."""
    if not geography.modelled:
        return {w.code: [r.tolist() for r in w.rings] for w in geography.wijken}
    key = id(geography)
    if key not in _CELLS:
        _CELLS[key] = voronoi_cells([(w.lon, w.lat) for w in geography.wijken])
    return {w.code: [cell] for w, cell in zip(geography.wijken, _CELLS[key], strict=True)}


@dataclass
class MapView:
    svg: str
    legend: list[tuple[str, str]]  # (colour, range text)
    rows: list[tuple[Area, Figure, int | None]]
    city: Figure
    notes: set[str]
    any_hidden: bool
    any_none: bool


def indicator_map(series: Series, period: str, geography: Geography, t: Translator) -> MapView:
    info = series.info
    cells = {w.code: series.get(w.code, period) for w in geography.wijken}
    edges = profile.class_breaks([c.number for c in cells.values() if c.number is not None])
    legend = [
        (cijfers_svg.PALETTE[i if len(edges) > 2 else 2],
         t("gic_legend_range", low=number_text(edges[i], info.decimals, t.lang),
           high=number_text(edges[i + 1], info.decimals, t.lang)))
        for i in range(len(edges) - 1)
    ]
    if len(edges) == 1:
        legend = [(cijfers_svg.PALETTE[2], number_text(edges[0], info.decimals, t.lang))]
    rings = shapes_of(geography)
    shapes: list[cijfers_svg.Shape] = []
    rows: list[tuple[Area, Figure, int | None]] = []
    notes: set[str] = set()
    for wijk in geography.wijken:
        shown = cells[wijk.code]
        fig = figure(shown, info, t)
        klass = None
        if shown.number is not None and edges:
            klass = profile.class_of(shown.number, edges) if len(edges) > 1 else 0
            klass = klass if len(edges) > 2 else 2
        if fig.note:
            notes.add(fig.note)
        shapes.append(cijfers_svg.Shape(wijk.code, wijk.name, rings.get(wijk.code, []), klass,
                                        shown.hidden, fig.text))
        rows.append((wijk, fig, None if klass is None else klass + 1))
    city = figure(series.get(geography.city.code, period), info, t)
    if city.note:
        notes.add(city.note)
    title = t("gic_table_caption", name=info.name(t.lang), period=period)
    svg = cijfers_svg.choropleth(shapes, title, t("gic_map_desc", classes=profile.CLASSES))
    return MapView(svg, legend, rows, city, notes, any(s.hidden for s in shapes),
                   any(s.fill_class is None and not s.hidden for s in shapes))
