"""Charts in a real browser (Debian's Chromium through Playwright, the demo catalogue on a
real uvicorn): the default chart means something, a split chart has its legend and its
table column, and on a 390 px phone no chart text is smaller than 11 px and no two axis
labels overlap; axe-core finds nothing at 1280 and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.portal.conftest import (
    DESKTOP,
    MAP_DATASET,
    PHONE,
    TABLE_DATASET,
    LiveDemo,
    axe_violations,
    describe_violations,
    guarded_context,
)

SPLIT = (
    f"/datasets/{TABLE_DATASET}?chart_x=tijdstip&chart_y=bezet&chart_agg=avg"
    "&chart_split=garage&chart_unit=hour#chart"
)
CHART_PAGES = {
    "default-line": f"/datasets/{TABLE_DATASET}",
    "default-bar": f"/datasets/{MAP_DATASET}",
    "split": SPLIT,
    "split-bars": f"/datasets/{TABLE_DATASET}?chart_mark=bar&chart_x=garage&chart_y=bezet"
    "&chart_agg=avg&chart_split=open#chart",
}
MIN_FONT_PX = 11

# Every text of the charts the visitor can see, with the size it is drawn at on screen:
# the computed font size times the scale from the SVG's own units to CSS pixels.
_VISIBLE_TEXTS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('#chart figure svg')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !svg.checkVisibility()) continue;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim() || Number(getComputedStyle(t).opacity) === 0) continue;
      if (t.closest('[opacity="0"]')) continue;
      const m = t.getScreenCTM();
      const scale = Math.sqrt(m.a * m.a + m.b * m.b);
      const b = t.getBBox();  // the text's own box, turned as the text is turned
      const quad = [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
                    [b.x, b.y + b.height]]
        .map(([x, y]) => { const p = new DOMPoint(x, y).matrixTransform(m); return [p.x, p.y]; });
      const axis = t.closest('g.role-axis');
      out.push({text: t.textContent.trim(), px: parseFloat(getComputedStyle(t).fontSize) * scale,
                label: !!t.closest('g.role-axis-label'),
                axis: axis ? Array.from(axis.parentNode.children).indexOf(axis) : -1,
                quad});
    }
  }
  return out;
}"""


@pytest.fixture
def phone(chromium: Any, demo_server: LiveDemo) -> Iterator[Any]:
    context, guard = guarded_context(
        chromium, demo_server, viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not guard.blocked, f"a page asked for something outside Belfort: {guard.blocked}"


def _open(page: Any, demo: LiveDemo, path: str) -> None:
    response = page.goto(demo.url + path, wait_until="load")
    assert response is not None and response.status == 200, path
    if page.locator("div.bf-map").count():  # as open_page does: the map drawn by its script
        page.wait_for_selector(".bf-map[data-bf-map-ready='1']", state="attached")


def _overlap(a: list[list[float]], b: list[list[float]]) -> float:
    """How far two convex quadrilaterals overlap (0 when apart): the least overlap of their
    projections on the edges' normals (the separating axis theorem)."""
    least = float("inf")
    for quad in (a, b):
        for i in range(4):
            (x1, y1), (x2, y2) = quad[i], quad[(i + 1) % 4]
            nx, ny = y1 - y2, x2 - x1
            length = (nx * nx + ny * ny) ** 0.5 or 1.0
            pa = [(x * nx + y * ny) / length for x, y in a]
            pb = [(x * nx + y * ny) / length for x, y in b]
            least = min(least, min(max(pa), max(pb)) - max(min(pa), min(pb)))
    return max(least, 0.0)


def _overlaps(texts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of labels of one axis whose (turned) boxes overlap by more than half a pixel."""
    labels = [t for t in texts if t["label"]]
    return [
        (a["text"], b["text"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a["axis"] == b["axis"] and _overlap(a["quad"], b["quad"]) > 0.5
    ]


def test_the_overlap_check_sees_turned_labels() -> None:
    square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]
    assert _overlap(square, [[x + 9, y] for x, y in square]) == pytest.approx(1)
    assert _overlap(square, [[x + 11, y] for x, y in square]) == 0

    # two long labels turned 40°: their upright boxes overlap, the labels themselves do not
    def turned(dx: float) -> list[list[float]]:
        c, s = 0.766, -0.643
        return [
            [dx + x * c - y * s, x * s + y * c] for x, y in ([0, 0], [100, 0], [100, 13], [0, 13])
        ]

    assert _overlap(turned(0), turned(25)) == 0
    assert _overlap(turned(0), turned(12)) > 0.5


@pytest.mark.parametrize("name", sorted(CHART_PAGES))
def test_charts_stay_readable_on_a_phone(phone: Any, demo_server: LiveDemo, name: str) -> None:
    _open(phone, demo_server, CHART_PAGES[name])
    texts = phone.evaluate(_VISIBLE_TEXTS)
    assert texts, f"{name}: no chart drawn at 390 px"
    small = sorted({(t["text"], round(t["px"], 1)) for t in texts if t["px"] < MIN_FONT_PX - 0.05})
    assert not small, f"{name}: chart text below {MIN_FONT_PX} px on a 390 px screen: {small[:10]}"
    assert not _overlaps(texts), f"{name}: axis labels overlap at 390 px: {_overlaps(texts)[:5]}"
    assert len([t for t in texts if t["label"]]) >= 4, f"{name}: hardly any axis labels left"
    widths = phone.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name}: the page scrolls sideways at 390 px"


@pytest.mark.parametrize("name", sorted(CHART_PAGES))
def test_charts_on_a_desktop(portal_page: Any, demo_server: LiveDemo, name: str) -> None:
    _open(portal_page, demo_server, CHART_PAGES[name])
    texts = portal_page.evaluate(_VISIBLE_TEXTS)
    assert texts and min(t["px"] for t in texts) >= MIN_FONT_PX - 0.05
    assert not _overlaps(texts), _overlaps(texts)[:5]
    # one chart shown (the phone's drawing is hidden, so screen readers meet one image)
    shown = portal_page.evaluate(
        "Array.from(document.querySelectorAll('#chart figure svg'))"
        ".filter(s => s.checkVisibility()).length"
    )
    assert shown == 1


def test_the_default_chart_means_something(portal_page: Any, demo_server: LiveDemo) -> None:
    _open(portal_page, demo_server, f"/datasets/{TABLE_DATASET}")
    drawn = portal_page.locator("#chart .chart-wide svg").text_content() or ""
    # occupancy over time, averaged: never the sum of the garages' capacity
    # (fields named as people read them: the title, else the id made readable)
    assert "Bezettingsgraad (gemiddelde)" in drawn and "capaciteit" not in drawn.lower()
    _open(portal_page, demo_server, f"/datasets/{MAP_DATASET}")
    assert "aantal records" in (portal_page.locator("#chart .chart-wide svg").text_content() or "")
    assert portal_page.locator("#chart_x").input_value() == "wijk"
    _open(portal_page, demo_server, "/datasets/stadswijken-gent-demo?lang=en")
    assert portal_page.locator("#chart figure").count() == 0
    assert "no obvious chart" in portal_page.locator("#chart").inner_text()


def test_a_split_chart_has_a_legend_and_a_column_in_its_table(
    portal_page: Any, demo_server: LiveDemo
) -> None:
    _open(portal_page, demo_server, SPLIT)
    legend = portal_page.locator("#chart .chart-wide svg g.role-legend text").all_text_contents()
    assert "Garage" in legend and "overig" in legend and len(legend) == 1 + 8
    assert portal_page.locator("#chart_split").input_value() == "garage"
    assert portal_page.locator("#chart_unit").input_value() == "hour"
    headers = portal_page.locator("#chart details th").all_text_contents()
    assert headers == ["Tijdstip (per uur)", "Garage", "Bezet (gemiddelde)"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", sorted(CHART_PAGES))
def test_chart_pages_have_no_axe_violations(
    chromium: Any, demo_server: LiveDemo, name: str, viewport: dict[str, int]
) -> None:
    context, _guard = guarded_context(chromium, demo_server, viewport=viewport)
    try:
        page = context.new_page()
        for lang in ("", "&lang=en" if "?" in CHART_PAGES[name] else "?lang=en"):
            path, _, fragment = CHART_PAGES[name].partition("#")
            _open(page, demo_server, path + lang)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            violations = axe_violations(page)
            assert not violations, f"{name} {lang}: {describe_violations(violations)}"
    finally:
        context.close()
