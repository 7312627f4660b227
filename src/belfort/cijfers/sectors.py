"""Statistical sectors: the level ``sector`` below the wijken, when their boundaries are loaded.

``belfort cijfers sectors load FILE`` reads a GeoJSON FeatureCollection of (Multi)Polygons,
each with a sector code, a name and the wijk it lies in (the property names Statbel and the
city use are understood: ``code``/``sectorcode``/``cd_sector``, ``naam``/``name``/
``tx_sector_descr_nl``, ``wijk``/``wijknr``: the wijk's number or name). Every feature is
checked first and every problem named; nothing is kept then. The sectors are kept as one
checked file under the data directory (``cijfers/sectoren.geojson``), written whole and
renamed, so every process sees the same sectors: ``geography_of`` reads it again when it
changes.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

from belfort.cijfers.geography import SECTOR_LEVEL, Area, Geography, _rings
from belfort.errors import BelfortError, IndicatorInvalid, InvalidRequest, PayloadTooLarge
from belfort.platform import Platform

MAX_FILE_BYTES = 50_000_000
MAX_SECTORS = 2_000
MAX_REPORTED = 100
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,29}")
CODE_KEYS = ("code", "sectorcode", "cd_sector", "sector")
NAME_KEYS = ("naam", "name", "tx_sector_descr_nl", "sectornaam")
WIJK_KEYS = ("wijk", "wijknr", "wijkcode")


def sectors_file(platform: Platform) -> Path:
    return Path(platform.settings.data_dir) / "cijfers" / "sectoren.geojson"


def _first(properties: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if properties.get(key) not in (None, ""):
            return properties[key]
    return None


def parse_sectors(data: Any, wijken: Geography) -> list[dict[str, Any]]:
    """The checked sectors of a parsed GeoJSON document (``{code, name, wijk, geometry}``);
    IndicatorInvalid naming every problem ("feature 3: unknown wijk 'Nergens'")."""
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise InvalidRequest("a GeoJSON FeatureCollection with at least one feature is needed")
    if len(features) > MAX_SECTORS:
        raise InvalidRequest(f"at most {MAX_SECTORS} sectors")
    by_number = {a.code: a.code for a in wijken.wijken}
    by_name = {a.name.lower(): a.code for a in wijken.wijken}
    problems: list[str] = []
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            problems.append(f"feature {number}: no properties")
            continue
        code = _first(properties, CODE_KEYS)
        name = _first(properties, NAME_KEYS)
        wijk = _first(properties, WIJK_KEYS)
        if not isinstance(code, str | int) or not CODE.fullmatch(str(code)):
            problems.append(f"feature {number}: a sector code (letters, digits, '-', '_', '.')")
            continue
        code = str(code)
        if code in seen:
            problems.append(f"feature {number}: sector {code!r} appears twice")
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(f"feature {number}: sector {code!r} has no name")
            continue
        wijk_text = str(wijk).strip() if isinstance(wijk, str | int) else ""
        if wijk_text.isdigit():
            wijk_text = str(int(wijk_text))
        wijk_code = by_number.get(wijk_text) or by_name.get(wijk_text.lower())
        if wijk_code is None:
            problems.append(f"feature {number}: unknown wijk {wijk_text[:60]!r}")
            continue
        try:
            _rings(feature.get("geometry"))
        except (InvalidRequest, ValueError, TypeError):
            problems.append(f"feature {number}: the geometry must be a Polygon or MultiPolygon "
                            "of [lon, lat] rings")
            continue
        seen.add(code)
        found.append({"code": code, "name": name.strip()[:200], "wijk": wijk_code,
                      "geometry": feature["geometry"]})
    if problems:
        raise IndicatorInvalid(f"{len(problems)} sectors refused; first: {problems[0]}",
                               details={"problems": problems[:MAX_REPORTED],
                                        "refused": len(problems)})
    return found


def load_sectors(platform: Platform, path: Path, wijken: Geography) -> int:
    """Check the sectors in ``path`` and keep them (replacing the ones loaded before); how many."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"{path.name}: larger than {MAX_FILE_BYTES:,} bytes")
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest(f"{path.name}: not a JSON (GeoJSON) file") from None
    sectors = parse_sectors(data, wijken)
    target = sectors_file(platform)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".sectoren-{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {k: s[k] for k in ("code", "name", "wijk")},
         "geometry": s["geometry"]} for s in sectors]}), encoding="utf-8")
    os.replace(temporary, target)
    platform.generation.bump()
    return len(sectors)


def read_sectors(path: Path) -> tuple[Area, ...]:
    """The sectors kept by ``load_sectors`` (checked then; unreadable now: none)."""
    try:
        data = json.loads(path.read_bytes())
        found = []
        for feature in data["features"]:
            p = feature["properties"]
            rings = _rings(feature["geometry"])
            found.append(Area(SECTOR_LEVEL, p["code"], p["name"], float(rings[0][:, 1].mean()),
                              float(rings[0][:, 0].mean()), None, rings, parent=p["wijk"]))
    except (OSError, ValueError, KeyError, TypeError, BelfortError):
        return ()
    return tuple(sorted(found, key=lambda a: a.code))
