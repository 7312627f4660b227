"""One settings object for the whole platform.

Every value can be set with a ``BELFORT_*`` environment variable (for example
``BELFORT_DATA_DIR=/srv/belfort``); the command line overrides the environment.
docs/configuration.md lists them all, and a test fails when one is undocumented.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from belfort.timezones import check_timezone

CLASSIFICATION_NAMES = ("open", "internal", "confidential", "strictly-confidential")


def gate_thresholds(text: str, *, high: float) -> dict[str, float]:
    """``open=5,internal=10`` → ``{"open": 5.0, "internal": 10.0}`` (a publication gate's
    thresholds per classification, each 0-``high``); ValueError naming what is wrong."""
    out: dict[str, float] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or name not in CLASSIFICATION_NAMES:
            raise ValueError(
                f"expected classification=number with a classification of "
                f"{', '.join(CLASSIFICATION_NAMES)}; got {item.strip()[:60]!r}"
            )
        try:
            number = float(raw.strip())
        except ValueError:
            raise ValueError(f"{name}: {raw.strip()[:30]!r} is not a number") from None
        if not 0 <= number <= high:
            raise ValueError(f"{name}: {number:g} is not between 0 and {high:g}")
        out[name] = number
    return out


class Settings(BaseSettings):
    """Configuration of one Belfort process."""

    model_config = SettingsConfigDict(env_prefix="BELFORT_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var/belfort"),
        description="Directory holding the Parquet versions (and the SQLite catalogue by default).",
    )
    lake_url: str | None = Field(
        default=None,
        description="`s3://bucket/prefix`: the published version files live in this "
        "S3-compatible bucket and the data directory keeps a bounded cache of them "
        "(`BELFORT_LAKE_CACHE_MB`). None: the lake is the data directory alone.",
    )
    lake_endpoint_url: str | None = Field(
        default=None,
        description="`http(s)://host[:port]` of the S3-compatible store (SeaweedFS, MinIO, "
        "Ceph…); None: AWS S3.",
    )
    lake_region: str | None = Field(default=None, description="The bucket's region, if the store wants one.")
    lake_access_key: str | None = Field(
        default=None, description="Access key id for the lake's object store (None: the "
        "environment's AWS credentials, if any).",
    )
    lake_secret_key: SecretStr | None = Field(
        default=None, description="Secret key for the lake's object store; never logged or shown.",
    )
    lake_cache_mb: int = Field(
        default=2048, ge=1,
        description="Disk space in MiB for this node's copies of version files and live parts "
        "from the object store (least recently used go first; a file read within the last "
        "minute stays).",
    )
    lake_timeout_seconds: float = Field(
        default=5.0, gt=0, le=120,
        description="How long to wait for the object store to connect before a request "
        "answers 503.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the catalogue database. Default: SQLite file "
            "`catalog.sqlite` inside the data directory. Production: "
            "`postgresql+psycopg://user:pass@host/db`."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `belfort serve` binds to.")
    port: int = Field(default=8000, description="Port `belfort serve` listens on.")
    workers: int = Field(default=1, description="Number of server worker processes.")
    threads: int = Field(
        default=8, ge=1, le=200,
        description="Threads per server process that run a request's blocking work (catalogue "
        "reads, queries, page rendering). Python runs one thread at a time, so more threads than "
        "a few only compete for it: with 40 (the ASGI default) the event loop, which needs it for "
        "every request, waited in line with dozens of them under load (bench/README.md). Waiting "
        "for a SPARQL worker or for an export's next batch does not take one of these.",
    )
    upkeep: Literal["process", "serving"] = Field(
        default="process",
        description="Where `belfort serve` runs the background jobs (hot-store compaction, "
        "crowding alerts, forecasts, the Telraam poller): `process` = one upkeep process beside "
        "the server workers, so their work never holds up a request; `serving` = a thread in "
        "every server process. Behind another ASGI server, `process` means: run `belfort upkeep`.",
    )
    upkeep_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="The upkeep process runs at this lower CPU priority (Unix `nice`, 0–19), "
        "so that its jobs (a compaction, a model's training) take the cores only while the "
        "server's requests do not need them. 0 = the server's priority.",
    )
    query_timeout_seconds: float = Field(
        default=10.0, description="A query running longer than this is interrupted."
    )
    query_max_rows: int = Field(
        default=10_000, description="Largest number of rows one query may return."
    )
    query_default_rows: int = Field(
        default=100, description="Rows returned when a query names no limit."
    )
    duckdb_threads: int = Field(default=2, description="Threads DuckDB may use per process.")
    duckdb_memory_limit: str = Field(
        default="1GB", description="Memory DuckDB may use per process (DuckDB syntax, e.g. `2GB`)."
    )
    spark_url: str | None = Field(
        default=None,
        description="Apache Spark for big versions: `local[2]`, `sc://host:15002` (Spark Connect) "
        "or a cluster master URL; unset: every query runs on DuckDB.",
    )
    spark_min_rows: int = Field(
        default=50_000_000, ge=0,
        description="With `spark_url`: versions with at least this many rows are queried on Spark "
        "(0: none by size).",
    )
    spark_datasets: str = Field(
        default="",
        description="With `spark_url`: dataset ids (comma-separated) always queried on Spark.",
    )
    spark_timeout_seconds: float = Field(
        default=120.0, ge=0,
        description="With `spark_url`: a question on Spark running longer than this is "
        "interrupted (its Spark jobs cancelled) and answered 503 `query_timeout`; 0: "
        "`query_timeout_seconds` applies, as on DuckDB.",
    )
    result_cache_mb: int = Field(
        default=256,
        description="Memory per process for materialised query results (paging is a slice); 0 turns it off.",
    )
    generation_max_age_seconds: float = Field(
        default=1.0, ge=0, le=60,
        description="With a PostgreSQL catalogue: how long a node may use the catalogue generation it "
        "last read before reading it again; a change made on another node is seen within this "
        "time (0: read on every lookup). The embedded SQLite catalogue ignores it.",
    )
    shutdown_grace_seconds: int = Field(
        default=30, ge=0, le=3600,
        description="On SIGTERM: how long a node lets requests in flight finish after it stops "
        "accepting new ones (live streams are told to reconnect at once) before it stops them.",
    )
    database_connect_timeout_seconds: int = Field(
        default=5, ge=1, le=60,
        description="With a PostgreSQL catalogue: how long opening a connection may take before the "
        "request is answered 503 (database unreachable).",
    )
    answer_cache_mb: int = Field(
        default=256, ge=0,
        description="Memory per process for cached answers (readable versions, v1 search answers, portal "
        "catalogue and charts), in MiB; 0: none.",
    )
    result_cache_max_rows: int = Field(
        default=1_000_000,
        description="Only versions with at most this many rows have their results materialised.",
    )
    version_tables_mb: int = Field(
        default=256, ge=0,
        description="Memory per process for small versions (at most `BELFORT_RESULT_CACHE_MAX_ROWS` rows) "
        "held as DuckDB in-memory tables, so a never-seen filter reads memory instead of the Parquet file; "
        "counted within `BELFORT_DUCKDB_MEMORY_LIMIT`, so keep it well below; 0 turns it off.",
    )
    search_synonyms_file: Path | None = Field(
        default=None,
        description="Synonym list for catalogue search (one group per line); None: the Dutch starter set.",
    )
    public_url: str | None = Field(
        default=None,
        description=(
            "Address the public reaches Belfort at (e.g. `https://data.stad.gent`): the base of every "
            "linked-data URI (catalogue, records, event streams, SPARQL graphs) and of every absolute "
            "link Belfort writes. None: the address Belfort serves on, `http://BELFORT_HOST:BELFORT_PORT` "
            "(a wildcard host such as `0.0.0.0` is replaced by the machine's name); never a request's "
            "`Host` header."
        ),
    )
    dcat_cache_mb: int = Field(
        default=512, ge=0,
        description="Memory for the DCAT catalogue's cached fragments (3/4) and whole pages (1/4), in MiB; 0: none.",
    )
    mqa_shapes_dir: Path | None = Field(
        default=None,
        description="Directory holding the official DCAT-AP 3.0.1 SHACL shapes (`shapes.ttl`, "
        "`range.ttl`, `mdr-vocabularies.shape.ttl`) that the metadata-quality indicator "
        "dcatApCompliance validates with; None or files missing: that indicator is 'not checked'.",
    )
    mqa_check_external_urls: bool = Field(
        default=True,
        description="Metadata quality: check access and download URLs outside Belfort with an HTTP "
        "HEAD request (public addresses only); false: those indicators are 'not checked'.",
    )
    mqa_url_timeout_seconds: float = Field(
        default=3.0, gt=0, le=30, description="Metadata quality: how long one external URL check may take.",
    )
    mqa_url_cache_seconds: int = Field(
        default=3600, ge=0, description="Metadata quality: how long an external URL's check is remembered.",
    )
    sparql_timeout_seconds: float = Field(
        default=10.0, gt=0, description="A SPARQL query running longer is stopped (503)."
    )
    sparql_max_results: int = Field(
        default=100_000, ge=1, description="Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) a SPARQL answer holds at most."
    )
    sparql_max_query_bytes: int = Field(
        default=65_536, ge=100, description="Longest SPARQL query accepted (bytes, UTF-8); longer is 413."
    )
    sparql_cache_mb: int = Field(
        default=64, ge=0, description="Memory for cached SPARQL answers (until the next catalogue change), in MiB."
    )
    sparql_workers: int = Field(
        default=2, ge=1,
        description="SPARQL queries run at once per server process (each in its own worker process); "
        "more wait in line (`BELFORT_SPARQL_QUEUE`).",
    )
    sparql_queue: int = Field(
        default=4, ge=0,
        description="SPARQL queries that may wait for a free worker (per server process, each at most "
        "its timeout); one more is refused at once with 503 and `Retry-After`.",
    )
    sparql_worker_memory_mb: int = Field(
        default=1024, ge=0,
        description="Memory a SPARQL worker may take beyond the store it shares with the server, in MiB; "
        "a query needing more is stopped (503) and its worker replaced. 0: no limit.",
    )
    sparql_rows_per_dataset: int = Field(
        default=10_000, ge=0,
        description="Records of each dataset with an RDF mapping loaded into the SPARQL store (0: none).",
    )
    sparql_rows_per_cube: int = Field(
        default=200_000, ge=0,
        description="Records of a dataset whose RDF mapping makes Data Cube observations (`cube`, "
        "e.g. gent-in-cijfers) loaded into the SPARQL store, instead of BELFORT_SPARQL_ROWS_PER_DATASET "
        "(0: none).",
    )
    export_timeout_seconds: float = Field(
        default=300.0, gt=0,
        description="An export (download of all matching records) running longer is stopped: 503 before "
        "its first byte, a cut-off transfer after.",
    )
    csv_formula_escape: bool = Field(
        default=False,
        description="Prefix `'` to CSV export cells starting with = + - @ tab or CR (OWASP CSV injection).",
    )
    map_tile_url: str | None = Field(
        default=None,
        description="Raster tile URL template for portal maps ({z}/{x}/{y}); None: maps without tiles.",
    )
    map_base_dataset: str | None = Field(
        default="stadswijken-gent-demo", max_length=200,
        description="Dataset whose boundaries (the city's wijken) every portal map draws as its base "
        "layer; empty: none. Used only while it is open, published and has a geometry.",
    )
    max_upload_bytes: int = Field(
        default=2 * 1024**3, description="Largest file accepted by HTTP upload (bytes); larger is 413."
    )
    max_report_examples: int = Field(
        default=5, description="Examples kept per (column, problem) in a validation report."
    )
    max_invalid_rows: int = Field(
        default=0,
        description=(
            "Rows that may fail validation before an ingest is refused. 0: any invalid value "
            "refuses the ingest, so nothing is published with silently lost values."
        ),
    )
    ingest_max_columns: int = Field(
        default=10_000, ge=1,
        description="Columns a source file may have (CSV header, JSON keys, XLSX sheet width, Parquet "
        "schema); a wider file is refused (422) before its rows are read.",
    )
    ingest_max_cells: int = Field(
        default=1_000_000_000, ge=1,
        description="Cells (rows × columns) a source file may have; a larger one is refused (422) "
        "as soon as the count passes it.",
    )
    ingest_max_decompressed_bytes: int = Field(
        default=4 * 1024**3, ge=1,
        description="Bytes a compressed source may inflate to (the members of an XLSX archive together, "
        "a Parquet file's pages); checked on the declared sizes before reading, refused with 413.",
    )
    ingest_max_shared_strings: int = Field(
        default=5_000_000, ge=1,
        description="Entries an XLSX shared-strings table may hold (it is loaded into memory); more is 422.",
    )
    ingest_max_shared_strings_bytes: int = Field(
        default=256 * 1024**2, ge=1,
        description="Bytes an XLSX shared-strings table may inflate to; more is refused with 413.",
    )
    default_source_timezone: str = Field(
        default="Europe/Brussels",
        description=(
            "IANA time zone a new dataset's source is read in when it names none: times without "
            "a UTC offset in its files are local times of this zone. Each dataset can set its own "
            "(`--timezone`, the staff page, the API)."
        ),
    )

    ldes_page_size: int = Field(
        default=250, ge=1, le=10_000,
        description="Members per page of the event streams (/ldes); changing it re-pages every stream.",
    )
    ldes_cache_mb: int = Field(
        default=256, ge=0,
        description="Memory per process for event-stream member logs, version rows and closed pages, in MiB.",
    )

    quota_per_address: int = Field(
        default=0,
        description="Requests one client address may make per quota window without a key; 0: unlimited.",
    )
    quota_per_key: int = Field(
        default=0, description="Requests one API key may make per quota window; 0: unlimited."
    )
    quota_window_seconds: int = Field(
        default=86_400, description="Length of the quota window in seconds (86400: per day)."
    )
    public_api_keys: str = Field(
        default="",
        description=(
            "Comma-separated API keys that apps already in the field send (e.g. the key embedded in "
            "Ghent's widgets for Opendatasoft): accepted as anonymous callers instead of refused (401)."
        ),
    )
    trust_forwarded_for: bool = Field(
        default=False,
        description="Take the client address from the last X-Forwarded-For entry (only behind a trusted proxy).",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description=(
            "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-Proto and "
            "X-Forwarded-For are believed (the scheme decides the cookies' Secure flag); `*`: any; "
            "empty: none."
        ),
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the staff cookies Secure always, not only when the request is https.",
    )
    staff_session_hours: float = Field(
        default=8.0, gt=0, le=24 * 30,
        description="How long a staff sign-in on the portal lasts; signing out ends it at once.",
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Secret that signs the staff pages' CSRF tokens; share it between servers behind one "
            "address. None: generated once and kept in `secret_key` in the data directory."
        ),
    )

    # --- live streams (belfort.streams) ---
    stream_max_batch: int = Field(
        default=10_000, ge=1,
        description="Most observations one batch (an HTTP body, an MQTT message) may hold; more is 413 "
        "and nothing of it is stored.",
    )
    stream_max_body_mb: float = Field(
        default=16.0, gt=0, description="Largest observation batch body, in MiB (413 beyond)."
    )
    stream_device_rate: float = Field(
        default=5_000.0, gt=0,
        description="Observations per second one device may send on average (per server process); "
        "a burst of ten seconds' worth is allowed; beyond it a batch is refused with 429.",
    )
    stream_max_future_seconds: int = Field(
        default=300, ge=0,
        description="An observation timestamped further ahead of the server's clock is refused.",
    )
    stream_max_age_days: int = Field(
        default=400, ge=1, description="An observation older than this many days is refused."
    )
    # --- live datasets in linked data and rollups (belfort.linked.store, .streams.compaction) ---
    sparql_live_refresh_seconds: float = Field(
        default=60.0, ge=0.5, le=86_400,
        description="How often the SPARQL store checks whether a live dataset's rows changed and, "
        "if so, rebuilds its records graph (in the background, one at a time; queries never "
        "wait): SPARQL answers about live rows are at most this plus one rebuild old.",
    )
    stream_day_timezone: str = Field(
        default="Europe/Brussels",
        description="IANA time zone of the city's days: the per-day rollups of live datasets "
        "(`<id>-per-dag`) and the day partitions of compacted observations follow its midnights "
        "(23- and 25-hour days when the clocks change).",
    )
    # --- SensorThings API (belfort.streams.sta_*, /sta/v1.1/) ---
    sta_default_top: int = Field(
        default=100, ge=1, le=10_000,
        description="Entities in one SensorThings page (and one expanded collection) when the "
        "request gives no $top.",
    )
    sta_max_top: int = Field(
        default=1_000, ge=1, le=10_000,
        description="Most entities one SensorThings page may hold; a larger $top is cut to it.",
    )
    sta_max_body_kb: int = Field(
        default=1_024, ge=1, le=1_048_576,
        description="Largest SensorThings request body (a deep insert), in KiB (413 beyond).",
    )

    # --- live datasets: hot store → lake, rollups, retention (belfort.streams.live_*) ---
    live_refresh_seconds: float = Field(
        default=1.0, ge=0, le=3600,
        description="A live dataset's current file is looked up again at most this often per "
        "process (answers are at most this many seconds behind the hot store).",
    )
    live_window_days: float = Field(
        default=7.0, gt=0,
        description="A live dataset of observations shows the observations of the last this many "
        "days (hot store and compacted files); its rollups cover the whole retention.",
    )
    live_snapshot_grace_seconds: float = Field(
        default=300.0, ge=1,
        description="A superseded live snapshot file is removed this long after it was replaced "
        "(readers still using it finish first).",
    )
    stream_hot_hours: float = Field(
        default=2.0, ge=0,
        description="Observations older than this (phenomenon time) leave the hot store for "
        "partitioned Parquet in the lake at the next compaction.",
    )
    stream_compact_seconds: float = Field(
        default=300.0, ge=0,
        description="How often `belfort serve` compacts the hot store and applies retention "
        "(0: never; `belfort streams compact` does it by hand).",
    )
    stream_retention_days: float = Field(
        default=90.0, gt=0,
        description="Raw observations older than this are dropped (their rollups are kept first).",
    )
    stream_rollup_retention_days: float = Field(
        default=3650.0, gt=0,
        description="Rollups (per 15 minutes, hour and day) older than this are dropped.",
    )
    # --- crowding (belfort.twin: zones, occupancy, the crowding score, "normal") ---
    twin_density: float = Field(
        default=2.0, gt=0, le=10,
        description="Persons per m² of net walkable area a zone holds at capacity (its level of "
        "service; walking slows from ~2/m²). A zone may set its own.",
    )
    twin_dwell_seconds: float = Field(
        default=600.0, gt=0, le=86_400,
        description="How long a passer-by stays in a zone on average: occupancy ≈ flow × dwell "
        "time (Little's law) for zones counted by passages. A zone may set its own.",
    )
    twin_flow_minutes: int = Field(
        default=15, ge=1, le=1440,
        description="Passages are turned into a flow over the last this many minutes reported.",
    )
    twin_stale_minutes: int = Field(
        default=120, ge=1, le=10_080,
        description="A sensor whose newest observation is older than this counts for nothing now.",
    )
    twin_quiet_hour: int = Field(
        default=5, ge=0, le=23,
        description="Local hour (Europe/Brussels) at which entries − exits occupancy restarts from "
        "zero (the drift correction of door counters).",
    )
    twin_max_zone_vertices: int = Field(
        default=1000, ge=4, le=5000,
        description="Most vertices a zone's polygon may have (checking one of 1000 takes ~0.3 s)."
    )
    twin_max_zone_km2: float = Field(
        default=25.0, gt=0, description="Largest area a zone's polygon may cover, in km²."
    )
    twin_normal_days: int = Field(
        default=365, ge=7, le=3660,
        description="\"Normal for this moment\" is read from this many days of observations.",
    )
    twin_normal_cache_seconds: float = Field(
        default=300.0, ge=0,
        description="How long a process keeps the computed \"normal\" percentiles.",
    )
    # --- what-if scenarios (belfort.twin.scenarios: zone graph, demand, assignment) ---
    twin_scenario_flow_rate: float = Field(
        default=49.0, gt=0, le=200,
        description="Pedestrians per metre of street width per minute a link carries at "
        "capacity (Fruin's level of service C/D boundary); a link's capacity per hour is "
        "width × this × 60.",
    )
    twin_scenario_max_links: int = Field(
        default=2000, ge=1, le=100_000,
        description="Most street links the zone graph may hold (and a links file may give).",
    )
    twin_scenario_max_hours: int = Field(
        default=168, ge=1, le=24 * 366,
        description="Longest window a what-if scenario may cover, in hours.",
    )
    twin_scenario_max_link_hours: int = Field(
        default=50_000, ge=1,
        description="Most street links × hours of window a scenario may compute (its work: "
        "~1 s per hour of a 2,000-link graph); more: refused with 422.",
    )
    twin_scenario_max_saved: int = Field(
        default=500, ge=1, le=100_000,
        description="Most what-if scenarios kept; creating one more is refused until one is "
        "deleted.",
    )
    twin_scenario_demand_days: int = Field(
        default=28, ge=1, le=3660,
        description="Walking demand per weekday × hour is estimated from this many days of counts.",
    )

    # --- data quality (belfort.quality: rules, profiling, reports over time) ---
    quality_on_publish: bool = Field(
        default=True,
        description="Measure a dataset's data quality after each published version (in the "
        "background: a failure is recorded in the report, never raised to the publication).",
    )
    quality_dataset: bool = Field(
        default=False,
        description="Publish the quality results as the open live dataset `datakwaliteit` "
        "(one row per rule of every public dataset's latest report), made at start-up.",
    )
    quality_max_rules: int = Field(
        default=200, ge=1, le=2000,
        description="Data-quality rules a dataset may have; a larger rule set is refused (422) when saved.",
    )
    quality_max_rule_chars: int = Field(
        default=2000, ge=100,
        description="Characters one data-quality rule may take (its JSON); a longer rule is refused (422).",
    )
    quality_timeout_seconds: float = Field(
        default=120.0, gt=0,
        description="Time budget of one data-quality profile (one scan of a version); past it the "
        "run is stopped and recorded as failed.",
    )
    quality_examples: int = Field(
        default=5, ge=0, le=50,
        description="Failing rows (row number and values) a report keeps per rule.",
    )
    quality_live_seconds: float = Field(
        default=900.0, ge=0,
        description="The upkeep process measures the live (real-time) datasets this often (one process "
        "at a time: a lease in the database); 0: only on publication and by `belfort quality run`.",
    )

    # --- publication gate (belfort.quality.gate: minimum quality per classification) ---
    quality_gate_max_failing_percent: str = Field(
        default="",
        description="Publication gate: per classification, the largest share of rows (in %) one "
        "data-quality rule may fail on, e.g. `open=5,internal=10`; a version with a rule failing "
        "on more rows is not published (422) unless overridden with a written reason. Empty or a "
        "classification left out: no limit.",
    )
    quality_gate_min_score: str = Field(
        default="",
        description="Publication gate: per classification, the lowest score (0-1, the share of "
        "checked values passing) a quality dimension of a version's rules may have, e.g. "
        "`open=0.95`; a lower one blocks publication like the failing share does.",
    )
    quality_gate_override_min_chars: int = Field(
        default=20, ge=1, le=2000,
        description="Publication gate: the shortest written reason an override of a blocked "
        "publication needs (characters).",
    )

    # --- data governance (belfort.governance: roles, worklist, reminders) ---
    governance_review_months: int = Field(
        default=12, ge=1, le=120,
        description="A dataset's metadata is stale (on the steward's worklist) when no steward "
        "marked it reviewed in this many months (never reviewed: since it was created).",
    )
    governance_mqa_min: int = Field(
        default=221, ge=0, le=405,
        description="A dataset whose metadata-quality score (MQA, out of 405) is below this is on "
        "the steward's worklist; 221 is the lower bound of *Good*.",
    )
    governance_reminder_hours: float = Field(
        default=168.0, gt=0, le=24 * 366,
        description="A steward gets a reminder digest at most this often, and only when the items "
        "on the worklist changed since the last one.",
    )
    governance_reminder_check_seconds: float = Field(
        default=3600.0, ge=0, le=86_400,
        description="The upkeep process looks for due reminder digests this often (one process at "
        "a time: a lease in the database); 0: no reminders are sent.",
    )
    governance_webhook_url: str | None = Field(
        default=None, max_length=2000,
        description="Reminder digests are also POSTed here as signed JSON (the alert webhooks' "
        "signature, retries and address rules). None: e-mail only (`BELFORT_ALERTS_SMTP_*`).",
    )

    # --- crowding alerts (belfort.twin.alerts: rules, evaluation, channels) ---
    alerts_evaluate_seconds: float = Field(
        default=60.0, ge=0, le=86_400,
        description="A serving process evaluates the alert rules this often (one process at a "
        "time: a lease in the database); 0: only on demand (`POST /api/belfort/v1/alerts/evaluate`).",
    )
    alerts_webhook_allow_hosts: str = Field(
        default="",
        description="Comma-separated host names or addresses an alert webhook may point at although "
        "they are internal (loopback, private, link-local, reserved). Every other internal address "
        "is refused, when the rule is saved and again before each delivery.",
    )
    alerts_webhook_secret: str | None = Field(
        default=None,
        description="Key of the `X-Belfort-Signature: sha256=<hex>` HMAC header on every webhook "
        "delivery (over the body). None: the server's secret.",
    )
    alerts_webhook_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="How long one webhook delivery attempt may take."
    )
    alerts_webhook_retries: int = Field(
        default=3, ge=0, le=10,
        description="Attempts after the first when a webhook fails (no answer or a 5xx/429).",
    )
    alerts_webhook_backoff_seconds: float = Field(
        default=1.0, ge=0, le=60,
        description="Wait before the first retry; doubled before each next one.",
    )
    alerts_smtp_host: str | None = Field(
        default=None, description="SMTP server for alert e-mails. None: no e-mail is sent."
    )
    alerts_smtp_port: int = Field(default=25, ge=1, le=65535, description="Its port.")
    alerts_smtp_from: str = Field(
        default="belfort@localhost", description="The `From` address of alert e-mails."
    )
    alerts_smtp_tls: str = Field(
        default="none",
        description="`none`, `starttls` (upgrade a plain connection) or `ssl` (TLS from the start).",
    )
    alerts_smtp_user: str | None = Field(default=None, description="SMTP user name, if any.")
    alerts_smtp_password: str | None = Field(default=None, description="SMTP password, if any.")
    alerts_smtp_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="How long sending one alert e-mail may take."
    )

    # --- forecasts served and the model registry (belfort.twin.forecasting) ---
    twin_forecast_refresh_seconds: float = Field(
        default=900.0, ge=0, le=86_400,
        description="A serving process makes the forecasts per sensor and zone from the active model "
        "this often (one process at a time: a lease in the database); 0: only `belfort twin forecast`.",
    )
    twin_forecast_train_hours: float = Field(
        default=0.0, ge=0, le=8760,
        description="A serving process trains and registers a new forecast model when the newest is "
        "older than this many hours (one process at a time); 0: only `belfort twin train`.",
    )
    twin_forecast_train_days: int = Field(
        default=365, ge=28, le=3660,
        description="Days of the platform's own observations a model is trained on.",
    )
    twin_forecast_country: str = Field(
        default="BE", pattern="^(BE|NZ)$",
        description="Public and school holidays the forecast model knows (`BE` or `NZ`).",
    )
    twin_forecast_degraded_mase: float = Field(
        default=1.0, gt=0, le=100,
        description="A model whose live MASE over the last 7 days is above this is flagged "
        "`degraded` (1: no better than \"the same hour yesterday\").",
    )

    # --- Gent in Cijfers (belfort.cijfers) ---
    cijfers_wijken: Path | None = Field(
        default=None,
        description="GeoJSON file of the city's wijken (the shape of `stadswijken-gent`: "
        "`wijknr`, `wijk`, Polygon/MultiPolygon) that point data is assigned to. Unset or "
        "missing: Belfort's modelled wijken (a centre per wijk; the nearest within 4 km).",
    )

    # --- MQTT bridge (belfort.streams.mqtt) ---
    mqtt_url: str | None = Field(
        default=None,
        description="The MQTT broker the bridge subscribes to, e.g. `mqtt://127.0.0.1:1883` "
        "(`mqtts://` for TLS; `mqtt://user:password@host:port` when the broker wants a login). "
        "None: no bridge. `belfort serve` runs one bridge per server process.",
    )
    mqtt_client_id: str | None = Field(
        default=None,
        description="Base of the bridge's MQTT client ids; each process takes the first free "
        "slot, `<base>-0`, `<base>-1`, …, so a restarted process resumes its persistent "
        "session. None: `belfort-<host name>`. Give each machine its own.",
    )
    mqtt_topics: str = Field(
        default="/json/+/+/attrs,/json/+/+/attrs/+,belfort/v1/sensors/+/observations",
        description="Comma-separated topic filters the bridge subscribes to (QoS 1): the FIWARE "
        "IoT Agent JSON topics and Belfort's own.",
    )
    mqtt_share_group: str = Field(
        default="belfort", pattern=r"^[A-Za-z0-9_-]{0,50}$",
        description="MQTT 5 shared-subscription group (`$share/<group>/<filter>`): each message "
        "goes to one of the Belfort processes. Empty: every process gets every message.",
    )
    mqtt_batch_size: int = Field(
        default=1000, ge=1, le=100_000,
        description="Most messages the bridge stores in one transaction.",
    )
    mqtt_batch_ms: float = Field(
        default=50.0, ge=0, le=10_000,
        description="How long the bridge waits for more messages before storing a batch (ms).",
    )
    mqtt_session_expiry_seconds: int = Field(
        default=7 * 86_400, ge=60,
        description="How long the broker keeps a stopped bridge's session and queued messages.",
    )

    # --- replay and the living demo (belfort.streams.replay, belfort.demo.live) ---
    demo_replay_speed: float = Field(
        default=60.0, ge=0, le=1_000_000,
        description="Speed of the recorded counts `belfort demo` replays as a live feed (60: one "
        "recorded hour per real minute); 0 turns the replay off, as `--no-replay` does.",
    )
    demo_backfill_days: float = Field(
        default=56.0, ge=0, le=365,
        description="Days of recent history `belfort demo` stores for its sensors before the "
        "replay starts (re-stamped recorded counts), so trends and \"normal\" have data.",
    )

    # --- Telraam poller (belfort.streams.telraam) ---
    telraam_url: str | None = Field(
        default=None,
        description="Base URL of a Telraam API v1 (e.g. https://telraam-api.net/v1); with "
        "BELFORT_TELRAAM_SEGMENTS, `belfort serve` polls it. None: no poller.",
    )
    telraam_segments: str | None = Field(
        default=None, description="Comma-separated Telraam segment ids to poll."
    )
    telraam_api_key: str | None = Field(
        default=None, description="The Telraam API key, sent as the `X-Api-Key` header."
    )
    telraam_poll_seconds: float = Field(
        default=300.0, ge=1,
        description="Seconds between two polls of the Telraam API (hourly reports).",
    )
    telraam_min_uptime: float = Field(
        default=0.5, ge=0, le=1,
        description="A Telraam hour observed for less than this fraction (its `uptime`) is "
        "stored flagged `suspect`.",
    )
    telraam_backfill_hours: int = Field(
        default=72, ge=1, le=24 * 90,
        description="Hours back the first poll of a new Telraam segment asks for.",
    )

    # --- dashboards (belfort.dashboards) ---
    dashboard_frame_ancestors: str = Field(
        default="'self'",
        description="Who may show dashboards and their tiles in an iframe: the CSP "
        "`frame-ancestors` sources of `/dashboards/…` pages (space-separated, e.g. "
        "`'self' https://www.stad.gent`). The rest of the site is never framed.",
    )
    dashboard_min_interval_seconds: float = Field(
        default=0.5, ge=0.05, le=3600,
        description="Shortest time between two events of one live dashboard stream (SSE).",
    )
    dashboard_poll_seconds: float = Field(
        default=0.2, ge=0.02, le=60,
        description="How often a live dashboard stream looks for new observations and catalogue "
        "changes in the database (one cheap query).",
    )
    dashboard_heartbeat_seconds: float = Field(
        default=15.0, ge=1, le=3600,
        description="A comment line is sent on an idle live dashboard stream this often, so "
        "proxies keep it open.",
    )
    dashboard_max_streams: int = Field(
        default=100, ge=0,
        description="Live dashboard streams one server process serves at once; beyond it 503.",
    )

    # --- aggregation thresholds (belfort.query.disclosure) ---
    threshold_suppress_zeros: bool = Field(
        default=True,
        description="Under an aggregation threshold, treat a count of zero as disclosive "
        "(withheld like a group below k).",
    )
    threshold_epsilon: float | None = Field(
        default=None, gt=0, allow_inf_nan=False,
        description="Under an aggregation threshold, add differential-privacy noise to released "
        "counts (discrete Laplace, scale 1/epsilon per query); unset: exact counts.",
    )

    # --- audit trail (belfort.audit) ---
    audit_signing_key_file: Path | None = Field(
        default=None,
        description="PEM file of the Ed25519 key that signs the audit trail's checkpoints (kept "
        "readable by Belfort only). None: `audit-signing-key.pem` in the data directory, made "
        "(mode 0600) on first use.",
    )
    audit_checkpoint_every: int = Field(
        default=1000, ge=1, le=10_000_000,
        description="A signed checkpoint of the audit trail is written after this many new "
        "entries.",
    )
    audit_checkpoint_minutes: float = Field(
        default=60.0, ge=0, le=60 * 24 * 31,
        description="…and at least this often (minutes) while entries are added; 0: only by "
        "count and by `belfort audit checkpoint`.",
    )
    audit_flush_ms: float = Field(
        default=50.0, ge=0, le=10_000,
        description="Accesses to non-open data recorded through the process's audit writer are "
        "written in batches at most this many milliseconds old (one transaction per batch; a "
        "request pays ~3 µs instead of a commit); 0: each in a transaction of its own. A clean "
        "shutdown writes what is waiting; a killed process (SIGKILL) loses what it had not "
        "written yet (at most this window). Staff actions are always written with their change.",
    )

    # --- identity: OpenID Connect, scoped keys, credentialed CORS (belfort.policy.oidc) ---
    oidc_issuer: str | None = Field(
        default=None,
        description="Issuer URL of the OpenID Connect provider (its `/.well-known/openid-configuration` "
        "is read from there). None: no sign-in through a provider, bearer tokens that are not API "
        "keys are refused.",
    )
    oidc_audience: str | None = Field(
        default=None,
        description="The `aud` an access token presented to the API must name. None: the client id.",
    )
    oidc_client_id: str | None = Field(
        default=None, description="Belfort's client id at the provider (staff sign-in on the portal)."
    )
    oidc_client_secret: str | None = Field(
        default=None,
        description="The client's secret at the provider; None for a public client (PKCE only).",
    )
    oidc_scopes: str = Field(
        default="openid profile email", description="Scopes the staff sign-in asks the provider for."
    )
    oidc_algorithms: str = Field(
        default="RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA",
        description="Comma-separated signature algorithms a token may use (public-key ones only: "
        "`none` and HS* are always refused).",
    )
    oidc_leeway_seconds: int = Field(
        default=30, ge=0, le=300, description="Clock skew allowed on a token's `exp`, `nbf` and `iat`."
    )
    oidc_keys_cache_seconds: int = Field(
        default=3600, ge=1,
        description="How long the provider's discovery document and signing keys (JWKS) are kept.",
    )
    oidc_keys_refetch_seconds: int = Field(
        default=60, ge=1,
        description="A token signed with a key id not in the cached keys refetches them at most "
        "this often (a flood of forged key ids cannot hammer the provider).",
    )
    oidc_name_claim: str = Field(
        default="name", description="Claim with a person's display name (else `preferred_username`, `sub`)."
    )
    oidc_roles_claim: str = Field(
        default="roles",
        description="Claim holding a person's roles (a list or a space-separated string; a dotted path "
        "such as `realm_access.roles` reads a nested claim).",
    )
    oidc_groups_claim: str = Field(default="groups", description="Claim holding a person's groups.")
    oidc_organisation_claim: str = Field(
        default="organisation", description="Claim holding a person's organisation."
    )
    oidc_admin_roles: str = Field(
        default="belfort-admin", description="Comma-separated role values that make a person admin."
    )
    oidc_write_roles: str = Field(
        default="belfort-write", description="Comma-separated role values that give the write role."
    )
    oidc_steward_roles: str = Field(
        default="belfort-steward", description="Comma-separated role values that make a data steward."
    )
    oidc_dpo_roles: str = Field(
        default="belfort-dpo",
        description="Comma-separated role values that make the data protection officer.",
    )
    cors_credential_origins: str = Field(
        default="",
        description="Comma-separated exact origins (e.g. `https://apps.stad.gent`) whose credentialed "
        "requests to the API are answered with their origin and `Access-Control-Allow-Credentials`; "
        "every other origin gets `*` without credentials.",
    )

    # --- operations: readiness, metrics, logs (belfort.api.operations, belfort.logs) ---
    ready_timeout_seconds: float = Field(
        default=2.0, gt=0, le=30,
        description="`GET /ready` answers 503 when the database or the lake has not answered "
        "its check within this many seconds.",
    )
    metrics_token: str | None = Field(
        default=None, repr=False,
        description="Bearer token a Prometheus scraper presents to read `GET /metrics` "
        "(16 to 256 characters of letters, digits and `._~+/=-`). None: only admin API keys "
        "may read the metrics.",
    )
    log_format: str = Field(
        default="text",
        description="`text` or `json`: how `belfort serve` writes its log lines (access log "
        "included); every line carries the request's id.",
    )

    @field_validator("lake_url", "lake_endpoint_url", "lake_region", "lake_access_key", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in (None, "") else value

    @field_validator("lake_url")
    @classmethod
    def _lake_url(cls, value: str | None) -> str | None:
        """``s3://bucket[/prefix]`` (``belfort.lake.objects.LakeLocation`` reads it)."""
        if value is None:
            return None
        if not re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]{1,200})*/?",
                            value) or "/../" in value + "/" or "/./" in value + "/":
            raise ValueError(f"BELFORT_LAKE_URL must look like s3://bucket/prefix: {value[:100]!r}")
        return value

    @field_validator("alerts_smtp_tls")
    @classmethod
    def _smtp_tls(cls, value: str) -> str:
        if value not in ("none", "starttls", "ssl"):
            raise ValueError("BELFORT_ALERTS_SMTP_TLS must be none, starttls or ssl")
        return value

    @field_validator("quality_gate_max_failing_percent")
    @classmethod
    def _gate_percent(cls, value: str) -> str:
        gate_thresholds(value, high=100.0)
        return value

    @field_validator("quality_gate_min_score")
    @classmethod
    def _gate_score(cls, value: str) -> str:
        gate_thresholds(value, high=1.0)
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value not in ("text", "json"):
            raise ValueError("BELFORT_LOG_FORMAT must be text or json")
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _metrics_token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"[A-Za-z0-9._~+/=-]{16,256}", str(value)):
            raise ValueError("BELFORT_METRICS_TOKEN must be 16 to 256 characters of letters, "
                             "digits and ._~+/=-")
        return value

    @field_validator("cors_credential_origins")
    @classmethod
    def _credential_origins(cls, value: str) -> str:
        """Exact origins only (scheme, host, optional port): never ``*``, never a path."""
        for origin in (o.strip().rstrip("/") for o in value.split(",")):
            if origin and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
                raise ValueError("BELFORT_CORS_CREDENTIAL_ORIGINS: not an origin "
                                 f"(https://host[:port]): {origin[:100]!r}")
        return value

    @field_validator("search_synonyms_file", mode="before")
    @classmethod
    def _synonyms_file_exists(cls, value: object) -> object:
        """Refuse a synonyms file that is not there at start-up, not on the first search;
        an empty value means the built-in list."""
        if value in (None, ""):
            return None
        if not Path(str(value)).is_file():
            raise ValueError(f"BELFORT_SEARCH_SYNONYMS_FILE: no such file: {value}")
        return value

    @field_validator("default_source_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            return check_timezone(value)
        except ValueError as exc:
            raise ValueError(f"BELFORT_DEFAULT_SOURCE_TIMEZONE: {exc}") from None

    @field_validator("stream_day_timezone")
    @classmethod
    def _known_day_zone(cls, value: str) -> str:
        try:
            return check_timezone(value)
        except ValueError as exc:
            raise ValueError(f"BELFORT_STREAM_DAY_TIMEZONE: {exc}") from None

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: object) -> object:
        if value in (None, ""):
            return None
        text = str(value).rstrip("/")
        if not text.startswith(("http://", "https://")) or any(c in text for c in ' <>"{}|\\^`?#'):
            raise ValueError(f"BELFORT_PUBLIC_URL must be an http(s) address without query or fragment: {value!r}")
        return text

    @property
    def oidc_enabled(self) -> bool:
        """Staff may sign in through the provider (an issuer and a client id are set)."""
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def public_api_key_set(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.public_api_keys.split(",") if k.strip())

    @property
    def canonical_base_url(self) -> str:
        """The one base of linked-data URIs and absolute links: ``public_url``, else the
        address ``belfort serve`` binds to. No request header can change it (issue 11)."""
        if self.public_url:
            return self.public_url
        host = self.host.strip() or "0.0.0.0"
        if host in {"0.0.0.0", "::", "[::]", "*"}:  # a wildcard bind names no address
            host = socket.gethostname() or "localhost"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}" if self.port == 80 else f"http://{host}:{self.port}"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'catalog.sqlite').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    # pydantic checks each override by field name at run time; a dict of them has no static type
    return Settings(**clean)  # type: ignore[arg-type]
