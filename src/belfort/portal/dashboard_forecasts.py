"""A dashboard tile's forecast as the page shows it, beside the tile's live value: a table
drawn on the server (readable without JavaScript; the live stream redraws it with the rest
of the tile), which model made it and how accurate it has been (with a link to the model's
page), or — in words — why there is none.

One zone or sensor: a row per hour (hour, forecast, 80 % margin, level for a zone). Every
zone (``zones: "*"``): a row per zone, its live score when the tile shows it ("Nu"), then a
column per hour ("45 (30–60) druk").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from belfort.portal import values
from belfort.portal.i18n import Translator

ZONE = ZoneInfo("Europe/Brussels")
BANDS = {"rustig": ("rustig", "quiet"), "druk": ("druk", "busy"),
         "te druk": ("te druk", "too busy")}
# the serving side's reasons (English) → a plain sentence in the page's language
REASONS = (("forecasts are not served", "not_served"), ("no forecast model", "no_model"),
           ("no forecast has been made", "not_made"), ("too little history", "history"),
           ("sensor outage", "outage"), ("not in the model", "not_in_model"),
           ("sensors have no forecast", "sensors"), ("no forecast for this sensor", "no_sensor"),
           ("there are no zones", "no_zones"), ("entries and exits only", "counters"),
           ("no occupancy or passage", "counters"), ("no zone has a forecast", "sensors"))


@dataclass
class ForecastRow:
    header: str
    cells: list[str] = field(default_factory=list)
    withheld: str = ""  # why this zone has no forecast (the row's one cell)


@dataclass
class ForecastView:
    heading: str
    caption: str
    headers: list[str]
    rows: list[ForecastRow]
    made_text: str = ""
    accuracy: str = ""  # in English: the registry's words (shown with lang="en")
    link: str = ""
    link_text: str = ""
    degraded: bool = False
    withheld: str = ""  # no forecast at all: why, in the page's language
    withheld_detail: str = ""  # … and the serving side's own words (English)


def reason_text(reason: str | None, lang: str) -> str:
    t = Translator(lang)
    text = (reason or "").lower()
    for needle, key in REASONS:
        if needle in text:
            return t(f"dash_fc_why_{key}")
    return t("dash_fc_why_other")


def _hour(iso: str) -> str:
    moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZONE)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _band(label: str | None, lang: str) -> str:
    names = BANDS.get(label or "")
    return "" if names is None else names[1 if lang == "en" else 0]


def _number(value: Any, lang: str) -> str:
    return values.format_number(int(round(float(value))), lang) if value is not None else ""


def forecast_view(forecast: dict[str, Any] | None, title: str, live: dict[str, Any],
                  lang: str) -> ForecastView | None:
    """``live``: zone name → the live value the tile shows (for the "Nu" column)."""
    if not forecast:
        return None
    t = Translator(lang)
    series = forecast.get("series") or []
    view = ForecastView(t("dash_fc_heading", hours=forecast.get("hours")),
                        t("dash_fc_caption", title=title), [], [])
    model = forecast.get("model")
    if model:
        made = forecast.get("made")
        made_text = values.format_datetime(
            dt.datetime.fromisoformat(made.replace("Z", "+00:00")), lang).text if made else "—"
        view.made_text = t("dash_fc_made", made=made_text, version=model.get("version"))
        view.accuracy = str(model.get("accuracy") or "")
        view.link = str(model.get("link") or "") + ("?lang=en" if lang == "en" else "")
        view.link_text = t("dash_fc_model_link")
        view.degraded = bool(model.get("degraded"))
    if forecast.get("withheld") and not any(s.get("points") for s in series):
        view.withheld = t("dash_fc_none", reason=reason_text(forecast["withheld"], lang))
        view.withheld_detail = str(forecast["withheld"])
        return view
    if forecast.get("kind") == "zones":
        _per_zone(view, series, live, lang)
    else:
        _per_hour(view, series[0], forecast.get("kind") != "sensor", lang)
    return view


def _per_hour(view: ForecastView, one: dict[str, Any], zone: bool, lang: str) -> None:
    t = Translator(lang)
    view.headers = [t("dash_fc_col_hour"), t("dash_fc_col_value"), t("dash_fc_col_interval")]
    if zone:
        view.headers.append(t("dash_fc_col_level"))
    for p in one.get("points") or []:
        cells = [_number(p["forecast"], lang),
                 f"{_number(p['lower'], lang)}–{_number(p['upper'], lang)}"]
        if zone:
            cells.append(_band(p.get("label"), lang))
        view.rows.append(ForecastRow(_hour(p["time"]), cells))


def _per_zone(view: ForecastView, series: list[dict[str, Any]], live: dict[str, Any],
              lang: str) -> None:
    t = Translator(lang)
    times = next([p["time"] for p in s["points"]] for s in series if s.get("points"))
    view.headers = [t("dash_fc_col_zone"), t("dash_fc_col_now"), *(_hour(x) for x in times)]
    for s in series:
        name = str(s.get("name") or s.get("id"))
        now = live.get(name)
        row = ForecastRow(name, [_number(now, lang) if now is not None else "—"])
        if not s.get("points"):
            row.withheld = t("dash_fc_none_zone", reason=reason_text(s.get("withheld"), lang))
        for p in s.get("points") or []:
            cell = t("dash_fc_cell", value=_number(p["forecast"], lang),
                     lower=_number(p["lower"], lang), upper=_number(p["upper"], lang))
            row.cells.append(f"{cell} {_band(p.get('label'), lang)}".strip())
        view.rows.append(row)
