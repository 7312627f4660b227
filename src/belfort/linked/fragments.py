"""The DCAT catalogue from cached per-dataset fragments.

Describing a dataset (``DcatBuilder.dataset``) and writing it costs ~0.5-1 ms; a
10,000-dataset catalogue built afresh takes 6-10 s. A dataset's description depends
only on its catalogue row (which holds its ``updated_at``, state, classification and
readable version) and the base URL, so it is cached per (base, format, row): the
serialised statements about the dataset itself and what hangs under it (``…/{id}``,
``…/{id}#distribution-csv``, …), plus the *shared* nodes it refers to (themes,
licences, publishers, media types — the same few hundred for the whole catalogue) as
plain tuples, interned so that 10,000 fragments hold one copy of each.

A page is then: the catalogue node, its view and the data services (built per request,
they list the page's datasets), the union of the page's shared nodes, and the cached
fragments concatenated. A changed row is a different key, so a stale fragment is never
served; old entries leave the LRU by size (``BELFORT_DCAT_CACHE_MB``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from belfort.cache import ByteLRU
from belfort.linked.dcat import DatasetRow, DcatBuilder, PageInfo
from belfort.linked.rdf import (
    JSONLD_CONTEXT,
    RDFXML_HEAD,
    RDFXML_TAIL,
    Document,
    Term,
    jsonld_nodes,
    write_ntriples,
    write_rdfxml,
    write_turtle,
)

SharedNode = tuple[str, tuple[tuple[str, Term], ...]]  # (subject, its properties)


class Fragment(NamedTuple):
    body: bytes  # the dataset's own statements in one format, without prefixes/envelope
    shared: tuple[SharedNode, ...]  # interned: the same tuple object in every fragment
    subjects: tuple[str, ...]  # the dataset's own subjects


_interned: dict[Any, Any] = {}
_intern_lock = threading.Lock()


def _intern(value: Any) -> Any:
    """One object for equal shared nodes, and for equal tuples of them: most datasets share
    their publisher, themes, licence and formats, so most fragments hold the same tuple."""
    found = _interned.get(value)
    if found is not None:
        return found
    with _intern_lock:
        if len(_interned) > 200_000:  # a bound; entries in use stay referenced by fragments
            _interned.clear()
        return _interned.setdefault(value, value)


def _own(subject: str, dataset_uri: str, landing_page: str) -> bool:
    return subject == dataset_uri or subject.startswith(dataset_uri + "#") or subject == landing_page


def write_body(document: Document, fmt: str) -> bytes:
    """Statements of ``document`` in ``fmt`` (``ttl``, ``nt``, ``rdf``, ``jsonld``), to be
    put inside a document that carries the prefixes / envelope (``assemble``)."""
    if fmt == "ttl":
        return write_turtle(document, prefixes=False).encode()
    if fmt == "nt":
        return write_ntriples(document).encode()
    if fmt == "rdf":
        return write_rdfxml(document, envelope=False).encode()
    if fmt == "jsonld":
        return orjson.dumps(jsonld_nodes(document))[1:-1]  # the array's items, comma-separated
    raise ValueError(f"unknown RDF format {fmt!r}")


def build_fragment(base: str, row: DatasetRow, fmt: str) -> Fragment:
    builder = DcatBuilder(base)
    builder.dataset(row)
    uri = builder.dataset_uri(row.id)
    landing_page = f"{builder.base}/datasets/{row.id}"
    own = Document()
    shared: list[SharedNode] = []
    for subject, props in builder.doc.nodes.items():
        if _own(subject, uri, landing_page):
            own.nodes[subject] = props
        else:
            shared.append(_intern((subject, tuple(props))))
    return Fragment(write_body(own, fmt), _intern(tuple(shared)), tuple(own.nodes))


def merge_shared(document: Document, fragments: Sequence[Fragment]) -> None:
    """Add the fragments' shared nodes to ``document`` (an RDF union: each statement once)."""
    seen: set[int] = set()
    for shared in {id(f.shared): f.shared for f in fragments}.values():
        for node in shared:
            if id(node) in seen:
                continue
            seen.add(id(node))
            subject, props = node
            existing = document.nodes.get(subject)
            if existing is None:
                document.nodes[subject] = list(props)
            else:
                have = set(existing)
                existing.extend(p for p in props if p not in have)


def assemble(frame: Document, bodies: Sequence[bytes], fmt: str) -> bytes:
    """One document in ``fmt``: ``frame`` written in full, then the fragments' bodies."""
    head = write_body(frame, fmt)
    if fmt == "ttl":
        return write_turtle(Document()).encode() + head + b"".join(bodies)
    if fmt == "nt":
        return head + b"".join(bodies)
    if fmt == "rdf":
        return b"".join((RDFXML_HEAD.encode(), head, *bodies, RDFXML_TAIL.encode()))
    if fmt == "jsonld":
        items = b",".join(part for part in (head, *bodies) if part)
        return b'{"@context":' + orjson.dumps(JSONLD_CONTEXT) + b',"@graph":[' + items + b"]}"
    raise ValueError(f"unknown RDF format {fmt!r}")


class FragmentCache:
    """A thread-safe LRU of fragments, bounded by the size of their bodies."""

    def __init__(self, max_bytes: int) -> None:
        self._lru: ByteLRU[Fragment] = ByteLRU(max_bytes, lambda fragment: len(fragment.body))

    def __len__(self) -> int:
        return len(self._lru)

    @property
    def bytes(self) -> int:
        return self._lru.size_bytes

    def clear(self) -> None:
        self._lru.clear()

    def get(self, base: str, row: DatasetRow, fmt: str) -> Fragment:
        key = (base, fmt, row)
        found = self._lru.get(key)
        if found is None:
            found = build_fragment(base, row, fmt)
            self._lru.put(key, found)
        return found


class PageCache(ByteLRU[tuple[tuple[int, int], tuple[bytes, Any]]]):
    """Whole catalogue pages by (audience, base, page, size, format), each kept with the
    catalogue generation it was built in (``belfort.cache.until_catalogue_changes``): until
    the next catalogue write a page is the same bytes. A few large entries, least recently
    used first out; a value is (generation, (body, what goes with it))."""

    def __init__(self, max_bytes: int, max_entries: int = 16) -> None:
        super().__init__(max_bytes, lambda entry: len(entry[1][0]), max_entries)


def catalog_page(cache: FragmentCache, base: str, rows: Sequence[DatasetRow], page: PageInfo, fmt: str) -> bytes:
    """A catalogue page, as ``DcatBuilder(base).catalog`` describes it, in ``fmt`` (the
    default ``CatalogInfo``: fragments are built with it too)."""
    fragments = [cache.get(base, row, fmt) for row in rows]
    frame = DcatBuilder(base).catalog(rows, page, describe_datasets=False)
    merge_shared(frame, fragments)
    return assemble(frame, [f.body for f in fragments], fmt)

