"""Running a scenario end to end on a diamond whose answer is worked out by hand."""

from __future__ import annotations

import math

import pytest

from belfort.errors import ScenarioInvalid
from belfort.platform import Platform
from belfort.twin.scenarios.graph import WALK_SPEED_M_S
from belfort.twin.scenarios.run import checked_spec, redistribute, run_scenario
from tests.twin.scenarios.helpers import MONDAY_9, WINDOW, diamond


def _run(platform: Platform, closures: list[dict[str, str]]) -> dict:
    spec, network = checked_spec(platform, {"name": "test", "closures": closures, **WINDOW})
    return run_scenario(platform, spec, network, until_us=MONDAY_9)


def _zone(hour: dict, zone: str) -> dict:
    return next(z for z in hour["zones"] if z["zone"] == zone)


def test_closing_the_short_route_s_zone_sends_everyone_round_and_flags_it(
        platform: Platform) -> None:
    diamond(platform)
    result = _run(platform, [{"zone": "b"}])
    assert result["window"]["hours"] == 1
    (hour,) = result["hours"]
    # only a and d have counts: a→d = d→a = 100,000 an hour (each zone's inflow)
    assert hour["demand"] == pytest.approx(200_000)
    flows = {f["link"]: f for f in hour["links"]}
    assert flows["ab"]["baseline_flow"] == pytest.approx(200_000)  # 34 % of its capacity
    assert flows["ac"]["baseline_flow"] == 0
    assert flows["ac"]["scenario_flow"] == pytest.approx(200_000)
    assert flows["ab"]["scenario_flow"] == 0
    c = _zone(hour, "c")
    crossing = math.sqrt(10) / WALK_SPEED_M_S
    assert c["baseline"] == {"occupancy": 0.0, "score": 0, "label": "rustig"}
    assert c["scenario"]["occupancy"] == pytest.approx(200_000 * crossing / 3600, abs=0.1)
    assert c["scenario"]["label"] == "te druk" and c["crosses"]
    assert _zone(hour, "b")["closed"] and _zone(hour, "b")["scenario"]["occupancy"] == 0
    assert result["flagged"] == [{"time": "2026-11-23T08:00:00Z", "zone": "c",
                                  "from": "rustig", "to": "te druk", "score": 100}]
    assert hour["dropped"] == hour["redistributed"] == hour["unreachable"] == 0
    assert "c" in result["explanation"]["en"] and "Wat als zone b" in result["explanation"]["nl"]


def test_cut_off_demand_is_reported_and_demand_of_a_closed_zone_counted(
        platform: Platform) -> None:
    diamond(platform)
    cut = _run(platform, [{"zone": "b"}, {"link": "cd"}])["hours"][0]
    assert cut["unreachable"] == pytest.approx(200_000)
    assert {(p["from"], p["to"]) for p in cut["unreachable_pairs"]} == {("a", "d"), ("d", "a")}
    closed_d = _run(platform, [{"zone": "d"}])["hours"][0]
    # d→a dropped (nobody leaves a closed zone); a→d has nowhere else to go: dropped too
    assert closed_d["dropped"] == pytest.approx(200_000) and closed_d["unreachable"] == 0


def test_demand_to_a_closed_zone_goes_to_the_origin_s_other_destinations() -> None:
    kept, moved, dropped = redistribute(
        {("a", "b"): 100, ("a", "c"): 30, ("a", "d"): 10, ("b", "a"): 40, ("c", "b"): 5},
        frozenset({"b"}))
    assert kept == pytest.approx({("a", "c"): 30 + 100 * 0.75, ("a", "d"): 10 + 100 * 0.25})
    assert moved == 100 and dropped == 40 + 5  # b's own trips; c has no other destination


def test_hours_without_counts_say_reliability_is_low(platform: Platform) -> None:
    diamond(platform)
    spec, network = checked_spec(platform, {"name": "night", "closures": [{"zone": "b"}],
                                            "start": "2026-11-23T03:00:00+01:00",
                                            "end": "2026-11-23T05:00:00+01:00"})
    result = run_scenario(platform, spec, network, until_us=MONDAY_9)
    assert [h["demand"] for h in result["hours"]] == [0, 0]
    assert result["explanation"]["reliability"] == "low"


@pytest.mark.parametrize(("body", "problem"), [
    ({"closures": [{"zone": "nope"}]}, "no zone 'nope'"),
    ({"closures": [{"link": "<script>"}]}, "no link '<script>'"),
    ({"closures": [{"zone": "b"}, {"zone": "b"}]}, "closed twice"),
    ({"closures": []}, "closures: a list"),
    ({"closures": [{"zone": "b", "link": "ab"}]}, "closure 1"),
    ({"end": "2026-11-23T09:00:00+01:00"}, "end: after start"),
    ({"end": "2026-11-22T09:00:00+01:00"}, "end: after start"),
    ({"end": "2027-11-23T09:00:00+01:00"}, "at most 168 hours"),
    ({"start": "tomorrow"}, "start: an ISO 8601"),
    ({"name": "x\x00"}, "name: required"),
    ({"name": "x" * 201}, "name: required"),
    ({"colour": "red"}, "unknown field(s): colour"),
])
def test_bad_scenarios_are_refused_with_every_problem(
        platform: Platform, body: dict, problem: str) -> None:
    diamond(platform)
    data = {"name": "test", "closures": [{"zone": "b"}], **WINDOW, **body}
    with pytest.raises(ScenarioInvalid) as caught:
        checked_spec(platform, data)
    assert any(problem in p for p in caught.value.details["problems"]), caught.value.details


def test_the_work_of_a_scenario_is_limited(platform: Platform) -> None:
    diamond(platform)
    platform.settings.twin_scenario_max_link_hours = 4 * 2 - 1  # 4 links × 2 hours is over
    data = {"name": "x", "closures": [{"zone": "b"}], "start": "2026-11-23T09:00:00+01:00",
            "end": "2026-11-23T11:00:00+01:00"}
    with pytest.raises(ScenarioInvalid) as caught:
        checked_spec(platform, data)
    assert "BELFORT_TWIN_SCENARIO_MAX_LINK_HOURS" in str(caught.value.details)
    checked_spec(platform, {**data, "end": "2026-11-23T10:00:00+01:00"})  # 4 × 1: allowed
