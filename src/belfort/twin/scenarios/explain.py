"""A scenario's result in plain language, in Dutch and English: what data, which method,
when, and how far to trust it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Brussels")


def _local(iso: str) -> str:
    """An ISO instant as Ghent's wall clock reads it: "2026-12-24 14:00"."""
    return datetime.fromisoformat(iso).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def reliability(result: dict[str, Any]) -> str:
    """"low" when the counts cover under half the zones, some hours had no counts, or the
    demand could not be balanced; "indicative" otherwise — never more: the demand model is
    not calibrated on a survey of where people walk."""
    data, hours = result["data"], result["hours"]
    residual = max((h["balance_residual"] for h in hours), default=0.0)
    covered = len(data["zones_with_counts"]) * 2 >= result["graph"]["zones"]
    if not covered or data["hours_with_demand"] < len(hours) or residual > 0.05:
        return "low"
    return "indicative"


def _closed(result: dict[str, Any], lang: str) -> str:
    parts = [(("zone " if lang == "en" else "zone ") if "zone" in c else
              ("street link " if lang == "en" else "straat ")) + next(iter(c.values()))
             for c in result["closures"]]
    return ", ".join(parts)


def explain(result: dict[str, Any]) -> dict[str, Any]:
    level = reliability(result)
    data = result["data"]
    window = {"start": _local(result["window"]["start"]), "end": _local(result["window"]["end"]),
              "hours": result["window"]["hours"]}
    totals = {k: f"{round(v):,}".replace(",", " ") for k, v in result["totals"].items()}
    computed = _local(result["computed_at"])
    crossing = sorted({f["zone"] for f in result["flagged"]})
    counted = len(data["zones_with_counts"])
    zones, links = result["graph"]["zones"], result["graph"]["links"]
    en = (
        f"What if {_closed(result, 'en')} closed from {window['start']} to {window['end']} "
        f"({window['hours']} h, Ghent time)? Data: the counts of the last "
        f"{data['demand_days']} days from "
        f"the sensors of {counted} of {zones} zones, averaged per weekday and hour; the "
        f"graph of {zones} zones and {links} street links. Method: walking trips between "
        "zones estimated with a gravity model balanced against each zone's hourly inflow, "
        "assigned in ten steps to the quickest paths, each street slowing as it fills "
        "(BPR); occupancy by Little's law. Computed at "
        f"{computed}. Of {totals['demand']} trips, {totals['redistributed']} "
        f"went elsewhere, {totals['dropped']} were dropped and {totals['unreachable']} "
        "could not reach their destination. "
        + (f"Zones moving to a busier band: {', '.join(crossing)}. " if crossing
           else "No zone moves to a busier band. ")
        + ("Reliability: low — too few zones or hours have counts. " if level == "low" else
           "Reliability: indicative — a model of where demand goes, not a forecast count; "
           "the counts include passers-by and the model is not calibrated on a survey. "))
    nl = (
        f"Wat als {_closed(result, 'nl')} dicht is van {window['start']} tot {window['end']} "
        f"({window['hours']} u, Gentse tijd)? Gegevens: de tellingen van de laatste "
        f"{data['demand_days']} "
        f"dagen van de sensoren in {counted} van {zones} zones, gemiddeld per weekdag en uur; "
        f"het netwerk van {zones} zones en {links} straten. Methode: verplaatsingen te voet "
        "tussen zones geschat met een zwaartekrachtmodel, afgestemd op wat elke zone per uur "
        "binnenkomt, in tien stappen toegedeeld aan de snelste routes, waarbij elke straat "
        "trager wordt naarmate ze voller loopt (BPR); bezetting volgens de wet van Little. "
        f"Berekend op {computed}. Van {totals['demand']} verplaatsingen gingen "
        f"er {totals['redistributed']} elders heen, vielen er {totals['dropped']} weg en "
        f"konden er {totals['unreachable']} hun bestemming niet bereiken. "
        + (f"Zones die drukker worden: {', '.join(crossing)}. " if crossing
           else "Geen enkele zone wordt drukker. ")
        + ("Betrouwbaarheid: laag — te weinig zones of uren met tellingen. " if level == "low"
           else "Betrouwbaarheid: indicatief — een model van waar de drukte heen gaat, geen "
           "voorspelde telling; tellers tellen ook passanten en het model is niet geijkt op "
           "een enquête. "))
    return {"reliability": level, "en": en.strip(), "nl": nl.strip()}
