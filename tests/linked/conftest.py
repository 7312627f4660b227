"""Fixtures for the linked-data tests: the official SHACL shapes (read from ../shared, never
copied into the repository; missing shapes fail the tests) and an app with the DCAT router."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Namespace

from belfort.api import dcat
from belfort.app import create_app
from belfort.platform import Platform
from tests.conftest import SHARED_DIR

SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT_AP = SHARED_DIR / "standards" / "dcat-ap-3.0.1"
DCAT_AP_VL = SHARED_DIR / "standards" / "dcat-ap-vl-2.0"
CORE = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
RECOMMENDED = ("shapes_recommended.ttl",)


def _shapes(directory: Path, names: tuple[str, ...]) -> Graph:
    graph = Graph()
    for name in names:
        path = directory / name
        assert path.is_file(), f"SHACL shapes missing: {path} (the tests read them from ../shared)"
        graph.parse(path, format="json-ld" if name.endswith(".jsonld") else "turtle")
    return graph


@pytest.fixture(scope="session")
def core_shapes() -> Graph:
    """DCAT-AP 3.0.1: mandatory and cardinality rules, class ranges, controlled vocabularies."""
    return _shapes(DCAT_AP, CORE)


@pytest.fixture(scope="session")
def recommended_shapes() -> Graph:
    return _shapes(DCAT_AP, RECOMMENDED)


@pytest.fixture(scope="session")
def flemish_shapes() -> Graph:
    return _shapes(DCAT_AP_VL, ("dcatapvl.jsonld",))


@dataclass
class Report:
    violations: list[tuple[str, str, str]]  # (focus node, path, message)
    warnings: list[tuple[str, str, str]]
    focus_nodes: int  # nodes of the data graph some shape targets

    def warning_paths(self) -> Counter[str]:
        return Counter(path for _, path, _ in self.warnings)


def validate(data: Graph, shapes: Graph) -> Report:
    """pySHACL without inference; only top-level results (not the nested details of sh:or
    and sh:node, which pySHACL also lists)."""
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    report = next(results.subjects(RDF.type, SH.ValidationReport))
    violations, warnings = [], []
    for result in results.objects(report, SH.result):
        entry = (str(results.value(result, SH.focusNode)), str(results.value(result, SH.resultPath)),
                 str(results.value(result, SH.resultMessage)))
        severity = results.value(result, SH.resultSeverity)
        (violations if severity == SH.Violation else warnings).append(entry)
    classes = set(shapes.objects(None, SH.targetClass))
    focus = {s for cls in classes for s in data.subjects(RDF.type, cls)}
    return Report(violations, warnings, len(focus))


def turtle(text: str | bytes) -> Graph:
    return Graph().parse(data=text, format="turtle")


@pytest.fixture
def dcat_client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(dcat.ensure_included(create_app(platform))) as client:
        yield client
