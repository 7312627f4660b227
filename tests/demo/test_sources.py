"""The demo catalogue's files and metadata: valid, parseable, consistent, deterministic.

Builds with ``size="small"`` (fast), plus a few checks on the real Auckland series as a
whole, since its corrections (hour shift, outages) are the part most likely to regress.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from belfort.catalog.metadata import DatasetMetadata, check_slug
from belfort.demo import DemoSource, auckland, build_demo_sources, ghent_counts
from belfort.demo._io import brussels_offset

EXPECTED_IDS = [
    "passantentellingen-auckland",
    "passantentellers-auckland",
    "stadswijken-gent-demo",
    "telpunten-drukte-gent",
    "passantentellingen-gent-demo",
    "bezetting-parkeergarages-demo",
    "meldingen-openbaar-domein-intern",
    "luchtkwaliteit-sensoren-demo",
]
FRICTIONLESS_TYPES = {
    "integer", "number", "boolean", "date", "datetime", "string", "geopoint", "geometry"
}
SHARED = Path("/work/shared")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DemoSource]:
    workdir = tmp_path_factory.mktemp("demo")
    return {s.dataset_id: s for s in build_demo_sources(workdir, size="small")}


def read_csv(source: DemoSource, delimiter: str) -> list[dict[str, str]]:
    with source.path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


# ── Catalogue shape ──────────────────────────────────────────────────────────


def test_expected_dataset_ids(built: dict[str, DemoSource]) -> None:
    assert list(built) == EXPECTED_IDS
    for dataset_id in built:
        assert check_slug(dataset_id) == dataset_id


def test_every_metadata_validates(built: dict[str, DemoSource]) -> None:
    for source in built.values():
        model = DatasetMetadata(**source.metadata)
        assert set(source.metadata) == set(DatasetMetadata.model_fields), source.dataset_id
        assert model.title_en and model.description_nl and model.description_en
        assert model.contact_point.email and model.contact_point.email.endswith("@stad.gent")
        assert model.themes and model.keywords and model.licence and model.steward


def test_overrides_use_frictionless_types(built: dict[str, DemoSource]) -> None:
    for source in built.values():
        assert set(source.overrides.values()) <= FRICTIONLESS_TYPES, source.dataset_id


def test_one_internal_and_one_draft(built: dict[str, DemoSource]) -> None:
    models = {i: DatasetMetadata(**s.metadata) for i, s in built.items()}
    internal = [i for i, m in models.items() if m.classification.value != "open"]
    assert internal == ["meldingen-openbaar-domein-intern"]
    assert models["meldingen-openbaar-domein-intern"].classification_reason
    assert [i for i, s in built.items() if s.draft] == ["luchtkwaliteit-sensoren-demo"]


def test_auckland_licence_is_cc_by(built: dict[str, DemoSource]) -> None:
    meta = built["passantentellingen-auckland"].metadata
    assert meta["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "CC BY 4.0" in meta["description_nl"] and "CC BY 4.0" in meta["description_en"]


def test_files_exist_parse_and_stay_small(built: dict[str, DemoSource]) -> None:
    delimiters = {
        "passantentellingen-auckland": ",",
        "passantentellers-auckland": ",",
        "telpunten-drukte-gent": ";",
        "passantentellingen-gent-demo": ";",
        "bezetting-parkeergarages-demo": ";",
        "luchtkwaliteit-sensoren-demo": ";",
    }
    for dataset_id, source in built.items():
        assert source.path.is_file() and source.path.parent.exists()
        if dataset_id in delimiters:
            rows = read_csv(source, delimiters[dataset_id])
            widths = {len(r) for r in rows}
            assert len(widths) == 1 and None not in rows[0], dataset_id  # no ragged rows
        else:
            data = json.loads(source.path.read_text(encoding="utf-8"))
            rows = data["features"] if isinstance(data, dict) else data
        assert 0 < len(rows) < 2_500, (dataset_id, len(rows))


# ── Individual datasets ──────────────────────────────────────────────────────


def test_neighbourhoods(built: dict[str, DemoSource]) -> None:
    data = json.loads(built["stadswijken-gent-demo"].path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    names = [f["properties"]["wijk"] for f in features]
    assert len(features) == 25 and len(set(names)) == 25
    assert {"Binnenstad", "Zwijnaarde", "Gentse Kanaaldorpen en -zone"} <= set(names)
    assert sorted(f["properties"]["wijknr"] for f in features) == list(range(1, 26))
    for f in features:
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"
        assert 50.95 < lat < 51.20 and 3.55 < lon < 3.90  # around Ghent, [lon, lat] order
        assert f["properties"]["inwoners"] > 0
    assert 200_000 < sum(f["properties"]["inwoners"] for f in features) < 300_000


def test_sensors_have_geopoint_and_area(built: dict[str, DemoSource]) -> None:
    rows = read_csv(built["telpunten-drukte-gent"], ";")
    assert len({r["id"] for r in rows}) == len(rows) >= 12
    for row in rows:
        lat, lon = (float(p) for p in row["locatie"].split(", "))
        assert 51.0 < lat < 51.1 and 3.6 < lon < 3.8
        assert int(row["netto_oppervlakte_m2"]) > 0
        assert row["instrument"] in {"telraam", "camera", "wifi"}


def test_parking_is_consistent(built: dict[str, DemoSource]) -> None:
    rows = read_csv(built["bezetting-parkeergarages-demo"], ";")
    assert len({r["garage"] for r in rows}) == 12
    assert len(rows) == 12 * 2 * 96  # two days, every 15 minutes
    for row in rows:
        cap, taken, free = int(row["capaciteit"]), int(row["bezet"]), int(row["vrije_plaatsen"])
        assert taken + free == cap and 0 <= taken <= cap
        assert row["open"] in {"ja", "nee"}
        assert "," in row["bezettingsgraad"] and "." not in row["bezettingsgraad"]
        rate = float(row["bezettingsgraad"].replace(",", "."))
        assert rate == pytest.approx(taken / cap, abs=0.006)
    # Shopping Saturday fills the centre garages more than Friday morning.
    vrijdagmarkt = [r for r in rows if r["garage"] == "Vrijdagmarkt"]
    sat = [int(r["bezet"]) for r in vrijdagmarkt if r["tijdstip"].startswith("2024-03-09T15")]
    fri = [int(r["bezet"]) for r in vrijdagmarkt if r["tijdstip"].startswith("2024-03-08T08")]
    assert min(sat) > max(fri)


def test_gent_counts_outage_nulls_and_festival(built: dict[str, DemoSource]) -> None:
    rows = read_csv(built["passantentellingen-gent-demo"], ";")
    assert len(rows) == 12 * 7 * 24
    assert len({(r["telpunt_id"], r["tijdstip"]) for r in rows}) == len(rows)
    empty = [r for r in rows if r["aantal"] == ""]
    assert empty, "the small week has one simulated outage"
    assert all(int(r["aantal"]) >= 0 for r in rows if r["aantal"] != "")
    count = {(r["telpunt_id"], r["tijdstip"]): r["aantal"] for r in rows}
    festival = count[("TP01", "2024-07-20T22:00:00+02:00")]  # Gentse Feesten Saturday
    monday = count[("TP01", "2024-07-15T22:00:00+02:00")]
    assert int(festival) > 2 * int(monday)


def test_gentse_feesten_dates() -> None:
    assert ghent_counts.gentse_feesten(2023) == (date(2023, 7, 14), date(2023, 7, 23))
    assert ghent_counts.gentse_feesten(2024) == (date(2024, 7, 19), date(2024, 7, 28))
    assert ghent_counts.gentse_feesten(2025) == (date(2025, 7, 18), date(2025, 7, 27))


def test_brussels_offsets_follow_eu_rule() -> None:
    assert brussels_offset(datetime(2024, 3, 31, 0, 59)).utcoffset(None).seconds == 3600
    assert brussels_offset(datetime(2024, 3, 31, 1, 0)).utcoffset(None).seconds == 7200
    assert brussels_offset(datetime(2024, 10, 27, 0, 59)).utcoffset(None).seconds == 7200
    assert brussels_offset(datetime(2024, 10, 27, 1, 0)).utcoffset(None).seconds == 3600


def test_internal_reports_and_draft_air(built: dict[str, DemoSource]) -> None:
    records = json.loads(built["meldingen-openbaar-domein-intern"].path.read_text(encoding="utf-8"))
    assert isinstance(records, list) and len({r["melding_id"] for r in records}) == len(records)
    assert all(r["omschrijving"] and r["straat"] for r in records)
    air = read_csv(built["luchtkwaliteit-sensoren-demo"], ";")
    values = [r["no2_ugm3"] for r in air if r["no2_ugm3"]]
    assert values and all("," in v for v in values)


# ── Auckland: real data, corrected ───────────────────────────────────────────


def test_hour_shift_on_synthetic_labels() -> None:
    # A source day runs 06:00..05:00: "2024-12-31 0:00" is 1 January 00:00.
    labels = [
        ("2024-12-31", 22), ("2024-12-31", 23), ("2024-12-31", 0), ("2024-12-31", 5),
        ("2025-01-01", 6),
    ]
    stamps = auckland.sequence_timestamps(labels)
    assert stamps[2] == datetime(2025, 1, 1, 0)
    assert stamps[4] == datetime(2025, 1, 1, 6)
    assert stamps[3] == datetime(2025, 1, 1, 5)
    # The first row has no predecessor: only the label (with the shift) can place it.
    assert auckland.sequence_timestamps([("2024-12-31", 0)]) == [datetime(2025, 1, 1, 0)]
    assert auckland.labelled_timestamp("2024-12-31", 5) == datetime(2025, 1, 1, 5)
    assert auckland.labelled_timestamp("2024-12-31", 6) == datetime(2024, 12, 31, 6)


def test_isolated_wrong_date_label_is_ignored_but_real_gap_is_kept() -> None:
    wrong = [("2025-01-01", 1), ("2025-01-01", 2), ("2025-01-03", 3), ("2025-01-02", 4)] + [
        ("2025-01-02", h) for h in range(5, 12)
    ]
    stamps = auckland.sequence_timestamps(wrong)
    assert stamps[2] == datetime(2025, 1, 2, 3)  # label says 4 January 03:00
    gap = [("2025-01-01", 7), ("2025-01-01", 8)] + [("2025-01-05", h) for h in range(9, 16)]
    stamps = auckland.sequence_timestamps(gap)
    assert stamps[2] == datetime(2025, 1, 5, 9)


def test_new_years_eve_peak_lands_on_1_january_midnight(built: dict[str, DemoSource]) -> None:
    rows = read_csv(built["passantentellingen-auckland"], ",")
    queen = {
        r["tijdstip"]: int(r["aantal"])
        for r in rows
        if r["sensor"] == "45 Queen Street" and r["aantal"]
    }
    around = {t: n for t, n in queen.items() if "2024-12-31T12" <= t <= "2025-01-01T12"}
    assert max(around, key=around.get) == "2025-01-01T00:00:00"
    stamps = [r["tijdstip"] for r in rows]
    assert stamps == sorted(stamps) and stamps[0] == "2024-12-29T00:00:00"


def test_zero_runs_become_nulls() -> None:
    values: list[int | None] = [5] + [0] * 24 + [3, 0, 0, 7] + [0] * 23 + [1]
    nulled = auckland.null_outages(values)
    assert nulled == 24
    assert values[1:25] == [None] * 24
    assert values[26:28] == [0, 0] and values[29:52] == [0] * 23  # short runs stay zeros


def test_real_series_outages_are_nulls_and_no_long_zero_runs_remain() -> None:
    series = auckland.load_series()
    assert series.relabelled_rows < 20  # only the handful of mis-dated rows
    assert series.outage_hours["107 Quay Street"] > 1_000
    for name in series.sensors:
        run = longest = 0
        for value in series.values[name]:
            run = run + 1 if value == 0 else 0
            longest = max(longest, run)
        assert longest < auckland.OUTAGE_MIN_ZERO_HOURS, name
    # The grid is regular and ends where the source ends (1 January 2026, 05:00).
    assert series.timestamp(series.hours - 1) == datetime(2026, 1, 1, 5)


def test_auckland_sensor_locations(built: dict[str, DemoSource]) -> None:
    rows = read_csv(built["passantentellers-auckland"], ",")
    assert len(rows) == 21
    counted = {r["sensor"] for r in read_csv(built["passantentellingen-auckland"], ",")}
    assert counted <= {r["sensor"] for r in rows}
    for row in rows:
        lat, lon = (float(p) for p in row["locatie"].split(", "))
        assert -37.0 < lat < -36.7 and 174.6 < lon < 174.9
    late = {r["sensor"]: r["eerste_meting"] for r in rows}["188 Quay Street Lower Albert (EW)"]
    assert late.startswith("2022")


# ── Determinism and independence from /work/shared ──────────────────────────


def _digest(sources: list[DemoSource]) -> dict[str, bytes]:
    return {s.dataset_id: s.path.read_bytes() for s in sources}


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = _digest(build_demo_sources(tmp_path / "a", seed=7, size="small"))
    second = _digest(build_demo_sources(tmp_path / "b", seed=7, size="small"))
    assert first == second
    other = _digest(build_demo_sources(tmp_path / "c", seed=8, size="small"))
    assert other["passantentellingen-gent-demo"] != first["passantentellingen-gent-demo"]
    assert other["passantentellingen-auckland"] == first["passantentellingen-auckland"]  # real data


_watching: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watching and event == "open" and args and isinstance(args[0], (str, bytes, Path)):
        path = str(args[0] if not isinstance(args[0], bytes) else args[0].decode(errors="replace"))
        _watching[-1].append(path)


def test_never_touches_shared_directory(tmp_path: Path) -> None:
    """Build while recording every file opened: nothing under /work/shared may appear."""
    if not getattr(test_never_touches_shared_directory, "_hooked", False):
        sys.addaudithook(_audit)  # cannot be removed; inert while _watching is empty
        test_never_touches_shared_directory._hooked = True  # type: ignore[attr-defined]
    auckland.load_series.cache_clear()  # force the package data to be read again
    opened: list[str] = []
    _watching.append(opened)
    try:
        build_demo_sources(tmp_path, size="small")
    finally:
        _watching.pop()
    assert any("hourly_counts.csv" in p for p in opened)  # the hook does see reads
    assert not [p for p in opened if p.startswith(str(SHARED))]
    source_dir = Path(auckland.__file__).parent
    for module in source_dir.glob("*.py"):
        assert "/work/shared" not in module.read_text(encoding="utf-8")


def test_invalid_size_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        build_demo_sources(tmp_path, size="medium")


def test_full_size_is_realistic_and_fast(tmp_path: Path) -> None:
    import time

    start = time.perf_counter()
    sources = build_demo_sources(tmp_path, size="full")
    elapsed = time.perf_counter() - start
    total = sum(s.path.stat().st_size for s in sources)
    lines: Counter[str] = Counter()
    for s in sources:
        lines[s.dataset_id] = s.path.read_text(encoding="utf-8").count("\n")
    assert elapsed < 15 and total < 50_000_000
    assert lines["passantentellingen-auckland"] > 180_000
    assert lines["passantentellingen-gent-demo"] == 12 * 8784 + 1  # 2024 has 8784 hours
    by_day: defaultdict[str, int] = defaultdict(int)
    gent = next(s for s in sources if s.dataset_id == "passantentellingen-gent-demo")
    for r in read_csv(gent, ";"):
        if r["telpunt_id"] == "TP01":
            by_day[r["tijdstip"][:10]] += 1
    assert by_day["2024-03-31"] == 23 and by_day["2024-10-27"] == 25  # DST days
