"""The dcatApCompliance check with real pySHACL: a violation counts against the dataset whose
description holds it or refers to it; results are kept per catalogue row; missing shapes
say "not checked". The official shapes' verdict on Belfort's output is in
tests/mqa/test_demo_and_api.py; here, small shapes of our own make violations happen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from belfort.linked.dcat import DatasetRow
from belfort.mqa import shacl
from belfort.mqa.shacl import ComplianceChecker

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""
NEEDS_SPATIAL = (
    PREFIXES
    + """
[] a sh:NodeShape ; sh:targetClass dcat:Dataset ;
   sh:property [ sh:path dct:spatial ; sh:minCount 1 ; sh:message "no spatial coverage" ] .
"""
)
PUBLISHER_NEEDS_MBOX = (
    PREFIXES
    + """
[] a sh:NodeShape ; sh:targetClass foaf:Agent ;
   sh:property [ sh:path foaf:mbox ; sh:minCount 1 ; sh:message "no mailbox" ] .
"""
)


def _shapes(tmp_path: Path, shapes: str, *, missing: str | None = None) -> Path:
    for name in shacl.SHAPE_FILES:
        if name != missing:
            (tmp_path / name).write_text(shapes if name == "shapes.ttl" else PREFIXES)
    return tmp_path


def test_violations_count_against_the_dataset_that_holds_them(tmp_path: Path) -> None:
    checker = ComplianceChecker(_shapes(tmp_path, NEEDS_SPATIAL))
    rows = [
        DatasetRow(id="zonder", title_nl="Zonder"),
        DatasetRow(id="met", title_nl="Met", spatial="Gent"),
    ]
    result = checker.check("http://x.test", rows)
    assert result["met"].passed is True and result["met"].messages == ()
    assert result["zonder"].passed is False
    assert "no spatial coverage" in result["zonder"].messages[0]
    assert result["zonder"].messages[0].startswith("http://x.test/catalog/datasets/zonder")


def test_a_shared_node_counts_against_every_dataset_that_uses_it(tmp_path: Path) -> None:
    checker = ComplianceChecker(_shapes(tmp_path, PUBLISHER_NEEDS_MBOX))
    rows = [
        DatasetRow(id="a", title_nl="A", organisation="Dienst A"),
        DatasetRow(id="b", title_nl="B", organisation="Dienst B"),
    ]
    result = checker.check("http://x.test", rows)
    assert result["a"].passed is False and result["b"].passed is False
    # each its own publisher, never the other's (the catalogue's publisher, of the data
    # services every description links to, counts against both)
    assert any("dienst-a" in m for m in result["a"].messages)
    assert not any("dienst-b" in m for m in result["a"].messages)
    assert any("dienst-b" in m for m in result["b"].messages)
    assert not any("dienst-a" in m for m in result["b"].messages)


def test_results_are_kept_per_row_until_the_row_changes(tmp_path: Path) -> None:
    checker = ComplianceChecker(_shapes(tmp_path, NEEDS_SPATIAL))
    row = DatasetRow(id="d", title_nl="D")
    first = checker.check("http://x.test", [row])["d"]
    (tmp_path / "shapes.ttl").write_text(PREFIXES)  # no rules at all now: a new run would pass
    assert checker.check("http://x.test", [row])["d"] is first  # remembered
    assert (
        checker.check("http://x.test", [replace(row, title_nl="D2")])["d"].passed is False
    )  # shapes loaded once


def test_missing_shapes_are_not_checked(tmp_path: Path) -> None:
    row = DatasetRow(id="d", title_nl="D")
    for checker, words in (
        (ComplianceChecker(None), "not configured"),
        (ComplianceChecker(_shapes(tmp_path, NEEDS_SPATIAL, missing="range.ttl")), "range.ttl"),
    ):
        result = checker.check("http://x.test", [row])["d"]
        assert result.passed is None and words in (result.reason or "")


def test_shapes_that_do_not_load_are_not_checked(tmp_path: Path) -> None:
    broken = _shapes(tmp_path, PREFIXES + "this is not turtle [")
    row = DatasetRow(id="d", title_nl="D")
    result = ComplianceChecker(broken).check("http://x.test", [row])["d"]
    assert result.passed is None and "do not load" in (result.reason or "")
