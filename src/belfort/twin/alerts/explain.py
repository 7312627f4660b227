"""An alert in plain language (Dutch and English): which rule, which data, when, and how
far to trust it. Built when the alert is raised and kept with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from belfort.twin.alerts.forecast import ZoneForecast

LOCAL = ZoneInfo("Europe/Brussels")
LEVEL_WORDS = {"attention": ("aandacht", "attention"), "warning": ("waarschuwing", "warning"),
               "critical": ("kritiek", "critical")}
METHODS = {"passages": ("passages (doorstroom × verblijftijd)",
                        "passages (flow × dwell time)"),
           "entries-exits": ("in- en uitgangen", "entries minus exits"),
           "occupancy": ("gemeten bezetting", "measured occupancy")}


@dataclass(frozen=True)
class Evidence:
    """What a rule saw when it fired."""

    kind: str
    value: float
    threshold: float
    clear_below: float
    min_minutes: int
    sensors: int = 0
    method: str | None = None
    observed_us: int | None = None
    normal_weeks: int = 0  # deviation: the earlier weeks "normal" rests on
    normal_p50: float | None = None
    forecast: ZoneForecast | None = None
    crossing_us: int | None = None  # forecast: the first hour above the threshold


def _clock(us: int | None) -> str:
    if us is None:
        return "?"
    return datetime.fromtimestamp(us / 1e6, LOCAL).strftime("%d/%m %H:%M")


def _age(now_us: int, us: int | None) -> str:
    return "?" if us is None else str(max(0, round((now_us - us) / 60e6)))


def explain(zone_name: str, level: str, evidence: Evidence, now_us: int) -> dict[str, Any]:
    """``{"nl", "en", "rule", "data", "when", "reliability"}`` (each of the last four a
    ``{"nl", "en"}`` sentence; ``nl``/``en`` the whole explanation)."""
    e = evidence
    nl_level, en_level = LEVEL_WORDS.get(level, (level, level))
    hold = (f" gedurende minstens {e.min_minutes} minuten" if e.min_minutes else "",
            f" for at least {e.min_minutes} minutes" if e.min_minutes else "")
    if e.kind == "score_above":
        rule = (f"De drukte-score van {zone_name} was {e.value:g} (drempel {e.threshold:g})"
                f"{hold[0]}; het alarm verdwijnt pas onder {e.clear_below:g}.",
                f"The crowding score of {zone_name} was {e.value:g} (threshold "
                f"{e.threshold:g}){hold[1]}; the alert clears only below {e.clear_below:g}.")
    elif e.kind == "deviation":
        rule = (f"In {zone_name} is het nu {e.value:g} keer zo druk als normaal voor dit "
                f"moment (drempel {e.threshold:g}×){hold[0]}; het alarm verdwijnt pas onder "
                f"{e.clear_below:g}×.",
                f"{zone_name} is now {e.value:g} times as busy as normal for this moment "
                f"(threshold {e.threshold:g}×){hold[1]}; the alert clears only below "
                f"{e.clear_below:g}×.")
    else:
        rule = (f"De voorspelde drukte-score van {zone_name} komt boven {e.threshold:g} om "
                f"{_clock(e.crossing_us)} (hoogste verwachte score {e.value:g}).",
                f"The forecast crowding score of {zone_name} goes above {e.threshold:g} at "
                f"{_clock(e.crossing_us)} (highest expected score {e.value:g}).")
    nl_method, en_method = METHODS.get(e.method or "", (e.method or "?", e.method or "?"))
    if e.kind == "forecast_above" and e.forecast is not None:
        data = (f"Voorspelling van model {e.forecast.model}, gemaakt om "
                f"{_clock(e.forecast.made_us)}.",
                f"Forecast by model {e.forecast.model}, made at {_clock(e.forecast.made_us)}.")
        accuracy = e.forecast.accuracy or "onbekend / unknown"
        coverage = ("" if e.forecast.coverage is None else
                    f" ({round(e.forecast.coverage * 100)}%)")
        trust = (f"Nauwkeurigheid van het model tot nu toe: {accuracy}{coverage}.",
                 f"The model's accuracy so far: {accuracy}{coverage}.")
    else:
        data = (f"{e.sensors} sensor(en), methode {nl_method}; nieuwste meting "
                f"{_age(now_us, e.observed_us)} minuten oud.",
                f"{e.sensors} sensor(s), method {en_method}; newest observation "
                f"{_age(now_us, e.observed_us)} minutes old.")
        if e.kind == "deviation":
            data = (data[0] + f" Normaal (p50) voor dit moment: {e.normal_p50:g}, uit "
                    f"{e.normal_weeks} eerdere weken.",
                    data[1] + f" Normal (p50) for this moment: {e.normal_p50:g}, from "
                    f"{e.normal_weeks} earlier weeks.")
        few = e.sensors < 2 or (e.kind == "deviation" and e.normal_weeks < 4)
        trust = (("Beperkt betrouwbaar: " if few else "Betrouwbaar: ")
                 + ("weinig sensoren of weken geschiedenis." if few else
                    "meerdere sensoren en genoeg geschiedenis."),
                 ("Limited reliability: " if few else "Reliable: ")
                 + ("few sensors or weeks of history." if few else
                    "several sensors and enough history."))
    when = (f"Verhoogd naar {nl_level} op {_clock(now_us)}.",
            f"Raised to {en_level} at {_clock(now_us)}.")
    parts = {"rule": rule, "data": data, "when": when, "reliability": trust}
    out: dict[str, Any] = {name: {"nl": p[0], "en": p[1]} for name, p in parts.items()}
    out["nl"] = " ".join(p[0] for p in parts.values())
    out["en"] = " ".join(p[1] for p in parts.values())
    return out
