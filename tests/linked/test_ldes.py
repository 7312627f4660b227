"""Linked Data Event Streams over HTTP: the stream, its pages and relations, immutable
closed pages across a new version, caching headers, content negotiation, the gate, and
bad page numbers and dataset ids."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import COUNTS_CSV, write

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCT = Namespace("http://purl.org/dc/terms/")
AS = Namespace("https://www.w3.org/ns/activitystreams#")
BASE = "http://testserver"
STREAM = URIRef(f"{BASE}/catalog/datasets/tellingen")
KEY = {"record_key": ["telpunt", "tijdstip"]}
# version 2: one count corrected, Graslei gone, a new counting point
VERSION_2 = (COUNTS_CSV.replace(";120;", ";121;").replace("Graslei;2024-03-01 13:00:00;;0,1;nee\n", "")
             + "Sint-Pietersplein;2024-03-01 15:00:00;7;0,05;ja\n")


@pytest.fixture
def streams(settings: Settings) -> Iterator[Platform]:
    """A platform whose streams have pages of two members."""
    platform = Platform(settings.model_copy(update={"ldes_page_size": 2}))
    try:
        yield platform
    finally:
        platform.close()


@pytest.fixture
def client(streams: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(streams)) as c:
        yield c


def publish(platform: Platform, tmp_path: Path, text: str, name: str, **metadata: Any) -> None:
    path = write(tmp_path / name, text)
    ingest_file(platform, CLI_ADMIN, "tellingen", path, metadata={"title_nl": "Tellingen", **KEY, **metadata})


def page_members(body: bytes) -> list[str]:
    """The page's ``tree:member`` IRIs in the order the page lists them."""
    document = json.loads(body)
    stream = next(n for n in document["@graph"] if n["@id"] == str(STREAM))
    members = stream.get("member", [])  # compact JSON-LD: one IRI, or a list of them
    return [members] if isinstance(members, str) else members


def graph(body: bytes, fmt: str = "json-ld") -> Graph:
    return Graph().parse(data=body, format=fmt)


def page(client: TestClient, number: int | str, **headers: str) -> Any:
    return client.get(f"/ldes/tellingen/pages/{number}", headers=headers)


# ── the stream and its pages ──────────────────────────────────────────────────────────


def test_stream_document_names_paths_and_view(streams: Platform, client: TestClient, tmp_path: Path) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    r = client.get("/ldes/tellingen")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/ld+json"
    assert r.headers["access-control-allow-origin"] == "*"
    g = graph(r.content)
    assert (STREAM, RDF.type, LDES.EventStream) in g
    assert g.value(STREAM, LDES.timestampPath) == PROV.generatedAtTime
    assert g.value(STREAM, LDES.versionOfPath) == DCT.isVersionOf
    assert g.value(STREAM, LDES.versionDeleteObject) == AS.Delete
    view = g.value(STREAM, TREE.view)
    assert view == URIRef(f"{BASE}/ldes/tellingen/pages/1")
    assert (view, RDF.type, TREE.Node) in g


def test_pages_relations_and_members(streams: Platform, client: TestClient, tmp_path: Path) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    bodies = [page(client, n) for n in (1, 2, 3)]
    assert [r.status_code for r in bodies] == [200, 200, 200]
    assert [len(page_members(r.content)) for r in bodies] == [2, 2, 1]
    assert page(client, 4).status_code == 404
    members = [m for r in bodies for m in page_members(r.content)]
    assert len(set(members)) == 5
    for number, r in enumerate(bodies, 1):
        g = graph(r.content)
        node = URIRef(f"{BASE}/ldes/tellingen/pages/{number}")
        assert (node, RDF.type, TREE.Node) in g
        relations = list(g.objects(node, TREE.relation))
        if number < 3:  # closed: one relation to the next page, from the next page's first member on
            assert len(relations) == 1
            relation = relations[0]
            assert (relation, RDF.type, TREE.GreaterThanOrEqualToRelation) in g
            assert g.value(relation, TREE.path) == PROV.generatedAtTime
            assert g.value(relation, TREE.node) == URIRef(f"{BASE}/ldes/tellingen/pages/{number + 1}")
            value = g.value(relation, TREE.value)
            assert isinstance(value, Literal) and value.datatype == URIRef("http://www.w3.org/2001/XMLSchema#dateTime")
            following = graph(bodies[number].content)
            first = URIRef(page_members(bodies[number].content)[0])
            assert following.value(first, PROV.generatedAtTime).toPython() >= value.toPython()
        else:
            assert relations == []
        for member in page_members(r.content):
            m = URIRef(member)
            record = g.value(m, DCT.isVersionOf)
            assert str(record).startswith(f"{BASE}/id/tellingen/") and member.startswith(f"{record}/")
            assert g.value(m, PROV.generatedAtTime) is not None
            assert len(list(g.predicate_objects(m))) >= 5  # the row's own fields too


def test_closed_pages_never_change_and_new_versions_append(
    streams: Platform, client: TestClient, tmp_path: Path
) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    before = {(n, fmt): page(client, n, accept=accept) for n in (1, 2, 3)
              for fmt, accept in (("jsonld", "application/ld+json"), ("ttl", "text/turtle"))}
    assert "immutable" in before[(1, "jsonld")].headers["cache-control"]
    assert "immutable" not in before[(3, "jsonld")].headers["cache-control"]
    open_members = page_members(before[(3, "jsonld")].content)

    publish(streams, tmp_path, VERSION_2, "v2.csv")
    for (number, fmt), old in before.items():
        new = page(client, number, accept=old.request.headers["accept"])
        if number < 3:
            assert new.content == old.content, (number, fmt)
            assert new.headers["etag"] == old.headers["etag"]
    third, fourth = page(client, 3), page(client, 4)
    assert page(client, 5).status_code == 404
    assert page_members(third.content)[:1] == open_members  # the open page grew
    assert "immutable" in third.headers["cache-control"]
    assert third.headers["cache-control"].startswith("public, max-age=")
    assert "immutable" not in fourth.headers["cache-control"]
    added = page_members(third.content)[1:] + page_members(fourth.content)
    assert len(added) == 3
    g = graph(third.content) + graph(fourth.content)
    v1_time = graph(before[(3, "jsonld")].content).value(URIRef(open_members[0]), PROV.generatedAtTime)
    values: dict[str, Any] = {}
    for member in map(URIRef, added):
        assert g.value(member, PROV.generatedAtTime).toPython() > v1_time.toPython()
        values[member] = {str(p).rsplit("#", 1)[-1]: o.toPython() for p, o in g.predicate_objects(member)}
    tombstones = [m for m in added if (URIRef(m), RDF.type, AS.Delete) in g]
    assert len(tombstones) == 1 and added[-1] == tombstones[0]  # removed records come last
    assert sorted(v.get("telpunt") for v in values.values() if "telpunt" in v) == ["Korenmarkt", "Sint-Pietersplein"]
    assert any(v.get("aantal") == 121 for v in values.values())
    # the corrected count is a new version of the same record: same isVersionOf as in version 1
    corrected = next(URIRef(m) for m in added if values[URIRef(m)].get("aantal") == 121)
    first_pages = graph(before[(1, "jsonld")].content)
    originals = {first_pages.value(URIRef(m), DCT.isVersionOf) for m in page_members(before[(1, "jsonld")].content)}
    assert g.value(corrected, DCT.isVersionOf) in originals


def test_identical_version_adds_nothing(streams: Platform, client: TestClient, tmp_path: Path) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    last = page(client, 3)
    publish(streams, tmp_path, COUNTS_CSV, "v1-again.csv")
    again = page(client, 3)
    assert page_members(again.content) == page_members(last.content)
    assert page(client, 4).status_code == 404


# ── HTTP: caching, negotiation ────────────────────────────────────────────────────────


def test_headers_etag_and_revalidation(streams: Platform, client: TestClient, tmp_path: Path) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    closed, newest = page(client, 1), page(client, 3)
    for r in (closed, newest):
        assert r.headers["access-control-allow-origin"] == "*"
        assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
        etag = r.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")  # strong
        again = page(client, r.url.path.rsplit("/", 1)[-1], **{"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
    assert closed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert newest.headers["cache-control"] == "public, max-age=5"
    assert 'rel="next"' in closed.headers["link"] and 'rel="next"' not in newest.headers["link"]
    assert page(client, 1, **{"if-none-match": '"something-else"'}).status_code == 200


@pytest.mark.parametrize(("accept", "content_type", "parser"), [
    ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    # what ldes-client (rdf-dereference) sends: N-Quads preferred
    ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,text/turtle;q=0.6",
     "application/n-quads", "nquads"),
    ("text/turtle;q=0.5,application/ld+json;q=0.9", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "application/ld+json", "json-ld"),
    ("*/*", "application/ld+json", "json-ld"),
])
def test_content_negotiation_gives_the_same_graph(
    streams: Platform, client: TestClient, tmp_path: Path, accept: str, content_type: str, parser: str
) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    publish(streams, tmp_path, VERSION_2, "v2.csv")  # a tombstone on page 4
    for number in (1, 4):
        reference = graph(page(client, number).content)
        r = page(client, number, accept=accept)
        assert r.status_code == 200 and r.headers["content-type"] == content_type
        assert isomorphic(graph(r.content, parser), reference)
    assert page(client, 1, accept="image/png").status_code == 406


def test_hostile_values_survive_every_format(streams: Platform, client: TestClient, tmp_path: Path) -> None:
    nasty = 'a "quote" \\ back\nnew line <tag> & {brace} é 🚲'
    csv = "naam;aantal\n" + f'"{nasty.replace(chr(34), chr(34) * 2)}";1\n' + "gewoon;2\n"
    path = write(tmp_path / "nasty.csv", csv)
    ingest_file(streams, CLI_ADMIN, "tellingen", path, metadata={"title_nl": "Vreemd"})
    reference = graph(page(client, 1).content)
    assert any(str(o) == nasty for o in reference.objects())
    for accept, parser in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml")):
        assert isomorphic(graph(page(client, 1, accept=accept).content, parser), reference)


# ── the gate and bad input ────────────────────────────────────────────────────────────


def test_restricted_streams_are_hidden_and_never_public(
    streams: Platform, client: TestClient, tmp_path: Path, admin_headers: dict[str, str]
) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv", classification="internal",
            restriction_reason="privacy", classification_reason="bevat namen")
    for path in ("/ldes/tellingen", "/ldes/tellingen/pages/1"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"] == "application/json"
        assert "bevat namen" not in r.text
        staff = client.get(path, headers=admin_headers)
        assert staff.status_code == 200
        assert staff.headers["cache-control"] == "private, no-store"
    listed = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert "ldes/tellingen" not in listed.text


@pytest.mark.parametrize(("number", "status"), [
    ("0", 404), ("01", 404), ("4", 404), ("99999999999", 404), ("abc", 400), ("-1", 400), ("1.5", 400),
    ("1e3", 400), ("９", 400), ("9" * 40, 400), ("%00", 400), ("1%20", 400),
])
def test_bad_page_numbers(streams: Platform, client: TestClient, tmp_path: Path, number: str, status: int) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    r = client.get(f"/ldes/tellingen/pages/{number}")
    assert r.status_code == status, r.text
    assert r.json()["error"] and r.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("dataset_id", [
    "bestaat-niet", "..%2F..%2Fetc%2Fpasswd", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "x" * 5000, "tellingen%00",
    "TELLINGEN", "tellingen%20",
])
def test_hostile_dataset_ids(streams: Platform, client: TestClient, tmp_path: Path, dataset_id: str) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    for path in (f"/ldes/{dataset_id}", f"/ldes/{dataset_id}/pages/1"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.text[:200])
        assert "<script>alert" not in r.text
    assert client.get("/ldes/tellingen/pages/1").status_code == 200  # nothing broke


def test_dataset_without_data_has_no_stream(streams: Platform, client: TestClient) -> None:
    assert client.get("/ldes/tellingen").status_code == 404


def test_pages_are_the_same_without_a_cache(
    streams: Platform, client: TestClient, tmp_path: Path, settings: Settings
) -> None:
    """With BELFORT_LDES_CACHE_MB=0 nothing is kept: versions are read by row group, logs
    computed again — and every page is byte for byte the same."""
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    publish(streams, tmp_path, VERSION_2, "v2.csv")
    cached = [page(client, n).content for n in (1, 2, 3, 4)]
    logs = list((settings.data_dir / "ldes" / "tellingen").glob("*.parquet"))
    assert len(logs) == 2  # one member log a version, kept under the data directory
    bare = Platform(settings.model_copy(update={"ldes_page_size": 2, "ldes_cache_mb": 0}))
    try:
        with TestClient(create_app(bare)) as other:
            assert [other.get(f"/ldes/tellingen/pages/{n}").content for n in (1, 2, 3, 4)] == cached
    finally:
        bare.close()


def test_every_member_dereferences(streams: Platform, client: TestClient, tmp_path: Path) -> None:
    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    publish(streams, tmp_path, VERSION_2, "v2.csv")
    pages = [page(client, n) for n in (1, 2, 3, 4)]
    on_pages = Graph()
    for r in pages:
        on_pages += graph(r.content)
    members = [m for r in pages for m in page_members(r.content)]
    assert len(members) == 8
    for member in members:
        r = client.get(member.removeprefix(BASE))
        assert r.status_code == 200, (member, r.text[:300])
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        alone = graph(r.content)
        assert set(alone) == set(on_pages.triples((URIRef(member), None, None))), member
        turtle = client.get(member.removeprefix(BASE), headers={"Accept": "text/turtle"})
        assert isomorphic(graph(turtle.content, "turtle"), alone)
    tombstone = next(m for m in members if (URIRef(m), RDF.type, AS.Delete) in on_pages)
    record = tombstone.rsplit("/", 1)[0].removeprefix(BASE)
    # the record as it stood at some moment: its newest member up to then (303)
    then = client.get(f"{record}/99991231T235959Z", follow_redirects=False)
    assert then.status_code == 303 and then.headers["location"] == tombstone
    first = next(m for m in members if m.startswith(BASE + record + "/") and m != tombstone)
    stamp = first.rsplit("/", 1)[1]
    moment = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ" if "." in stamp else "%Y%m%dT%H%M%SZ")
    between = (moment + dt.timedelta(microseconds=1)).strftime("%Y%m%dT%H%M%S.%fZ")
    if between < tombstone.rsplit("/", 1)[1]:
        r = client.get(f"{record}/{between}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == first
    for bad in (f"{record}/20000101T000000Z", f"{record}/garbage", f"{record}/2024-03-01T13:00:00Z",
                "/id/tellingen/" + "0" * 40 + f"/{stamp}", f"/id/tellingen/NOT-A-RECORD/{stamp}",
                f"/id/bestaat-niet/{record.rsplit('/', 1)[1]}/{stamp}"):
        r = client.get(bad, follow_redirects=False)
        assert r.status_code == 404, (bad, r.status_code)


def test_demo_streams_in_every_format(platform: Platform, tmp_path: Path) -> None:
    """The demo's datasets — observations (SOSA, OSLO), geometry, multivalued text — as
    streams: each first page holds the same graph in every format, and nodes the mapping
    hangs off a row are named after the member, never after the record."""
    from belfort.demo.loader import load_demo

    list(load_demo(platform, size="small"))
    with TestClient(create_app(platform)) as client:
        ids = [d["id"] for d in client.get("/api/belfort/v1/datasets").json()["datasets"]]
        assert len(ids) >= 6
        for dataset_id in ids:
            r = client.get(f"/ldes/{dataset_id}/pages/1")
            assert r.status_code == 200, (dataset_id, r.text[:300])
            reference = graph(r.content)
            for accept, parser in (("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                   ("application/rdf+xml", "xml")):
                other = client.get(f"/ldes/{dataset_id}/pages/1", headers={"Accept": accept})
                assert isomorphic(graph(other.content, parser), reference), (dataset_id, accept)
            stream = URIRef(f"{BASE}/catalog/datasets/{dataset_id}")
            members = set(reference.objects(stream, TREE.member))
            assert members
            records = {str(reference.value(m, DCT.isVersionOf)) for m in members}
            for subject in set(reference.subjects()):
                assert not any(str(subject).startswith(r + "#") for r in records), subject


def test_rollback_hides_later_members_and_the_stream_resumes_identically(
    streams: Platform, client: TestClient, tmp_path: Path
) -> None:
    from belfort.publishing import publish_dataset_version

    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    publish(streams, tmp_path, VERSION_2, "v2.csv")
    before = {n: page(client, n).content for n in (1, 2, 3, 4)}
    publish_dataset_version(streams, CLI_ADMIN, "tellingen", 1)  # roll back
    assert page(client, 4).status_code == 404
    assert page_members(page(client, 3).content) == page_members(before[3])[:1]
    assert "immutable" not in page(client, 3).headers["cache-control"]
    publish(streams, tmp_path, VERSION_2 + "Nieuw;2024-03-02 10:00:00;1;0,1;ja\n", "v3.csv")
    for n in (1, 2, 3):
        assert page(client, n).content == before[n]
    assert page_members(page(client, 4).content)[:2] == page_members(before[4])


def test_the_next_page_is_rendered_ahead_once(streams: Platform, tmp_path: Path) -> None:
    """A closed page's successor is rendered in the background while the client reads it;
    asking for it then, even twice at once, renders nothing more."""
    import threading
    import time

    from belfort.linked import ldes
    from belfort.linked.mapping import row_mapper
    from belfort.policy.principals import ANONYMOUS

    publish(streams, tmp_path, COUNTS_CSV, "v1.csv")
    renders: list[int] = []

    def counting_mapper(*args: Any) -> Any:
        renders.append(1)
        return row_mapper(*args)

    source = ldes.load_source(streams, ANONYMOUS, "tellingen")
    es = ldes.EventStreams(page_size=2, mapper_factory=counting_mapper)
    first = es.page(source, BASE, 1, "jsonld")
    assert first is not None and first.closed
    deadline = time.monotonic() + 10
    while len(renders) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(renders) == 2  # page 1, and page 2 ahead of time
    time.sleep(0.1)
    rendered = len(renders)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(es.page(source, BASE, 2, "jsonld"))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0].body == results[1].body
    # page 2 is not rendered again; it is closed, so page 3 is rendered ahead, once
    deadline = time.monotonic() + 10
    while len(renders) < rendered + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert len(renders) == rendered + 1
