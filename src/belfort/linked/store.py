"""The linked data a process holds: the DCAT fragment cache and the SPARQL store.

``linked_data(platform)`` (built on first use, kept as a platform component) is a ``LinkedData``. Its
one ``CatalogueStore`` (of the one base URL ``Settings.canonical_base_url``: every URI depends on
it, and no request header may choose it, build or evict a store) is an in-memory pyoxigraph
store with these named graphs
(docs/linked-data.md, "SPARQL endpoint"):

- ``{base}/graphs/catalog`` — the catalogue as DCAT-AP, as anonymous callers see it;
- ``{base}/graphs/catalog-restricted`` — the datasets only staff may see (drafts,
  internal and confidential data), with what they refer to;
- ``http://stad.gent/data-processes/`` — the GDPR processing register (open data);
- ``{base}/graphs/datasets/{id}`` — the records of each dataset with an RDF mapping
  (``BELFORT_SPARQL_ROWS_PER_DATASET`` at most), open iff anonymous callers may read it.

A *live* dataset's records (``belfort.streams``: rows that change every few seconds) follow
its current snapshot: every ``BELFORT_SPARQL_LIVE_REFRESH_SECONDS`` the store's refresher (a
daemon thread, started with the store) asks whether the snapshot moved and, if so, rebuilds
that dataset's records graph — built outside the store's lock, swapped in under it, one
rebuild at a time (queries meanwhile answer from the graph as it was, never wait for it) —
and moves the epoch, so the answer cache (keyed by it) and the query workers (forked per
epoch) move on too.

It is kept in step with the catalogue *incrementally*: when the catalogue generation
changed, one light query per audience lists the datasets with what identifies their
state (updated_at, versions, state, classification, mapping) and only the datasets
whose state differs are removed and loaded again. The shared nodes (themes, licences,
publishers, …) are reference-counted per graph, so removing a dataset never removes
what another one still refers to.

In memory rather than on disk: it is rebuilt from the catalogue in seconds (the
catalogue is the only source of truth, nothing to migrate or repair), and query worker
processes forked from the server share it copy-on-write (``belfort.linked.sparql``).
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from belfort.catalog.models import Dataset, Version
from belfort.errors import BelfortError
from belfort.linked import rows as catalogue
from belfort.linked.dcat import MAX_PAGE_SIZE, SERVICES, DcatBuilder, PageInfo
from belfort.linked.fragments import FragmentCache, PageCache, SharedNode, build_fragment
from belfort.linked.rdf import IRI, Document, Lit, Term, write_ntriples
from belfort.linked.records import dataset_document
from belfort.linked.vocabularies import DCAT, HYDRA
from belfort.policy import gate
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN, Principal
from belfort.policy.reading import readable
from belfort.register.linked import REGISTER_GRAPH, register_document

if TYPE_CHECKING:
    from belfort.linked.sparql import AnswerCache, WorkerPool
    from belfort.platform import Platform

log = logging.getLogger(__name__)

_CHUNK = 500  # datasets read and loaded at a time
_TOKENS = itertools.count(1)


def catalog_graph(base: str) -> str:
    return f"{base}/graphs/catalog"


def restricted_graph(base: str) -> str:
    return f"{base}/graphs/catalog-restricted"


def dataset_graph(base: str, dataset_id: str) -> str:
    return f"{base}/graphs/datasets/{dataset_id}"


@dataclass(frozen=True)
class Snapshot:
    """What the store holds at one moment: which graphs exist and who may see them."""

    epoch: int
    open_graphs: tuple[str, ...]
    all_graphs: tuple[str, ...]

    def graphs_for(self, principal: Principal) -> tuple[str, ...]:
        return self.all_graphs if principal.is_admin else self.open_graphs


@dataclass
class _Loaded:
    key: tuple[Any, ...]
    graph: str  # the catalogue graph (open or restricted)
    subjects: tuple[str, ...]  # the dataset's own subjects there
    shared: tuple[SharedNode, ...]
    rows_graph: str | None = None  # its records' graph, if it has a mapping
    rows_open: bool = False
    rows_tried: bool = False  # loading them was tried (an empty or failing mapping: once per state)
    live_file: str | None = None  # a live dataset: the snapshot its records graph was built from
    live_checked: float = 0.0  # when (time.monotonic) that was last compared with the current one


def _term(value: str | Term) -> Any:
    if isinstance(value, Lit):
        if value.lang:
            return ox.Literal(value.value, language=value.lang)
        if value.datatype:
            return ox.Literal(value.value, datatype=ox.NamedNode(value.datatype))
        return ox.Literal(value.value)
    if value.startswith("_:"):
        return ox.BlankNode(value[2:])
    return ox.NamedNode(value)


def _quads(subject: str, props: Iterable[tuple[str, Term]], graph: Any) -> Iterator[Any]:
    s = _term(subject)
    for predicate, obj in props:
        yield ox.Quad(s, ox.NamedNode(predicate), _term(obj), graph)


class CatalogueStore:
    """The graphs of one base URL, synchronised with the catalogue on ``sync()``."""

    def __init__(self, platform: Platform, base: str) -> None:
        self.platform = platform
        self.base = base
        self.token = next(_TOKENS)  # names this store for its workers and cached answers
        self.store = ox.Store()
        self.lock = threading.RLock()  # held while the store changes (and while forking)
        self.generation: Any = None
        self.epoch = 0
        self._loaded: dict[str, _Loaded] = {}
        self._refs: dict[str, dict[SharedNode, int]] = {}  # graph → shared node → datasets using it
        self._snapshot = Snapshot(0, (), ())
        self._frame_loaded = False
        self._refreshing = threading.Lock()  # one live rebuild at a time
        self.live_refreshes = 0  # live records graphs rebuilt (for tests and benchmarks)
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None

    # ── public ──────────────────────────────────────────────────────────────────────────

    def sync(self) -> Snapshot:
        """Bring the store up to the catalogue's current generation (cheap when unchanged)."""
        current = self.platform.generation.current()
        if current != self.generation:
            with self.lock:
                current = self.platform.generation.current()  # read before the catalogue
                if current != self.generation:
                    self._sync()
                    self.generation = current
        return self._snapshot

    def start_refresher(self) -> None:
        """Start the daemon thread that keeps live datasets' records graphs in step."""
        if self._refresher is None:
            self._refresher = threading.Thread(target=self._refresh_loop, daemon=True,
                                               name="sparql-live-refresh")
            self._refresher.start()

    def stop_refresher(self) -> None:
        self._stop.set()
        if self._refresher is not None and self._refresher is not threading.current_thread():
            self._refresher.join(timeout=30)

    def _refresh_loop(self) -> None:
        every = max(self.platform.settings.sparql_live_refresh_seconds, 0.5)
        while not self._stop.wait(every):
            try:
                self.refresh_live()
            except Exception:  # the next round tries again
                log.exception("linked data: refreshing live datasets failed")

    def refresh_live(self, *, force: bool = False) -> int:
        """Rebuild the records graph of every live dataset whose snapshot moved since it was
        built and was last checked ``BELFORT_SPARQL_LIVE_REFRESH_SECONDS`` ago or more (any
        time when ``force``); the number rebuilt. Nothing when another thread is rebuilding
        (it answers from the graphs as they are)."""
        every = 0.0 if force else self.platform.settings.sparql_live_refresh_seconds
        now = time.monotonic()
        due = [(i, d) for i, d in list(self._loaded.items())
               if d.live_file is not None and now - d.live_checked >= every]
        if not due or not self._refreshing.acquire(blocking=False):
            return 0
        rebuilt = 0
        try:
            for dataset_id, loaded in due:
                loaded.live_checked = time.monotonic()
                rebuilt += self._rebuild_live(dataset_id, loaded)
        finally:
            self._refreshing.release()
        return rebuilt

    def _rebuild_live(self, dataset_id: str, loaded: _Loaded) -> int:
        principal = ANONYMOUS if loaded.rows_open else CLI_ADMIN
        limit = self.platform.settings.sparql_rows_per_dataset
        try:
            found = readable(self.platform, principal, dataset_id, count_use=False)
            if str(found.path) == loaded.live_file:
                return 0
            document = dataset_document(
                self.platform, principal, dataset_id, self.base, limit=limit,
                cube_limit=self.platform.settings.sparql_rows_per_cube)
            data = write_ntriples(document).encode()
        except BelfortError:  # no longer readable so: the next catalogue sync settles it
            return 0
        except Exception:  # another component's bug must not take the endpoint down
            log.exception("linked data: could not rebuild the records of %s", dataset_id)
            return 0
        node = ox.NamedNode(dataset_graph(self.base, dataset_id))
        with self.lock:
            if self._loaded.get(dataset_id) is not loaded or loaded.rows_graph is None:
                return 0  # removed or replaced by a catalogue sync meanwhile
            self.store.remove_graph(node)
            self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
            loaded.live_file = str(found.path)
            self.epoch += 1
            self._snapshot = Snapshot(self.epoch, self._snapshot.open_graphs,
                                      self._snapshot.all_graphs)
            self.live_refreshes += 1
        return 1

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def __len__(self) -> int:
        return len(self.store)

    # ── synchronisation ─────────────────────────────────────────────────────────────────

    @staticmethod
    def _keys(session: Session) -> tuple[dict[str, tuple[Any, ...]], set[str]]:
        """(every dataset → what identifies its state, the datasets anonymous callers see).
        Core queries with raw column values: ~0.1 s for 10,000 datasets."""
        connection = session.connection()
        newest = dict(connection.execute(
            select(Version.dataset_id, func.max(Version.number)).group_by(Version.dataset_id)).all())
        query = gate.visible_datasets(CLI_ADMIN).with_only_columns(
            Dataset.id, type_coerce(Dataset.updated_at, String), Dataset.published_version, Dataset.state,
            Dataset.classification, type_coerce(Dataset.rdf_mapping, String),
        )
        keys = {r[0]: (*r[1:5], newest.get(r[0]), str(r[5]) if r[5] is not None else None)
                for r in connection.execute(query)}
        visible = {r[0] for r in connection.execute(gate.visible_datasets(ANONYMOUS, session).with_only_columns(Dataset.id))}
        return keys, visible

    def _sync(self) -> None:
        base = self.base
        with self.platform.db.session() as session:
            all_keys, open_keys = self._keys(session)
            if not self._frame_loaded:
                self._load_frame()
            wanted = {i: (catalog_graph(base) if i in open_keys else restricted_graph(base), key)
                      for i, key in all_keys.items()}
            for dataset_id in [i for i, loaded in self._loaded.items() if wanted.get(i) != (loaded.graph, loaded.key)]:
                self._remove(dataset_id)
            new = [i for i in wanted if i not in self._loaded]
            for graph, principal in ((catalog_graph(base), ANONYMOUS), (restricted_graph(base), CLI_ADMIN)):
                ids = sorted(i for i in new if wanted[i][0] == graph)
                for start in range(0, len(ids), _CHUNK):
                    rows = catalogue.dataset_rows(session, principal, ids[start:start + _CHUNK])
                    self._add(graph, rows, {row.id: wanted[row.id][1] for row in rows})
            self._replace_graph(REGISTER_GRAPH, lambda: register_document(session, base))
        for dataset_id, key in all_keys.items():
            loaded = self._loaded.get(dataset_id)
            if loaded is not None and key[-1] is not None and not loaded.rows_tried:
                loaded.rows_tried = True
                self._load_rows(loaded, dataset_id, dataset_id in open_keys)
        self.epoch += 1
        open_graphs = [catalog_graph(base), REGISTER_GRAPH]
        all_graphs = [catalog_graph(base), restricted_graph(base), REGISTER_GRAPH]
        for loaded in self._loaded.values():
            if loaded.rows_graph:
                all_graphs.append(loaded.rows_graph)
                if loaded.rows_open:
                    open_graphs.append(loaded.rows_graph)
        self._snapshot = Snapshot(self.epoch, tuple(open_graphs), tuple(all_graphs))

    def _load_frame(self) -> None:
        """The catalogue node and the data services in both catalogue graphs (kept for ever)."""
        builder = DcatBuilder(self.base)
        document = builder.catalog([], PageInfo(total=0), describe_datasets=False)
        page_prefix = builder.catalog_uri + "?"
        for graph in (catalog_graph(self.base), restricted_graph(self.base)):
            refs = self._refs.setdefault(graph, {})
            for subject, props in document.nodes.items():
                if subject.startswith(page_prefix):
                    continue
                node = (subject, tuple((p, o) for p, o in props if not p.startswith(HYDRA)))
                refs[node] = refs.get(node, 0) + 1  # never released
                self.store.extend(_quads(node[0], node[1], ox.NamedNode(graph)))
        self._frame_loaded = True

    def _links(self, dataset_id: str) -> list[tuple[str, str, IRI]]:
        builder = DcatBuilder(self.base)
        d = IRI(builder.dataset_uri(dataset_id))
        links = [(builder.catalog_uri, DCAT + "dataset", d)]
        links += [(builder.service_uri(s.name), DCAT + "servesDataset", d) for s in SERVICES]
        return links

    def _add(self, graph: str, rows: list[Any], keys: dict[str, tuple[Any, ...]]) -> None:
        refs = self._refs.setdefault(graph, {})
        parts: list[bytes] = []
        extra = Document()
        for row in rows:
            fragment = build_fragment(self.base, row, "nt")
            parts.append(fragment.body)
            for s, p, o in self._links(row.id):
                extra.add(s, p, o)
            for node in fragment.shared:
                count = refs.get(node, 0)
                refs[node] = count + 1
                if count == 0:
                    extra.nodes.setdefault(node[0], []).extend(node[1])
            self._loaded[row.id] = _Loaded(keys[row.id], graph, fragment.subjects, fragment.shared)
        parts.append(write_ntriples(extra).encode())
        self.store.load(b"".join(parts), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))

    def _remove(self, dataset_id: str) -> None:
        loaded = self._loaded.pop(dataset_id)
        graph = ox.NamedNode(loaded.graph)
        for subject in loaded.subjects:
            for quad in list(self.store.quads_for_pattern(_term(subject), None, None, graph)):
                self.store.remove(quad)
        for s, p, o in self._links(dataset_id):
            self.store.remove(next(_quads(s, [(p, o)], graph)))
        refs = self._refs.get(loaded.graph, {})
        for node in loaded.shared:
            count = refs.get(node, 0) - 1
            if count > 0:
                refs[node] = count
                continue
            refs.pop(node, None)
            for quad in _quads(node[0], node[1], graph):
                self.store.remove(quad)
            # what another node about the same subject still says stays
            for other in [n for n in refs if n[0] == node[0]]:
                self.store.extend(_quads(other[0], other[1], graph))
        if loaded.rows_graph:
            self.store.remove_graph(ox.NamedNode(loaded.rows_graph))

    def _replace_graph(self, graph: str, build: Any) -> None:
        """Replace a whole graph by the document ``build()`` returns (kept as it was on error)."""
        try:
            document = build()
            data = write_ntriples(document).encode()
        except Exception:  # another component's bug must not take the endpoint down
            log.exception("linked data: could not build graph %s", graph)
            return
        node = ox.NamedNode(graph)
        if self.store.contains_named_graph(node):
            self.store.remove_graph(node)
        self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=node)

    def _load_rows(self, loaded: _Loaded, dataset_id: str, is_open: bool) -> None:
        limit = self.platform.settings.sparql_rows_per_dataset
        cube_limit = self.platform.settings.sparql_rows_per_cube
        if limit <= 0 and cube_limit <= 0:
            return
        graph = dataset_graph(self.base, dataset_id)
        principal = ANONYMOUS if is_open else CLI_ADMIN
        try:  # read first: a snapshot that moves meanwhile is rebuilt at the next refresh
            found = readable(self.platform, principal, dataset_id, count_use=False)
            live_file = str(found.path) if found.live else None
        except BelfortError:
            live_file = None
        self._replace_graph(graph, lambda: dataset_document(
            self.platform, principal, dataset_id, self.base, limit=limit, cube_limit=cube_limit))
        if self.store.contains_named_graph(ox.NamedNode(graph)):
            loaded.rows_graph, loaded.rows_open = graph, is_open
            loaded.live_file, loaded.live_checked = live_file, time.monotonic()


@dataclass
class LinkedData:
    """``linked_data(platform)``: the DCAT fragment cache and the SPARQL stores and workers."""

    platform: Platform
    fragments: FragmentCache = field(init=False)
    pages: PageCache = field(init=False)
    answers: AnswerCache = field(init=False)
    _store: CatalogueStore | None = None
    stores_built: int = 0  # CatalogueStores made (one per process: a request cannot make more)
    _pool: WorkerPool | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        from belfort.linked.sparql import AnswerCache

        cache_bytes = self.platform.settings.dcat_cache_mb * 1024 * 1024
        self.fragments = FragmentCache(cache_bytes * 3 // 4)
        self.pages = PageCache(cache_bytes // 4)
        self.answers = AnswerCache(self.platform.settings.sparql_cache_mb * 1024 * 1024)

    @property
    def base(self) -> str:
        return self.platform.settings.canonical_base_url

    def store(self) -> CatalogueStore:
        """The store (of ``base``), synchronised with the catalogue."""
        with self._lock:
            store = self._store
            if store is None or store.base != self.base:  # (the settings changed: tests)
                if store is not None:
                    store.stop_refresher()
                store = self._store = CatalogueStore(self.platform, self.base)
                self.stores_built += 1
        store.sync()
        store.start_refresher()
        return store

    @property
    def pool(self) -> WorkerPool:
        with self._lock:
            if self._pool is None:
                from belfort.linked.sparql import WorkerPool

                settings = self.platform.settings
                self._pool = WorkerPool(
                    settings.sparql_workers, queue=settings.sparql_queue,
                    memory_bytes=settings.sparql_worker_memory_mb * 1024 * 1024,
                    retry_after=math.ceil(settings.sparql_timeout_seconds))
            return self._pool

    def warm_up(self) -> None:
        """Build the store and the Turtle fragments of the open catalogue (the server starts
        this in the background), so the first SPARQL query and the first harvest after a
        restart find them."""
        base = self.base
        try:
            self.store()
            number, last = 1, 1
            while number <= last:
                with self.platform.db.session() as session:
                    rows, page = catalogue.catalogue_page(session, ANONYMOUS, number, MAX_PAGE_SIZE)
                for row in rows:
                    self.fragments.get(base, row, "ttl")
                number, last = number + 1, page.last
        except Exception:  # the first requests will try again and report
            log.exception("linked data: warming up the store and the catalogue failed")

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.stop_refresher()
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def linked_data(platform: Platform) -> LinkedData:
    """The process's linked data (built on first use; closed with the platform)."""
    return platform.component(LinkedData, LinkedData)
