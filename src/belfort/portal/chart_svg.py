"""A Vega-Lite spec rendered to SVG on the server (``vl_convert``, nothing loaded from the
network), made accessible: ``role="img"`` with a ``<title>`` and ``<desc>``, and no
reference to anything outside the SVG itself."""

from __future__ import annotations

import hashlib
import html
import re
import threading
import typing
from typing import Any

import vl_convert

_LOCK = threading.Lock()
VlLocale = typing.Literal["nl-NL", "en-US"]  # the locales vl-convert knows for both settings
_LOCALES: dict[str, VlLocale] = {"nl": "nl-NL", "en": "en-US"}
_ROOT = re.compile(r"<svg\b[^>]*>")
_TRANSLATE = re.compile(r"translate\((-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)\)")
_EXTERNAL = (
    (re.compile(r"""\s(?:xlink:)?href\s*=\s*(["'])(?!#).*?\1""", re.S), ""),
    (re.compile(r"""url\(\s*(?!['"]?#)[^)]*\)"""), "none"),
    (re.compile(r"@import[^;]*;?"), ""),
    (re.compile(r"<(script|foreignObject)\b.*?</\1>", re.S | re.I), ""),
)


def render_svg(spec: dict[str, Any]) -> str:
    """The spec as an SVG string: ``role="img"`` named by an inserted ``<title>`` and
    ``<desc>``, no reference to anything outside itself. Calls are serialised."""
    meta = spec.get("usermeta", {}).get("belfort", {})
    locale = _LOCALES.get(meta.get("lang", "nl"), "nl-NL")
    with _LOCK:
        svg = vl_convert.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale,
                                         allowed_base_urls=[])
    title = meta.get("title") or (spec.get("title") or {}).get("text") or "chart"
    return accessible_svg(svg, str(title), str(spec.get("description") or ""), "bf-chart")


def accessible_svg(svg: str, title: str, description: str, prefix: str) -> str:
    """``svg`` with external references removed, ``role="img"`` and a ``<title>``/``<desc>``
    the root points at with ``aria-labelledby`` (ids derived from the content)."""
    for pattern, replacement in _EXTERNAL:
        svg = pattern.sub(replacement, svg)
    svg = _TRANSLATE.sub(lambda m: f"translate({_short(m[1])},{_short(m[2])})", svg)
    ident = f"{prefix}-{hashlib.sha1((title + svg).encode()).hexdigest()[:10]}"
    root = _ROOT.search(svg)
    if root is None:
        raise ValueError("not an SVG document")
    classes = re.search(r'\sclass="([^"]*)"', root.group(0))
    tag = re.sub(r'\s(role|class|aria-[a-z]+)="[^"]*"', "", root.group(0))
    tag = tag[:-1].rstrip("/") + (
        f' role="img" aria-labelledby="{ident}-title {ident}-desc"'
        f' class="{(classes.group(1) + " ") if classes else ""}{prefix}">'
    )
    head = (f'<title id="{ident}-title">{html.escape(title)}</title>'
            f'<desc id="{ident}-desc">{html.escape(description)}</desc>')
    return svg[:root.start()] + tag + head + svg[root.end():]


def _short(number: str) -> str:
    return f"{float(number):.2f}".rstrip("0").rstrip(".") if "." in number else number


