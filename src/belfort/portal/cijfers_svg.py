"""The Gent in Cijfers pages' pictures, written as SVG on the server (no JavaScript, nothing
from the internet): a trend line per indicator and a choropleth map of the wijken.

Both are ``role="img"`` with a ``<title>`` and ``<desc>``; the page puts the same figures in a
table beside them, so nothing is lost without the picture. Only published numbers are drawn:
a protected value is a gap in a line and a hatched grey wijk on the map.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# ColorBrewer YlGnBu, 5 classes: sequential and colour-blind safe (light = low)
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
HIDDEN_FILL = "#bdbdbd"
NO_VALUE_FILL = "#ffffff"
WIJK_LINE = "#253494"
CITY_LINE = "#595959"
TEXT = "#222222"
Ring = Sequence[Sequence[float]]  # (lon, lat) positions


def _ident(prefix: str, *parts: str) -> str:
    return f"{prefix}-{hashlib.sha1('|'.join(parts).encode()).hexdigest()[:10]}"


def _head(ident: str, title: str, description: str, width: float, height: float,
          css_class: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'class="{css_class}" role="img" aria-labelledby="{ident}-t {ident}-d" '
            f'focusable="false">'
            f'<title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(description)}</desc>')


@dataclass(frozen=True)
class Line:
    """One line of a trend: a value (or None: not published) per period."""

    values: Sequence[float | None]
    colour: str
    dashed: bool = False


def trend(periods: Sequence[str], lines: Sequence[Line], title: str, description: str,
          label: Callable[[float], str]) -> str:
    """A small line chart over ``periods``; a value that is not published breaks its line."""
    width, height, left, right, top, bottom = 260.0, 90.0, 46.0, 8.0, 8.0, 20.0
    numbers = [v for line in lines for v in line.values if v is not None]
    ident = _ident("bf-trend", title, *periods)
    parts = [_head(ident, title, description, width, height, "bf-trend")]
    if numbers and periods:
        low, high = min(numbers), max(numbers)
        if high == low:
            low, high = low - 1, high + 1
        span_x = width - left - right
        step = span_x / max(len(periods) - 1, 1)

        def x(i: int) -> float:
            return left + (i * step if len(periods) > 1 else span_x / 2)

        def y(v: float) -> float:
            return top + (high - v) / (high - low) * (height - top - bottom)

        parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" '
                     f'y2="{height - bottom}" stroke="#767676" stroke-width="1"/>')
        for edge, at in ((high, top + 4), (low, height - bottom)):
            parts.append(f'<text x="{left - 4}" y="{at:.1f}" text-anchor="end" '
                         f'font-size="10" fill="{TEXT}">{escape(label(edge))}</text>')
        for i, anchor in ((0, "start"), (len(periods) - 1, "end")):
            parts.append(f'<text x="{x(i):.1f}" y="{height - 6}" text-anchor="{anchor}" '
                         f'font-size="10" fill="{TEXT}">{escape(periods[i])}</text>')
        for line in lines:
            dash = ' stroke-dasharray="4 3"' if line.dashed else ""
            run: list[str] = []
            for i, value in enumerate([*line.values, None]):
                if value is not None:
                    run.append(f"{x(i):.1f},{y(value):.1f}")
                    continue
                if len(run) > 1:
                    parts.append(f'<polyline points="{" ".join(run)}" fill="none" '
                                 f'stroke="{line.colour}" stroke-width="2"{dash}/>')
                elif run:
                    cx, cy = run[0].split(",")
                    parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{line.colour}"/>')
                run = []
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Shape:
    """A wijk on the map: its rings, its class (None: no published figure) and whether its
    figure is withheld to protect small numbers."""

    code: str
    name: str
    rings: Sequence[Ring]
    fill_class: int | None
    hidden: bool
    text: str  # the figure as the table shows it, for the shape's own tooltip


def choropleth(shapes: Sequence[Shape], title: str, description: str) -> str:
    """The wijken filled by class (``PALETTE``), hatched grey where a figure is withheld."""
    positions = [p for s in shapes for ring in s.rings for p in ring]
    ident = _ident("bf-map", title, *(s.code for s in shapes))
    if not positions:
        return _head(ident, title, description, 10, 10, "bf-choropleth") + "</svg>"
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    scale = math.cos(math.radians((min(lats) + max(lats)) / 2))
    width = 600.0
    span_x = (max(lons) - min(lons)) * scale or 1e-6
    span_y = (max(lats) - min(lats)) or 1e-6
    height = round(width * span_y / span_x, 1)

    def point(p: Sequence[float]) -> tuple[float, float]:
        return (round((p[0] - min(lons)) * scale / span_x * width, 1),
                round((max(lats) - p[1]) / span_y * height, 1))

    pattern = f"{ident}-hatch"
    parts = [_head(ident, title, description, width, height, "bf-choropleth"),
             f'<defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
             f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{HIDDEN_FILL}"/>'
             f'<line x1="0" y1="0" x2="0" y2="6" stroke="#636363" stroke-width="2"/></pattern>'
             f'</defs>']
    for shape in shapes:
        if shape.hidden:
            fill = f"url(#{pattern})"
        elif shape.fill_class is None:
            fill = NO_VALUE_FILL
        else:
            fill = PALETTE[shape.fill_class]
        data = []
        for ring in shape.rings:
            points: list[tuple[float, float]] = []
            for p in ring:
                q = point(p)
                if not points or q != points[-1]:
                    points.append(q)
            if len(points) >= 3:
                data.append("M" + " L".join(f"{a:g} {b:g}" for a, b in points) + " Z")
        parts.append(f'<path d="{" ".join(data)}" fill="{fill}" fill-rule="evenodd" '
                     f'stroke="#333333" stroke-width="0.8"><title>{escape(shape.name)}: '
                     f'{escape(shape.text)}</title></path>')
    parts.append("</svg>")
    return "".join(parts)


def hatch_swatch(label: str) -> str:
    """The legend's swatch of a withheld figure (the map's hatching)."""
    ident = _ident("bf-hatch", label)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" class="swatch" '
            f'aria-hidden="true" focusable="false"><defs><pattern id="{ident}" width="6" '
            f'height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{HIDDEN_FILL}"/><line x1="0" y1="0" x2="0" '
            f'y2="6" stroke="#636363" stroke-width="2"/></pattern></defs>'
            f'<rect width="16" height="16" fill="url(#{ident})" stroke="#222222"/></svg>')
