"""Scenarios kept in the database (``twin_scenarios``): created by running them, listed,
read, deleted, and exported as CSV (a row per hour × zone) or JSON (the whole result)."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from typing import Any

from sqlalchemy import func, select

from belfort.catalog.models import Scenario
from belfort.errors import ScenarioNotFound, ZoneGraphTooLarge
from belfort.platform import Platform
from belfort.streams.model import from_us
from belfort.twin.scenarios.run import checked_spec, run_scenario

SCENARIO_ID = re.compile(r"^[0-9a-f]{16}$")
CSV_COLUMNS = ("time", "zone", "name", "capacity", "closed", "baseline_occupancy",
               "baseline_score", "baseline_label", "scenario_occupancy", "scenario_score",
               "scenario_label", "crosses")


def create(platform: Platform, data: Any, created_by: str,
           until_us: int | None = None) -> dict[str, Any]:
    """Check, run and keep a scenario; its summary with the result."""
    spec, network = checked_spec(platform, data)
    with platform.db.session() as session:
        kept = session.scalar(select(func.count()).select_from(Scenario)) or 0
    if kept >= platform.settings.twin_scenario_max_saved:
        raise ZoneGraphTooLarge(
            f"{kept} scenarios are kept; delete one first (BELFORT_TWIN_SCENARIO_MAX_SAVED)")
    result = run_scenario(platform, spec, network, until_us)
    row = Scenario(id=secrets.token_hex(8), name=spec.name,
                   closures=[c.to_dict() for c in spec.closures],
                   start_at=from_us(spec.start_us), end_at=from_us(spec.end_us),
                   created_by=created_by[:200], result=json.dumps(result))
    with platform.db.session() as session:
        session.add(row)
        session.flush()
        return scenario_dict(row, with_result=True)


def scenario_dict(row: Scenario, with_result: bool = False,
                  with_creator: bool = True) -> dict[str, Any]:
    """A scenario as clients see it; who created it (a key id, a person's subject) only for
    staff (``with_creator``)."""
    result = json.loads(row.result)
    found: dict[str, Any] = {
        "id": row.id, "name": row.name, "closures": row.closures,
        "window": result["window"], "created_by": row.created_by if with_creator else None,
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
        "flagged_zones": sorted({f["zone"] for f in result["flagged"]}),
        "reliability": result["explanation"]["reliability"],
    }
    if with_result:
        found["result"] = result
    return found


def _row(platform: Platform, scenario_id: str) -> Scenario:
    with platform.db.session() as session:
        row = session.get(Scenario, scenario_id) if SCENARIO_ID.match(scenario_id) else None
        if row is None:
            raise ScenarioNotFound(f"no scenario {scenario_id[:40]!r}")
        session.expunge(row)
        return row


def get(platform: Platform, scenario_id: str, with_creator: bool = False) -> dict[str, Any]:
    return scenario_dict(_row(platform, scenario_id), True, with_creator)


def listing(platform: Platform, with_creator: bool = False) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        rows = session.scalars(select(Scenario).order_by(Scenario.created_at.desc(),
                                                         Scenario.id)).all()
        return [scenario_dict(r, False, with_creator) for r in rows]


def delete(platform: Platform, scenario_id: str) -> None:
    with platform.db.session() as session:
        row = session.get(Scenario, scenario_id) if SCENARIO_ID.match(scenario_id) else None
        if row is None:
            raise ScenarioNotFound(f"no scenario {scenario_id[:40]!r}")
        session.delete(row)


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(platform: Platform, scenario_id: str) -> str:
    result = json.loads(_row(platform, scenario_id).result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hour in result["hours"]:
        for z in hour["zones"]:
            before, after = z["baseline"], z["scenario"]
            writer.writerow([_cell(v) for v in (
                hour["time"], z["zone"], z["name"], z["capacity"], z["closed"],
                before["occupancy"], before["score"], before["label"],
                after["occupancy"], after["score"], after["label"], z["crosses"])])
    return out.getvalue()
