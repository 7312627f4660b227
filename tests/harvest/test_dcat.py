"""``belfort harvest dcat``: one live Belfort (the demo) harvested into another through its
DCAT-AP catalogue, page by page, in each serialisation — same datasets, same metadata, same
rows; foreign catalogues (DCAT-AP-VL style, JSON-LD only, Hydra-only paging in three
formats) served by a small local HTTP server; and bad input, reported per page or dataset
while the rest is harvested and nothing already here is lost."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph

from belfort.catalog import store
from belfort.cli import main
from belfort.demo.loader import load_demo
from belfort.errors import InvalidRequest, UnreadableFile
from belfort.harvest.dcat import Http, Limits, harvest_dcat
from belfort.harvest.dcat_rdf import slug_of
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.keys import create_key
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.publishing import ingest_file, update_dataset_metadata
from belfort.query.model import FieldRef, OrderItem, Query
from belfort.schema import TableSchema
from belfort.settings import Settings
from belfort.streams.live_catalog import live_file
from tests.helpers import COUNTS_CSV, free_port, live_server, write

LINE = re.compile(r"^(.+?): (harvested|updated|unchanged|recorded|skipped|failed)(?: — |$)")
HARVESTED = ("title_nl", "title_en", "description_nl", "description_en", "organisation", "contact_point",
             "themes", "keywords", "licence", "spatial", "temporal", "frequency", "classification")


# ── servers ────────────────────────────────────────────────────────────────────────────


Route = tuple[int, str, bytes, dict[str, str]]  # status, content type, body, headers


@dataclass
class Site:
    """A small HTTP server answering from ``routes`` (path with query → answer)."""

    base: str
    routes: dict[str, Route | Callable[[str], Route]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Accept)

    def add(self, path: str, body: str | bytes, content_type: str = "text/turtle", status: int = 200,
            **headers: str) -> None:
        data = body.replace("{base}", self.base).encode() if isinstance(body, str) else body
        self.routes[path] = (status, content_type, data, {k.replace("_", "-"): v for k, v in headers.items()})


@pytest.fixture
def site() -> Iterator[Site]:
    port = free_port()
    state = Site(f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            accept = self.headers.get("Accept", "")
            state.requests.append((self.path, accept))
            route = state.routes.get(self.path)
            if callable(route):
                route = route(accept)
            status, content_type, body, headers = route or (404, "text/plain", b"not found", {})
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value.replace("{base}", state.base))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the harvester stopped reading (e.g. past its byte limit)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# ── platforms and what they hold ───────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, str]]:
    """The small demo served by a live Belfort (read only: the tests do not change it)."""
    platform = Platform(Settings(data_dir=tmp_path_factory.mktemp("demo")))
    list(load_demo(platform, size="small"))
    with live_server(platform) as base:
        yield platform, base
    platform.close()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Platform]:
    platform = Platform(Settings(data_dir=tmp_path / "doel"))
    yield platform
    platform.close()


def harvest_cli(platform: Platform, url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["harvest", "dcat", url, "--data-dir", str(platform.settings.data_dir), *args])


def statuses(result: Result) -> dict[str, str]:
    """``name: status — detail`` lines of the command's output → {name: status} (the first
    line of a name)."""
    out: dict[str, str] = {}
    for line in result.output.splitlines():
        match = LINE.match(line)
        if match:
            out.setdefault(match.group(1), match.group(2))
    return out


def metadata(platform: Platform, visible_only: bool = True) -> dict[str, dict[str, Any]]:
    with platform.db.session() as session:
        datasets = (session.scalars(gate.visible_datasets(ANONYMOUS)) if visible_only
                    else session.scalars(gate.visible_datasets(CLI_ADMIN)))
        return {d.id: {k: v for k, v in store.metadata_of(d).model_dump(mode="json").items() if k in HARVESTED}
                for d in datasets}


def records(platform: Platform, dataset_id: str) -> tuple[list[tuple[str, str]], list[dict]]:
    with platform.db.session() as session:
        _, version = gate.readable_version(session, CLI_ADMIN, dataset_id)
        schema = TableSchema.from_dict(version.table_schema)
        path = platform.lake.absolute(version.path)
    live = live_file(platform, dataset_id)  # a live dataset (gent-in-cijfers): its current file
    path = live if live is not None else path
    order = tuple(OrderItem(FieldRef(f.name)) for f in schema.fields if f.type not in {"geopoint", "geometry"})
    rows = platform.engine.execute(Query(order_by=order), schema, path).records()
    return [(f.name, f.type) for f in schema.fields], rows


def versions(platform: Platform, dataset_id: str) -> list[int]:
    with platform.db.session() as session:
        dataset = store.find_dataset(session, dataset_id)
        return [v.number for v in dataset.versions] if dataset else []


# ── Belfort → Belfort ──────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path, args", [
    ("/catalog?page_size=2", ()),  # Turtle: the default
    ("/catalog?page_size=2", ("--format", "jsonld")),  # JSON-LD by Accept
    ("/catalog.rdf?page_size=2", ()),  # RDF/XML by extension (the Link header keeps it)
    ("/catalog.nt?page_size=2", ()),  # N-Triples
])
def test_one_belfort_harvested_into_another(demo: tuple[Platform, str], target: Platform, path: str,
                                            args: tuple[str, ...]) -> None:
    source, base = demo
    result = harvest_cli(target, base + path, *args)
    assert result.exit_code == 0, result.output
    expected = metadata(source)
    assert len(expected) >= 5  # pages of 2: at least 3 of them
    assert "meldingen-openbaar-domein-intern" not in expected  # internal: not in the public catalogue
    assert set(statuses(result).values()) == {"harvested"}, result.output
    assert metadata(target) == expected  # titles, descriptions, contact, themes, licence, temporal, …
    full = expected["passantentellingen-gent-demo"]
    assert full["title_en"] and full["contact_point"]["email"] and full["temporal"]["start"]
    assert full["frequency"] == "hourly" and full["themes"] and full["licence"] and full["spatial"] == "Gent"
    for dataset_id in expected:
        assert records(target, dataset_id) == records(source, dataset_id), dataset_id


def test_paging_is_followed_and_bounded(demo: tuple[Platform, str], target: Platform) -> None:
    source, base = demo
    total = len(metadata(source))
    result = harvest_cli(target, base + "/catalog?page_size=2", "--max-pages", "2")
    assert result.exit_code == 0, result.output
    assert list(statuses(result).values()).count("harvested") == 4  # 2 pages of 2
    assert "stopped after 2 pages" in result.output
    rest = harvest_cli(target, base + "/catalog?page_size=2")  # the other pages this time
    assert sorted(statuses(rest).values()) == ["harvested"] * (total - 4) + ["unchanged"] * 4, rest.output


def test_reharvest_is_idempotent_and_follows_changes(tmp_path: Path, target: Platform) -> None:
    source = Platform(Settings(data_dir=tmp_path / "bron"))
    ingest_file(source, CLI_ADMIN, "tellingen", write(tmp_path / "t.csv", COUNTS_CSV), metadata={
        "title_nl": "Tellingen", "title_en": "Counts", "themes": ["TRAN", "Mobiliteit"], "keywords": ["drukte"],
        "licence": "CC0-1.0", "frequency": "daily", "organisation": "Stad Gent",
    })
    ingest_file(source, CLI_ADMIN, "andere", write(tmp_path / "a.csv", "a;b\n1;x\n2;y\n"),
                metadata={"title_nl": "Andere"})
    with live_server(source) as base:
        url = base + "/catalog"
        first = {r.dataset_id: r.status for r in harvest_dcat(target, url)}
        assert first == {"andere": "harvested", "tellingen": "harvested"}
        # the description Belfort's catalogue makes up for a dataset without one is not kept
        assert metadata(target)["andere"]["description_nl"] is None
        # a free-text theme comes back as its code and a keyword
        assert metadata(target)["tellingen"]["themes"] == ["TRAN"]
        # the source's "Mobiliteit" theme is TRAN there too (controlled lists, docs/metadata.md)
        assert metadata(target)["tellingen"]["keywords"] == ["drukte"]
        again = {r.dataset_id: r.status for r in harvest_dcat(target, url)}
        assert again == {"andere": "unchanged", "tellingen": "unchanged"}
        assert versions(target, "tellingen") == [1]
        # what staff change here stays, as long as the source does not change it
        update_dataset_metadata(target, CLI_ADMIN, "andere", {"title_nl": "Andere (lokaal)"})
        assert {r.dataset_id: r.status for r in harvest_dcat(target, url)}["andere"] == "unchanged"
        assert metadata(target)["andere"]["title_nl"] == "Andere (lokaal)"

        # changed metadata at the source: updated here, no new version
        update_dataset_metadata(source, CLI_ADMIN, "tellingen", {"title_nl": "Tellingen (nieuw)", "keywords": []})
        third = {r.dataset_id: (r.status, r.detail) for r in harvest_dcat(target, url)}
        assert third["tellingen"] == ("updated", "metadata updated; data unchanged")
        assert third["andere"][0] == "unchanged"
        assert metadata(target)["tellingen"]["title_nl"] == "Tellingen (nieuw)"
        assert metadata(target)["tellingen"]["keywords"] == []
        assert versions(target, "tellingen") == [1]
        # a licence written as an SPDX id comes back as the licence's URI: the same licence
        assert metadata(target)["tellingen"]["licence"].endswith("creative-commons-zero-verklaring/v1.0")

        # new data at the source: a new version here
        ingest_file(source, CLI_ADMIN, "tellingen", write(tmp_path / "t2.csv", COUNTS_CSV + "Graslei;2024-03-01 15:00:00;10;0,2;ja\n"))
        fourth = {r.dataset_id: r.status for r in harvest_dcat(target, url)}
        assert fourth == {"andere": "unchanged", "tellingen": "harvested"}
        assert versions(target, "tellingen") == [1, 2]
        assert records(target, "tellingen") == records(source, "tellingen")
    source.close()


def test_an_interrupted_harvest_continues(demo: tuple[Platform, str], target: Platform) -> None:
    source, base = demo
    run = harvest_dcat(target, base + "/catalog?page_size=2")
    first = [next(run), next(run), next(run)]  # the process "dies" on page 2
    run.close()
    assert [r.status for r in first] == ["harvested"] * 3
    rest = {r.dataset_id: r.status for r in harvest_dcat(target, base + "/catalog?page_size=2")}
    assert all(rest[r.dataset_id] == "unchanged" for r in first)
    assert list(rest.values()).count("harvested") == len(metadata(source)) - 3


def test_local_datasets_are_never_overwritten(demo: tuple[Platform, str], target: Platform, tmp_path: Path) -> None:
    _, base = demo
    ingest_file(target, CLI_ADMIN, "stadswijken-gent-demo", write(tmp_path / "eigen.csv", "x\n1\n"),
                metadata={"title_nl": "Onze eigen wijken"})
    results = {r.dataset_id: r for r in harvest_dcat(target, base + "/catalog", only=["stadswijken-gent-demo"])}
    assert results["stadswijken-gent-demo"].status == "skipped"
    assert "not harvested from this catalogue" in results["stadswijken-gent-demo"].detail
    assert metadata(target)["stadswijken-gent-demo"]["title_nl"] == "Onze eigen wijken"
    assert records(target, "stadswijken-gent-demo")[1] == [{"x": 1}]


# ── foreign catalogues ─────────────────────────────────────────────────────────────────

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix locn: <http://www.w3.org/ns/locn#> .
"""

VL_CATALOGUE = PREFIXES + """
<{base}/catalogus> a dcat:Catalog ;
    dct:title "Open data Vlaanderen (test)"@nl ;
    dcat:dataset <https://stad.gent/id/dataset/0b4b2a1e-verkeerstellingen>, <{base}/id/dataset/luchtmeetnet>,
        <{base}/id/dataset/meldingen>, <{base}/id/dataset/jaarverslag> .

<https://stad.gent/id/dataset/0b4b2a1e-verkeerstellingen> a dcat:Dataset ;
    dct:identifier "https://stad.gent/id/dataset/0b4b2a1e-verkeerstellingen" ;
    dct:title "Verkeerstellingen Gent", "Traffic counts Ghent"@en ;
    dct:description "Tellingen per uur op de stadsring."@nl-BE, "Hourly counts on the ring road."@en ;
    dct:publisher <https://stad.gent/id/agents/8a4b> ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Mobiliteitsbedrijf Gent" ;
                        vcard:hasEmail <mailto:mobiliteit@stad.gent> ] ;
    dcat:theme <http://vocab.belgif.be/auth/datatheme/TRAN>, <http://vocab.belgif.be/auth/datatheme/ENVI> ;
    dcat:keyword "verkeer"@nl, "traffic"@en, "ring"@nl ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/DAILY> ;
    dct:spatial <https://data.vlaanderen.be/id/gemeente/44021> ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2023-01-01"^^xsd:date ; dcat:endDate "2023-12-31"^^xsd:date ] ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    dct:modified "2024-01-02T10:00:00Z"^^xsd:dateTime ;
    dcat:distribution <{base}/id/distributie/1>, <{base}/id/distributie/2> .
<https://stad.gent/id/agents/8a4b> a foaf:Agent ; foaf:name "Stad Gent - Mobiliteitsbedrijf"@nl .
<{base}/id/distributie/1> a dcat:Distribution ; dcat:accessURL <{base}/verkeer.html> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/HTML> .
<{base}/id/distributie/2> a dcat:Distribution ; dcat:downloadURL <{base}/data/verkeer> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dct:license <https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0> .

<{base}/id/dataset/meldingen> a dcat:Dataset ;
    dct:identifier "meldingen" ; dct:title "Meldingen"@nl ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC> ;
    dcat:distribution [ dcat:downloadURL <{base}/data/meldingen.csv> ] .

<{base}/id/dataset/jaarverslag> a dcat:Dataset ;
    dct:title "Jaarverslag mobiliteit"@nl ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/ANNUAL_2> ;
    dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <{base}/jaarverslag.pdf> ;
                        dcat:mediaType <https://www.iana.org/assignments/media-types/application/pdf> ] .
"""

# only named by IRI in the catalogue; its own document says the rest
AIR_QUALITY = PREFIXES + """
<{base}/id/dataset/luchtmeetnet> a dcat:Dataset ;
    dct:identifier "luchtmeetnet" ;
    dct:title "Luchtmeetnet"@nl ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/HOURLY> ;
    dct:spatial [ a dct:Location ; locn:geographicName "Gentse kanaalzone"@nl ] ;
    dct:license [ a dct:LicenseDocument ; skos:prefLabel "Vrij te gebruiken met bronvermelding"@nl ] ;
    dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <{base}/data/lucht> ;
        dcat:mediaType <https://www.iana.org/assignments/media-types/application/json> ] .
"""
TRAFFIC_CSV = "meetpunt;tijdstip;aantal\nR40-1;2023-06-01 08:00:00;812\nR40-2;2023-06-01 08:00:00;650\n"
AIR_JSON = json.dumps([{"sensor": "s1", "no2": 21.5}, {"sensor": "s2", "no2": 33.0}, {"sensor": "s3", "no2": None}])


def test_a_flemish_style_catalogue(site: Site, target: Platform) -> None:
    site.add("/catalogus", VL_CATALOGUE)
    site.add("/id/dataset/luchtmeetnet", AIR_QUALITY)
    site.add("/data/verkeer", TRAFFIC_CSV, "text/csv")
    site.add("/data/lucht", AIR_JSON, "application/json")
    site.add("/data/meldingen.csv", "id;soort\n1;sluikstort\n", "text/csv")
    result = harvest_cli(target, site.base + "/catalogus")
    assert result.exit_code == 0, result.output
    assert statuses(result) == {"0b4b2a1e-verkeerstellingen": "harvested", "luchtmeetnet": "harvested",
                                "meldingen": "harvested", "jaarverslag": "recorded"}, result.output
    assert "stored as '0b4b2a1e-verkeerstellingen'" in result.output
    found = metadata(target, visible_only=False)
    assert found["0b4b2a1e-verkeerstellingen"] == {
        "title_nl": "Verkeerstellingen Gent", "title_en": "Traffic counts Ghent",
        "description_nl": "Tellingen per uur op de stadsring.", "description_en": "Hourly counts on the ring road.",
        "organisation": "Stad Gent - Mobiliteitsbedrijf",
        "contact_point": {"name": "Mobiliteitsbedrijf Gent", "email": "mobiliteit@stad.gent"},
        "themes": ["TRAN", "ENVI"], "keywords": ["verkeer", "ring", "traffic"],
        "licence": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
        "spatial": "Gent", "temporal": {"start": "2023-01-01", "end": "2023-12-31"},
        "frequency": "daily", "classification": "open",
    }
    air = found["luchtmeetnet"]
    # a place and a licence text on no list are left out and named in the report (and the
    # audit log: docs/metadata.md, "Harvested records")
    assert (air["themes"], air["frequency"], air["spatial"], air["licence"]) == (
        ["ENVI"], "hourly", None, None)
    report = " ".join(result.output.split())
    assert "spatial 'Gentse kanaalzone' is on no list: left out" in report
    assert "licence 'Vrij te gebruiken met bronvermelding' is on no list: left out" in report
    assert found["jaarverslag"]["frequency"] == "annual"
    assert records(target, "0b4b2a1e-verkeerstellingen")[1][0] == {
        "meetpunt": "R40-1", "tijdstip": records(target, "0b4b2a1e-verkeerstellingen")[1][0]["tijdstip"], "aantal": 812}
    assert [r["no2"] for r in records(target, "luchtmeetnet")[1]] == [21.5, 33.0, None]
    # what the source says is not public stays internal here
    assert found["meldingen"]["classification"] == "internal"
    # the report without data is a draft with its metadata; the public sees neither
    assert set(metadata(target)) == {"0b4b2a1e-verkeerstellingen", "luchtmeetnet"}
    with target.db.session() as session:
        assert store.find_dataset(session, "jaarverslag").state == "draft"

    again = harvest_cli(target, site.base + "/catalogus")
    assert set(statuses(again).values()) == {"unchanged"}, again.output
    assert versions(target, "0b4b2a1e-verkeerstellingen") == [1]

    # the report gets data at the source: ingested and published
    site.add("/catalogus", VL_CATALOGUE.replace("<{base}/jaarverslag.pdf>", "<{base}/jaarverslag.csv>").replace(
        "application/pdf", "text/csv"))
    site.add("/jaarverslag.csv", "jaar,km_fietspad\n2023,512\n", "text/csv")
    third = statuses(harvest_cli(target, site.base + "/catalogus"))
    assert third["jaarverslag"] == "harvested" and third["luchtmeetnet"] == "unchanged"
    assert records(target, "jaarverslag")[1] == [{"jaar": 2023, "km_fietspad": 512}]
    assert "jaarverslag" in metadata(target)


CONTEXT = {"@context": {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
    "title": {"@id": "dct:title", "@container": "@language"}, "identifier": "dct:identifier",
    "dataset": {"@id": "dcat:dataset", "@type": "@id"}, "distribution": {"@id": "dcat:distribution", "@type": "@id"},
    "downloadURL": {"@id": "dcat:downloadURL", "@type": "@id"}, "keyword": "dcat:keyword",
}}


def test_a_json_ld_only_catalogue_with_a_remote_context(site: Site, target: Platform) -> None:
    document = {"@context": "/context.jsonld", "@graph": [
        {"@id": "{base}/cat", "@type": "dcat:Catalog", "dataset": ["{base}/ds/bomen", "{base}/ds/banken"]},
        {"@id": "{base}/ds/bomen", "@type": "dcat:Dataset", "identifier": "Bomen", "title": {"nl": "Bomen", "en": "Trees"},
         "keyword": ["groen"], "distribution": ["{base}/ds/bomen#csv"]},
        {"@id": "{base}/ds/bomen#csv", "@type": "dcat:Distribution", "downloadURL": "{base}/files/bomen.csv"},
        {"@id": "{base}/ds/banken", "@type": "dcat:Dataset", "identifier": "banken", "title": {"nl": "Zitbanken"},
         "distribution": ["{base}/ds/banken#geo"]},
        {"@id": "{base}/ds/banken#geo", "@type": "dcat:Distribution", "downloadURL": "{base}/files/banken.geojson"},
    ]}

    def json_ld_only(body: str) -> Callable[[str], Route]:
        def answer(accept: str) -> Route:
            if "application/ld+json" not in accept:
                return 406, "text/plain", b"JSON-LD only", {}
            return 200, "application/ld+json", body.replace("{base}", site.base).encode(), {}
        return answer

    site.routes["/cat"] = json_ld_only(json.dumps(document))
    site.routes["/context.jsonld"] = json_ld_only(json.dumps(CONTEXT))
    site.add("/files/bomen.csv", "soort,hoogte\nlinde,12\neik,20\n", "text/csv")
    site.add("/files/banken.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [3.72, 51.05]}, "properties": {"naam": "Kouter"}}]}),
        "application/geo+json")
    results = {r.dataset_id: r for r in harvest_dcat(target, site.base + "/cat")}
    assert {k: r.status for k, r in results.items()} == {"bomen": "harvested", "banken": "harvested"}, results
    assert metadata(target)["bomen"]["title_en"] == "Trees"
    assert metadata(target)["banken"]["title_nl"] == "Zitbanken"
    assert len(records(target, "bomen")[1]) == 2 and len(records(target, "banken")[1]) == 1
    assert site.requests[0][1].startswith("text/turtle")  # Turtle asked first; JSON-LD accepted too
    # no dct:modified to go by: downloaded again, and identical data is not ingested twice
    assert {r.dataset_id: r.status for r in harvest_dcat(target, site.base + "/cat")} == {
        "bomen": "unchanged", "banken": "unchanged"}
    assert versions(target, "bomen") == [1]


def _page(number: int, following: int | None) -> str:
    nxt = f"hydra:next <{{base}}/p{following}> ;" if following else ""
    return PREFIXES + f"""
<{{base}}/cat> a dcat:Catalog, hydra:Collection ; hydra:view <{{base}}/p{number}> ;
    dcat:dataset <{{base}}/ds/d{number}> .
<{{base}}/p{number}> a hydra:PartialCollectionView ; {nxt} hydra:first <{{base}}/p1> .
<{{base}}/ds/d{number}> a dcat:Dataset ; dct:identifier "d{number}" ; dct:title "Dataset {number}"@nl ;
    dcat:distribution [ dcat:downloadURL <{{base}}/d{number}.csv> ] .
"""


def test_hydra_paging_across_formats(site: Site, target: Platform) -> None:
    """Three pages linked only by hydra:next (no Link header): Turtle, then RDF/XML, then
    N-Triples, each said by its Content-Type."""
    site.add("/p1", _page(1, 2))
    page2 = Graph().parse(data=_page(2, 3).replace("{base}", site.base), format="turtle")
    site.add("/p2", page2.serialize(format="xml"), "application/rdf+xml; charset=utf-8")
    page3 = Graph().parse(data=_page(3, None).replace("{base}", site.base), format="turtle")
    site.add("/p3", page3.serialize(format="nt"), "application/n-triples")
    for n in (1, 2, 3):
        site.add(f"/d{n}.csv", f"n\n{n}\n", "text/csv")
    results = [(r.dataset_id, r.status) for r in harvest_dcat(target, site.base + "/p1")]
    assert results == [("d1", "harvested"), ("d2", "harvested"), ("d3", "harvested")]


# ── bad input ──────────────────────────────────────────────────────────────────────────


def _dataset(identifier: str, download: str, extra: str = "", subject: str | None = None) -> str:
    subject = subject or f"<{{base}}/ds/{identifier[:40].replace('/', '_').replace('.', '_')}>"
    return f"""{subject} a dcat:Dataset ; dct:identifier {json.dumps(identifier)} ; dct:title "T {identifier[:20]}"@nl ;
    dct:modified "2024-05-01T00:00:00Z"^^xsd:dateTime ; {extra}
    dcat:distribution [ dcat:downloadURL <{{base}}{download}> ; dct:format "CSV" ] .
"""


def test_bad_input_is_reported_per_page_and_dataset(site: Site, target: Platform) -> None:
    long_id = "x" * 10_000
    site.add("/p1", PREFIXES + "<{base}/cat> a dcat:Catalog .\n"
             + _dataset("goed-1", "/goed1.csv")
             + _dataset("../../etc/passwd", "/goed1.csv")
             + _dataset(long_id, "/goed1.csv")
             + _dataset("goed-1", "/goed1.csv", subject="<{base}/ds/dubbel>")  # same id twice
             + _dataset("!!!", "/goed1.csv", subject="[]")  # nothing usable as an identifier
             + "<{base}/cat> dcat:dataset [ ], <http://[::1/kapot> .\n"  # no description, none to fetch
             + _dataset("rare-url", "/x.csv").replace("<{base}/x.csv>", "<http://[::1/x.csv>"),
             Link='<{base}/p2>; rel="next"')
    site.add("/p2", PREFIXES + "<{base}/cat> a dcat:Catalog ; dcat:dataset <{base}/ds/x . garbage",
             Link='<{base}/p3>; rel="next"')  # malformed Turtle; the Link header still says what is next
    site.add("/p3", PREFIXES + "<{base}/cat> a dcat:Catalog ; dcat:dataset <{base}/ds/kapotte-beschrijving> .\n"
             + _dataset("goed-2", "/goed2.csv")
             + _dataset("kapot-download", "/fout.csv")
             + _dataset("rommel", "/rommel.csv")
             + _dataset("html", "/html.csv")
             + _dataset("te-groot", "/groot.csv")
             + _dataset("slechte-waarden", "/goed2.csv", extra="""
                 dcat:contactPoint [ vcard:fn "Iemand" ; vcard:hasEmail "geen adres" ] ;
                 dct:temporal [ dcat:startDate "2024-05-01" ; dcat:endDate "2020-01-01" ] ;
                 dcat:keyword "kort", "%s" ;""" % ("lang" * 40)))
    site.add("/ds/kapotte-beschrijving", PREFIXES + "<{base}/ds/kapotte-beschrijving> a dcat:Dataset ; dct:title \"x")
    site.add("/goed1.csv", "a,b\n1,2\n3,4\n", "text/csv")
    site.add("/goed2.csv", "a,b\n5,6\n", "text/csv")
    site.add("/fout.csv", "stuk", "text/plain", status=500)
    site.add("/rommel.csv", bytes(range(256)) * 20, "text/csv")
    site.add("/html.csv", "<html><body>Aanmelden</body></html>", "text/html")
    site.add("/groot.csv", "a\n" + "1\n" * 600_000, "text/csv")  # 1.2 MB

    result = harvest_cli(target, site.base + "/p1", "--max-download-mb", "1")
    assert result.exit_code == 0, result.output  # some datasets came through
    out = result.output
    found = statuses(result)
    long_slug = slug_of(long_id)
    assert len(long_slug) == 100
    assert {k: found.get(k) for k in ("goed-1", "etc-passwd", long_slug, "goed-2", "slechte-waarden")} == dict.fromkeys(
        ("goed-1", "etc-passwd", long_slug, "goed-2", "slechte-waarden"), "harvested"), out
    assert {k: found.get(k) for k in ("kapot-download", "rommel", "html", "te-groot", "kapotte-beschrijving")} == dict.fromkeys(
        ("kapot-download", "rommel", "html", "te-groot", "kapotte-beschrijving"), "failed"), out
    assert "also used by" in out  # the second goed-1
    assert "gives no usable Belfort identifier" in out and "blank node" in out
    assert found["rare-url"] == "failed" and "cannot fetch 'http://[::1/x.csv'" in out
    assert found["kapot"] == "failed" and "Invalid port" in out
    assert f"{site.base}/p2: failed — page 2: not readable as turtle" in out
    assert "HTTP 500" in out and "binary" in out and "HTML page" in out and "larger than the limit" in out
    assert "contact e-mail 'geen adres' ignored" in out and "ends before it starts" in out
    assert "identifier '../../etc/passwd' stored as 'etc-passwd'" in out
    slechte = metadata(target)["slechte-waarden"]
    assert slechte["contact_point"] == {"name": "Iemand", "email": None} and slechte["keywords"] == ["kort"]
    assert not (target.settings.data_dir.parent / "etc").exists()
    assert all(len(name) <= 100 for name in metadata(target))

    # again: the good ones are unchanged, the broken ones tried (and reported) again
    again = statuses(harvest_cli(target, site.base + "/p1", "--max-download-mb", "1"))
    assert again["goed-1"] == again["goed-2"] == "unchanged" and again["rommel"] == "failed"

    # a source that breaks later never costs what was harvested before
    before = records(target, "goed-2")
    site.add("/p1", PREFIXES + _dataset("goed-2", "/fout.csv").replace("2024-05-01T", "2024-06-01T"))
    third = harvest_cli(target, site.base + "/p1")
    assert statuses(third)["goed-2"] == "failed" and third.exit_code == 1  # nothing could be harvested
    assert "nothing could be harvested" in third.output
    assert records(target, "goed-2") == before and versions(target, "goed-2") == [1]


def test_a_catalogue_that_cannot_be_read(site: Site, target: Platform) -> None:
    site.add("/kapot", PREFIXES + "<{base}/cat> a dcat:Catalog ; dct:title \"x")
    site.add("/html", "<html><body>Welkom</body></html>", "text/html")
    site.add("/geen-dcat", PREFIXES + "<{base}/x> a foaf:Person .")
    site.add("/groot", PREFIXES + "<{base}/cat> a dcat:Catalog .\n" + "# opvulling\n" * 20_000)
    for path, message in [("/kapot", "not readable as turtle"), ("/html", "HTML page"),
                          ("/geen-dcat", "no dcat:Catalog"), ("/ontbreekt", "HTTP 404")]:
        result = harvest_cli(target, site.base + path)
        text = " ".join(result.output.split())  # the error is wrapped at the terminal's width
        assert result.exit_code != 0 and "cannot read the catalogue" in text, text
        assert message in text, text
    with pytest.raises(UnreadableFile, match="larger than the limit"):
        list(harvest_dcat(target, site.base + "/groot", limits=Limits(max_document_bytes=100_000)))
    with pytest.raises(InvalidRequest):
        list(harvest_dcat(target, "file:///etc/passwd"))
    assert harvest_cli(target, "ftp://example.org/catalog").exit_code == 2
    nothing_here = harvest_cli(target, site.base + "/nergens")
    assert nothing_here.exit_code != 0


def test_oversized_and_slow_answers(site: Site, target: Platform) -> None:
    site.add("/cat", PREFIXES + "<{base}/cat> a dcat:Catalog ; dcat:dataset <{base}/ds/groot>, <{base}/ds/klein>, "
             "<{base}/ds/traag> .")
    site.add("/ds/groot", PREFIXES + _dataset("groot", "/k.csv", subject="<{base}/ds/groot>") + "# …\n" * 20_000)
    site.add("/ds/klein", PREFIXES + _dataset("klein", "/k.csv", subject="<{base}/ds/klein>"))
    site.add("/ds/traag", PREFIXES + _dataset("traag", "/traag.csv", subject="<{base}/ds/traag>"))
    site.add("/k.csv", "a\n1\n", "text/csv")

    def slow(accept: str) -> Route:
        time.sleep(2.5)
        return 200, "text/csv", b"a\n1\n", {}

    site.routes["/traag.csv"] = slow
    limits = Limits(max_document_bytes=50_000, timeout=1.0)
    results = {r.dataset_id: r for r in harvest_dcat(target, site.base + "/cat", limits=limits)}
    assert results["klein"].status == "harvested"
    assert results["groot"].status == "failed" and "larger than the limit" in results["groot"].detail
    assert results["traag"].status == "failed" and "Timeout" in results["traag"].detail


def test_a_partner_key_harvests_restricted_datasets_as_internal(tmp_path: Path, target: Platform) -> None:
    """With the source's key the staff catalogue is harvested: the internal dataset comes
    along, classified internal here too; the key goes only to the source's own host."""
    source = Platform(Settings(data_dir=tmp_path / "partner"))
    try:
        ingest_file(source, CLI_ADMIN, "open-tellingen", write(tmp_path / "o.csv", COUNTS_CSV),
                    metadata={"title_nl": "Open tellingen"})
        ingest_file(source, CLI_ADMIN, "interne-tellingen", write(tmp_path / "i.csv", COUNTS_CSV),
                    metadata={"title_nl": "Interne tellingen", "classification": "internal",
                              "restriction_reason": "privacy",
                              "classification_reason": "afspraak met de partner"})
        with source.db.session() as session:
            key = create_key(session, "harvester").secret
        with live_server(source) as base:
            anonymous = harvest_cli(target, base + "/catalog")
            assert anonymous.exit_code == 0, anonymous.output
            assert set(statuses(anonymous)) == {"open-tellingen"}
            keyed = harvest_cli(target, base + "/catalog", "--api-key", key)
            assert keyed.exit_code == 0, keyed.output
        assert statuses(keyed)["interne-tellingen"] == "harvested"
        with target.db.session() as session:
            internal = store.find_dataset(session, "interne-tellingen")
            assert internal is not None and internal.classification == "internal"
        assert "interne-tellingen" not in metadata(target)  # hidden from the public here too
        assert records(target, "interne-tellingen") == records(source, "interne-tellingen")
    finally:
        source.close()


def test_the_key_is_sent_only_to_the_catalogue_origin() -> None:
    http = Http(httpx.Client(), Limits(), "text/turtle", api_key="geheim", origin="https://data.partner.be:443")
    assert http._headers("https://data.partner.be/catalog?page=2", "text/turtle")["Authorization"] == "Bearer geheim"
    for elsewhere in ("https://cdn.example.org/file.csv", "http://data.partner.be/catalog",
                      "https://data.partner.be:8443/catalog", "https://data.partner.be.evil.org/catalog"):
        assert "Authorization" not in http._headers(elsewhere, "*/*"), elsewhere


def test_hostile_files_are_bad_sources_and_the_harvest_goes_on(
    site: Site, target: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: a file past an ingest limit, a corrupt one and a compressed bomb are each
    reported as that dataset's failure; the others are harvested."""
    import gzip

    monkeypatch.setenv("BELFORT_INGEST_MAX_COLUMNS", "50")
    site.add("/p1", PREFIXES + "<{base}/cat> a dcat:Catalog .\n"
             + _dataset("breed", "/breed.csv") + _dataset("kapot", "/kapot.csv")
             + _dataset("bom", "/bom.csv") + _dataset("goed", "/goed.csv"))
    site.add("/breed.csv", ",".join(f"k{i}" for i in range(5000)) + "\n" + "1," * 4999 + "1\n", "text/csv")
    site.add("/kapot.csv", b"PAR1" + b"\x00" * 500 + b"\xff\xff\x00\x00PAR1", "text/csv")
    site.add("/bom.csv", gzip.compress(b"a\n" + b"0" * 20_000_000), "text/csv", Content_Encoding="gzip")
    site.add("/goed.csv", "a,b\n1,2\n", "text/csv")
    started = time.perf_counter()
    result = harvest_cli(target, site.base + "/p1", "--max-download-mb", "5")
    assert time.perf_counter() - started < 30
    found = statuses(result)
    assert found == {"breed": "failed", "kapot": "failed", "bom": "failed", "goed": "harvested"}, result.output
    assert "5,000 columns" in result.output and "cannot be read" in result.output
    assert "larger than the limit" in result.output
    assert versions(target, "goed") == [1] and result.exit_code == 0
