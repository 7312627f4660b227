"""The indicators as one open dataset: ``gent-in-cijfers``, readable through every API
(Opendatasoft v1 search, Explore v2.1 records and exports, Belfort's native API) like any
other dataset.

One long-format table, a row per indicator, area and period (and per member of an
indicator's breakdown: ``dimensie``, ``dimensie_lid`` — ``totaal`` on the rows of its
totals, empty for an indicator without a breakdown), made from the **protected**
values only: a value hidden by the display threshold (``"< 5"``) or by secondary suppression
(``"x"``) is a null ``waarde`` with its ``weergave`` and ``status``; the raw number behind it
never leaves the database. It is a ``LiveSource`` (``belfort.streams.live``): its ``mark``
is read from the database (how many values, when the indicators were last computed), so
every process serves the values of the last computation within ``BELFORT_LIVE_REFRESH_SECONDS``
— recomputing an indicator is all it takes to keep the dataset in step.

Why one dataset and not one per indicator: the live mechanism (a registered source per
dataset id, a catalogue entry each) fits a fixed set of datasets; one long table gives
facets on indicator, level and period for free, and an indicator saved later appears in it
without a new catalogue entry. Rows of a modelled indicator say so (``gemodelleerd``).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select

from belfort.catalog import field_dictionary, organisations
from belfort.catalog.models import Dataset, Version
from belfort.cijfers.breakdown import breakdown_of
from belfort.cijfers.geography import LEVEL_NAMES, Geography, geography_of
from belfort.cijfers.models import (
    EMPTY,
    NOT_APPLICABLE,
    SUPPRESSED_BY_SUPPLIER,
    UNKNOWN,
    Indicator,
    IndicatorValue,
    MemberValue,
)
from belfort.cijfers.periods import type_of
from belfort.cijfers.protection import HIDDEN
from belfort.platform import Platform
from belfort.schema import Field, TableSchema
from belfort.streams.live import live_registry
from belfort.streams.live_catalog import publish_live_dataset

DATASET = "gent-in-cijfers"
TOTAL = "totaal"  # ``dimensie_lid`` of the totals' rows of an indicator with a breakdown
ORGANISATION = ("stad-gent-dienst-data-en-informatie", {
    "name_nl": "Stad Gent - Dienst Data en Informatie",
    "name_en": "City of Ghent - Data and Information Service",
    "description_nl": "Beheert de open data van de stad en helpt diensten hun data te publiceren.",
    "description_en": "Looks after the city's open data and helps departments publish theirs.",
    "homepage": "https://stad.gent"})

SCHEMA = pa.schema([
    ("indicator", pa.string()), ("indicator_naam", pa.string()), ("thema", pa.string()),
    ("geoniveau", pa.string()), ("geoniveau_naam", pa.string()), ("geo_code", pa.string()),
    ("geo_naam", pa.string()), ("periodeniveau", pa.string()), ("periode", pa.string()),
    ("waarde", pa.float64()), ("weergave", pa.string()), ("status", pa.string()),
    ("ontbrekend_code", pa.int64()), ("eenheid", pa.string()), ("gemodelleerd", pa.bool_()),
    ("bronversie", pa.string()), ("dimensie", pa.string()), ("dimensie_lid", pa.string()),
    ("dimensie_lid_naam", pa.string()),
])
TYPES = {pa.string(): "string", pa.float64(): "number", pa.int64(): "integer",
         pa.bool_(): "boolean"}
TEXTS: dict[str, tuple[str, str]] = {
    "indicator": ("Indicator (code)", "Indicator (code)"),
    "indicator_naam": ("Indicator", "Indicator name"),
    "thema": ("Thema", "Theme"),
    "geoniveau": ("Geografisch niveau (gemeente, wijk, sector)", "Geographic level"),
    "geoniveau_naam": ("Naam van het niveau", "Name of the level"),
    "geo_code": ("Gebiedscode", "Area code"),
    "geo_naam": ("Gebied", "Area"),
    "periodeniveau": ("Periodeniveau (year, halfyear, quarter, month)", "Period level"),
    "periode": ("Periode", "Period"),
    "waarde": ("Waarde (leeg: beschermd of ontbrekend)", "Value (empty: protected or missing)"),
    "weergave": ("Zoals gepubliceerd (bv. '< 5', 'x')", "As published (e.g. '< 5', 'x')"),
    "status": ("Status", "Status"),
    "ontbrekend_code": ("Swing-code voor een ontbrekende waarde", "Swing missing-value code"),
    "eenheid": ("Eenheid", "Unit"),
    "gemodelleerd": ("Gemodelleerd (geen officieel cijfer)", "Modelled (not an official figure)"),
    "bronversie": ("Bron (dataset@versie)", "Source (dataset@version)"),
    "dimensie": ("Uitsplitsing (leeg: het totaal)", "Breakdown (empty: the total)"),
    "dimensie_lid": ("Lid van de uitsplitsing (code)", "Member of the breakdown (code)"),
    "dimensie_lid_naam": ("Lid van de uitsplitsing", "Member of the breakdown"),
}
# status: what a row's value is; a missing code's status is Swing's meaning of it
PUBLISHED = "gepubliceerd"
BELOW_THRESHOLD = "onder drempel"
HIDDEN_STATUS = "verborgen"
MISSING_STATUS = {
    UNKNOWN: "onbekend",
    NOT_APPLICABLE: "niet van toepassing",
    SUPPRESSED_BY_SUPPLIER: "onderdrukt door leverancier",
    EMPTY: "leeg",
}


def _fields() -> TableSchema:
    return TableSchema(fields=tuple(
        Field(name=f.name, type=TYPES[f.type], title=TEXTS[f.name][0]) for f in SCHEMA))


def published(value: float | None, missing: int | None, display: str | None,
              decimals: int) -> tuple[float | None, str, str, int | None]:
    """What anyone may see of a stored value: ``(waarde, weergave, status, ontbrekend_code)``;
    a protected or missing value has no number."""
    if missing is not None:
        return None, str(int(missing)), MISSING_STATUS.get(int(missing), "onbekend"), int(missing)
    if display is not None:
        return None, display, HIDDEN_STATUS if display == HIDDEN else BELOW_THRESHOLD, None
    if value is None:
        return None, str(UNKNOWN), MISSING_STATUS[UNKNOWN], UNKNOWN
    rounded = round(value, decimals)
    text = str(int(rounded)) if decimals == 0 else f"{rounded:.{decimals}f}"
    return float(rounded), text, PUBLISHED, None


def columns(platform: Platform, geography: Geography) -> dict[str, list[Any]]:
    """Every published value, protected, as the dataset's columns."""
    names = {(level, a.code): a.name for level in geography.levels()
             for a in geography.items(level)}
    with platform.db.session() as session:
        rows_ = list(session.scalars(select(Indicator)))
        indicators = {row.code: (row.name_nl, row.theme, row.decimals, row.period_type,
                                 row.unit, bool(row.modelled)) for row in rows_}
        breakdowns = {row.code: split for row in rows_
                      if (split := breakdown_of(row.definition)) is not None}
        table = IndicatorValue.__table__
        found = session.execute(
            select(table.c.indicator, table.c.geolevel, table.c.geoitem, table.c.period,
                   table.c.value, table.c.missing, table.c.display, table.c.source_version)
            .order_by(table.c.indicator, table.c.geolevel, table.c.geoitem, table.c.period)
        ).all()
        member_table = MemberValue.__table__
        by_member = session.execute(
            select(member_table.c.indicator, member_table.c.geolevel, member_table.c.geoitem,
                   member_table.c.period, member_table.c.value, member_table.c.missing,
                   member_table.c.display, member_table.c.source_version,
                   member_table.c.member)
            .order_by(member_table.c.indicator, member_table.c.geolevel,
                      member_table.c.geoitem, member_table.c.period, member_table.c.member)
        ).all()
    out: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    add = [out[name].append for name in SCHEMA.names]
    periods: dict[str, str | None] = {}
    every: list[tuple[Any, ...]] = [tuple(r) for r in found] + [tuple(r) for r in by_member]
    for code, level, item, period, value, missing, display, version, *rest in every:
        indicator = indicators.get(code)
        if indicator is None:
            continue
        breakdown = breakdowns.get(code)
        member = rest[0] if rest else (TOTAL if breakdown is not None else None)
        if member is not None and breakdown is None:
            continue
        lid = breakdown.member(member) if breakdown is not None and member else None
        lid_name = lid.name_nl if lid is not None else ("Totaal" if member == TOTAL else None)
        name, theme, decimals, period_type, unit, modelled = indicator
        waarde, weergave, status, ontbrekend = published(value, missing, display, decimals)
        if period not in periods:
            periods[period] = type_of(period)
        for append, cell in zip(add, (
            code, name, theme, level, LEVEL_NAMES.get(level, level), item,
            names.get((level, item), item), periods[period] or period_type, period,
            waarde, weergave, status, ontbrekend, unit, modelled, version,
            breakdown.code if breakdown is not None and member else None, member,
            lid_name,
        ), strict=True):
            append(cell)
    return out


def rows(platform: Platform, geography: Geography) -> list[dict[str, Any]]:
    """Every published value, protected, as rows of the dataset's columns."""
    found = columns(platform, geography)
    return [dict(zip(found, cells, strict=True)) for cells in zip(*found.values(), strict=True)]


class IndicatorSource:
    """``gent-in-cijfers`` (a ``LiveSource``)."""

    dataset_id = DATASET

    def mark(self, platform: Platform) -> str:
        with platform.db.session() as session:
            indicators = session.execute(select(
                func.count(Indicator.code), func.max(Indicator.computed_at),
                func.max(Indicator.updated_at))).one()
            values = session.scalar(select(func.count()).select_from(IndicatorValue))
            members = session.scalar(select(func.count()).select_from(MemberValue))
        geography = geography_of(platform)
        text = (f"{tuple(indicators)}|{values}|{members}|{geography.levels()}|"
                f"{len(geography.sectors)}")
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def table(self, platform: Platform) -> pa.Table:
        return pa.Table.from_pydict(columns(platform, geography_of(platform)), schema=SCHEMA)


def register(platform: Platform) -> None:
    """Add the source to this process's live registry (at start-up; idempotent)."""
    live_registry(platform).add(IndicatorSource())


METADATA: dict[str, Any] = {
    "organisation": ORGANISATION[1]["name_nl"],
    "contact_point": {"name": "Dienst Data en Informatie", "email": "data@stad.gent"},
    "themes": ["SOCI", "REGI"],
    "licence": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
    "spatial": "Gent", "frequency": "irregular", "timezone": "Europe/Brussels",
    "steward": "Team Data en Informatie - Gent in Cijfers",
    "title_nl": "Gent in Cijfers: indicatoren per wijk",
    "title_en": "Ghent in Figures: indicators per neighbourhood",
    "description_nl": (
        "Alle indicatoren van Gent in Cijfers in één tabel: een rij per indicator, gebied "
        "(gemeente, wijk, statistische sector) en periode. Kleine aantallen zijn beschermd: "
        "een waarde onder de drempel ('< 5') of verborgen ('x') heeft geen getal. Rijen met "
        "gemodelleerd = true zijn gemodelleerd (plausibel, geen officieel cijfer). Bijgewerkt "
        "telkens een indicator opnieuw berekend wordt."),
    "description_en": (
        "Every indicator of Ghent in Figures in one table: a row per indicator, area (city, "
        "wijk, statistical sector) and period. Small numbers are protected: a value below "
        "the threshold ('< 5') or hidden ('x') has no number. Rows with gemodelleerd = true "
        "are modelled (plausible, not an official figure). Updated whenever an indicator is "
        "computed again."),
    "keywords": ["gent in cijfers", "wijkmonitor", "indicatoren", "wijken", "statistiek",
                 "gemodelleerd"],
    "record_key": ["indicator", "geoniveau", "geo_code", "periode", "dimensie_lid"],
    # the SPARQL store holds the rows as W3C Data Cube observations (belfort.linked.cube)
    "rdf_mapping": {
        "other_fields": "skip",
        "cube": {"dataset": "indicator", "label": "indicator_naam",
                 "area": "{_base}/id/gebied/{geoniveau}/{geo_code}", "area_label": "geo_naam",
                 "period": "periode", "measure": "waarde", "unit": "eenheid",
                 "status": "status", "dimension": "dimensie", "member": "dimensie_lid",
                 "member_label": "dimensie_lid_naam"},
    },
}


NEW_FIELDS = ("dimensie", "dimensie_lid", "dimensie_lid_naam")  # the breakdowns' columns


def _upgrade(session: Any, dataset: Dataset) -> bool:
    """An entry made before breakdowns existed (its live version's schema without their
    columns) gets them, with the record key and the cube mapping that name them: the live
    table has them now, and without ``dimensie_lid`` in the key a member's row would have
    its total's record id. True when changed."""
    if dataset.published_version is None or not (dataset.rdf_mapping or {}).get("cube"):
        return False
    version = session.scalar(select(Version).where(
        Version.dataset_id == dataset.id, Version.number == dataset.published_version))
    names = {f.get("name") for f in (version.table_schema or {}).get("fields", [])} if version \
        else set()
    if version is None or set(NEW_FIELDS) <= names or not (version.source or "").startswith(
            "live:"):
        return False
    version.table_schema = _fields().to_dict()
    dataset.record_key = list(METADATA["record_key"])
    dataset.rdf_mapping = dict(METADATA["rdf_mapping"])
    session.flush()
    field_dictionary.set_texts(session, dataset, {
        name: field_dictionary.FieldTexts(title_nl=TEXTS[name][0], title_en=TEXTS[name][1],
                                          unit=None)
        for name in NEW_FIELDS})
    return True


def ensure(platform: Platform) -> bool:
    """Make the dataset's catalogue entry unless it exists (and register its source here);
    True when made now. Cheap when it exists: one lookup."""
    register(platform)
    with platform.db.session() as session:
        existing = session.get(Dataset, DATASET)
        if existing is not None:
            if _upgrade(session, existing):
                platform.generation.bump()
            return False
        if organisations.find_organisation(session, ORGANISATION[1]["name_nl"]) is None:
            organisations.add_organisation(session, *ORGANISATION)
    texts: dict[str, dict[str, str | None]] = {
        name: {"title_nl": nl, "title_en": en, "unit": None} for name, (nl, en) in TEXTS.items()}
    return publish_live_dataset(platform, DATASET, METADATA, SCHEMA, _fields(), texts)
