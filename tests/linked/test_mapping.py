"""Rows as linked data (belfort.linked.mapping): the default mapping of every field type,
explicit mappings, hostile mappings and values, and the observation preset on the real
Ghent bike counters. Every document is parsed back with rdflib."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from belfort.errors import InvalidRequest, NotFound
from belfort.linked.mapping import (
    MAX_MAPPING_BYTES,
    row_mapper,
    validate_mapping,
)
from belfort.linked.rdf import Document
from belfort.linked.records import dataset_document
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.publishing import ingest_file
from tests.conftest import ghent_data
from tests.helpers import write

BASE = "https://data.example.org"
ALL_TYPES = {"fields": [
    {"name": "aantal", "type": "integer"}, {"name": "gemiddelde", "type": "number"},
    {"name": "actief", "type": "boolean"}, {"name": "dag", "type": "date"},
    {"name": "tijdstip", "type": "datetime"}, {"name": "naam", "type": "string"},
    {"name": "locatie", "type": "geopoint"}, {"name": "vorm", "type": "geometry"},
]}
ROW = {
    "aantal": 42, "gemiddelde": 2.5, "actief": True, "dag": dt.date(2024, 7, 20),
    "tijdstip": dt.datetime(2024, 7, 20, 8, 30, tzinfo=dt.UTC), "naam": "Korenmarkt",
    "locatie": {"lat": 51.0543, "lon": 3.7210},
    "vorm": '{"type": "Polygon", "coordinates": [[[3.72, 51.05], [3.73, 51.05], [3.73, 51.06], [3.72, 51.05]]]}',
}
SOSA = "http://www.w3.org/ns/sosa/"
GSP = "http://www.opengis.net/ont/geosparql#"


def parsed(document: Document) -> Graph:
    """The document's Turtle and N-Triples, parsed by rdflib; both give the same graph."""
    turtle = Graph().parse(data=document.serialize("ttl"), format="turtle")
    ntriples = Graph().parse(data=document.serialize("nt"), format="nt")
    assert turtle.isomorphic(ntriples)
    jsonld = Graph().parse(data=document.serialize("jsonld"), format="json-ld")
    assert turtle.isomorphic(jsonld)
    return turtle


def one_row(schema: dict[str, Any], row: dict[str, Any], mapping: dict[str, Any] | None = None,
            record_id: str = "r1", dataset_id: str = "tellingen") -> tuple[str, Graph]:
    document = Document()
    subject = row_mapper(BASE, dataset_id, schema, mapping).add_row(document, record_id, row)
    return subject, parsed(document)


# ── The default mapping ─────────────────────────────────────────────────────────────────


def test_default_mapping_gives_every_field_type_its_datatype() -> None:
    subject, graph = one_row(ALL_TYPES, ROW)
    assert subject == f"{BASE}/id/tellingen/r1"
    s, ds = URIRef(subject), f"{BASE}/def/tellingen#"
    assert graph.value(s, URIRef(ds + "aantal")) == Literal("42", datatype=XSD.integer)
    assert graph.value(s, URIRef(ds + "gemiddelde")) == Literal("2.5", datatype=XSD.double)
    assert graph.value(s, URIRef(ds + "actief")) == Literal("true", datatype=XSD.boolean)
    assert graph.value(s, URIRef(ds + "dag")) == Literal("2024-07-20", datatype=XSD.date)
    assert graph.value(s, URIRef(ds + "tijdstip")) == Literal("2024-07-20T08:30:00+00:00", datatype=XSD.dateTime)
    assert graph.value(s, URIRef(ds + "naam")) == Literal("Korenmarkt")
    point = graph.value(s, URIRef(ds + "locatie"))
    assert (s, URIRef(GSP + "hasGeometry"), point) in graph
    assert str(graph.value(point, URIRef(GSP + "asWKT"))) == "POINT(3.721 51.0543)"
    assert graph.value(point, URIRef(GSP + "asWKT")).datatype == URIRef(GSP + "wktLiteral")
    shape = graph.value(s, URIRef(ds + "vorm"))
    assert str(graph.value(shape, URIRef(GSP + "asWKT"))).startswith("POLYGON((3.72 51.05, 3.73 51.05")


def test_default_mapping_accepts_values_as_explore_renders_them() -> None:
    rendered = {**ROW, "dag": "2024-07-20", "tijdstip": "2024-07-20T10:30:00+02:00",
                "locatie": {"lon": 3.7210, "lat": 51.0543},
                "vorm": {"type": "Feature", "geometry": {"type": "Point", "coordinates": [3.7, 51.0]}}}
    subject, graph = one_row(ALL_TYPES, rendered)
    s, ds = URIRef(subject), f"{BASE}/def/tellingen#"
    assert graph.value(s, URIRef(ds + "dag")) == Literal("2024-07-20", datatype=XSD.date)
    assert str(graph.value(graph.value(s, URIRef(ds + "vorm")), URIRef(GSP + "asWKT"))) == "POINT(3.7 51)"


def test_nulls_and_unusable_values_give_no_triple() -> None:
    row = {"aantal": None, "gemiddelde": float("nan"), "actief": None, "dag": None, "tijdstip": None,
           "naam": "x", "locatie": {"lat": "abc", "lon": 3}, "vorm": "{not json"}
    subject, graph = one_row(ALL_TYPES, row)
    predicates = {str(p) for p in graph.predicates(URIRef(subject))}
    ds = f"{BASE}/def/tellingen#"
    assert predicates == {ds + "naam", ds + "gemiddelde"}  # NaN is a valid xsd:double
    assert graph.value(URIRef(subject), URIRef(ds + "gemiddelde")) == Literal("NaN", datatype=XSD.double)


def test_naive_datetimes_are_utc_and_decimals_stay_exact() -> None:
    schema = {"fields": [{"name": "t", "type": "datetime"}, {"name": "n", "type": "number"}]}
    subject, graph = one_row(schema, {"t": dt.datetime(2024, 1, 1, 12), "n": Decimal("0.10")})
    ds = f"{BASE}/def/tellingen#"
    assert graph.value(URIRef(subject), URIRef(ds + "t")) == Literal("2024-01-01T12:00:00+00:00", datatype=XSD.dateTime)
    assert graph.value(URIRef(subject), URIRef(ds + "n")) == Literal("0.10", datatype=XSD.decimal)


def test_prefixes_name_what_the_document_uses() -> None:
    prefixes = row_mapper(BASE, "tellingen", ALL_TYPES, None).prefixes()
    assert prefixes["ds"] == f"{BASE}/def/tellingen#"
    assert prefixes["gsp"] == GSP and prefixes["xsd"] == str(XSD)
    assert "sosa" not in prefixes and "dcat" not in prefixes


# ── Explicit mappings ───────────────────────────────────────────────────────────────────


EXPLICIT = {
    "prefixes": {"ex": "https://example.org/ns#"},
    "class": ["ex:Telpunt", "sosa:Platform"],
    "subject": "{_base}/id/telpunten/{naam}",
    "fields": {
        "naam": {"predicate": "rdfs:label", "language": "nl"},
        "aantal": {"predicate": "ex:aantal", "datatype": "xsd:nonNegativeInteger"},
        "gemiddelde": {"datatype": "xsd:decimal"},
        "dag": {"predicate": "https://example.org/other#dag"},
        "actief": {"skip": True},
        "tijdstip": {"predicate": "ex:meting", "uri": "https://example.org/meting/{naam}/{value}",
                     "class": "ex:Meting"},
    },
}


def test_explicit_mapping_templates_datatypes_languages_and_classes() -> None:
    subject, graph = one_row(ALL_TYPES, ROW, EXPLICIT)
    assert subject == f"{BASE}/id/telpunten/Korenmarkt"
    s = URIRef(subject)
    ex = "https://example.org/ns#"
    assert set(graph.objects(s, URIRef(str(graph.namespace_manager.expand_curie("rdf:type"))))) == {
        URIRef(ex + "Telpunt"), URIRef(SOSA + "Platform")}
    assert graph.value(s, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) == Literal("Korenmarkt", lang="nl")
    assert graph.value(s, URIRef(ex + "aantal")) == Literal("42", datatype=XSD.nonNegativeInteger)
    assert graph.value(s, URIRef(f"{BASE}/def/tellingen#gemiddelde")) == Literal("2.5", datatype=XSD.decimal)
    assert graph.value(s, URIRef("https://example.org/other#dag")) == Literal("2024-07-20", datatype=XSD.date)
    assert graph.value(s, URIRef(f"{BASE}/def/tellingen#actief")) is None
    meting = graph.value(s, URIRef(ex + "meting"))
    assert str(meting) == "https://example.org/meting/Korenmarkt/2024-07-20T08%3A30%3A00%2B00%3A00"
    assert (meting, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(ex + "Meting")) in graph
    prefixes = row_mapper(BASE, "tellingen", ALL_TYPES, EXPLICIT).prefixes()
    assert prefixes["ex"] == ex and prefixes["sosa"] == SOSA and prefixes["rdfs"].endswith("rdf-schema#")


def test_other_fields_skip_keeps_only_the_listed_fields() -> None:
    mapping = {"other_fields": "skip", "fields": {"naam": {"predicate": "rdfs:label"}}}
    subject, graph = one_row(ALL_TYPES, ROW, mapping)
    assert [str(p) for p in graph.predicates(URIRef(subject))] == ["http://www.w3.org/2000/01/rdf-schema#label"]


@pytest.mark.parametrize("value", [
    "with spaces and <angle> brackets", 'quote" and {braces} and back\\slash', "Sint-Pietersplein/../..",
    "ünïcødé ☃ 東京", "tab\tnewline\nnull\x00", "#fragment?query=1&x", "%41 already encoded",
])
def test_hostile_values_in_templates_are_percent_encoded(value: str) -> None:
    schema = {"fields": [{"name": "naam", "type": "string"}]}
    mapping = {"subject": "https://stad.gent/id/telpunt/{naam}",
               "fields": {"naam": {"uri": "{_base}/id/straat/{value}"}}}
    document = Document()
    subject = row_mapper(BASE, "tellingen", schema, mapping).add_row(document, "r1", {"naam": value})
    graph = parsed(document)
    from urllib.parse import unquote
    assert subject.startswith("https://stad.gent/id/telpunt/")
    assert unquote(subject.rsplit("/", 1)[1]) == value
    assert all(c not in subject for c in ' <>"{}|\\^`\n\t')
    street = graph.value(URIRef(subject), URIRef(f"{BASE}/def/tellingen#naam"))
    assert unquote(str(street).rsplit("/", 1)[1]) == value
    # the same graph again through pyoxigraph's parsers
    import pyoxigraph as ox
    assert len(list(ox.parse(document.serialize("nt"), ox.RdfFormat.N_TRIPLES))) == len(graph)
    assert len(list(ox.parse(document.serialize("rdf"), ox.RdfFormat.RDF_XML))) == len(graph)


def test_a_subject_template_with_a_null_value_falls_back_to_the_record_uri() -> None:
    schema = {"fields": [{"name": "naam", "type": "string"}, {"name": "n", "type": "integer"}]}
    subject, _ = one_row(schema, {"naam": None, "n": 1}, {"subject": "{_base}/id/x/{naam}"}, record_id="abc")
    assert subject == f"{BASE}/id/tellingen/abc"


# ── Hostile mappings ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("mapping", "message"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({"colour": "blue"}, "colour: unknown key"),
    ({"prefixes": {"ex": "not an iri"}}, "prefixes.ex"),
    ({"prefixes": {"9x": "https://e.org/"}}, "invalid prefix name"),
    ({"prefixes": {"http": "https://e.org/"}}, "cannot be a prefix"),
    ({"class": "foo:Bar"}, "unknown prefix 'foo'"),
    ({"class": []}, "class"),
    ({"fields": {"naam": {"predicate": "nope:label"}}}, "fields.naam.predicate: unknown prefix 'nope'"),
    ({"fields": {"naam": {"predicate": "rdfs:label", "colour": 1}}}, "fields.naam.colour: unknown key"),
    ({"fields": {"naam": {"datatype": "xsd:string", "language": "nl"}}}, "not both"),
    ({"fields": {"naam": {"language": "not a tag!"}}}, "fields.naam.language"),
    ({"fields": {"aantal": {"language": "nl"}}}, "only text fields"),
    ({"fields": {"naam": {"class": "sosa:Sensor"}}}, "fields.naam.class"),
    ({"fields": {"onbekend": {"skip": True}}}, "fields.onbekend: names no field"),
    ({"fields": {"naam": {"skip": "yes"}}}, "fields.naam.skip"),
    ({"subject": "{_base}/id/{onbekend}"}, "subject: placeholder {onbekend} names no field"),
    ({"subject": "{_base}/id/{value}"}, "only for a field's own template"),
    ({"subject": "/relative/{naam}"}, "valid absolute IRI"),
    ({"subject": "https://e.org/{naam"}, "unbalanced"),
    ({"subject": "https://e.org/a b/{naam}"}, "valid absolute IRI"),
    ({"subject": "https://e.org/<{naam}>"}, "valid absolute IRI"),
    ({"subject": "https://e.org/{_base}"}, "{_base} may only start"),
    ({"subject": "https://e.org/" + "{naam}" * 30}, "at most 20 placeholders"),
    ({"subject": "https://e.org/" + "x" * 2000}, "at most 1000 characters"),
    ({"subject": "javascript:alert(1)"}, "valid absolute IRI"),
    ({"other_fields": "maybe"}, "other_fields"),
    ({"observations": {"results": ["naam"]}}, "observations.sensor"),
    ({"observations": {"results": [], "sensor": "urn:x:{naam}"}}, "observations.results"),
    ({"observations": {"results": ["locatie"], "sensor": "urn:x:{naam}"}}, "is a geopoint"),
    ({"observations": {"results": ["aantal"], "sensor": "urn:x:{naam}", "duration": "1 hour"}}, "duration"),
    ({"observations": {"results": ["aantal"], "sensor": "urn:x:{naam}", "timezone": "Mars/Olympus"}}, "timezone"),
    ({"observations": {"results": ["aantal"], "sensor": "urn:x:{naam}", "vehicle": "Fiets!"}}, "vehicle"),
    ({"observations": {"results": ["aantal"], "sensor": "urn:x:{naam}", "time": "locatie"}}, "observations.time"),
    ({"observations": {"results": ["aantal"], "sensor": "urn:x:{naam}", "flavour": 1}}, "observations.flavour"),
])
def test_bad_mappings_are_refused_naming_the_key(mapping: Any, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_mapping(mapping, ALL_TYPES)
    assert message in caught.value.message
    assert caught.value.message.startswith("rdf_mapping")


def test_oversized_mappings_are_refused() -> None:
    huge = {"prefixes": {f"p{i}": f"https://example.org/{'x' * 100}/{i}#" for i in range(40)},
            "fields": {f"f{i}": {"predicate": "https://example.org/" + "y" * 400} for i in range(200)}}
    with pytest.raises(InvalidRequest, match="larger than 64 KiB"):
        validate_mapping(huge)
    with pytest.raises(InvalidRequest, match="larger than 64 KiB"):
        validate_mapping("{" + " " * MAX_MAPPING_BYTES + "}")
    with pytest.raises(InvalidRequest, match="prefixes"):
        validate_mapping({"prefixes": {f"p{i}": "https://e.org/" for i in range(51)}})


def test_field_names_are_only_checked_when_a_schema_is_given() -> None:
    mapping = {"fields": {"later": {"predicate": "rdfs:label"}}, "subject": "{_base}/x/{later}"}
    assert validate_mapping(mapping)["fields"] == {"later": {"predicate": "rdfs:label"}}
    with pytest.raises(InvalidRequest, match="subject: placeholder {later}"):
        validate_mapping(mapping, ALL_TYPES)
    with pytest.raises(InvalidRequest, match="fields.later: names no field"):
        validate_mapping({"fields": mapping["fields"]}, ALL_TYPES)
    with pytest.raises(InvalidRequest, match="later"):
        row_mapper(BASE, "x", ALL_TYPES, mapping)


def test_a_valid_mapping_comes_back_normalised_and_json_serialisable() -> None:
    checked = validate_mapping(json.dumps(EXPLICIT), ALL_TYPES)
    assert checked["class"] == ["ex:Telpunt", "sosa:Platform"]
    assert validate_mapping({"class": "sosa:Sensor"})["class"] == ["sosa:Sensor"]
    assert json.loads(json.dumps(checked)) == checked


# ── Observations: the real Ghent bike counters ──────────────────────────────────────────

BIKE_MAPPING = {
    "observations": {
        "results": ["hoofdrichting", "tegenrichting", "totaal"],
        "date": "datum", "time": "uur5minuten", "timezone": "Europe/Brussels", "duration": "PT1H",
        "sensor": "{_base}/id/fietstelpalen-gent/{locatie}",
        "feature_of_interest": "https://stad.gent/id/fietspad/{locatie}",
        "oslo": True, "vehicle": "fiets",
    }
}


def _bike_counters(platform: Platform, tmp_path: Path, rows: int) -> list[dict[str, Any]]:
    source = ghent_data() / "fietstelpaal-bataviabrug-2019-gent.json"
    records = json.loads(source.read_text())[:rows]
    ingest_file(platform, CLI_ADMIN, "fietstelpaal-bataviabrug-2019-gent",
                write(tmp_path / "batavia.json", json.dumps(records)),
                metadata={"title_nl": "Fietstelpaal Bataviabrug 2019", "rdf_mapping": BIKE_MAPPING})
    return records


def test_bike_counters_become_sosa_observations(platform: Platform, tmp_path: Path) -> None:
    records = _bike_counters(platform, tmp_path, 48)
    document = dataset_document(platform, ANONYMOUS, "fietstelpaal-bataviabrug-2019-gent", BASE, limit=1000)
    graph = parsed(document)
    prefixes = "PREFIX sosa: <http://www.w3.org/ns/sosa/> PREFIX time: <http://www.w3.org/2006/time#> "
    count = graph.query(prefixes + "SELECT (COUNT(?o) AS ?n) WHERE { ?o a sosa:Observation }")
    assert int(next(iter(count))[0]) == 3 * len(records)
    sensors = {str(s) for (s,) in graph.query(prefixes + "SELECT DISTINCT ?s WHERE { ?o sosa:madeBySensor ?s }")}
    assert sensors == {f"{BASE}/id/fietstelpalen-gent/Bataviabrug"}
    rows = graph.query(prefixes + """
        SELECT ?result ?time ?start ?prop WHERE {
          ?o a sosa:Observation ; sosa:hasSimpleResult ?result ; sosa:resultTime ?time ;
             sosa:observedProperty ?prop ; sosa:phenomenonTime/time:hasBeginning/time:inXSDDateTimeStamp ?start .
          FILTER(STRENDS(STR(?prop), "totaal"))
        } ORDER BY ?time""")
    found = [(int(r[0]), r[1].toPython(), dt.datetime.fromisoformat(str(r[2]))) for r in rows]
    brussels = dt.timezone(dt.timedelta(hours=1))  # January: CET
    expected = []
    for record in records:
        hour, minute = (int(x) for x in record["uur5minuten"].split(":"))
        start = dt.datetime.fromisoformat(record["datum"]).replace(hour=hour, minute=minute, tzinfo=brussels)
        expected.append((record["totaal"], start + dt.timedelta(hours=1), start))
    assert sorted(found) == sorted(expected)
    assert any(r[0] > 0 for r in found)  # real counts, not only the night's zeros
    oslo = graph.query(prefixes + """
        PREFIX vkm: <https://data.vlaanderen.be/ns/verkeersmetingen#>
        SELECT (COUNT(?m) AS ?n) WHERE {
          ?m a vkm:Verkeersmeting ; vkm:geobserveerdKenmerk ?k ; vkm:geobserveerdObject ?path .
          ?k a vkm:Verkeerskenmerk ; vkm:voertuigType <https://data.vlaanderen.be/id/concept/VkmVoertuigType/fiets> ;
             <http://purl.org/dc/elements/1.1/type> <https://data.vlaanderen.be/id/concept/VkmVerkeersKenmerkType/aantal> .
        }""")
    assert int(next(iter(oslo))[0]) == 3 * len(records)


def test_dataset_document_respects_the_limit_and_the_gate(platform: Platform, tmp_path: Path) -> None:
    _bike_counters(platform, tmp_path, 10)
    document = dataset_document(platform, ANONYMOUS, "fietstelpaal-bataviabrug-2019-gent", BASE, limit=4)
    graph = parsed(document)
    collections = set(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                     URIRef(SOSA + "ObservationCollection")))
    assert len(collections) == 4
    ingest_file(platform, CLI_ADMIN, "intern", write(tmp_path / "intern.csv", "a,b\n1,2\n"),
                metadata={"title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                                              "classification_reason": "test"})
    with pytest.raises(NotFound):
        dataset_document(platform, ANONYMOUS, "intern", BASE, limit=10)
    with pytest.raises(NotFound):
        dataset_document(platform, ANONYMOUS, "does-not-exist", BASE, limit=10)
    assert len(dataset_document(platform, CLI_ADMIN, "intern", BASE, limit=10)) == 2


COUNT_SCHEMA = {"fields": [{"name": "sensor", "type": "string"}, {"name": "tijdstip", "type": "datetime"},
                           {"name": "dag", "type": "date"}, {"name": "uur", "type": "string"},
                           {"name": "aantal", "type": "integer"}, {"name": "fietsers", "type": "integer"}]}
Q = ("PREFIX sosa: <http://www.w3.org/ns/sosa/> PREFIX time: <http://www.w3.org/2006/time#> "
     "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> ")


def _observations(mapping: dict[str, Any], row: dict[str, Any]) -> Graph:
    return one_row(COUNT_SCHEMA, row, {"observations": {"sensor": "urn:sensor:{sensor}", **mapping}})[1]


def test_an_observation_at_an_instant_with_its_result_as_a_node() -> None:
    moment = dt.datetime(2024, 7, 20, 8, 0, tzinfo=dt.UTC)
    graph = _observations({"results": ["aantal"], "time": "tijdstip", "result": "node"},
                          {"sensor": "Kouter 1", "tijdstip": moment, "aantal": 7})
    rows = list(graph.query(Q + """SELECT ?sensor ?t ?stamp ?value WHERE {
        ?o a sosa:Observation ; sosa:madeBySensor ?sensor ; sosa:resultTime ?t ;
           sosa:phenomenonTime [ a time:Instant ; time:inXSDDateTimeStamp ?stamp ] ;
           sosa:hasResult [ a sosa:Result ; rdf:value ?value ] }"""))
    assert len(rows) == 1
    sensor, t, stamp, value = rows[0]
    assert str(sensor) == "urn:sensor:Kouter%201"
    assert t.toPython() == moment and str(stamp) == "2024-07-20T08:00:00+00:00" and int(value) == 7
    assert not list(graph.query(Q + "SELECT ?o WHERE { ?o sosa:hasSimpleResult ?v }"))


def test_summer_time_empty_results_and_unreadable_times() -> None:
    mapping = {"results": ["aantal", "fietsers"], "date": "dag", "time": "uur", "duration": "PT15M"}
    graph = _observations(mapping, {"sensor": "a", "dag": dt.date(2019, 7, 1), "uur": "13:45",
                                    "aantal": 3, "fietsers": None})
    times = [(str(s), str(e)) for s, e in graph.query(Q + """SELECT ?s ?e WHERE {
        ?o sosa:phenomenonTime [ time:hasBeginning/time:inXSDDateTimeStamp ?s ; time:hasEnd/time:inXSDDateTimeStamp ?e ] }""")]
    assert times == [("2019-07-01T13:45:00+02:00", "2019-07-01T14:00:00+02:00")]  # one observation: fietsers is empty
    graph = _observations(mapping, {"sensor": "a", "dag": dt.date(2019, 7, 1), "uur": "25:99", "aantal": 3})
    assert len(list(graph.query(Q + "SELECT ?o WHERE { ?o a sosa:Observation }"))) == 1
    assert not list(graph.query(Q + "SELECT ?t WHERE { ?o sosa:resultTime ?t }"))
    graph = _observations(mapping, {"sensor": "a", "dag": None, "uur": None, "aantal": None, "fietsers": None})
    assert not list(graph.query(Q + "SELECT ?o WHERE { ?o a ?c FILTER(?c IN (sosa:Observation, sosa:ObservationCollection)) }"))


def test_observed_properties_and_a_missing_sensor_value() -> None:
    mapping = {"results": ["aantal"], "observed_properties": {"aantal": "schema:footfall"}}
    graph = _observations(mapping, {"sensor": None, "aantal": 4})
    rows = list(graph.query(Q + "SELECT ?p ?s WHERE { ?o sosa:observedProperty ?p OPTIONAL { ?o sosa:madeBySensor ?s } }"))
    assert [(str(p), s) for p, s in rows] == [("https://schema.org/footfall", None)]


def test_counts_written_as_text_become_numbers() -> None:
    schema = {"fields": [{"name": "sensor", "type": "string"}, {"name": "n", "type": "string"}]}
    mapping = {"observations": {"results": ["n"], "sensor": "urn:s:{sensor}"}}
    for text, expected in (("12", Literal("12", datatype=XSD.integer)), (" 3,5 ", Literal("3.5", datatype=XSD.decimal)),
                           ("-.5", Literal("-0.5", datatype=XSD.decimal)), ("twelve", None), ("1e5", None)):
        graph = one_row(schema, {"sensor": "a", "n": text}, mapping)[1]
        assert next(graph.objects(None, URIRef(SOSA + "hasSimpleResult")), None) == expected, text
