"""Catalogue search benchmark: 10,000 generated datasets, ≥ 40 queries, p50/p95 per query.

    .venv/bin/python bench/search_bench.py            # 10,000 datasets, 30 runs per query
    .venv/bin/python bench/search_bench.py --quick    # 2,000 datasets, 5 runs (smoke run)

Prints a Markdown table and writes bench/out/results-search.json (results-search-quick.json
with --quick). Nothing is downloaded: the catalogue is composed from the vocabulary below with a
fixed seed. See bench/SEARCH.md for the method and the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, percentile  # noqa: E402

from belfort.search import CatalogueIndex, SearchDocument  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
TARGET_P95_MS = 30.0

# (Dutch title, English title, keywords, field names, theme, organisations)
TOPICS: list[tuple[str, str, tuple[str, ...], tuple[str, ...], str, tuple[str, ...]]] = [
    ("Fietstellingen", "Bicycle counts", ("fiets", "tellingen"),
     ("telpunt", "tijdstip", "richting", "aantal_fietsers"), "Mobiliteit", ("Mobiliteitsbedrijf Gent",)),
    ("Fietstelpaal", "Bicycle counter", ("fiets", "telpaal"),
     ("uur5minuten", "datum", "hoofdrichting", "tegenrichting", "totaal"), "Mobiliteit",
     ("Mobiliteitsbedrijf Gent",)),
    ("Bezetting parkeergarages", "Parking garage occupancy", ("parking", "parkeren"),
     ("naam", "vrije_plaatsen", "capaciteit", "laatste_update"), "Mobiliteit",
     ("Mobiliteitsbedrijf Gent",)),
    ("Bezetting P+R", "Park and ride occupancy", ("P+R", "overstapparking"),
     ("locatie", "beschikbaar", "bezettingsgraad"), "Mobiliteit", ("Mobiliteitsbedrijf Gent",)),
    ("Blue-bike deelfietsen", "Blue-bike shared bikes", ("deelfietsen", "blue-bike"),
     ("bikes_available", "bikes_in_use", "last_seen"), "Mobiliteit", ("Blue-bike",)),
    ("Locaties deelwagens", "Shared car locations", ("deelwagen", "autodelen"),
     ("wagen_id", "batterij_pct", "geometry"), "Mobiliteit", ("Partago", "Cambio")),
    ("Passantentellingen", "Pedestrian counts", ("passanten", "voetgangers"),
     ("telpunt_id", "tijdstip", "aantal"), "Economie", ("Stad Gent - Economie",)),
    ("Druktebarometer", "Crowd barometer", ("drukte", "binnenstad"),
     ("status_druktemeter", "toelichting_drukte", "tijd_van_voltooien"), "Economie", ("Stad Gent",)),
    ("Luchtkwaliteit", "Air quality", ("luchtkwaliteit", "fijn stof", "NO2"),
     ("station", "tijdstip", "pm10", "pm25", "no2"), "Milieu", ("Vlaamse Milieumaatschappij",)),
    ("Afvalkalender", "Waste collection calendar", ("ophaling", "restafval", "GFT"),
     ("straat", "fractie", "ophaaldatum"), "Milieu", ("IVAGO",)),
    ("Sluikstortmeldingen", "Illegal dumping reports", ("zwerfvuil", "netheid"),
     ("datum", "type", "wijk"), "Milieu", ("IVAGO", "Stad Gent")),
    ("Bevolking", "Population", ("inwoners", "demografie"),
     ("jaar", "leeftijdsklasse", "geslacht", "aantal_inwoners"), "Bevolking",
     ("Stad Gent - Data en Informatie",)),
    ("Werkzoekenden", "Jobseekers", ("werkloosheid", "VDAB"), ("jaar", "werkzoekenden"), "Werk",
     ("Stad Gent - Data en Informatie",)),
    ("Bomeninventaris", "Tree inventory", ("bomen", "groen"),
     ("boomsoort", "hoogte", "stamomtrek", "plantjaar"), "Milieu", ("Stad Gent - Groendienst",)),
    ("Parken en groenzones", "Parks and green areas", ("groen", "park"),
     ("naam", "oppervlakte_m2"), "Milieu", ("Stad Gent - Groendienst",)),
    ("Scholen", "Schools", ("onderwijs", "scholen"), ("schoolnaam", "net", "adres"), "Onderwijs",
     ("Stad Gent - Onderwijscentrum",)),
    ("Kinderopvang", "Childcare", ("baby", "peuter"), ("naam", "plaatsen", "adres"), "Welzijn",
     ("Stad Gent - Kinderopvang",)),
    ("Haltes De Lijn", "De Lijn stops", ("bus", "tram", "halte"),
     ("haltenummer", "omschrijving", "lijnen"), "Mobiliteit", ("De Lijn",)),
    ("Verkeerstellingen", "Traffic counts", ("verkeer", "tellingen"),
     ("meetpunt", "tijdstip", "aantal_voertuigen", "snelheid"), "Mobiliteit",
     ("Mobiliteitsbedrijf Gent", "Agentschap Wegen en Verkeer")),
    ("Wegenwerken en hinder", "Roadworks and disruption", ("hinder", "omleiding", "GIPOD"),
     ("gipod_id", "startdatum", "einddatum"), "Mobiliteit",
     ("Stad Gent - Dienst Wegen, Bruggen en Waterlopen",)),
    ("Laadpalen", "Charging stations", ("laadpunt", "elektrisch rijden"),
     ("adres", "aantal_laadpunten", "vermogen_kw"), "Energie", ("Stad Gent - Klimaatdienst",)),
    ("Energieverbruik", "Energy use", ("energie", "elektriciteit", "gas"),
     ("gebouw", "jaar", "elektriciteit_kwh", "gas_kwh"), "Energie", ("Stad Gent - Facility Management",)),
    ("Verkiezingsuitslagen", "Election results", ("verkiezingen", "gemeenteraad"),
     ("stembureau", "partij", "stemmen"), "Bestuur", ("Stad Gent - Burgerzaken",)),
    ("Verwerkingsregister", "Register of processing activities", ("privacy", "AVG", "GDPR"),
     ("verwerking", "doeleinde", "rechtsgrond", "bewaartermijn"), "Bestuur",
     ("Stad Gent - Informatieveiligheid",)),
    ("Evenementen", "Events", ("evenementen", "cultuur", "agenda"),
     ("titel", "startdatum", "locatie"), "Cultuur", ("Visit Gent",)),
    ("Toeristische overnachtingen", "Tourist overnight stays", ("toerisme", "logies"),
     ("maand", "land", "overnachtingen"), "Toerisme", ("Visit Gent",)),
    ("Waterpeil", "Water levels", ("waterstand", "rivier"), ("meetpunt", "tijdstip", "peil_m_taw"),
     "Milieu", ("De Vlaamse Waterweg",)),
    ("Geluidsmetingen", "Noise measurements", ("geluid", "lawaai"), ("sensor_id", "laeq_db"),
     "Milieu", ("Imec City of Things", "Departement Omgeving")),
    ("Stadswijken", "City districts", ("wijken", "grenzen"), ("wijk", "wijknr", "geometry"),
     "Bestuur", ("Stad Gent - Data en Informatie",)),
    ("Meldingen Gentinfo", "Citizen reports", ("meldingen", "openbaar domein"),
     ("melding_id", "categorie", "tijd_van_melden", "tijd_van_voltooien"), "Bestuur",
     ("Stad Gent - Gentinfo",)),
    ("Omgevingsvergunningen", "Environmental permits", ("vergunning", "bouwen"),
     ("dossiernummer", "adres", "status"), "Wonen", ("Stad Gent - Stedenbouw",)),
    ("Sociale woningen", "Social housing", ("wonen", "huisvesting"), ("adres", "woningen"), "Wonen",
     ("Sogent", "Stad Gent - Dienst Wonen")),
    ("Zwembaden", "Swimming pools", ("zwemmen", "sport"), ("zwembad", "openingsuren"), "Sport",
     ("Stad Gent - Sportdienst",)),
    ("Begroting", "Budget", ("begroting", "financien"), ("beleidsdomein", "jaar", "uitgaven"),
     "Bestuur", ("Stad Gent - Financiën",)),
    ("Beschermd erfgoed", "Protected heritage", ("monumenten", "erfgoed"), ("naam", "beschermd_sinds"),
     "Cultuur", ("Agentschap Onroerend Erfgoed",)),
]
PLACES = [
    "Gent", "Binnenstad", "Dampoort", "Sint-Pieters", "Gentbrugge", "Ledeberg", "Wondelgem",
    "Oostakker", "Sint-Amandsberg", "Drongen", "Mariakerke", "Zwijnaarde", "Muide", "Brugse Poort",
    "Rabot", "Sluizeken", "Bloemekenswijk", "Nieuw Gent", "Moscou", "Oud Gentbrugge",
    "Stationsbuurt", "Watersportbaan", "Afrikalaan", "Kouter", "Korenmarkt", "Veldstraat",
    "Coupure", "Bataviabrug", "Zuidpark", "Muinkpark",
]
QUALIFIERS_NL = ["per uur", "per dag", "per maand", "per jaar", "per wijk", "real-time", "historiek",
                 "open data", "overzicht", "locaties", "kaart", "statistieken"]
QUALIFIERS_EN = ["per hour", "per day", "per month", "per year", "by district", "real-time",
                 "history", "open data", "overview", "locations", "map", "statistics"]
FILLER = (
    "de gegevens worden dagelijks bijgewerkt door de stad en zijn vrij te gebruiken voor "
    "onderzoek apps en analyses het bestand bevat de meest recente metingen op het grondgebied "
    "van gent met coordinaten in wgs84 en lambert72 zie ook de toelichting bij de velden "
    "opgelet sommige waarden ontbreken door storingen aan de sensoren bron registratie door "
    "medewerkers van de dienst in samenwerking met partners uit de regio").split()
FILLER_EN = ("the data are updated daily by the city and free to use for research apps and "
             "analysis the file holds the latest measurements in ghent with coordinates "
             "some values are missing due to sensor outages").split()
# Morphemes for the long tail of a real catalogue's vocabulary: Dutch compounds and street names
# ("fietsbrug", "waterplein", "groenstraten", "Vandenbergstraat"), so the vocabulary, the compound
# look-ups and the typo index are as big as a large portal's, not just the topic words.
MORPHEMES = (
    "fiets auto bus tram trein voet park plein straat weg laan brug kaai dijk haven water groen "
    "boom bos veld tuin markt winkel huis woon school kerk toren licht stad wijk buurt dorp zorg "
    "sport speel kunst boek film muziek feest zon wind warmte energie lucht geluid afval glas "
    "papier plastic hout steen zand klei regen storm hitte koude nacht dag week jaar maand uur "
    "meet tel kaart lijst plan zone grens poort kant hoek punt lijn net paal bord licht"
).split()
ENDINGS = ["", "", "", "en", "s", "ing", "ingen", "tje"]
NAMES = ("Van den Berg|De Smet|Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|"
         "Wouters|De Clercq|Dubois|Lambert|Dupont|Hendrickx|Verstraete|Van Damme|De Vos|Pauwels"
         ).split("|")
STREETS = ["straat", "laan", "plein", "steenweg", "dreef", "kaai", "hof", "wegel"]
STATES = ["published"] * 16 + ["deprecated"] * 3 + ["draft"]

QUERIES: list[tuple[str, str]] = [
    # (query, kind)
    ("fietstellingen", "nl"), ("fietstelpaal", "nl"), ("parkeergarages", "nl"),
    ("druktebarometer", "nl"), ("luchtkwaliteit", "nl"), ("afvalkalender", "nl"),
    ("verwerkingsregister", "nl"), ("stadswijken", "nl"), ("bomen", "nl"), ("laadpalen", "nl"),
    ("telpaal", "compound"), ("garages", "compound"), ("wijk", "compound"), ("fiets", "compound"),
    ("fietstelpal", "typo"), ("parkeerggarage", "typo"), ("drukbarometer", "typo"),
    ("luchtkwalitet", "typo"), ("verwerkingsregsiter", "typo"), ("bomeninventarsi", "typo"),
    ("stadswijkne", "typo"), ("afvalkalnder", "typo"),
    ("rijwiel", "synonym"), ("vuilnis", "synonym"), ("buurt", "synonym"), ("bezoekers", "synonym"),
    ("openbaar vervoer", "synonym"), ("car sharing", "synonym"), ("fijn stof", "synonym"),
    ("bicycle counts", "en"), ("parking occupancy", "en"), ("tree inventory", "en"),
    ("election results", "en"), ("air quality", "en"), ("waste collection calendar", "en"),
    ("vrije_plaatsen", "field"), ("tijd_van_voltooien", "field"), ("stamomtrek", "field"),
    ("Vlaamse Milieumaatschappij", "organisation"), ("IVAGO", "organisation"),
    ("bezetting parkeergarages real-time", "multi"), ("fietstellingen per uur dampoort", "multi"),
    ("bevolking per wijk 2020", "multi"), ("real-time bezetting P+R Gentbrugge", "multi"),
    ("gent", "common"), ("open data gent", "common"),
    ("fietstelpal parkeerggarage drukbarometer luchtkwalitet afvalkalnder stadswijkne bomen "
     "rijwiel buurt vuilnis", "long"),
    # worst case: 32 words (the most a query reads), each with a synonym group to expand
    ("fiets drukte parking bus verkeer deelfiets deelauto laadpaal fietspad wegenwerken trein "
     "wijk bevolking school kinderopvang bibliotheek zwembad sport speelplein begraafplaats "
     "toerisme cultuur verkiezingen begroting vergunning adres afval luchtkwaliteit boom water "
     "energie geluid", "worst"),
]


def generate(n: int, seed: int = 20240101) -> list[SearchDocument]:
    """``n`` realistic datasets composed from the topics, places and qualifiers above."""
    rng = random.Random(seed)
    docs: list[SearchDocument] = []
    for i in range(n):
        nl, en, keywords, fields, theme, orgs = rng.choice(TOPICS)
        place = rng.choice(PLACES)
        q = rng.randrange(len(QUALIFIERS_NL))
        year = rng.choice(["", "", str(rng.randint(2010, 2024))])
        title_nl = " ".join(x for x in (nl, place, QUALIFIERS_NL[q], year) if x)
        title_en = (" ".join(x for x in (en, place, QUALIFIERS_EN[q], year) if x)
                    if rng.random() < 0.5 else None)
        compounds = [rng.choice(MORPHEMES) + rng.choice(MORPHEMES) + rng.choice(ENDINGS)
                     for _ in range(8)]
        street = rng.choice(NAMES).replace(" ", "") + rng.choice(STREETS)
        desc = " ".join([nl.lower(), "in", place, "aan de", street]
                        + rng.sample(FILLER, 20) + compounds) + "."
        desc_en = " ".join([en.lower(), "in", place] + rng.sample(FILLER_EN, 12)) if title_en else None
        extra_fields = rng.sample(["id", "geometry", "lat", "long", "opmerking", "bron", "versie"], 3)
        docs.append(SearchDocument(
            id=f"ds-{i:05d}", title_nl=title_nl, title_en=title_en,
            description_nl=desc, description_en=desc_en,
            keywords=tuple(keywords) + (place.lower(), compounds[0]), organisation=rng.choice(orgs),
            field_names=tuple(fields) + tuple(extra_fields), themes=(theme,),
            state=rng.choice(STATES),
        ))
    return docs


def run(n_docs: int, runs: int, warmup: int, log: Any = print) -> dict[str, Any]:
    t0 = time.perf_counter()
    docs = generate(n_docs)
    gen_s = time.perf_counter() - t0
    log(f"generated {n_docs:,} datasets in {gen_s:.2f} s")

    # The first build stems every word (the stems are then cached per process, as they are in a
    # portal that rebuilds its index when the catalogue changes); later builds reuse them.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    index = CatalogueIndex.build(docs)
    cold = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    builds = []
    for _ in range(3):
        t0 = time.perf_counter()
        index = CatalogueIndex.build(docs)
        builds.append(time.perf_counter() - t0)
    log(f"index build: first {cold:.2f} s, then median {statistics.median(builds):.2f} s; "
        f"vocabulary {len(index.vocabulary):,} words")

    by_id = {d.id: d for d in docs}
    per_query: list[dict[str, Any]] = []
    all_ms: list[float] = []
    all_cpu: list[float] = []
    for query, kind in QUERIES:
        for _ in range(warmup):
            index.search(query, limit=20)
        samples, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            hits = index.search(query, limit=20)
            samples.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        n_hits = len(index.search(query))
        top = by_id[hits[0].id].title_nl if hits else None
        all_ms.extend(samples)
        all_cpu.extend(cpu)
        per_query.append({
            "query": query, "kind": kind, "hits": n_hits, "top_title": top,
            "p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(percentile(samples, 95), 2),
            "max_ms": round(max(samples), 2),
            "cpu_p50_ms": round(statistics.median(cpu), 2),
            "cpu_p95_ms": round(percentile(cpu, 95), 2),
        })
    p95_all = percentile(all_ms, 95)
    # what a portal of Ghent's size pays: build times of smaller catalogues (stems cached, as
    # in a process that rebuilds its index)
    smaller = {}
    for size in (300, 1_000):
        t0 = time.perf_counter()
        CatalogueIndex.build(docs[:size])
        smaller[str(size)] = round(time.perf_counter() - t0, 3)
    service = service_timings(docs, index, runs)
    return {
        "service": service,
        "datasets": n_docs, "queries": len(QUERIES), "runs_per_query": runs, "warmup": warmup,
        "generate_s": round(gen_s, 2),
        "build_s": {"first": round(cold, 2), "rebuild_median": round(statistics.median(builds), 2),
                    "rebuild_samples": [round(b, 2) for b in builds]},
        "vocabulary_words": len(index.vocabulary),
        "max_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "rebuild_s_smaller_catalogues": smaller,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "all_queries": {"n": len(all_ms), "p50_ms": round(statistics.median(all_ms), 2),
                        "p95_ms": round(p95_all, 2), "max_ms": round(max(all_ms), 2),
                        "cpu_p50_ms": round(statistics.median(all_cpu), 2),
                        "cpu_p95_ms": round(percentile(all_cpu, 95), 2)},
        "worst_query_p95_ms": max(q["p95_ms"] for q in per_query),
        "target_p95_ms": TARGET_P95_MS,
        "target_met": p95_all <= TARGET_P95_MS,
        "per_query": per_query,
    }


SERVICE_QUESTIONS = ["fietstellingen", "parkeerggarage", "bezetting parkeergarages real-time", "gent"]


def service_timings(docs: list[SearchDocument], index: CatalogueIndex, runs: int) -> dict[str, Any]:
    """What every dialect pays on top of the engine: the catalogue search service's ``find``
    (filter interpreter, facet columns, ordering) over cards of the same datasets, with the
    same index. Rows: the words alone (relevance order), the words and a theme refinement
    (as v1 ``refine.theme`` and v2.1 ``refine`` ask), the words sorted by last change
    (an explicit ``order_by``), and a v2.1-style comparison on a metadata field."""
    from belfort.query.model import And, Compare, FieldRef, In, Literal, Search
    from belfort.search.cards import DatasetCard, FieldInfo
    from belfort.search.catalogue import CatalogueQuery, CatalogueSnapshot, SortKey, find

    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    cards = [DatasetCard(
        id=d.id, title_nl=d.title_nl, title_en=d.title_en, description_nl=d.description_nl,
        description_en=d.description_en, organisation=d.organisation, themes=d.themes,
        keywords=d.keywords, licence="CC-BY-4.0", frequency="daily", classification="open", state=d.state,
        formats=("csv",), rows=i % 1000, fields=tuple(FieldInfo(n, "string") for n in d.field_names),
        created_at=base, updated_at=base.replace(day=1 + i % 28), records_count=i % 1000,
    ) for i, d in enumerate(docs)]
    t0 = time.perf_counter()
    snap = CatalogueSnapshot(cards, index)
    snapshot_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    snap.metadata("nl")  # the first comparison or sort after a rebuild reads every card once
    metadata_s = time.perf_counter() - t0
    theme = docs[0].themes[0]
    shapes = {
        "words": lambda q: CatalogueQuery(where=Search(q)),
        "words + refine theme": lambda q: CatalogueQuery(
            where=And((Search(q), In(FieldRef("theme"), (Literal(theme),))))),
        "words, order_by modified desc": lambda q: CatalogueQuery(
            where=Search(q), sort=(SortKey("modified", descending=True),)),
        "words + records_count > 500": lambda q: CatalogueQuery(
            where=And((Search(q), Compare(">", FieldRef("records_count"), Literal(500))))),
    }
    rows = []
    for name, shape in shapes.items():
        samples = []
        for q in SERVICE_QUESTIONS:
            find(snap, shape(q))
            for _ in range(runs):
                t = time.perf_counter()
                find(snap, shape(q))
                samples.append((time.perf_counter() - t) * 1000)
        rows.append({"question": name, "n": len(samples), "p50_ms": round(statistics.median(samples), 2),
                     "p95_ms": round(percentile(samples, 95), 2)})
    return {"snapshot_s": round(snapshot_s, 3), "metadata_first_use_s": round(metadata_s, 3),
            "queries": SERVICE_QUESTIONS, "rows": rows}


API_CALLS = {
    "portal /datasets?q=": ("/datasets", "q"),
    "native /api/belfort/v1/datasets?q=": ("/api/belfort/v1/datasets", "q"),
    "v1 /api/datasets/1.0/search/?q=": ("/api/datasets/1.0/search/", "q"),
    "v2.1 catalog/datasets?where=search()": ("/api/explore/v2.1/catalog/datasets", "where"),
}


def api_timings(n_docs: int, runs: int) -> dict[str, Any]:
    """Server time (in-process over ASGI, as bench/portal_bench.py) of the same searches through
    every dialect's catalogue endpoint, on ``n_docs`` generated datasets in a SQLite catalogue;
    the first call builds the snapshot and is reported apart."""
    import tempfile

    from fastapi.testclient import TestClient
    from portal_bench import _catalogue

    from belfort.app import create_app
    from belfort.platform import Platform
    from belfort.settings import Settings

    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="belfort-search-api-") as tmp:
        data = Path(tmp) / "catalogue"
        _catalogue(data, n_docs)
        platform = Platform(Settings(data_dir=data, quota_per_address=0, quota_per_key=0))
        try:
            with TestClient(create_app(platform)) as client:
                t0 = time.perf_counter()
                assert client.get("/api/belfort/v1/datasets").status_code == 200
                rows["first_call_s"] = round(time.perf_counter() - t0, 2)
                for name, (path, param) in API_CALLS.items():
                    samples = []
                    for q in SERVICE_QUESTIONS:
                        value = f'search("{q}")' if param == "where" else q
                        for _ in range(runs + 1):
                            t = time.perf_counter()
                            response = client.get(path, params={param: value})
                            samples.append((time.perf_counter() - t) * 1000)
                            if response.status_code != 200:
                                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
                        samples.pop(-runs - 1)  # the first of each question warms the page's caches
                    rows[name] = {"n": len(samples), "p50_ms": round(statistics.median(samples), 2),
                                  "p95_ms": round(percentile(samples, 95), 2)}
        finally:
            platform.close()
    return rows


def table(r: dict[str, Any]) -> str:
    a = r["all_queries"]
    lines = [
        f"Catalogue search over {r['datasets']:,} generated datasets "
        f"({r['vocabulary_words']:,} distinct words); {r['queries']} queries x "
        f"{r['runs_per_query']} runs, limit=20",
        "",
        "| query | kind | hits | top result (Dutch title) | p50 ms | p95 ms | CPU p50 | CPU p95 |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for q in r["per_query"]:
        text = q["query"] if len(q["query"]) <= 40 else q["query"][:37] + "..."
        lines.append(f"| `{text}` | {q['kind']} | {q['hits']:,} | {q['top_title'] or '-'} | "
                     f"{q['p50_ms']:.2f} | {q['p95_ms']:.2f} | {q['cpu_p50_ms']:.2f} | "
                     f"{q['cpu_p95_ms']:.2f} |")
    met = "MET" if r["target_met"] else "NOT MET"
    lines += [
        "",
        f"All queries: p50 {a['p50_ms']:.2f} ms, p95 {a['p95_ms']:.2f} ms, max {a['max_ms']:.2f} ms "
        f"(n={a['n']}); worst single-query p95 {r['worst_query_p95_ms']:.2f} ms; "
        f"CPU time p50 {a['cpu_p50_ms']:.2f} ms, p95 {a['cpu_p95_ms']:.2f} ms",
        f"Index build: first {r['build_s']['first']:.2f} s (stems every word), rebuild median "
        f"{r['build_s']['rebuild_median']:.2f} s (runs {r['build_s']['rebuild_samples']}); "
        f"max RSS growth during the first build {r['max_rss_growth_mb']} MB; rebuild of the "
        "first " + ", ".join(f"{int(k):,} datasets {v:.2f} s"
                              for k, v in r["rebuild_s_smaller_catalogues"].items()),
        "",
        f"The catalogue search service on the same datasets (what every dialect pays: filters, "
        f"facet columns, order), queries {', '.join(r['service']['queries'])}; snapshot "
        f"{r['service']['snapshot_s']:.2f} s, first metadata read {r['service']['metadata_first_use_s']:.2f} s:",
        "",
        "| question | n | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
        *(f"| {row['question']} | {row['n']} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} |"
          for row in r["service"]["rows"]),
        "",
        f"Load average after the run: {r['load_average_after']}",
        f"Target p95 <= {r['target_p95_ms']:.0f} ms per query: {met}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 datasets, 5 runs per query")
    parser.add_argument("--api", action="store_true",
                        help="only time each dialect's catalogue search endpoint (10 runs per question)")
    args = parser.parse_args(argv)
    if args.api:
        n = 2_000 if args.quick else 10_000
        api = api_timings(n, 10)
        print(f"Catalogue search through every dialect, {n:,} datasets, questions "
              f"{', '.join(SERVICE_QUESTIONS)}; first call (snapshot and index build) {api.pop('first_call_s')} s")
        print("\n| endpoint | n | p50 ms | p95 ms |\n|---|---:|---:|---:|")
        for name, row in api.items():
            print(f"| {name} | {row['n']} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} |")
        print(f"\nLoad average after the run: {[round(x, 2) for x in os.getloadavg()]}")
        return 0
    n_docs, runs, warmup = (2_000, 5, 1) if args.quick else (10_000, 30, 3)
    started = datetime.now(timezone.utc)
    result = run(n_docs, runs, warmup)
    result.update({
        "started": started.isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "command": " ".join([".venv/bin/python", "bench/search_bench.py",
                             *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine_info(),
    })
    print(table(result))
    OUT.mkdir(parents=True, exist_ok=True)
    name = "results-search-quick.json" if args.quick else "results-search.json"
    (OUT / name).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwrote {OUT / name}")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
