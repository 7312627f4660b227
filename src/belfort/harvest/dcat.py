"""Harvest any DCAT-AP catalogue (``belfort harvest dcat URL``): another Belfort's
``/catalog``, the Flemish open data portal, data.europa.eu, CKAN, …

The catalogue is read as Turtle, JSON-LD, RDF/XML or N-Triples (content negotiation,
then the response's Content-Type), page after page (HTTP ``Link: rel="next"``, Hydra
``hydra:next``); a dataset the page only names by IRI is dereferenced. Each
``dcat:Dataset`` becomes Belfort metadata (``belfort.harvest.dcat_rdf``); its best
ingestible distribution (Parquet, CSV, GeoJSON, JSON, XLSX) is downloaded with a byte
cap and ingested through the normal write path, so it is validated and published like
any upload. A dataset without such a distribution is recorded with its metadata only,
as a draft.

Incremental: a state file in the data directory remembers, per catalogue and dataset,
the source's ``dct:modified`` (with ``dcat:version`` and the distributions' addresses and
times), the metadata and the download's checksum. An unchanged dataset is not downloaded
again; changed metadata alone is updated without a new version; identical data is never
ingested twice. Every problem — a page or a description that does not parse, a failed
or garbage download, an unusable identifier, an oversized answer — is reported for that
page or dataset and the harvest goes on; nothing already in Belfort is lost or
overwritten by a failed attempt, and a local dataset that was not harvested from this
catalogue is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rdflib import Graph, URIRef
from rdflib.term import Node

from belfort import __version__
from belfort.catalog import store
from belfort.errors import (
    BelfortError,
    FileShapeRefused,
    InvalidRequest,
    PayloadTooLarge,
    UnreadableFile,
    UnsupportedFormat,
    ValidationFailed,
)
from belfort.harvest.dcat_rdf import (
    Candidate,
    DatasetRecord,
    RdfProblem,
    dataset_nodes,
    described_dataset,
    is_catalogue,
    is_described,
    next_page,
    parse,
    rdf_format,
    read_dataset,
    slug_of,
)
from belfort.harvest.ods import HARVESTER, ODS_TO_BELFORT
from belfort.harvest.terms import harvested_organisation, record_unmapped
from belfort.platform import Platform
from belfort.publishing import IngestOutcome, ingest_file, update_dataset_metadata

MB = 1 << 20
# an Opendatasoft Explore API export (Belfort's own distributions, data.stad.gent's): the
# same API describes the dataset's fields, whose types a CSV or Parquet file cannot carry
EXPLORE_EXPORT = re.compile(r"^(https?://.+/api/explore/v2\.1/catalog/datasets/[^/?#]+)/exports/[a-z]+$")
RDF_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
             "nt": "application/n-triples"}
USABLE = {"harvested", "updated", "unchanged", "recorded"}


def accept_header(prefer: str = "ttl") -> str:
    """Every RDF type Belfort reads, ``prefer`` first (Turtle by default)."""
    order = [RDF_TYPES[prefer]] + [t for k, t in RDF_TYPES.items() if k != prefer]
    weighted = [f"{t};q={1 - i / 10:.1f}" if i else t for i, t in enumerate(order)]
    return ", ".join(weighted + ["application/json;q=0.5", "application/xml;q=0.4", "*/*;q=0.1"])


@dataclass(frozen=True)
class Limits:
    max_pages: int = 1000
    max_document_bytes: int = 64 * MB  # one catalogue page or dataset description
    max_download_bytes: int = 2048 * MB  # one data file
    timeout: float = 30.0  # connect and between bytes
    document_seconds: float = 300.0  # a whole page
    download_seconds: float = 3600.0  # a whole data file


@dataclass
class DcatHarvestResult:
    dataset_id: str  # Belfort's identifier ("" for a problem with a catalogue page)
    status: str  # harvested | updated | unchanged | recorded | skipped | failed
    detail: str = ""
    source: str = ""  # the dataset's IRI or the page's URL

    def __post_init__(self) -> None:
        self.detail = " ".join(self.detail.split())[:2000]  # one line, whatever a server said

    @property
    def usable(self) -> bool:
        return self.status in USABLE


class FetchProblem(BelfortError):
    """An HTTP answer Belfort could not use (status, size, time, type)."""


@dataclass
class Fetched:
    url: str
    body: bytes
    content_type: str | None
    link_next: str | None


@dataclass
class Http:
    """Bounded HTTP: every answer has a byte cap and a wall-clock limit."""

    client: httpx.Client
    limits: Limits
    accept: str
    api_key: str | None = None  # sent only to the catalogue's own origin
    origin: str | None = None
    _contexts: dict[str, Any] = field(default_factory=dict)

    def _headers(self, url: str, accept: str) -> dict[str, str]:
        headers = {"Accept": accept}
        if self.api_key and self.origin and _origin(url) == self.origin:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _stream(self, url: str, accept: str, max_bytes: int, seconds: float,
                sink: Callable[[bytes], None]) -> httpx.Response:
        deadline = time.monotonic() + seconds
        try:
            with self.client.stream("GET", url, headers=self._headers(url, accept)) as response:
                if response.status_code >= 400:
                    raise FetchProblem(f"HTTP {response.status_code} from {url[:200]}")
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise FetchProblem(f"{url[:200]} is {int(length):,} bytes, larger than the limit of {max_bytes:,}")
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchProblem(f"{url[:200]} is larger than the limit of {max_bytes:,} bytes")
                    if time.monotonic() > deadline:
                        raise FetchProblem(f"{url[:200]} took longer than {seconds:.0f} s")
                    sink(chunk)
                return response
        except httpx.HTTPError as exc:
            raise FetchProblem(f"{url[:200]}: {type(exc).__name__}: {str(exc)[:200]}") from None
        except (httpx.InvalidURL, ValueError) as exc:  # a malformed URL
            raise FetchProblem(f"cannot fetch {url[:200]!r}: {str(exc)[:200]}") from None

    def fetch(self, url: str) -> Fetched:
        parts: list[bytes] = []
        limits = self.limits
        response = self._stream(url, self.accept, limits.max_document_bytes, limits.document_seconds, parts.append)
        link = response.links.get("next", {}).get("url")
        return Fetched(str(response.url), b"".join(parts), response.headers.get("content-type"), link)

    def json(self, url: str) -> Any:
        """A JSON-LD context (cached; at most 20 a harvest)."""
        if url not in self._contexts:
            if len(self._contexts) >= 20:
                raise RdfProblem("too many remote JSON-LD contexts")
            fetched = self._fetch_context(url)
            try:
                self._contexts[url] = json.loads(fetched.body)
            except ValueError:
                raise RdfProblem(f"the JSON-LD context {url[:200]} is not JSON") from None
        return self._contexts[url]

    def _fetch_context(self, url: str) -> Fetched:
        parts: list[bytes] = []
        response = self._stream(url, "application/ld+json, application/json;q=0.9", self.limits.max_document_bytes,
                                self.limits.document_seconds, parts.append)
        return Fetched(str(response.url), b"".join(parts), None, None)

    def graph(self, url: str, fetched: Fetched | None = None) -> tuple[Graph, Fetched]:
        fetched = fetched or self.fetch(url)
        fmt = rdf_format(fetched.content_type, fetched.url, fetched.body)
        return parse(fetched.body, fmt, fetched.url, self.json), fetched

    def field_types(self, download_url: str) -> dict[str, str] | None:
        """Field types from the Explore API that serves an export, where it is one (None
        when it is not, or does not answer usefully: the file's own types then)."""
        match = EXPLORE_EXPORT.match(download_url)
        if not match:
            return None
        parts: list[bytes] = []
        try:
            self._stream(match.group(1), "application/json", self.limits.max_document_bytes,
                         self.limits.document_seconds, parts.append)
            fields = json.loads(b"".join(parts)).get("fields") or []
            return {f["name"]: ODS_TO_BELFORT[f["type"]] for f in fields
                    if isinstance(f, dict) and f.get("type") in ODS_TO_BELFORT and isinstance(f.get("name"), str)} or None
        except (FetchProblem, ValueError, AttributeError):
            return None

    def download(self, url: str, target: Path) -> str:
        """Stream ``url`` into ``target``; its SHA-256 as Belfort records it."""
        digest = hashlib.sha256()
        with target.open("wb") as handle:
            def sink(chunk: bytes) -> None:
                digest.update(chunk)
                handle.write(chunk)
            response = self._stream(url, "*/*", self.limits.max_download_bytes, self.limits.download_seconds, sink)
        media = (response.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            raise FetchProblem(f"{url[:200]} answers with an HTML page, not data")
        return "sha256:" + digest.hexdigest()


def _origin(url: str) -> str:
    parts = httpx.URL(url)
    return f"{parts.scheme}://{parts.host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


# ── state ─────────────────────────────────────────────────────────────────────────────


def _state_file(platform: Platform, url: str) -> Path:
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = platform.settings.data_dir / "harvest" / f"dcat-{digest}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(path)


@dataclass
class Local:
    """What this Belfort already has under a harvested dataset's identifier."""

    sources: set[str]  # where its versions came from
    checksum: str | None  # of its newest version's source file


def _local(platform: Platform, dataset_id: str) -> Local | None:
    with platform.db.session() as session:
        dataset = store.find_dataset(session, dataset_id)
        if dataset is None:
            return None
        versions = list(dataset.versions)
        return Local({v.source for v in versions if v.source is not None},
                     versions[-1].source_checksum if versions else None)


def _current(platform: Platform, record: DatasetRecord) -> dict[str, Any] | None:
    """Our metadata of the dataset, in the fields the harvest sets."""
    with platform.db.session() as session:
        dataset = store.find_dataset(session, record.dataset_id)
        if dataset is None:
            return None
        ours = store.metadata_of(dataset).model_dump(mode="json")
    return {key: ours[key] for key in record.metadata}


# ── the harvest ───────────────────────────────────────────────────────────────────────


def harvest_dcat(
    platform: Platform,
    url: str,
    *,
    only: list[str] | None = None,
    prefer: str = "ttl",
    limits: Limits | None = None,
    client: httpx.Client | None = None,
    api_key: str | None = None,
) -> Iterator[DcatHarvestResult]:
    """Harvest every dataset of the DCAT catalogue at ``url`` (or only those in ``only``:
    Belfort identifiers, source identifiers or IRIs). Raises UnreadableFile when the
    catalogue's first page cannot be read; everything later is reported as a result.
    ``api_key`` goes (as a Bearer token) only to the catalogue's own scheme, host and port:
    a partner's key reaches what that partner shares with this platform, and never a
    third-party download host (httpx drops it on a redirect elsewhere, too)."""
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidRequest(f"not an http(s) URL: {url[:100]!r}")
    if prefer not in RDF_TYPES:
        raise InvalidRequest(f"unknown format {prefer!r}; use one of {sorted(RDF_TYPES)}")
    limits = limits or Limits()
    own = client is None
    client = client or httpx.Client(
        timeout=httpx.Timeout(limits.timeout), follow_redirects=True, max_redirects=5,
        headers={"User-Agent": f"Belfort/{__version__} (DCAT harvester)"},
    )
    http = Http(client, limits, accept_header(prefer), api_key=api_key or None, origin=_origin(url))
    run = _Run(platform, http, _state_file(platform, url), only)
    try:
        yield from run.pages(url)
    finally:
        if own:
            client.close()


@dataclass
class _Run:
    platform: Platform
    http: Http
    state_path: Path
    only: list[str] | None
    state: dict[str, Any] = field(default_factory=dict)
    taken: dict[str, str] = field(default_factory=dict)  # dataset id → IRI, this run

    def __post_init__(self) -> None:
        self.state = _load_state(self.state_path)

    def pages(self, url: str) -> Iterator[DcatHarvestResult]:
        page_url: str | None = url
        seen: set[str] = set()
        number = 0
        while page_url:
            if number >= self.http.limits.max_pages:
                yield DcatHarvestResult("", "skipped", f"stopped after {number} pages (the page limit); "
                                        "the catalogue has more", page_url)
                return
            number += 1
            seen.add(page_url)
            fetched: Fetched | None = None
            try:
                fetched = self.http.fetch(page_url)
                graph, fetched = self.http.graph(page_url, fetched)
                if number == 1 and not is_catalogue(graph):
                    raise RdfProblem("it holds no dcat:Catalog and no dcat:Dataset")
            except (FetchProblem, RdfProblem) as exc:
                if number == 1:
                    raise UnreadableFile(f"cannot read the catalogue at {url[:200]}: {exc.message}") from None
                yield DcatHarvestResult("", "failed", f"page {number}: {exc.message}", page_url)
                following = fetched.link_next if fetched else None  # a broken page may still say what is next
                page_url = following if following and following not in seen else None
                continue
            following = next_page(graph, fetched.url, fetched.link_next)
            for node in dataset_nodes(graph):
                result = self.dataset(graph, node)
                if result is not None:
                    yield result
            page_url = following if following and following not in seen else None

    def dataset(self, graph: Graph, node: Node) -> DcatHarvestResult | None:
        iri = str(node) if isinstance(node, URIRef) else ""
        try:
            if not is_described(graph, node):
                if not iri.startswith(("http://", "https://")):
                    raise RdfProblem("a dataset named only by a blank node or a non-HTTP IRI, without a description")
                graph, fetched = self.http.graph(iri.split("#")[0])
                node = described_dataset(graph, iri, fetched.url)
            record = read_dataset(graph, node)
        except Exception as exc:  # whatever one description does, the others are still harvested
            message = exc.message if isinstance(exc, BelfortError) else f"{type(exc).__name__}: {str(exc)[:200]}"
            guess = slug_of(iri) if iri else ""
            if self.only and guess not in self.only and iri not in self.only:
                return None
            return DcatHarvestResult(guess, "failed", message, iri or "(blank node)")
        if self.only and not {record.dataset_id, record.source_id, record.iri} & set(self.only):
            return None
        if record.dataset_id in self.taken:
            return DcatHarvestResult(record.dataset_id, "failed", f"identifier {record.source_id[:100]!r} is "
                                     f"also used by {self.taken[record.dataset_id][:200]} in this catalogue", record.iri)
        self.taken[record.dataset_id] = record.iri or record.source_id
        try:
            status, detail = self.apply(record)
        except BelfortError as exc:
            status, detail = "failed", exc.message[:300]
        except Exception as exc:  # a failure of this dataset only; the harvest goes on
            status, detail = "failed", f"{type(exc).__name__}: {str(exc)[:300]}"
        detail = "; ".join(x for x in [detail, *record.notes] if x)
        return DcatHarvestResult(record.dataset_id, status, detail, record.iri)

    def _remember(self, record: DatasetRecord, **extra: Any) -> None:
        entry = self.state.get(record.dataset_id, {})
        entry.update(iri=record.iri, fingerprint=record.fingerprint, metadata=record.metadata_hash, **extra)
        self.state[record.dataset_id] = entry
        _save_state(self.state_path, self.state)

    def _update_metadata(self, record: DatasetRecord, entry: dict[str, Any]) -> tuple[str, str]:
        """Metadata that changed at the source since the last harvest replaces ours
        (left alone when only we changed it)."""
        if entry.get("metadata") == record.metadata_hash or _current(self.platform, record) == record.metadata:
            self._remember(record)
            return "unchanged", ""
        update_dataset_metadata(self.platform, HARVESTER, record.dataset_id, dict(record.metadata))
        self._remember(record)
        return "updated", "metadata updated; data unchanged"

    def apply(self, record: DatasetRecord) -> tuple[str, str]:
        dataset_id = record.dataset_id
        if record.metadata.get("organisation"):  # the publisher as a listed organisation
            record.metadata["organisation"] = harvested_organisation(
                self.platform, HARVESTER, record.metadata["organisation"], record.notes)
        status, detail = self._apply(record)
        if status not in ("failed", "skipped", "unchanged"):
            record_unmapped(self.platform, HARVESTER, dataset_id, record.notes)
        return status, detail

    def _apply(self, record: DatasetRecord) -> tuple[str, str]:
        dataset_id = record.dataset_id
        entry = self.state.get(dataset_id)
        local = _local(self.platform, dataset_id)
        if local is not None and entry is None and not local.sources & {c.url for c in record.candidates}:
            return "skipped", ("a dataset with this identifier exists here and was not harvested from this "
                               "catalogue; left as it is")
        if local is None:
            entry = None  # forgotten state for a dataset that is not here (any more)
        has_data = local is not None and local.checksum is not None
        if entry and record.fingerprint and entry.get("fingerprint") == record.fingerprint and (
                has_data or not record.candidates):
            return self._update_metadata(record, entry)
        if not record.candidates:
            if local is not None:
                return self._update_metadata(record, entry or {})
            self._record_metadata_only(record)
            return "recorded", "metadata only (a draft): no distribution Belfort can ingest"
        return self._download_and_ingest(record, entry or {}, local)

    def _record_metadata_only(self, record: DatasetRecord) -> None:
        with self.platform.db.session() as session:
            store.create_dataset(session, record.dataset_id, {
                "timezone": self.platform.settings.default_source_timezone, **record.metadata})
            store.record_audit(session, HARVESTER.actor, "harvest_metadata", record.dataset_id,
                               source=record.iri[:200])
        self.platform.generation.bump()
        self._remember(record)

    def _ingest(self, record: DatasetRecord, candidate: Candidate, target: Path) -> IngestOutcome:
        def ingest(overrides: dict[str, str] | None) -> IngestOutcome:
            return ingest_file(self.platform, HARVESTER, record.dataset_id, target, format=candidate.format,
                               metadata=dict(record.metadata), source_name=candidate.url[:500], overrides=overrides,
                               trigger="harvest")

        overrides = self.http.field_types(candidate.url)
        try:
            return ingest(overrides)
        except (InvalidRequest, ValidationFailed):
            if not overrides:
                raise
            return ingest(None)  # the API's field types do not fit the file: the file's own types

    def _download_and_ingest(self, record: DatasetRecord, entry: dict[str, Any], local: Local | None) -> tuple[str, str]:
        problems: list[str] = []
        staging = self.platform.lake.new_staging_dir()
        try:
            for candidate in record.candidates:
                target = staging / f"download.{candidate.format}"
                try:
                    checksum = self.http.download(candidate.url, target)
                except FetchProblem as exc:
                    problems.append(f"{candidate.format}: {exc.message}")
                    continue
                if local is not None and local.checksum == checksum:
                    status, detail = self._update_metadata(record, entry)
                    self._remember(record, checksum=checksum, url=candidate.url)
                    return status, detail
                try:
                    outcome = self._ingest(record, candidate, target)
                except (UnsupportedFormat, UnreadableFile, ValidationFailed, InvalidRequest,
                        FileShapeRefused, PayloadTooLarge) as exc:  # the file: a bad source
                    problems.append(f"{candidate.format} from {candidate.url[:150]}: {exc.message[:200]}")
                    continue
                self._remember(record, checksum=checksum, url=candidate.url, version=outcome.version)
                rows = f"{outcome.row_count:,} row{'' if outcome.row_count == 1 else 's'}"
                return "harvested", f"version {outcome.version}, {rows} ({candidate.format})"
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return "failed", "no distribution could be ingested: " + " | ".join(problems)
