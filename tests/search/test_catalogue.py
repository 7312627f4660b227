"""The catalogue search service (``belfort.search.catalogue``): snapshots through the gate,
the one filter interpreter, sorting and relevance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from belfort.errors import QueryError
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.query.model import And, Compare, FieldRef, In, IsNull, Like, Literal, Not, Or, Search
from belfort.search.catalogue import CatalogueQuery, SortKey, find, snapshot
from belfort.search.filters import Evaluation, _predicate
from tests.helpers import write


def ids(platform: Platform, where: object = None, **kwargs: object) -> list[str]:
    return find(snapshot(platform, ANONYMOUS), CatalogueQuery(where=where, **kwargs)).ids  # type: ignore[arg-type]


def test_the_snapshot_is_what_the_gate_lets_each_audience_see(ghent: Platform) -> None:
    public = {c.id for c in snapshot(ghent, ANONYMOUS).cards}
    staff = {c.id for c in snapshot(ghent, CLI_ADMIN).cards}
    assert "intern-register" in staff - public
    assert public < staff
    assert snapshot(ghent, ANONYMOUS) is snapshot(ghent, ANONYMOUS)  # kept per generation


def test_a_catalogue_write_gives_a_new_snapshot(ghent: Platform, tmp_path: Path) -> None:
    assert ids(ghent, Search("zwembaden")) == []
    ingest_file(ghent, CLI_ADMIN, "zwembaden-gent", write(tmp_path / "z.csv", "naam,bad\nA,1\n"),
                metadata={"title_nl": "Zwembaden Gent", "themes": ["EDUC"]})
    assert ids(ghent, Search("zwembad")) == ["zwembaden-gent"]  # by stem, through the index


FILTERS = [
    In(FieldRef("theme"), (Literal("TRAN"),)),
    In(FieldRef("theme"), (Literal("TRAN"), Literal("nope"))),
    In(FieldRef("organisation"), (Literal("Stad Gent"),), negated=True),
    Compare("=", FieldRef("keyword"), Literal("drukte")),
    Compare("=", FieldRef("organisation"), Literal("Stad Gent")),
    Compare("=", FieldRef("features"), Literal("geo")),
]


@pytest.mark.parametrize("expr", FILTERS, ids=str)
def test_facet_filters_answer_as_the_general_interpreter_does(ghent: Platform, expr: object) -> None:
    snap = snapshot(ghent, ANONYMOUS)
    evaluation = Evaluation(snap.cards, snap.index, lambda: snap.metadata("nl"),
                            {n: c.having for n, c in snap.facet_columns.items()})
    fast = evaluation.mask(expr)  # type: ignore[arg-type]
    general = np.array([_predicate(expr)(m) for m in snap.metadata("nl")])  # type: ignore[arg-type]
    assert fast.tolist() == general.tolist()
    assert 0 < fast.sum() < len(snap.cards)


def test_filters_combine(ghent: Platform) -> None:
    drukte = ids(ghent, Search("drukte"))
    assert drukte and drukte[0] == "druktebarometer-info"
    assert ids(ghent, Not(Search("drukte"))) == sorted(set(ids(ghent)) - set(drukte))
    both = ids(ghent, Or((Search("drukte"), Search("fietstelpaal"))))
    assert set(both) == set(drukte) | {"fietstelpalen-gent"}
    assert ids(ghent, And((Search("drukte"), Search("fietstelpaal")))) == []
    assert ids(ghent, Like(FieldRef("title"), "fiets%", ci=True)) == ["fietstelpalen-gent"]
    assert ids(ghent, IsNull(FieldRef("theme"), negated=True)) == ["fietstelpalen-gent"]
    big = Compare(">", FieldRef("records_count"), Literal("8"))
    assert ids(ghent, big) == ids(ghent, Compare("<", Literal(8), FieldRef("records_count")))
    # AND asks the comparison only about what the search left: the same answer as asking all
    gent = Search("gent")
    assert set(ids(ghent, And((big, gent)))) == set(ids(ghent, big)) & set(ids(ghent, gent)) != set()
    assert set(ids(ghent, And((Not(big), gent)))) == set(ids(ghent, gent)) - set(ids(ghent, big)) != set()


def test_search_can_be_limited_to_fields(ghent: Platform) -> None:
    assert ids(ghent, Search("fiets")) and ids(ghent, Search("fiets", ("keyword",))) == ["fietstelpalen-gent"]
    assert ids(ghent, Search("fietstelpalen", ("description",))) == []
    with pytest.raises(QueryError, match="searchable"):
        ids(ghent, Search("x", ("id",)))


def test_relevance_unless_an_explicit_sort(ghent: Platform) -> None:
    ranked = ids(ghent, Search("parkeergarages gent"))
    assert ranked[0] == "bezetting-parkeergarages-real-time" and len(ranked) > 3
    by_id = ids(ghent, Search("parkeergarages gent"), sort=(SortKey("id"),))
    assert by_id == sorted(ranked)
    newest = ids(ghent, sort=(SortKey("modified", descending=True),))
    assert len(newest) == len(ids(ghent))
    # a missing value comes last in either direction
    for descending in (False, True):
        themed = ids(ghent, sort=(SortKey("theme", descending),))
        assert themed[0] == "fietstelpalen-gent"


@pytest.mark.parametrize("keys", [
    (SortKey("organisation"), SortKey("title", descending=True)),
    (SortKey("theme", descending=True), SortKey("records_count")),
    (SortKey("has_records"), SortKey("modified", descending=True), SortKey("keyword")),
], ids=str)
def test_sorting_by_several_keys_is_stable_sorting_key_by_key(ghent: Platform, keys: tuple[SortKey, ...]) -> None:
    snap = snapshot(ghent, ANONYMOUS)
    metadata = {c.id: c.metadata("nl") for c in snap.cards}

    def text(v: object) -> object:
        return v.casefold() if isinstance(v, str) else tuple(x.casefold() for x in v) or None \
            if isinstance(v, list) else v

    expected = sorted(metadata)
    for key in reversed(keys):
        present = [i for i in expected if text(metadata[i][key.field]) is not None]
        present.sort(key=lambda i, f=key.field: text(metadata[i][f]), reverse=key.descending)  # type: ignore[misc]
        expected = present + [i for i in expected if text(metadata[i][key.field]) is None]
    assert ids(ghent, sort=keys) == expected


def test_unknown_fields_and_shapes_are_query_errors(ghent: Platform) -> None:
    with pytest.raises(QueryError, match="Unknown catalogue field"):
        ids(ghent, Compare("=", FieldRef("nope"), Literal(1)))
    with pytest.raises(QueryError, match="cannot sort"):
        ids(ghent, sort=(SortKey("nope"),))
    with pytest.raises(QueryError, match="compare a field with a value"):
        ids(ghent, Compare("=", FieldRef("title"), FieldRef("description")))


def test_dialect_errors_are_400s(client: TestClient, ghent: Platform) -> None:
    api = "/api/explore/v2.1/catalog/datasets"
    for where in ['search(dataset_id, "x")', "nope = 1", 'startswith(title, "x")']:
        r = client.get(api, params={"where": where})
        assert r.status_code == 400, (where, r.text)
    assert client.get(api, params={"refine": "nope:x"}).status_code == 400
    assert client.get(api, params={"refine": "default.theme:TRAN"}).json()["total_count"] == 1
    assert client.get("/api/datasets/1.0/search/", params={"q": "\x00\u202e" * 50}).status_code == 200
    assert client.get("/api/belfort/v1/datasets", params={"q": "'; drop table datasets"}).status_code == 200


def test_the_service_sits_below_the_api_and_the_portal() -> None:
    """Every dialect and the portal import the search service; it imports none of them."""
    import ast

    package = Path(__file__).resolve().parents[2] / "src" / "belfort" / "search"
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        upward = [n for n in names if n.startswith(("belfort.api", "belfort.portal"))]
        assert not upward, f"{module.name} imports {upward}"
