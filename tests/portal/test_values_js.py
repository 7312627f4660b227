"""The browser's value formatting (static/js/values.js, run by Node) shows exactly what the
server's (belfort.portal.values) shows, for thousands of values as the v1 API hands them
to the browser: times around both summer-time switches, numbers of every size, geo points
on rounding edges, shapes, multivalued and long text, in Dutch and English."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from belfort.api.ods.common import render_value
from belfort.portal.values import format_value

VALUES_JS = Path(__file__).parents[2] / "src" / "belfort" / "portal" / "static" / "js" / "values.js"
BRUSSELS = ZoneInfo("Europe/Brussels")
RUNNER = """
const vm = require("vm");
const fs = require("fs");
const window = {};
const context = {window, Intl, Date, JSON, Math, Number, String, Array, Object};
vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), context);
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const shown = cases.map(([v, t, l]) => window.BelfortValues.format(v, t, l));
process.stdout.write(JSON.stringify(shown));
"""


def cases() -> list[tuple[Any, str, str | None]]:
    """(value as the engine gives it, Belfort type, separator)."""
    rng = random.Random(12)
    out: list[tuple[Any, str, str | None]] = []
    for start in (
        dt.datetime(2024, 3, 30, 22, tzinfo=dt.UTC),
        dt.datetime(2024, 10, 26, 22, tzinfo=dt.UTC),
        dt.datetime(2025, 10, 25, 23, tzinfo=dt.UTC),
    ):
        out += [(start + dt.timedelta(minutes=15 * i), "datetime", None) for i in range(28)]
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    out += [
        (
            epoch
            + dt.timedelta(
                seconds=rng.randrange(0, 4_102_444_800), milliseconds=rng.choice([0, 0, 7, 500])
            ),
            "datetime",
            None,
        )
        for _ in range(300)
    ]
    out += [
        (dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 60_000)), "date", None)
        for _ in range(100)
    ]
    out += [(rng.choice([-1, 1]) * 10 ** rng.uniform(-12, 25), "number", None) for _ in range(600)]
    out += [
        (round(rng.uniform(-1e6, 1e6), rng.randrange(0, 4)), "number", None) for _ in range(200)
    ]
    out += [(float(rng.randrange(-(10**9), 10**9)), "number", None) for _ in range(100)]
    out += [
        (v, "number", None)
        for v in (0.0, -0.0, 1e15, 1e-7, 9.999999999999999e14, 1e21, 0.1 + 0.2, 5e-324)
    ]
    out += [(rng.randrange(-(2**53) + 1, 2**53), "integer", None) for _ in range(200)]
    out += [(v, "integer", None) for v in (0, -1, 999, 1000, 2**53 - 1)]
    whole = (10**15, 10**18, -(2**60), 1234)  # whole numbers in a decimal field
    out += [(v, "number", None) for v in whole]
    out += [(b, "boolean", None) for b in (True, False)] + [
        (None, t, None) for t in ("string", "number", "datetime")
    ]
    out += [
        (
            {
                "lat": round(rng.uniform(-90, 90), rng.randrange(1, 9)),
                "lon": round(rng.uniform(-180, 180), 7),
            },
            "geopoint",
            None,
        )
        for _ in range(200)
    ]
    out += [
        ({"lat": 3.03125, "lon": -0.00005}, "geopoint", None),
        ({"lat": 0.0, "lon": 0.0}, "geopoint", None),
    ]
    ring = [[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.0]]
    for geometry in (
        {"type": "Point", "coordinates": [3.72, 51.05]},
        {"type": "LineString", "coordinates": ring},
        {"type": "Polygon", "coordinates": [ring]},
        {"type": "MultiPolygon", "coordinates": [[ring], [ring]]},
        {"type": "MultiPoint", "coordinates": [[3.7, 51.0]]},
        {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}]},
    ):
        out.append((json.dumps(geometry), "geometry", None))
    out += [("fiets;auto;;te voet", "string", ";"), ("één", "string", ";")]
    out += [
        ("😀" * 300, "string", None),
        ("<b>vet</b> & 'quote'", "string", None),
        ("x" * 199, "string", None),
        ("y" * 201, "string", None),
    ]
    return out


def api_form(value: Any, type_: str, separator: str | None) -> Any:
    """What the browser gets for ``value`` from the v1 search API (timezone=Europe/Brussels)."""
    rendered = render_value(value, type_, BRUSSELS)
    if separator and isinstance(rendered, str):
        rendered = [v for v in rendered.split(separator) if v]
    return orjson.loads(orjson.dumps(rendered))


def test_browser_and_server_format_every_value_alike() -> None:
    node = shutil.which("node")
    assert node is not None, (
        "Node.js is needed for the JavaScript checks (apt-get install -y nodejs)"
    )
    given = cases()
    batch = [[api_form(v, t, s), t, lang] for v, t, s in given for lang in ("nl", "en")]
    run = subprocess.run(
        [node, "-e", RUNNER, str(VALUES_JS)],
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    browser = json.loads(run.stdout)
    expected = [format_value(v, t, lang, s) for v, t, s in given for lang in ("nl", "en")]
    differ = [
        (given[i // 2][0], e, b)
        for i, (e, b) in enumerate(zip(expected, browser, strict=True))
        if (e.text, e.kind, e.machine) != (b["text"], b["kind"], b["machine"])
    ]
    assert not differ, f"{len(differ)} values differ, e.g. {differ[:5]}"
    assert len(browser) == 2 * len(given) > 3000


@pytest.mark.parametrize("value", [Decimal("12345.60")])
def test_decimals_reach_the_browser_as_numbers(value: Decimal) -> None:
    assert (
        format_value(value, "number", "nl").text == format_value(float(value), "number", "nl").text
    )
