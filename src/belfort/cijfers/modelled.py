"""The demo's modelled Ghent profile: 25 wijken × 35 indicators × 10 years (2015–2024),
generated plausibly from each wijk's modelled population and a few traits drawn per wijk
(young or old, income, density) — **modelled, not official figures**: every indicator says
so in its description and has ``modelled=True``. Plus two indicators computed live from the
demo's counting data (passers-by per day per wijk, counting points per wijk).

Counts add up to the city figure; shares are numerator over denominator for the city too;
means are weighted by inhabitants. Deterministic (one seed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from belfort.cijfers.compute import recompute
from belfort.cijfers.geography import CITY_LEVEL, WIJK_LEVEL, Geography
from belfort.cijfers.models import Indicator
from belfort.cijfers.store import Value, open_schema, save_indicator, save_tables, write_many
from belfort.platform import Platform
from belfort.policy.principals import Principal

YEARS = tuple(range(2015, 2025))
SEED = 2026
NOTE_NL = " Gemodelleerd voor de demo van Belfort: plausibel, geen officieel cijfer."
NOTE_EN = " Modelled for Belfort's demo: plausible, not an official figure."


@dataclass(frozen=True)
class Modelled:
    code: str
    name_nl: str
    name_en: str
    theme: str
    unit: str
    kind: str  # count | share (numerator / denominator) | mean (weighted by inhabitants)
    decimals: int = 0


INDICATORS: tuple[Modelled, ...] = (
    Modelled("bev_totaal", "Inwoners", "Inhabitants", "demografie", "personen", "count"),
    Modelled(
        "bev_0_17", "Inwoners 0-17 jaar", "Inhabitants aged 0-17", "demografie", "personen", "count"
    ),
    Modelled(
        "bev_18_64",
        "Inwoners 18-64 jaar",
        "Inhabitants aged 18-64",
        "demografie",
        "personen",
        "count",
    ),
    Modelled(
        "bev_65plus",
        "Inwoners 65 jaar en ouder",
        "Inhabitants aged 65+",
        "demografie",
        "personen",
        "count",
    ),
    Modelled(
        "bev_80plus",
        "Inwoners 80 jaar en ouder",
        "Inhabitants aged 80+",
        "demografie",
        "personen",
        "count",
    ),
    Modelled("bev_100plus", "Honderdjarigen", "Centenarians", "demografie", "personen", "count"),
    Modelled("geboorten", "Geboorten", "Births", "demografie", "personen", "count"),
    Modelled("overlijdens", "Overlijdens", "Deaths", "demografie", "personen", "count"),
    Modelled("huishoudens", "Huishoudens", "Households", "huishoudens", "huishoudens", "count"),
    Modelled(
        "hh_alleen",
        "Eenpersoonshuishoudens",
        "One-person households",
        "huishoudens",
        "huishoudens",
        "count",
    ),
    Modelled(
        "inwijkingen",
        "Inwijkingen uit het buitenland",
        "Immigration from abroad",
        "migratie",
        "personen",
        "count",
    ),
    Modelled(
        "uitwijkingen",
        "Uitwijkingen naar het buitenland",
        "Emigration abroad",
        "migratie",
        "personen",
        "count",
    ),
    Modelled(
        "bev_niet_be",
        "Inwoners met een niet-Belgische nationaliteit",
        "Inhabitants without Belgian nationality",
        "migratie",
        "personen",
        "count",
    ),
    Modelled(
        "nwwz", "Niet-werkende werkzoekenden", "Unemployed job seekers", "werk", "personen", "count"
    ),
    Modelled(
        "leefloon",
        "Leefloongerechtigden",
        "People on social assistance",
        "inkomen",
        "personen",
        "count",
    ),
    Modelled(
        "opvang_plaatsen",
        "Plaatsen in de kinderopvang",
        "Childcare places",
        "kinderopvang",
        "plaatsen",
        "count",
    ),
    Modelled("woningen", "Woongelegenheden", "Dwellings", "wonen", "woningen", "count"),
    Modelled(
        "sociale_woningen",
        "Sociale huurwoningen",
        "Social rented dwellings",
        "wonen",
        "woningen",
        "count",
    ),
    Modelled("personenwagens", "Personenwagens", "Passenger cars", "mobiliteit", "wagens", "count"),
    Modelled(
        "vestigingen",
        "Vestigingen van ondernemingen",
        "Business establishments",
        "economie",
        "vestigingen",
        "count",
    ),
    Modelled(
        "huisartsen", "Huisartsen", "General practitioners", "gezondheid", "personen", "count"
    ),
    Modelled(
        "aandeel_0_17",
        "Aandeel inwoners 0-17 jaar",
        "Share of inhabitants aged 0-17",
        "demografie",
        "%",
        "share",
        1,
    ),
    Modelled(
        "aandeel_65plus",
        "Aandeel inwoners 65+",
        "Share of inhabitants aged 65+",
        "demografie",
        "%",
        "share",
        1,
    ),
    Modelled(
        "aandeel_niet_be",
        "Aandeel niet-Belgische nationaliteit",
        "Share without Belgian nationality",
        "migratie",
        "%",
        "share",
        1,
    ),
    Modelled(
        "werkzaamheidsgraad",
        "Werkzaamheidsgraad 20-64 jaar",
        "Employment rate 20-64",
        "werk",
        "%",
        "share",
        1,
    ),
    Modelled(
        "werkloosheidsgraad", "Werkloosheidsgraad", "Unemployment rate", "werk", "%", "share", 1
    ),
    Modelled(
        "aandeel_hh_alleen",
        "Aandeel eenpersoonshuishoudens",
        "Share of one-person households",
        "huishoudens",
        "%",
        "share",
        1,
    ),
    Modelled(
        "aandeel_sociale_woningen",
        "Aandeel sociale huurwoningen",
        "Share of social rented dwellings",
        "wonen",
        "%",
        "share",
        1,
    ),
    Modelled(
        "kansarmoede",
        "Kansarmoede-index geboorten",
        "Births in deprived families",
        "gezondheid",
        "%",
        "share",
        1,
    ),
    Modelled(
        "opvang_per_100",
        "Plaatsen kinderopvang per 100 kinderen 0-2",
        "Childcare places per 100 children 0-2",
        "kinderopvang",
        "per 100",
        "share",
        1,
    ),
    Modelled(
        "inkomen_mediaan",
        "Mediaan netto belastbaar inkomen per aangifte",
        "Median net taxable income per return",
        "inkomen",
        "EUR",
        "mean",
    ),
    Modelled(
        "hh_grootte",
        "Gemiddelde huishoudgrootte",
        "Average household size",
        "huishoudens",
        "personen",
        "mean",
        2,
    ),
    Modelled(
        "wagens_per_hh",
        "Personenwagens per huishouden",
        "Passenger cars per household",
        "mobiliteit",
        "wagens",
        "mean",
        2,
    ),
    Modelled(
        "dichtheid",
        "Bevolkingsdichtheid",
        "Population density",
        "demografie",
        "inwoners per km²",
        "mean",
    ),
    Modelled(
        "tevredenheid_buurt",
        "Tevreden over de buurt",
        "Satisfied with the neighbourhood",
        "leefbaarheid",
        "%",
        "mean",
        1,
    ),
)

LIVE_INDICATORS: tuple[dict[str, object], ...] = (
    {
        "code": "passanten_per_dag",
        "name_nl": "Passanten per dag aan de telpunten",
        "name_en": "Passers-by per day at the counting points",
        "theme": "mobiliteit",
        "unit": "passanten per dag",
        "period_type": "month",
        "threshold": 0,
        "description_nl": "Het aantal getelde voorbijgangers per dag (alle telpunten in de wijk "
        "samen), "
        "live berekend uit passantentellingen-gent-demo en telpunten-drukte-gent.",
        "description_en": "Passers-by counted per day (all counting points in the wijk "
        "together), computed "
        "live from passantentellingen-gent-demo and telpunten-drukte-gent.",
        "definition": {
            "dataset": "passantentellingen-gent-demo",
            "measure": "sum",
            "field": "aantal",
            "time": "tijdstip",
            "per_day": True,
            "location_from": {
                "dataset": "telpunten-drukte-gent",
                "key": "id",
                "location": "locatie",
                "join": "telpunt_id",
            },
        },
    },
    {
        "code": "telpunten",
        "name_nl": "Telpunten in dienst genomen",
        "name_en": "Counting points taken into service",
        "theme": "mobiliteit",
        "unit": "telpunten",
        "period_type": "year",
        "description_nl": "Telpunten per wijk naar het jaar van indienstname (ook per type "
        "telinstrument), live berekend uit "
        "telpunten-drukte-gent (een ruimtelijke koppeling van de ligging aan de wijken).",
        "description_en": "Counting points per wijk by the year they went into service (also "
        "per type of instrument), "
        "computed live "
        "from telpunten-drukte-gent (a spatial join of their location to the wijken).",
        "definition": {
            "dataset": "telpunten-drukte-gent",
            "measure": "count",
            "time": "in_dienst_sinds",
            "location": "locatie",
            "breakdown": {
                "field": "instrument",
                "code": "instrument",
                "name_nl": "Type telinstrument",
                "name_en": "Type of counting instrument",
                "members": [
                    {"code": "camera", "name_nl": "Camera", "name_en": "Camera"},
                    {"code": "wifi", "name_nl": "Wifi-sensor", "name_en": "Wi-Fi sensor"},
                    {"code": "telraam", "name_nl": "Telraam", "name_en": "Telraam"},
                ],
            },
        },
    },
)


def _traits(geography: Geography) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(SEED)
    found = {}
    for wijk in geography.wijken:
        found[wijk.code] = {
            "pop": float(wijk.inhabitants or 8000),
            "young": float(rng.uniform(0.14, 0.26)),
            "old": float(rng.uniform(0.10, 0.24)),
            "income": float(rng.uniform(0.75, 1.3)),
            "foreign": float(rng.uniform(0.05, 0.30)),
            "growth": float(rng.uniform(-0.004, 0.015)),
            "km2": float(rng.uniform(0.8, 14.0))
            if wijk.inhabitants and wijk.inhabitants > 5000
            else float(rng.uniform(8, 25)),
            "noise": float(rng.uniform(0.9, 1.1)),
        }
    return found


def _wijk_year(t: dict[str, float], year: int) -> dict[str, tuple[float, float | None]]:
    """The modelled figures of one wijk in one year: code → (value, contributors); a share's
    contributors are its numerator, its value numerator / denominator."""
    pop = t["pop"] * (1 + t["growth"]) ** (year - 2024)
    step = (year - 2015) / 9
    young, old = t["young"], t["old"] + 0.01 * step
    hh_size = 2.4 - 0.5 * t["foreign"] - 0.4 * (1 - t["young"] / 0.26) * 0.5
    households = pop / hh_size
    alone = households * (0.30 + 0.25 * (1 - t["income"] / 1.3) + 0.05 * step)
    seekers = pop * 0.62 * (0.12 - 0.06 * t["income"]) * (1.1 - 0.2 * step)
    active = pop * 0.62
    employed = active * (0.58 + 0.2 * t["income"] - 0.05 * t["foreign"])
    dwellings = households * 1.04
    social = dwellings * max(0.02, 0.22 - 0.15 * t["income"])
    cars = households * (0.45 + 0.4 * t["income"] - 0.2 * (1 - t["km2"] / 25))
    kids_0_2 = pop * young * 0.17
    places = kids_0_2 * (0.45 + 0.15 * t["income"]) * (0.9 + 0.1 * step)
    births = pop * (0.009 + 0.01 * young)
    foreign = pop * t["foreign"] * (1 + 0.2 * step)
    counts = {
        "bev_totaal": pop,
        "bev_0_17": pop * young,
        "bev_18_64": pop * (1 - young - old),
        "bev_65plus": pop * old,
        "bev_80plus": pop * old * 0.3,
        "bev_100plus": pop * old * 0.0008,
        "geboorten": births,
        "overlijdens": pop * (0.004 + 0.03 * old),
        "huishoudens": households,
        "hh_alleen": alone,
        "inwijkingen": foreign * 0.09,
        "uitwijkingen": foreign * 0.05,
        "bev_niet_be": foreign,
        "nwwz": seekers,
        "leefloon": pop * 0.02 * (1.4 - t["income"]),
        "opvang_plaatsen": places,
        "woningen": dwellings,
        "sociale_woningen": social,
        "personenwagens": cars,
        "vestigingen": pop * 0.08 * t["income"],
        "huisartsen": pop / 1400,
    }
    figures: dict[str, tuple[float, float | None]] = {
        k: (v * t["noise"], v * t["noise"]) for k, v in counts.items()
    }
    shares = {
        "aandeel_0_17": (pop * young, pop),
        "aandeel_65plus": (pop * old, pop),
        "aandeel_niet_be": (foreign, pop),
        "werkzaamheidsgraad": (employed, active),
        "werkloosheidsgraad": (seekers, seekers + employed),
        "aandeel_hh_alleen": (alone, households),
        "aandeel_sociale_woningen": (social, dwellings),
        "kansarmoede": (births * max(0.03, 0.35 - 0.25 * t["income"]), births),
        "opvang_per_100": (places, kids_0_2),
    }
    for code, (num, den) in shares.items():
        figures[code] = (num, den)
    figures["inkomen_mediaan"] = (22_000 * t["income"] * (1 + 0.02 * (year - 2015)), pop)
    figures["hh_grootte"] = (hh_size, pop)
    figures["wagens_per_hh"] = (cars / households, pop)
    figures["dichtheid"] = (pop / t["km2"], pop)
    figures["tevredenheid_buurt"] = (60 + 25 * (t["income"] - 0.75), pop)
    return figures


def modelled_values(geography: Geography) -> dict[str, list[Value]]:
    """Every modelled indicator's values, per wijk and for the city, 2015–2024."""
    traits = _traits(geography)
    kinds = {m.code: m for m in INDICATORS}
    tables: dict[str, list[Value]] = {m.code: [] for m in INDICATORS}
    for year in YEARS:
        period = str(year)
        city: dict[str, list[float]] = {m.code: [0.0, 0.0] for m in INDICATORS}
        for wijk in geography.wijken:
            for code, (a, b) in _wijk_year(traits[wijk.code], year).items():
                m = kinds[code]
                if m.kind == "count":
                    n = int(round(a))
                    tables[code].append(
                        Value(WIJK_LEVEL, wijk.code, period, float(n), None, n, "modelled")
                    )
                    city[code][0] += n
                elif m.kind == "share":
                    tables[code].append(
                        Value(
                            WIJK_LEVEL,
                            wijk.code,
                            period,
                            round(100 * a / (b or 1), m.decimals),
                            None,
                            int(round(a)),
                            "modelled",
                        )
                    )
                    city[code][0] += a
                    city[code][1] += b or 0
                else:
                    tables[code].append(
                        Value(
                            WIJK_LEVEL,
                            wijk.code,
                            period,
                            round(a, m.decimals),
                            None,
                            None,
                            "modelled",
                        )
                    )
                    city[code][0] += a * (b or 0)
                    city[code][1] += b or 0
        for code, (a, b) in city.items():
            m = kinds[code]
            if m.kind == "count":
                value, contributors = a, int(a)
            elif m.kind == "share":
                value, contributors = round(100 * a / (b or 1), m.decimals), int(round(a))
            else:
                value, contributors = round(a / b, m.decimals), None
            tables[code].append(
                Value(
                    CITY_LEVEL, geography.city.code, period, value, None, contributors, "modelled"
                )
            )
    return tables


def load_profile(platform: Platform, principal: Principal, geography: Geography) -> Iterator[str]:
    """Save the modelled indicators and their values, and the live ones (computed now);
    idempotent: a profile loaded before is left alone (the live indicators follow their
    sources' new versions themselves: ``hooks``)."""
    with platform.db.session() as session:
        if session.get(Indicator, INDICATORS[0].code) is not None:
            yield "gent in cijfers: already loaded"
            return
    save_tables(
        platform,
        principal,
        [
            {
                "code": m.code,
                "name_nl": m.name_nl,
                "name_en": m.name_en,
                "theme": m.theme,
                "unit": m.unit,
                "decimals": m.decimals,
                "period_type": "year",
                "first_period": str(YEARS[0]),
                "last_period": str(YEARS[-1]),
                "modelled": True,
                "description_nl": m.name_nl + "." + NOTE_NL,
                "description_en": m.name_en + "." + NOTE_EN,
            }
            for m in INDICATORS
        ],
    )
    write_many(platform, modelled_values(geography))
    yield (
        f"gent in cijfers: {len(INDICATORS)} modelled indicators × "
        f"{len(geography.wijken)} wijken × {len(YEARS)} years"
    )
    live = [
        spec
        for spec in LIVE_INDICATORS
        if all(open_schema(platform, d) is not None for d in _datasets(spec))
    ]
    for spec in live:
        save_indicator(platform, principal, spec)
    outcome = recompute(platform, geography, [str(spec["code"]) for spec in live])
    failed = {code: error for code, error in outcome.items() if error}
    yield f"gent in cijfers: {len(live) - len(failed)} indicators computed from the demo's data" + (
        f" ({len(failed)} failed: {', '.join(failed)})" if failed else ""
    )


def _datasets(spec: dict[str, object]) -> list[str]:
    definition = spec["definition"]
    assert isinstance(definition, dict)
    found = [str(definition["dataset"])]
    if "location_from" in definition:
        found.append(str(definition["location_from"]["dataset"]))
    return found
