"""SPARQL queries over the linked-data store: read-only, with a timeout and a result limit.

pyoxigraph cannot cancel a query, so queries run in *worker processes* forked from the
server: a fork shares the store copy-on-write (no copy, ~10 ms per GB of process), a
worker answers queries over a pipe until the store changes (then it is retired and a
new one forked), and a query that outlives ``BELFORT_SPARQL_TIMEOUT_SECONDS`` has its
worker killed: the server never runs a query itself. Each worker may take
``BELFORT_SPARQL_WORKER_MEMORY_MB`` beyond what it shares with the server (an address-space
limit set after the fork); a query needing more ends its worker, answers 503
(``QueryOutOfMemory``) and the next query gets a fresh worker. At most
``BELFORT_SPARQL_WORKERS`` run at once; at most ``BELFORT_SPARQL_QUEUE`` more wait for one
(within their timeout), and a query finding the line full is refused at once (``Busy``,
503 with ``Retry-After``): nothing queues without bound.

The dataset a query sees is always a subset of the graphs the caller may see
(``Snapshot.graphs_for``): it is passed to pyoxigraph as the default and named graphs,
which override whatever ``FROM`` / ``FROM NAMED`` the query names. Those clauses are
read here only to honour them within the allowed graphs (a graph the caller may not
see is the same as one that does not exist).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import resource
import signal
import threading
import time
import warnings
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from typing import Any

import pyoxigraph as ox

from belfort import cache_status
from belfort.cache import ByteLRU
from belfort.errors import Busy, QueryFailed, QueryOutOfMemory, QueryTimeout
from belfort.linked import vocabularies as v
from belfort.linked.sparql_results import write_boolean, write_graph, write_select
from belfort.linked.sparql_service import preload as preload_service_check
from belfort.linked.sparql_service import service_refusal, unescape
from belfort.linked.store import CatalogueStore, Snapshot

# ── what a query may see ──────────────────────────────────────────────────────────────

_COMMENT_STRING_IRI = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>" r"|#[^\n]*",
)
_UPDATE_WORDS = re.compile(
    r"(?<![\w?$:])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)(?![\w:])", re.IGNORECASE)
_PREFIX = re.compile(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_FROM = re.compile(r"\bFROM\s+(NAMED\s+)?(?:<([^>]*)>|([\w.-]*):([\w.-]*))", re.IGNORECASE)


def _blank_out(query: str) -> str:
    """The query with strings and comments blanked (IRIs kept): what keywords are read from."""
    return _COMMENT_STRING_IRI.sub(lambda m: m.group() if m.group().startswith("<") else " ", unescape(query))


def looks_like_update(query: str) -> bool:
    """Whether a text that is not a valid query uses SPARQL Update's keywords."""
    text = re.sub(r"<[^<>\s]*>", " ", _blank_out(query))
    return _UPDATE_WORDS.search(text) is not None


# Prefixes a query may use without declaring them, as Virtuoso predefines them (Ghent's
# register site writes ``^^xsd:string`` with no PREFIX); a query's own PREFIX wins.
PREDEFINED_PREFIXES = {
    "rdf": v.RDF, "rdfs": v.RDFS, "xsd": v.XSD, "owl": "http://www.w3.org/2002/07/owl#", "skos": v.SKOS,
    "dct": v.DCT, "dcterms": v.DCT, "dc": "http://purl.org/dc/elements/1.1/", "foaf": v.FOAF, "dcat": v.DCAT,
    "vcard": v.VCARD, "schema": "http://schema.org/", "prov": "http://www.w3.org/ns/prov#",
    "sosa": "http://www.w3.org/ns/sosa/", "geo": v.GSP,
}


def query_dataset(query: str) -> tuple[list[str], list[str]] | None:
    """The query's ``FROM`` and ``FROM NAMED`` IRIs; None when it names none."""
    text = _blank_out(query)
    prefixes = {**PREDEFINED_PREFIXES, **{m.group(1): m.group(2) for m in _PREFIX.finditer(text)}}
    default: list[str] = []
    named: list[str] = []
    found = False
    for m in _FROM.finditer(text):
        found = True
        iri = m.group(2) if m.group(2) is not None else (
            prefixes[m.group(3)] + m.group(4) if m.group(3) in prefixes else None)
        if iri:
            (named if m.group(1) else default).append(iri)
    return (default, named) if found else None


@dataclass(frozen=True)
class Request:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    results_format: str | None  # for SELECT / ASK (None: the client accepts none)
    graph_format: str | None  # for CONSTRUCT / DESCRIBE
    max_results: int


def plan(query: str, snapshot: Snapshot, principal: Any, *, default_graph_uri: list[str], named_graph_uri: list[str],
         results_format: str | None, graph_format: str | None, max_results: int) -> Request:
    """The request a worker runs: the dataset cut down to the graphs ``principal`` may see."""
    allowed = snapshot.graphs_for(principal)
    in_query = query_dataset(query)
    if in_query is not None:
        default, named = in_query
    elif default_graph_uri or named_graph_uri:
        default, named = default_graph_uri, named_graph_uri
    else:
        default, named = list(allowed), list(allowed)  # the union of what one may see
    return Request(query, tuple(g for g in dict.fromkeys(default) if g in allowed),
                   tuple(g for g in dict.fromkeys(named) if g in allowed), results_format, graph_format, max_results)


# ── running a query (in the worker) ───────────────────────────────────────────────────


@dataclass(frozen=True)
class Answer:
    kind: str  # "select", "boolean", "graph"; or "syntax", "error", "not_acceptable", "service"
    body: bytes = b""
    format: str | None = None
    truncated: bool = False
    message: str = ""


def execute(store: ox.Store, request: Request) -> Answer:
    refusal = service_refusal(request.query)  # here, not in the server: parsing can be slow
    if refusal is not None:
        return Answer("service", message=refusal)
    try:
        result = store.query(
            request.query,
            prefixes=PREDEFINED_PREFIXES,
            default_graph=[ox.NamedNode(g) for g in request.default_graphs],
            named_graphs=[ox.NamedNode(g) for g in request.named_graphs],
        )
        if isinstance(result, ox.QueryBoolean):
            if request.results_format is None:
                return Answer("not_acceptable", message="an ASK query answers SPARQL results (JSON, XML, CSV, TSV)")
            return Answer("boolean", write_boolean(bool(result), request.results_format), request.results_format)
        limit = request.max_results
        if isinstance(result, ox.QuerySolutions):
            if request.results_format is None:
                return Answer("not_acceptable", message="a SELECT query answers SPARQL results (JSON, XML, CSV, TSV)")
            variables = [v.value for v in result.variables]
            solutions: list[Any] = []
            for solution in result:
                if len(solutions) == limit:
                    return Answer("select", write_select(variables, solutions, request.results_format),
                                  request.results_format, truncated=True)
                solutions.append(solution)
            return Answer("select", write_select(variables, solutions, request.results_format), request.results_format)
        if request.graph_format is None:
            return Answer("not_acceptable",
                          message="a CONSTRUCT or DESCRIBE query answers RDF (Turtle, JSON-LD, RDF/XML, N-Triples)")
        triples: list[Any] = []
        truncated = False
        for triple in result:
            if len(triples) == limit:
                truncated = True
                break
            triples.append(triple)
        return Answer("graph", write_graph(triples, request.graph_format), request.graph_format, truncated)
    except SyntaxError as exc:
        return Answer("syntax", message=str(exc))
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        return Answer("error", message=str(exc))


_OUT_OF_MEMORY_EXIT = 75  # a worker's exit status after a MemoryError
_WORKER_NICENESS = 10  # how much lower than the server a worker's CPU priority is


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (None where /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory(allowance: int, current: int | None) -> None:
    """In a new worker: allow ``allowance`` bytes of address space beyond what the fork
    inherited (the store and the server's mappings, shared copy-on-write). An allocation
    past it fails: a MemoryError in Python, an abort in pyoxigraph; either ends the worker."""
    if allowance <= 0 or current is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + allowance
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _yield_to_the_server() -> None:
    """In a new worker: run at a lower CPU priority than the server (nice +10), so a query
    that keeps a core busy until its time or memory limit cannot slow the other answers
    down as much (hostile soak on 2 cores, a minute of public reads with SPARQL: the
    catalogue's p99 283 ms at the server's priority, 131 ms at +10; ``bench/README.md``)."""
    try:
        os.nice(_WORKER_NICENESS)
    except OSError:  # not allowed here: the query still runs, at the server's priority
        pass


def _isolate(conn: Connection) -> Connection:
    """In a new worker: keep only stdin/out/err and the pipe (as fd 3), and allow no more
    open files, so nothing a query does can open a socket or a file (defence in depth
    behind refusing ``SERVICE``; the in-memory store needs neither)."""
    gc.freeze()  # the collector leaves the inherited objects alone: their pages stay shared
    fd = conn.fileno()
    if fd != 3:
        os.dup2(fd, 3)
    pipe = Connection(3)
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    os.closerange(4, max(soft, 1 << 16) if soft != resource.RLIM_INFINITY else 1 << 20)
    resource.setrlimit(resource.RLIMIT_NOFILE, (4, 4))
    return pipe


def _worker_main(conn: Connection, store: ox.Store, parent: int) -> None:
    """The worker's loop: answer requests until the pipe closes or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while os.getppid() == parent:
        try:
            if not conn.poll(1.0):
                continue
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(execute(store, request))
        except MemoryError:  # past the worker's memory limit: the server sees it end
            os._exit(_OUT_OF_MEMORY_EXIT)


# ── answers of the current store, cached ─────────────────────────────────────────────


class AnswerCache:
    """Answers by (store, store epoch, request), least recently used first out, bounded by
    the size of their bodies. The store does not change within an epoch, and a request
    names exactly the graphs it may read, so a cached answer is the answer."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        # (answer, length of its query): both are held
        self._lru: ByteLRU[tuple[Answer, int]] = ByteLRU(max_bytes, lambda entry: len(entry[0].body) + entry[1])

    @property
    def bytes(self) -> int:
        return self._lru.size_bytes

    def get(self, store: CatalogueStore, snapshot: Snapshot, request: Request) -> Answer | None:
        found = self._lru.get((store.token, snapshot.epoch, request))
        return found[0] if found is not None else None

    def put(self, store: CatalogueStore, snapshot: Snapshot, request: Request, answer: Answer) -> None:
        if answer.kind not in ("select", "boolean", "graph") or len(answer.body) + len(request.query) > self.max_bytes // 8:
            return
        self._lru.put((store.token, snapshot.epoch, request), (answer, len(request.query)))


def answer(pool: WorkerPool, cache: AnswerCache, store: CatalogueStore, snapshot: Snapshot, request: Request,
           timeout: float) -> Answer:
    """The answer to ``request`` on ``store`` as of ``snapshot``: cached, else from a worker."""
    found = cache.get(store, snapshot, request)
    cache_status.note(cache_status.SPARQL, found is not None)
    if found is not None:
        return found
    result = pool.run(store, snapshot, request, timeout)
    cache.put(store, snapshot, request, result)
    return result


# ── the workers (in the server) ───────────────────────────────────────────────────────


def _ran_out_of_memory(status: int | None) -> bool:
    """Whether a worker ended by its memory limit: pyoxigraph aborts when an allocation
    fails (SIGABRT), Python exits with ``_OUT_OF_MEMORY_EXIT`` after a MemoryError."""
    if status is None:
        return False
    if os.WIFSIGNALED(status):
        return os.WTERMSIG(status) == signal.SIGABRT
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OUT_OF_MEMORY_EXIT


@dataclass
class _Worker:
    pid: int
    conn: Connection
    store_id: int
    epoch: int


class WorkerPool:
    """At most ``size`` workers; at most ``queue`` callers waiting for one; each worker
    limited to ``memory_bytes`` beyond what it shares with the server (0: no limit)."""

    def __init__(self, size: int, *, queue: int = 0, memory_bytes: int = 0, retry_after: int = 10) -> None:
        self.size = size
        self.queue = queue
        self.memory_bytes = memory_bytes
        self.retry_after = max(1, retry_after)
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._free = threading.Condition()
        self._closed = False
        self._waiting = 0
        self.refused = 0  # queries turned away with a full line (for tests and figures)
        self.out_of_memory = 0  # workers ended by their memory limit
        preload_service_check()  # a worker can import nothing

    def run(self, store: CatalogueStore, snapshot: Snapshot, request: Request, timeout: float) -> Answer:
        deadline = time.monotonic() + timeout
        worker = self._acquire(store, snapshot.epoch, deadline)
        try:
            worker.conn.send(request)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._kill(worker)
                raise QueryTimeout(f"the query did not finish within {timeout:g} s and was stopped")
            answer: Answer = worker.conn.recv()
        except (EOFError, OSError) as exc:
            status = self._kill(worker)
            if self.memory_bytes and _ran_out_of_memory(status):
                with self._free:
                    self.out_of_memory += 1
                raise QueryOutOfMemory(
                    f"the query needed more than the {self.memory_bytes // (1024 * 1024)} MiB of memory a "
                    "SPARQL worker may use and was stopped; narrow it down (fewer unbound patterns, a LIMIT, "
                    "no ORDER BY over everything)") from None
            raise QueryFailed(f"the query worker stopped: {exc}") from None
        except BaseException:
            self._kill(worker)
            raise
        self._release(worker)
        return answer

    def _acquire(self, store: CatalogueStore, epoch: int, deadline: float) -> _Worker:
        """A worker for ``store`` at ``epoch``: an idle one, a new one while there is room,
        else wait in line (at most ``queue`` callers, each until its deadline)."""
        with self._free:
            waiting = False
            try:
                while True:
                    worker = self._take(store, epoch)
                    if worker is not None:
                        return worker
                    if len(self._all) < self.size:  # the store moved on while we forked
                        epoch = store.snapshot.epoch
                        continue
                    if not waiting:
                        if self._waiting >= self.queue:
                            self.refused += 1
                            raise Busy(f"all {self.size} SPARQL workers are busy and {self.queue} more "
                                       f"queries are waiting; try again in {self.retry_after} s",
                                       retry_after=self.retry_after)
                        waiting = True
                        self._waiting += 1
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise Busy("every SPARQL worker was busy for the whole timeout; try again in "
                                   f"{self.retry_after} s", retry_after=self.retry_after)
                    self._free.wait(remaining)
            finally:
                if waiting:
                    self._waiting -= 1

    def _take(self, store: CatalogueStore, epoch: int) -> _Worker | None:
        """An idle worker of ``store`` at ``epoch``, else a new one if there is room (the
        caller holds ``_free``). Stale idle workers (their store changed) are retired."""
        if self._closed:
            raise QueryFailed("the SPARQL endpoint is shutting down")
        for worker in list(self._idle):
            if worker.store_id == store.token and worker.epoch == epoch:
                self._idle.remove(worker)
                return worker
            if worker.store_id != store.token or worker.epoch < epoch:
                self._idle.remove(worker)
                self._stop(worker)
        if len(self._all) < self.size:
            return self._fork(store, epoch)
        return None

    def _fork(self, store: CatalogueStore, epoch: int) -> _Worker | None:
        with store.lock:  # no write is half-done in the copy the child gets
            if store.snapshot.epoch != epoch:
                return None
            ours, theirs = Pipe()
            others = [w.conn for w in self._all]
            parent = os.getpid()
            # The server's collector leaves what exists now alone from here on: a full
            # collection writes to every object it visits, which would copy each shared page
            # of the server's heap while the worker lives (a stall of a second or more on a
            # 1 GB server under load, measured in the hostile soak). Objects are still freed
            # when their last reference goes; a reference cycle that is garbage already at the
            # fork is never collected. It stays frozen after the last worker ends too: thawing
            # would also thaw what the server froze at start-up (quieten_garbage_collector),
            # and the next full collection would walk the whole heap again.
            gc.freeze()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # fork of a threaded process
                pid = os.fork()
            if pid == 0:  # the worker
                try:
                    ours.close()
                    for conn in others:
                        conn.close()
                    inherited = _address_space()  # read before _isolate allows no more files
                    pipe = _isolate(theirs)
                    _limit_memory(self.memory_bytes, inherited)
                    _yield_to_the_server()
                    _worker_main(pipe, store.store, parent)
                finally:
                    os._exit(0)
        theirs.close()
        worker = _Worker(pid, ours, store.token, epoch)
        self._all.append(worker)
        return worker

    def _release(self, worker: _Worker) -> None:
        with self._free:
            if self._closed:
                self._stop(worker)
            else:
                self._idle.append(worker)
            self._free.notify()

    def _stop(self, worker: _Worker) -> int | None:
        """Retire a worker (the caller holds ``_free``); its wait status (None if unknown).
        A worker that already ended (its memory limit) keeps the status it ended with."""
        with contextlib.suppress(OSError):
            worker.conn.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        status = None
        with contextlib.suppress(ChildProcessError):
            status = os.waitpid(worker.pid, 0)[1]
        if worker in self._all:
            self._all.remove(worker)
        return status

    def _kill(self, worker: _Worker) -> int | None:
        with self._free:
            status = self._stop(worker)
            self._free.notify()
        return status

    def close(self) -> None:
        with self._free:
            self._closed = True
            for worker in list(self._idle):
                self._stop(worker)
            self._idle.clear()
            self._free.notify_all()

    @property
    def workers(self) -> int:
        return len(self._all)

    def worker_pids(self) -> list[int]:
        """The process ids of the running workers."""
        with self._free:
            return [worker.pid for worker in self._all]
