"""Catalogue tables (SQLAlchemy 2). Migrations live in ``belfort/catalog/migrations``.

A dataset has numbered, immutable versions; ``published_version`` points at the one
readers see. Distributions describe how a dataset can be obtained.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# The largest version number (and any other number a caller asks the catalogue about):
# PostgreSQL's INTEGER. A number outside 1..MAX_NUMBER names nothing and is never sent to
# the database (SQLite raises OverflowError beyond 64 bits).
MAX_NUMBER = 2**31 - 1


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC when read back.

    PostgreSQL keeps the zone; SQLite stores text and returns naive values, which
    would then compare unequal to the aware ones the code produces.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title_nl: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description_nl: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(String(200), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    themes: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    licence: Mapped[str | None] = mapped_column(String(300))
    spatial: Mapped[str | None] = mapped_column(String(500))
    temporal_start: Mapped[str | None] = mapped_column(String(10))
    temporal_end: Mapped[str | None] = mapped_column(String(10))
    frequency: Mapped[str] = mapped_column(String(20), default="unknown")
    classification: Mapped[str] = mapped_column(String(30), default="open", index=True)
    classification_reason: Mapped[str | None] = mapped_column(Text)
    # why it is not open, from belfort.catalog.metadata.RestrictionReason; None when open
    restriction_reason: Mapped[str | None] = mapped_column(String(30))
    # a non-open dataset its owner lists on the public transparency page (title, owner,
    # classification, ``classification_reason``); unlisted ones stay invisible
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    steward: Mapped[str | None] = mapped_column(String(200))
    record_key: Mapped[list[Any]] = mapped_column(default=list)
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    processing_activity: Mapped[str | None] = mapped_column(
        ForeignKey("processing_activities.id", ondelete="SET NULL"), index=True
    )
    rdf_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # IANA zone naive times in its source files are read in (each version records its own)
    timezone: Mapped[str] = mapped_column(
        String(64), default="Europe/Brussels", server_default="Europe/Brussels"
    )
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    published_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    versions: Mapped[list[Version]] = relationship(
        back_populates="dataset", order_by="Version.number", cascade="all, delete-orphan"
    )
    distributions: Mapped[list[Distribution]] = relationship(
        back_populates="dataset", order_by="Distribution.id", cascade="all, delete-orphan"
    )
    # the data dictionary (``belfort.catalog.field_dictionary``), loaded with the dataset
    field_descriptions: Mapped[list[FieldDescription]] = relationship(
        order_by="FieldDescription.field", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin",
    )


class Version(Base):
    """One immutable version: a Parquet file plus what was learnt while ingesting it."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    table_schema: Mapped[dict[str, Any]] = mapped_column("schema")
    row_count: Mapped[int] = mapped_column(BigInteger)
    byte_size: Mapped[int] = mapped_column(BigInteger)
    checksum: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(20))
    source_details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_checksum: Mapped[str | None] = mapped_column(String(80))
    validation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    record_times_path: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the publication gate's record when it was published (belfort.quality.gate): passed or
    # overridden (who, when, reason, figures); None: published without a gate
    quality_gate: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    dataset: Mapped[Dataset] = relationship(back_populates="versions")


class Distribution(Base):
    """A way to obtain the dataset (DCAT distribution): format, media type, URL path."""

    __tablename__ = "distributions"
    __table_args__ = (UniqueConstraint("dataset_id", "format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    access_path: Mapped[str] = mapped_column(String(500))

    dataset: Mapped[Dataset] = relationship(back_populates="distributions")


class FieldDescription(Base):
    """What one field of a dataset means, in Dutch and English, and its unit: the data
    dictionary (``belfort.catalog.field_dictionary``). Kept per dataset and field name, not per
    version, so it survives new versions; a field a newer version lacks keeps its row but is
    not shown."""

    __tablename__ = "field_descriptions"

    dataset_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(300), primary_key=True)
    title_nl: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_nl: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(50))
    # stricter than the dataset's: the field is held back unless a policy grants it
    # (None: the dataset's classification)
    classification: Mapped[str | None] = mapped_column(String(30))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


class ApiKey(Base):
    """An API key. Only a SHA-256 hash of the secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # scoped, expiring keys (migration 0015): the organisation a write key publishes for,
    # and when the key stops working (None: never)
    organisation: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A signed-in staff member on the portal (with an admin key, or a person through the
    OpenID Connect provider). The cookie holds a random token; only its SHA-256 hash is
    stored, and signing out deletes the row (``belfort.policy.sessions``)."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # a session started with an admin key; None for a person signed in through the
    # OpenID Connect provider (migration 0015), whose principal is kept in the columns below
    key_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    person_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(200))
    groups: Mapped[list[Any] | None] = mapped_column(JSON)
    staff_roles: Mapped[list[Any] | None] = mapped_column(JSON)


class AuditEvent(Base):
    """Who did what, when: every write and every read of non-open data is recorded (data
    principle 5, traceable use). Append-only and hash-chained: ``hash`` is the SHA-256 of the
    entry with ``prev_hash``, the hash of entry ``seq - 1`` (``belfort.catalog.audit_chain``);
    triggers refuse UPDATE and DELETE (migration 0016)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    dataset_id: Mapped[str | None] = mapped_column(String(100), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # --- audit trail (belfort.audit): the chain, and what a data access records ---
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    principal_kind: Mapped[str | None] = mapped_column(String(20))
    fields: Mapped[list[Any] | None] = mapped_column(JSON)
    row_filter: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(String(200))
    policy_id: Mapped[str | None] = mapped_column(String(200))
    rows: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str | None] = mapped_column(String(20))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class DatasetUsage(Base):
    """How often a dataset was asked for and how many rows were served (traceable use),
    and how much of that was use by the public.

    Counted in each process and added here every few seconds (``belfort.usage``).
    """

    __tablename__ = "dataset_usage"

    dataset_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    # the part of them asked by the public (no admin key, not signed in): the public figures
    public_requests: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    public_rows: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CatalogueGeneration(Base):
    """One row (id 1): the catalogue generation of a PostgreSQL catalogue, incremented by
    every catalogue write (``belfort.cache.DatabaseGeneration``), so that every node sharing
    the database sees a change. Generations are counts, never times: no node's clock matters."""

    __tablename__ = "catalogue_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger)


class QuotaCount(Base):
    """Calls of one caller (``bucket``: a hash of its key or address) in one fixed quota
    window (``window_start``: seconds since the epoch by the database's clock), counted by
    every node sharing a PostgreSQL catalogue (``belfort.api.quotas.DatabaseWindowCounter``)."""

    __tablename__ = "quota_counts"

    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    calls: Mapped[int] = mapped_column(BigInteger)


class Organisation(Base):
    """A publishing organisation (a department or partner): datasets name it by ``name_nl``,
    its pages and DCAT agent by ``slug`` (``belfort.catalog.organisations``)."""

    __tablename__ = "organisations"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    name_nl: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_nl: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    homepage: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ProcessingActivity(Base):
    """One entry of the GDPR art. 30 processing register (``belfort.register``).

    The fields follow what Ghent's register site shows (docs/processing-register.md)
    plus what art. 30(1) asks and that site lacks: purposes, data subjects, third-country
    transfers and security measures. Lists are JSON arrays of text; personal data are
    ``[{"type": …, "description": …}]``.
    """

    __tablename__ = "processing_activities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(200), index=True)
    processor: Mapped[str | None] = mapped_column(String(200), index=True)
    controller: Mapped[str] = mapped_column(String(200), default="Stad Gent")
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    legal_basis_explained: Mapped[str | None] = mapped_column(Text)
    formal_framework: Mapped[str | None] = mapped_column(String(300))
    purposes: Mapped[list[Any]] = mapped_column(default=list)
    data_subjects: Mapped[list[Any]] = mapped_column(default=list)
    grantees: Mapped[list[Any]] = mapped_column(default=list)
    personal_data: Mapped[list[Any]] = mapped_column(default=list)
    sensitive_personal_data: Mapped[list[Any]] = mapped_column(default=list)
    retention: Mapped[str | None] = mapped_column(String(300))
    third_country_transfers: Mapped[str | None] = mapped_column(Text)
    security_measures: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(40), default="burger", index=True)
    state: Mapped[str] = mapped_column(String(20), default="published", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


# --- live streams (``belfort.streams``) -------------------------------------------------------
# Times of observations are integers: microseconds since 1970-01-01 UTC. The hot store is
# written tens of thousands of rows a second; integers compare, index and copy to Parquet
# the same way on SQLite and PostgreSQL.


class Sensor(Base):
    """A device that sends observations. Only a SHA-256 hash of its credential is stored."""

    __tablename__ = "sensors"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))  # e.g. "passantenteller", "fietstelpaal"
    observed_property: Mapped[str] = mapped_column(String(100))  # the default property
    unit: Mapped[str | None] = mapped_column(String(50))
    longitude: Mapped[float | None] = mapped_column()
    latitude: Mapped[float | None] = mapped_column()
    zone_id: Mapped[str | None] = mapped_column(String(100), index=True)
    # how its counts add up in a zone: "entries", "exits", "passages" or "occupancy"
    counting: Mapped[str | None] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(200))
    dataset_id: Mapped[str] = mapped_column(String(100), index=True)  # the live dataset it feeds
    min_value: Mapped[float | None] = mapped_column()  # outside [min, max]: flagged "suspect"
    max_value: Mapped[float | None] = mapped_column()
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Observation(Base):
    """One value a sensor observed (SOSA: ``sosa:Observation``), in the hot store.

    One row per sensor, property and phenomenon time: resending the same observation
    changes nothing (``belfort.streams.write``)."""

    __tablename__ = "observations"
    __table_args__ = (UniqueConstraint("sensor_id", "property", "phenomenon_us"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    sensor_id: Mapped[str] = mapped_column(String(100))
    property: Mapped[str] = mapped_column(String(100))
    phenomenon_us: Mapped[int] = mapped_column(BigInteger)  # start of the phenomenon time
    phenomenon_end_us: Mapped[int | None] = mapped_column(BigInteger)  # end, for an interval
    result_us: Mapped[int] = mapped_column(BigInteger)
    received_us: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float] = mapped_column()
    quality: Mapped[str] = mapped_column(String(16), default="ok")  # "ok" or "suspect"
    weight: Mapped[float | None] = mapped_column()  # e.g. Telraam's uptime, 0..1


class DeviceRefusal(Base):
    """Refused device messages, counted per minute, device name, channel and reason
    (zero trust: every refusal is recorded, and a flood of them stays a few rows)."""

    __tablename__ = "device_refusals"
    __table_args__ = (UniqueConstraint("minute", "device", "channel", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    device: Mapped[str] = mapped_column(String(100))  # as presented (cut to 100 characters)
    channel: Mapped[str] = mapped_column(String(20))  # "http", "mqtt", "fiware-http", "sta"
    reason: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(BigInteger, default=1)


# --- live datasets: compacted observations and rollups in the lake (``belfort.streams``) -----
# The hot store's old rows move into Parquet files in the lake, one or more per dataset, kind
# and day; a file is read only once its row here is committed (in the same transaction that
# deletes the rows it holds), so a crash between the two loses and duplicates nothing.


class StreamPart(Base):
    """One compacted Parquet file of a live dataset: raw observations or rollups of a day."""

    __tablename__ = "stream_parts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(String(100), index=True)  # the sensors' dataset
    kind: Mapped[str] = mapped_column(String(20))  # "raw", "per-kwartier", "per-uur", "per-dag"
    day: Mapped[str] = mapped_column(String(10), index=True)  # UTC day of its rows, YYYY-MM-DD
    path: Mapped[str] = mapped_column(String(500), unique=True)  # relative to the data directory
    row_count: Mapped[int] = mapped_column(BigInteger)
    first_us: Mapped[int] = mapped_column(BigInteger)  # earliest phenomenon time it holds
    last_us: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StreamState(Base):
    """Shared state of the live store: the compaction generation (moves whenever compaction or
    retention changes what the live datasets hold) and the compactor's lease (one at a time)."""

    __tablename__ = "stream_state"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)  # "compaction"
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    holder: Mapped[str | None] = mapped_column(String(100))
    lease_until_us: Mapped[int] = mapped_column(BigInteger, default=0)

# --- SensorThings API (``belfort.streams.sta_*``) ------------------------------------------
# Only what Belfort's own tables lack: Things, Locations, ObservedProperties, the STA Sensors'
# descriptions and which Belfort sensor (and property) each Datastream is. Observations are
# the ``observations`` rows of that sensor and property; their ``@iot.id`` is the row's id.


class StaThing(Base):
    __tablename__ = "sta_things"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StaLocation(Base):
    __tablename__ = "sta_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    encoding_type: Mapped[str] = mapped_column(String(100))
    location: Mapped[dict[str, Any]] = mapped_column(JSON)  # GeoJSON
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StaThingLocation(Base):
    __tablename__ = "sta_thing_locations"

    thing_id: Mapped[int] = mapped_column(ForeignKey("sta_things.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("sta_locations.id"), primary_key=True)


class StaSensor(Base):
    """An STA Sensor: the description of an instrument or procedure (not a device)."""

    __tablename__ = "sta_sensors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    encoding_type: Mapped[str] = mapped_column(String(100))
    metadata_: Mapped[str] = mapped_column("metadata", Text, default="")
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StaObservedProperty(Base):
    __tablename__ = "sta_observed_properties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StaDatastream(Base):
    """A Datastream: one Belfort sensor (``sensors.id``) observing one property."""

    __tablename__ = "sta_datastreams"
    __table_args__ = (UniqueConstraint("belfort_sensor_id", "property"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    observation_type: Mapped[str] = mapped_column(String(200))
    unit: Mapped[dict[str, Any]] = mapped_column(JSON)  # unitOfMeasurement
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    thing_id: Mapped[int] = mapped_column(ForeignKey("sta_things.id"), index=True)
    sensor_id: Mapped[int] = mapped_column(ForeignKey("sta_sensors.id"), index=True)
    observed_property_id: Mapped[int] = mapped_column(
        ForeignKey("sta_observed_properties.id"), index=True)
    belfort_sensor_id: Mapped[str] = mapped_column(String(100))
    property: Mapped[str] = mapped_column(String(100))


# --- crowding (``belfort.twin``) ----------------------------------------------------------------
# Zones whose crowding is estimated from the sensors linked to them (``sensors.zone_id``).


class Zone(Base):
    """An area whose crowding is estimated: a GeoJSON polygon (WGS84) with its net walkable
    area and the density its capacity is reckoned at."""

    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[str] = mapped_column(Text)  # a GeoJSON Polygon, as JSON text
    area_m2: Mapped[float] = mapped_column()  # net walkable area
    area_computed: Mapped[bool] = mapped_column(Boolean, default=False)  # from the polygon
    density: Mapped[float | None] = mapped_column()  # persons/m² at capacity; None: the setting
    dwell_seconds: Mapped[float | None] = mapped_column()  # Little's law; None: the setting
    centre: Mapped[bool] = mapped_column(Boolean, default=False)  # part of the city centre
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- dashboards (belfort.dashboards) ---


class Dashboard(Base):
    """A City Dashboard: its spec as staff wrote it (YAML or JSON, ``source``) and as
    validated (``spec``). Kept in the database so every process serves the same edits;
    ``revision`` grows with every change."""

    __tablename__ = "dashboards"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    title_nl: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))


# --- audit trail (belfort.audit) ---


class AuditHead(Base):
    """The chain's head: one row (id 1) holding the last entry's ``seq`` and ``hash``.
    Every append locks it (``SELECT … FOR UPDATE`` semantics through an UPDATE) in the
    transaction of the change it records, so appends from many processes form one chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed statement "entry ``seq`` has hash ``hash``" (Ed25519, ``belfort.audit``):
    a rewrite of the log after it, however consistent, no longer matches."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))


# --- ODRL policies (belfort.policy.policies) ---


class PolicyRow(Base):
    """An ODRL policy (JSON-LD, checked by ``belfort.policy.odrl``) on one dataset.
    ``source`` keeps the text as staff wrote it, ``document`` the parsed JSON."""

    __tablename__ = "policies"

    uid: Mapped[str] = mapped_column(String(200), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String(100), index=True)
    policy_type: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))


class PolicyAssignment(Base):
    """One party a policy's rules name, with the actions it is permitted (``rule`` =
    ``permission``) or prohibited (``prohibition``): lets the gate select in SQL the
    datasets a principal may possibly see. Kept in step with ``policies`` by
    ``belfort.policy.policies``."""

    __tablename__ = "policy_assignments"
    __table_args__ = (UniqueConstraint("policy_uid", "party", "rule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    policy_uid: Mapped[str] = mapped_column(
        ForeignKey("policies.uid", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[str] = mapped_column(String(100))
    party: Mapped[str] = mapped_column(String(250), index=True)
    rule: Mapped[str] = mapped_column(String(20))  # permission | prohibition
    actions: Mapped[str] = mapped_column(String(100))  # sorted, comma-separated


# --- access requests (belfort.policy.access_requests) ---


class AccessRequest(Base):
    """A signed-in user's request for access to a dataset, and the steward's decision (an
    approval is stored as an ODRL Agreement: ``policy_uid``)."""

    __tablename__ = "access_requests"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    requester: Mapped[str] = mapped_column(String(200))  # the audit log's name for them
    requester_party: Mapped[str] = mapped_column(String(300), index=True)  # the ODRL assignee
    requester_name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(300))  # a DPV purpose IRI
    reason: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    policy_uid: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- crowding alerts (belfort.twin.alerts) ---


class AlertRule(Base):
    """A zone's alert rule: what is watched (``kind``: the live score, the forecast, the ratio
    to normal), at which level, the threshold it is raised at and the lower one it clears
    below (hysteresis), and how long either must hold. ``state`` and ``since_us`` are the
    evaluator's: whether the rule's alert is active, and since when the condition that
    would change that has held."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    zone_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # score_above | forecast_above | deviation
    level: Mapped[str] = mapped_column(String(20))  # attention | warning | critical
    threshold: Mapped[float] = mapped_column()
    clear_below: Mapped[float] = mapped_column()
    min_minutes: Mapped[int] = mapped_column(Integer, default=0)
    horizon_hours: Mapped[int | None] = mapped_column(Integer)  # forecast_above only
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    emails: Mapped[list[Any] | None] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    since_us: Mapped[int | None] = mapped_column(BigInteger)


class AlertAdvice(Base):
    """The advice operators wrote for a zone at a level (Dutch, English), carried by every
    alert of that zone and level."""

    __tablename__ = "alert_advice"

    zone_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    text_nl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Alert(Base):
    """One alert: raised by a rule, perhaps acknowledged by an operator, cleared. The rule,
    the advice and the explanation are kept as they were when it was raised."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int | None] = mapped_column(Integer, index=True)
    zone_id: Mapped[str] = mapped_column(String(100), index=True)
    zone_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column()
    threshold: Mapped[float] = mapped_column()
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    advice: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    deliveries: Mapped[list[Any] | None] = mapped_column(JSON)
    changed_us: Mapped[int] = mapped_column(BigInteger, default=0, index=True)


class AlertLease(Base):
    """Which process evaluates the alert rules now (one at a time, across processes)."""

    __tablename__ = "alert_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    lease_until_us: Mapped[int] = mapped_column(BigInteger, default=0)


# --- request counts of ODRL ``count`` constraints (belfort.policy.counts) ---


class PolicyRequestCount(Base):
    """How many requests a party made under a policy in one period window (``window``: the
    period and the window's start, e.g. ``P1D@2026-12-05T23:00:00Z``; ``forever`` without a
    period). Incremented atomically by every process (``belfort.policy.counts``)."""

    __tablename__ = "policy_request_counts"

    policy_uid: Mapped[str] = mapped_column(
        String(200), ForeignKey("policies.uid", ondelete="CASCADE"), primary_key=True)
    party: Mapped[str] = mapped_column(String(300), primary_key=True)
    window: Mapped[str] = mapped_column(String(80), primary_key=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    resets_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
# --- what-if scenarios (belfort.twin.scenarios) ---


class ZoneLink(Base):
    """A street between two zones of the scenario graph, walkable both ways."""

    __tablename__ = "zone_links"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    from_zone: Mapped[str] = mapped_column(
        String(100), ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    to_zone: Mapped[str] = mapped_column(
        String(100), ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    width_m: Mapped[float] = mapped_column()
    length_m: Mapped[float] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Scenario(Base):
    """A what-if scenario that was run: what was closed when, by whom, and the result (the
    engine's JSON, kept as it was computed)."""

    __tablename__ = "twin_scenarios"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    closures: Mapped[list[Any]] = mapped_column(JSON)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    result: Mapped[str] = mapped_column(Text)  # JSON


# --- forecast model registry and forecasts (belfort.twin.forecasting) ---


class ForecastModelVersion(Base):
    """A trained forecast model: what it learnt from (training range, sensors, features,
    parameters), how good its backtest was, where its file is (under the data directory),
    whether it is the one in use (``status``: active | retired), and how accurate its
    forecasts have been since (the last 7 days; ``degraded`` beyond the setting)."""

    __tablename__ = "twin_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    train_first_hour: Mapped[str] = mapped_column(String(40))
    train_last_hour: Mapped[str] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(60))
    country: Mapped[str] = mapped_column(String(8))
    horizon: Mapped[int] = mapped_column(Integer)
    sensors: Mapped[list[Any]] = mapped_column(JSON)
    features: Mapped[list[Any]] = mapped_column(JSON)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    backtest: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    artefact: Mapped[str] = mapped_column(String(500))  # relative to the data directory
    training_seconds: Mapped[float] = mapped_column(default=0.0)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    live_mae: Mapped[float | None] = mapped_column()
    live_mase: Mapped[float | None] = mapped_column()
    live_coverage: Mapped[float | None] = mapped_column()
    live_hours: Mapped[int] = mapped_column(Integer, default=0)
    live_updated_us: Mapped[int | None] = mapped_column(BigInteger)
    degraded: Mapped[bool] = mapped_column(Boolean, default=False)


class TwinForecast(Base):
    """One forecast made at an origin (the start of an hour) for a sensor or a zone: the
    model version, when it was made, and its hourly points (``points``: ``{"point": [...],
    "lower": [...], "upper": [...]}``, counts for a sensor, crowding scores for a zone) —
    or, when it was withheld, the reason."""

    __tablename__ = "twin_forecasts"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # sensor | zone
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    origin_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    model_version: Mapped[str | None] = mapped_column(String(60), index=True)
    made_us: Mapped[int] = mapped_column(BigInteger, index=True)  # dashboards' mark
    points: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


# --- data quality (``belfort.quality``) ------------------------------------------------------


class QualityRuleSet(Base):
    """A dataset's data-quality rules (``belfort.quality.rules``): inferred at its first
    measured version, then a steward's to edit; checked when saved, never at run time."""

    __tablename__ = "quality_rules"

    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    rules: Mapped[list[Any]] = mapped_column(default=list)
    inferred: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QualityReport(Base):
    """One measurement of a dataset version (a time series: one row per run)."""

    __tablename__ = "quality_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int | None] = mapped_column(Integer)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # "publish", "schedule", "cli", "api"
    status: Mapped[str] = mapped_column(String(10))  # "ok" or "failed"
    error: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int | None] = mapped_column(BigInteger)
    elapsed_ms: Mapped[float | None] = mapped_column()
    dimensions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    timeliness: Mapped[dict[str, Any]] = mapped_column(default=dict)

    results: Mapped[list[QualityResult]] = relationship(
        order_by="QualityResult.id", cascade="all, delete-orphan", passive_deletes=True
    )


class QualityResult(Base):
    """One rule's (or one field's completeness) result in a report."""

    __tablename__ = "quality_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("quality_reports.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[str] = mapped_column(String(100))
    dimension: Mapped[str] = mapped_column(String(20))
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the rule as saved
    checked: Mapped[int] = mapped_column(BigInteger)
    failing: Mapped[int] = mapped_column(BigInteger)
    examples: Mapped[list[Any]] = mapped_column(default=list)
