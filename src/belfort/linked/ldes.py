"""Linked Data Event Streams: every versioned dataset as an append-only stream of
immutable version objects, paged in fixed-size, time-ordered fragments (TREE).

The stream of dataset ``d`` is the dataset itself (``{base}/catalog/datasets/d``, a
``dcat:Dataset`` and an ``ldes:EventStream``); ``{base}/ldes/d`` describes it and names
its view, the first page ``{base}/ldes/d/pages/1``. Members come from the member log
(``belfort.linked.ldes_log``): member ``i`` of the stream (counted from 0, in stream
order) is on page ``i // page_size + 1``. A page is *closed* once the stream holds a
member after it; only then does it link to the next page, with a
``tree:GreaterThanOrEqualToRelation`` on ``prov:generatedAtTime`` whose value is the
timestamp of the next page's first member. So a closed page never changes again, and
publishing a version only fills the open (last) page and adds pages after it.

A member is ``{base}/id/{dataset}/{record id}/{timestamp}`` (timestamp in ISO 8601 basic
form, ``20240721T100000Z``): ``dct:isVersionOf`` the row's resource (the record URI, or
the mapping's subject), ``prov:generatedAtTime``, and the row's triples from the RDF
mapping (``belfort.linked.mapping``) with the row's resource — and the nodes named after
it (``…#geometry-…``) — renamed to the member. A record a version removes gets a
tombstone member typed ``as:Delete`` (the stream declares ``ldes:versionDeletePath
rdf:type`` and ``ldes:versionDeleteObject as:Delete``).

A *live* dataset (``belfort.streams``: rows seconds old, kept for a window) is a stream of
its current rows, read from the live snapshot: members are its observations (or rollup
rows) in arrival order, appended as they come, and they *leave* when they fall out of the
window or the retention. So none of its pages is ever immutable (``StreamSource.live``),
and with the default mapping its view states a retention policy
(``ldes:retentionPolicy`` an ``ldes:DurationAgoPolicy``, ``tree:value`` an
``xsd:duration``), the stream's ``ldes:timestampPath`` being the members' own time
(``tijdstip``, or ``periode_start`` for rollups): members younger than that are kept.

Framework-neutral: ``belfort.api.ldes`` serves it over HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from belfort.linked.ldes_jsonld import write_jsonld
from belfort.linked.ldes_log import (
    LogCache,
    StreamVersion,
    VersionLog,
    compute_log,
    read_rows,
    read_version_table,
    stored_log,
    stream_timestamps,
    table_bytes,
)
from belfort.linked.rdf import IRI, RDF_TYPE, Document, Lit
from belfort.linked.vocabularies import DCAT, DCT, PREFIXES, XSD
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.policy.reading import readable_history

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
PROV = "http://www.w3.org/ns/prov#"
AS = "https://www.w3.org/ns/activitystreams#"
STREAM_PREFIXES = {"ldes": LDES, "tree": TREE, "prov": PROV, "as": AS}

GENERATED_AT = PROV + "generatedAtTime"
IS_VERSION_OF = DCT + "isVersionOf"
TREE_MEMBER = TREE + "member"
XSD_DATETIME = XSD + "dateTime"
DEFAULT_PAGE_SIZE = 250
RECORD_ID = re.compile(r"[0-9a-f]{40}")
URI_TIMESTAMP = re.compile(r"[0-9]{8}T[0-9]{6}(\.[0-9]{6})?Z")
MAX_PAGE_NUMBER_DIGITS = 12


def uri_timestamp(moment: dt.datetime) -> str:
    """``20240721T100000Z`` (``.123456`` before the Z when there are microseconds)."""
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y%m%dT%H%M%S") + fraction + "Z"


def xsd_timestamp(moment: dt.datetime) -> str:
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


# ── What the catalogue says about a stream ────────────────────────────────────────────


@dataclass(frozen=True)
class Retention:
    """A live stream's retention (LDES ``ldes:DurationAgoPolicy``): members whose ``field``
    (their time, the stream's ``ldes:timestampPath``) is less than ``days`` old are kept."""

    field: str
    days: float

    def duration(self) -> str:
        """``P7D``; ``PT36H``/``PT90S`` when not a whole number of days (xsd:duration)."""
        if float(self.days).is_integer():
            return f"P{int(self.days)}D"
        seconds = round(self.days * 86_400)
        return f"PT{seconds // 3600}H" if seconds % 3600 == 0 else f"PT{seconds}S"


@dataclass(frozen=True)
class StreamSource:
    """One dataset's stream as the caller may read it: versions 1 … the readable one."""

    dataset_id: str
    record_key: tuple[str, ...]
    rdf_mapping: dict[str, Any] | None
    versions: tuple[StreamVersion, ...]
    public: bool  # open and published: anyone may read it, shared caches may keep it
    live: bool = False  # rows come and go (a live dataset): no page is immutable
    retention: Retention | None = None  # a live stream's retention policy, when it states one

    @property
    def mapping_key(self) -> str:
        return orjson.dumps(self.rdf_mapping, option=orjson.OPT_SORT_KEYS).decode()


def load_source(platform: Platform, principal: Principal, dataset_id: str, *, count_use: bool = True) -> StreamSource:
    """The stream the gate lets ``principal`` read (NotFound as the gate says): the
    dataset's versions up to its readable one (``belfort.policy.reading``)."""
    history = readable_history(platform, principal, dataset_id, count_use=count_use)
    current = history.current
    versions = tuple(StreamVersion(v.number, v.path, v.schema, v.created_at) for v in history.versions)
    return StreamSource(current.dataset_id, current.record_key, current.rdf_mapping, versions, current.public,
                        live=current.live, retention=_retention(platform, current) if current.live else None)


# a live dataset's time field → the setting that says how long its rows stay (days)
_KEPT_BY = (("periode_start", "stream_rollup_retention_days"), ("tijdstip", "live_window_days"))


def _retention(platform: Platform, current: Any) -> Retention | None:
    """The retention of a live dataset of observations (its window) or of rollups (the
    rollup retention): only with the default mapping, whose members carry the time field
    under ``{base}/def/{dataset}#{field}``; other live datasets state none."""
    if current.rdf_mapping is not None:
        return None
    names = set(current.schema.names)
    for name, setting in _KEPT_BY:
        if name in names:
            return Retention(name, float(getattr(platform.settings, setting)))
    return None


# ── Pages ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Segment:
    """Members ``start`` … ``end`` − 1 of version index ``index``'s log."""

    index: int
    start: int
    end: int


@dataclass(frozen=True)
class PagePlan:
    number: int
    segments: tuple[Segment, ...]
    closed: bool
    next_timestamp: dt.datetime | None  # the first member of the next page (closed pages)
    depends_on: int  # versions[:depends_on] determine the page completely


@dataclass
class Stream:
    """A stream's page arithmetic over its member log (computed lazily, version by
    version, and cached in ``cache``)."""

    source: StreamSource
    page_size: int
    cache: LogCache
    threads: int = 2
    memory_limit: str = "1GB"
    log_dir: Path | None = None  # where member logs are kept on disk (None: memory only)
    timestamps: list[dt.datetime] = field(init=False)
    _counts: list[int] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.timestamps = stream_timestamps(self.source.versions)

    def log(self, index: int) -> VersionLog:
        versions = self.source.versions
        version = versions[index]
        previous = versions[index - 1] if index else None
        key = ("ldes-log", str(previous.path) if previous else None, str(version.path), self.source.record_key)
        directory = self.log_dir / self.source.dataset_id if self.log_dir else None
        log: VersionLog = self.cache.get_or_build(key, lambda: stored_log(
            directory, version, previous, self.source.record_key,
            lambda: compute_log(version, previous, self.source.record_key,
                                threads=self.threads, memory_limit=self.memory_limit)))
        return log

    def _count(self, index: int) -> int:
        while len(self._counts) <= index:
            self._counts.append(len(self.log(len(self._counts))))
        return self._counts[index]

    def total(self) -> int:
        return sum(self._count(i) for i in range(len(self.source.versions)))

    def page_count(self) -> int:
        return max(1, -(-self.total() // self.page_size))

    def plan(self, number: int) -> PagePlan | None:
        """Which members page ``number`` holds; None when there is no such page."""
        if number < 1:
            return None
        start, end = (number - 1) * self.page_size, number * self.page_size
        segments: list[Segment] = []
        position = 0
        for index in range(len(self.source.versions)):
            count = self._count(index)
            low, high = max(start, position), min(end, position + count)
            if low < high:
                segments.append(Segment(index, low - position, high - position))
            if position + count > end:  # the next page's first member is in this version
                return PagePlan(number, tuple(segments), True, self.timestamps[index], index + 1)
            position += count
        if start >= position and number > 1:
            return None
        return PagePlan(number, tuple(segments), False, None, len(self.source.versions))


# ── Documents ─────────────────────────────────────────────────────────────────────────


def stream_uri(base: str, dataset_id: str) -> str:
    """The stream is the dataset: the catalogue's URI for it."""
    return f"{base}/catalog/datasets/{dataset_id}"


def page_uri(base: str, dataset_id: str, number: int) -> str:
    return f"{base}/ldes/{quote(dataset_id, safe='')}/pages/{number}"


def record_uri(base: str, dataset_id: str, record_id: str) -> str:
    """The record a member is a version of (when the mapping names no other subject)."""
    return f"{base}/id/{quote(dataset_id, safe='')}/{record_id}"


def entry_uri(base: str, dataset_id: str) -> str:
    return f"{base}/ldes/{quote(dataset_id, safe='')}"


def retention_uri(base: str, dataset_id: str) -> str:
    return f"{entry_uri(base, dataset_id)}#retention"


def describe_stream(document: Document, base: str, dataset_id: str,
                    retention: Retention | None = None) -> str:
    """The stream's own triples: what it is, its paths, its view (with its retention policy
    when it has one: a live stream, ordered and kept by its members' own time)."""
    s = stream_uri(base, dataset_id)
    add = document.props(s).append
    add((RDF_TYPE, IRI(LDES + "EventStream")))
    if retention is None:
        add((LDES + "timestampPath", IRI(GENERATED_AT)))
    else:
        time_path = f"{base}/def/{quote(dataset_id, safe='')}#{retention.field}"
        add((LDES + "timestampPath", IRI(time_path)))
        view, policy = page_uri(base, dataset_id, 1), retention_uri(base, dataset_id)
        document.add(view, LDES + "retentionPolicy", IRI(policy))
        document.add(policy, RDF_TYPE, IRI(LDES + "DurationAgoPolicy"))
        document.add(policy, TREE + "value", Lit(retention.duration(), None, XSD + "duration"))
    add((LDES + "versionOfPath", IRI(IS_VERSION_OF)))
    add((LDES + "versionDeletePath", IRI(RDF_TYPE)))
    add((LDES + "versionDeleteObject", IRI(AS + "Delete")))
    add((TREE + "view", IRI(page_uri(base, dataset_id, 1))))
    return s


def catalogue_entry(document: Document, base: str, dataset_id: str) -> None:
    """What the DCAT catalogue says of a dataset with a published version: it is also an
    event stream, with a view (``belfort.linked.dcat`` calls this)."""
    s = stream_uri(base, dataset_id)
    document.add(s, RDF_TYPE, IRI(LDES + "EventStream"))
    document.add(s, TREE + "view", IRI(page_uri(base, dataset_id, 1)))


def entry_document(base: str, dataset_id: str, retention: Retention | None = None) -> Document:
    """``/ldes/{dataset}``: the stream, its paths and its view (the first page)."""
    document = Document()
    describe_stream(document, base, dataset_id, retention)
    document.add(stream_uri(base, dataset_id), RDF_TYPE, IRI(DCAT + "Dataset"))
    document.add(page_uri(base, dataset_id, 1), RDF_TYPE, IRI(TREE + "Node"))
    return document


MapperFactory = Callable[[str, str, dict[str, Any], "dict[str, Any] | None"], Any]


@dataclass(frozen=True)
class RenderedPage:
    body: bytes
    etag: str  # strong: a hash of the body
    closed: bool


class PageRenderer:
    """Builds one page's RDF: the stream's triples with ``tree:member`` links, the page
    node with its relation, and the members."""

    def __init__(self, stream: Stream, base: str, mapper_factory: MapperFactory | None) -> None:
        self.stream = stream
        self.base = base
        self.dataset_id = stream.source.dataset_id
        self.mapper_factory = mapper_factory
        self.prefixes: dict[str, str] = {**PREFIXES, **STREAM_PREFIXES}

    def document(self, plan: PagePlan) -> Document:
        document = Document()
        stream = describe_stream(document, self.base, self.dataset_id, self.stream.source.retention)
        page = page_uri(self.base, self.dataset_id, plan.number)
        document.add(page, RDF_TYPE, IRI(TREE + "Node"))
        if plan.closed and plan.next_timestamp is not None:
            relation = f"{page}#next"
            document.add(page, TREE + "relation", IRI(relation))
            add = document.props(relation).append
            add((RDF_TYPE, IRI(TREE + "GreaterThanOrEqualToRelation")))
            add((TREE + "path", IRI(GENERATED_AT)))
            add((TREE + "value", Lit(xsd_timestamp(plan.next_timestamp), None, XSD_DATETIME)))
            add((TREE + "node", IRI(page_uri(self.base, self.dataset_id, plan.number + 1))))
        members = document.props(stream)
        for segment in plan.segments:
            self.add_segment(document, members, segment)
        return document

    def _mapper(self, version: StreamVersion) -> Any:
        if self.mapper_factory is None:
            return None
        mapper = self.mapper_factory(self.base, self.dataset_id, version.schema.to_dict(),
                                     self.stream.source.rdf_mapping)
        prefixes = getattr(mapper, "prefixes", None)
        if prefixes is not None:
            for name, namespace in prefixes().items():
                self.prefixes.setdefault(name, namespace)
        return mapper

    def _rows(self, version: StreamVersion, numbers: list[int]) -> list[dict[str, Any]]:
        if not numbers:
            return []
        cache = self.stream.cache
        key = ("ldes-table", str(version.path))
        table: pa.Table | None = cache.get(key)
        if table is None and table_bytes(version.path) > cache.max_bytes // 4:
            rows: list[dict[str, Any]] = read_rows(version.path, numbers).to_pylist()
            return rows
        if table is None:
            table = cache.get_or_build(key, lambda: read_version_table(version.path))
        taken: list[dict[str, Any]] = table.take(pa.array(numbers, pa.int64())).to_pylist()
        return taken

    def add_segment(self, document: Document, members: list[tuple[str, Any]], segment: Segment) -> None:
        """Adds the segment's members to ``document`` and a ``tree:member`` link for each to
        ``members`` (the stream's property list)."""
        stream = self.stream
        versions = stream.source.versions
        version = versions[segment.index]
        log = stream.log(segment.index)
        record_ids = log.record_ids.slice(segment.start, segment.end - segment.start).to_pylist()
        rows = log.rows.slice(segment.start, segment.end - segment.start).to_pylist()
        stamp = uri_timestamp(stream.timestamps[segment.index])
        generated = Lit(xsd_timestamp(stream.timestamps[segment.index]), None, XSD_DATETIME)
        mapper = self._mapper(version)
        current = self._rows(version, [r for r in rows if r >= 0])
        gone: list[dict[str, Any]] = []
        previous_mapper = None
        if any(r < 0 for r in rows):
            previous = versions[segment.index - 1]
            gone = self._rows(previous, [-r - 1 for r in rows if r < 0])
            previous_mapper = self._mapper(previous)
        current_rows, gone_rows = iter(current), iter(gone)
        record_base = f"{self.base}/id/{quote(self.dataset_id, safe='')}/"
        for record_id, row_number in zip(record_ids, rows, strict=True):
            member = f"{record_base}{record_id}/{stamp}"
            members.append((TREE_MEMBER, IRI(member)))
            if row_number >= 0:
                row = next(current_rows)
                entity = self._content(document, mapper, member, record_id, row) if mapper else None
            else:
                row = next(gone_rows)
                entity = previous_mapper.row_subject(record_id, row) if previous_mapper else None
                document.add(member, RDF_TYPE, IRI(AS + "Delete"))
            props = document.props(member)
            props.append((IS_VERSION_OF, IRI(entity or f"{record_base}{record_id}")))
            props.append((GENERATED_AT, generated))

    @staticmethod
    def _content(document: Document, mapper: Any, member: str, record_id: str, row: dict[str, Any]) -> str:
        """Adds the row's triples about ``member`` (renamed from the row's resource);
        returns the resource's IRI."""
        scratch = Document()
        entity: str = mapper.add_row(scratch, record_id, row)
        owned = (entity + "#", entity + "-") if "#" in entity else (entity + "#",)

        def rename(iri: str) -> str:
            if iri == entity:
                return member
            if iri.startswith(owned):
                return f"{member}#{iri[len(entity) + 1:]}"
            return iri

        nodes = document.nodes
        for subject, props in scratch.nodes.items():
            if any(isinstance(o, IRI) and o.startswith(entity) for _, o in props):  # links to its own nodes
                props = [(p, IRI(rename(o)) if isinstance(o, IRI) and o.startswith(entity) else o)
                         for p, o in props]
            target = rename(subject)
            existing = nodes.get(target)
            if existing is None:
                nodes[target] = props
            else:  # a node rows share (a sensor the mapping types): its triples once
                known = set(existing)
                existing.extend(p for p in props if p not in known)
        return entity


def render(document: Document, fmt: str, prefixes: dict[str, str]) -> bytes:
    if fmt == "jsonld":
        return write_jsonld(document, prefixes)
    return document.serialize("nt" if fmt == "nq" else fmt)  # N-Quads: one default graph


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# ── The streams of one process ────────────────────────────────────────────────────────


class EventStreams:
    """Page arithmetic, member logs and rendered pages of every stream, cached per process
    within ``cache_bytes`` (member logs, version tables and rendered pages share it)."""

    def __init__(self, *, page_size: int = DEFAULT_PAGE_SIZE, cache_bytes: int = 256 * 1024 * 1024,
                 threads: int = 2, memory_limit: str = "1GB", log_dir: Path | None = None,
                 mapper_factory: MapperFactory | None = None) -> None:
        self.page_size = page_size
        self.log_dir = log_dir
        self.cache = LogCache(cache_bytes)
        self.threads = threads
        self.memory_limit = memory_limit
        self.mapper_factory = mapper_factory
        # one page rendered ahead while a client reads the one before (see ``page``)
        self._ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ldes-read-ahead")
        self._ahead_lock = threading.Lock()
        self._ahead_busy = False

    def stream(self, source: StreamSource) -> Stream:
        return Stream(source, self.page_size, self.cache, self.threads, self.memory_limit, self.log_dir)

    def page(self, source: StreamSource, base: str, number: int, fmt: str, *,
             read_ahead: bool = True) -> RenderedPage | None:
        """Page ``number`` in format ``fmt``; None when the stream has no such page. After
        rendering a closed page, the next one is rendered ahead (``read_ahead``)."""
        stream = self.stream(source)
        plan = stream.plan(number)
        if plan is None:
            return None
        versions = tuple((v.number, str(v.path), v.created_at.isoformat())
                         for v in source.versions[:plan.depends_on])
        key = ("ldes-page", base, source.dataset_id, source.record_key, source.mapping_key,
               self.page_size, number, fmt, plan.closed, versions)
        kept: tuple[bytes, str] | None = self.cache.get(key)
        if kept is None:
            def build() -> tuple[bytes, str]:
                renderer = PageRenderer(stream, base, self.mapper_factory)
                body = render(renderer.document(plan), fmt, renderer.prefixes)
                return body, strong_etag(body)

            kept = self.cache.get_or_build(key, build)  # a page being read ahead: wait for it
        if plan.closed and read_ahead:
            self._read_ahead(source, base, number + 1, fmt)
        return RenderedPage(kept[0], kept[1], plan.closed)

    def _read_ahead(self, source: StreamSource, base: str, number: int, fmt: str) -> None:
        """Render page ``number`` in the background: a client replicating a stream asks for
        it next, and meanwhile reads this one (on another core). One page at a time; skipped
        when the worker is busy."""
        with self._ahead_lock:
            if self._ahead_busy:
                return
            self._ahead_busy = True

        def work() -> None:
            try:
                self.page(source, base, number, fmt, read_ahead=False)
            except Exception:  # noqa: BLE001 - only a guess; the request itself will report
                pass
            finally:
                with self._ahead_lock:
                    self._ahead_busy = False

        try:
            self._ahead.submit(work)
        except RuntimeError:  # shut down
            with self._ahead_lock:
                self._ahead_busy = False

    def member(self, source: StreamSource, base: str, record_id: str, stamp: str, fmt: str) -> bytes | str | None:
        """The version object ``{base}/id/{dataset}/{record_id}/{stamp}`` alone. When no
        version has that exact timestamp: the timestamp (a ``str``) of the record's newest
        member at or before it — the record as it stood then — or None when it had none."""
        if not RECORD_ID.fullmatch(record_id) or not URI_TIMESTAMP.fullmatch(stamp):
            return None
        moment = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ" if "." in stamp else "%Y%m%dT%H%M%SZ")
        moment = moment.replace(tzinfo=dt.UTC)
        stream = self.stream(source)
        for index in range(len(stream.timestamps) - 1, -1, -1):
            if stream.timestamps[index] > moment:
                continue
            position = pc.index(stream.log(index).record_ids, record_id).as_py()
            if position < 0:
                continue
            if uri_timestamp(stream.timestamps[index]) != stamp:
                return uri_timestamp(stream.timestamps[index])
            renderer = PageRenderer(stream, base, self.mapper_factory)
            document = Document()
            renderer.add_segment(document, [], Segment(index, position, position + 1))
            return render(document, fmt, renderer.prefixes)
        return None

    def members(self, source: StreamSource) -> Sequence[tuple[str, int]]:
        """(record id, row) of every member in stream order (for tests and tools)."""
        stream = self.stream(source)
        out: list[tuple[str, int]] = []
        for index in range(len(source.versions)):
            log = stream.log(index)
            out.extend(zip(log.record_ids.to_pylist(), log.rows.to_pylist(), strict=True))
        return out
