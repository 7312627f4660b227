"""The ``dcatApCompliance`` indicator: does a dataset's description pass the official DCAT-AP
3.0.1 SHACL shapes?

The shapes are not part of Belfort (they are SEMIC's; ``BELFORT_MQA_SHAPES_DIR`` names where
they are). Without them the indicator is "not checked", never guessed. pySHACL takes about
0.4 s per run whatever the number of descriptions in it, so descriptions are validated in
batches (one run for up to ``BATCH`` datasets) and each result is kept per (base URL,
catalogue row): a row that changes is a new key, so a result is never stale, and an unchanged
catalogue is validated once per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from belfort.linked.dcat import DatasetRow, DcatBuilder

SHAPE_FILES = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
BATCH = 200
MAX_REMEMBERED = 50_000
MAX_MESSAGES = 10
SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Compliance:
    """One description's result: ``passed`` None when it could not be checked (``reason``)."""

    passed: bool | None
    messages: tuple[str, ...] = ()  # the first violations: "focus node: path: message"
    reason: str | None = None


class ComplianceChecker:
    """Validates descriptions against the shapes in ``shapes_dir``, remembering results."""

    def __init__(self, shapes_dir: Path | None) -> None:
        self._dir = shapes_dir
        self._shapes: Any = None
        self._missing: str | None = None
        self._results: OrderedDict[tuple[str, DatasetRow], Compliance] = OrderedDict()
        self._lock = threading.Lock()
        self._validate_lock = threading.Lock()  # one pySHACL run at a time (CPU-bound)

    def _load(self) -> Any:
        if self._shapes is not None or self._missing is not None:
            return self._shapes
        if self._dir is None:
            self._missing = "the DCAT-AP shapes are not configured (BELFORT_MQA_SHAPES_DIR)"
            return None
        missing = [name for name in SHAPE_FILES if not (self._dir / name).is_file()]
        if missing:
            self._missing = f"the DCAT-AP shapes are missing from {self._dir}: {', '.join(missing)}"
            return None
        try:
            import pyshacl  # noqa: F401  (a dependency; a trimmed install may lack it)
        except ImportError:
            self._missing = "pySHACL is not installed"
            return None
        from rdflib import Graph

        graph = Graph()
        try:
            for name in SHAPE_FILES:
                graph.parse(self._dir / name, format="turtle")
        except Exception as exc:  # noqa: BLE001 (rdflib raises many kinds): say so, once
            self._missing = f"the DCAT-AP shapes in {self._dir} do not load: {str(exc)[:200]}"
            return None
        self._shapes = graph
        return graph

    def check(self, base: str, rows: Sequence[DatasetRow]) -> dict[str, Compliance]:
        """Each row's result by dataset id."""
        with self._validate_lock:
            shapes = self._load()
        if shapes is None:
            return {row.id: Compliance(None, reason=self._missing) for row in rows}
        out: dict[str, Compliance] = {}
        todo = []
        with self._lock:
            for row in rows:
                found = self._results.get((base, row))
                if found is None:
                    todo.append(row)
                else:
                    self._results.move_to_end((base, row))
                    out[row.id] = found
        for start in range(0, len(todo), BATCH):
            batch = todo[start:start + BATCH]
            with self._validate_lock:
                try:
                    results = _validate(base, batch, shapes)
                except Exception as exc:  # noqa: BLE001 (pySHACL's errors): not checked, not a 500
                    reason = f"the SHACL validation failed: {str(exc)[:200]}"
                    out.update({row.id: Compliance(None, reason=reason) for row in batch})
                    continue
            with self._lock:
                for row in batch:
                    self._results[(base, row)] = out[row.id] = results[row.id]
                while len(self._results) > MAX_REMEMBERED:
                    self._results.popitem(last=False)
        return out


def _validate(base: str, rows: Sequence[DatasetRow], shapes: Any) -> dict[str, Compliance]:
    """One pySHACL run over the descriptions of ``rows``; each violation counts against the
    dataset whose description holds its focus node, or refers to it (a publisher, a licence,
    a data service: shared nodes count against every dataset that uses them)."""
    import pyshacl
    from rdflib import RDF, Namespace

    builder = DcatBuilder(base)
    uris = {builder.dataset_uri(row.id): row.id for row in rows}
    for row in rows:
        builder.dataset_document(row)
    users: dict[str, set[str]] = {}  # a node → the datasets whose description refers to it
    for subject, props in builder.doc.nodes.items():
        owner = uris.get(subject.split("#", 1)[0])
        if owner is None:
            continue
        users.setdefault(subject, set()).add(owner)
        for _, obj in props:
            users.setdefault(str(obj), set()).add(owner)
    _, report, _ = pyshacl.validate(builder.doc.to_rdflib(), shacl_graph=shapes, inference="none",
                                    allow_warnings=True)
    sh = Namespace(SH)
    messages: dict[str, list[str]] = {row.id: [] for row in rows}
    top = next(report.subjects(RDF.type, sh.ValidationReport))
    for result in report.objects(top, sh.result):
        if report.value(result, sh.resultSeverity) != sh.Violation:
            continue
        focus = str(report.value(result, sh.focusNode))
        text = (f"{focus}: {report.value(result, sh.resultPath)}: "
                f"{report.value(result, sh.resultMessage)}")
        for dataset_id in users.get(focus, set(uris.values())):
            messages[dataset_id].append(text)
    return {dataset_id: Compliance(not found, tuple(sorted(found)[:MAX_MESSAGES]))
            for dataset_id, found in messages.items()}
