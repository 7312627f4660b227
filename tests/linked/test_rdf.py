"""The RDF document model: every serialisation parses back (with rdflib and with pyoxigraph)
to the same graph, whatever the text holds; content negotiation."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from belfort.linked.rdf import FORMATS, IRI, JSONLD_CONTEXT, Document, Lit, is_iri, negotiate, text
from belfort.linked.vocabularies import DCAT, DCT, RDF, XSD

RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
HOSTILE = [
    'quote " and backslash \\ and """ triple quotes',
    "new\nline, carriage\rreturn, tab\t",
    "<tag> & ampersand ]]> &amp; '",
    "control \x01\x07\x1f characters",
    "unicode: Gentse Feesten · straße · 東京 · 🚲 · \u2028",
    "@prefix ex: <http://evil/> . <a> <b> <c> .",
    '"}, {"@id": "http://evil/"',
    "",
]


def hostile_document() -> Document:
    doc = Document()
    s = "http://example.org/catalog/datasets/x"
    doc.add(s, RDF + "type", IRI(DCAT + "Dataset"))
    for i, value in enumerate(HOSTILE):
        doc.add(s, DCT + "description", text(value, "nl" if i % 2 else "en"))
        doc.add(s, DCAT + "keyword", text(value))
    doc.add(s, DCT + "issued", Lit("2024-03-01T10:00:00Z", datatype=XSD + "dateTime"))
    doc.add(s, DCT + "identifier", Lit("42", datatype=XSD + "integer"))  # not what the term says
    doc.add(s, DCT + "title", Lit("no language"))  # not a language map
    doc.add(s, "http://example.org/vocab#odd-property", IRI("http://example.org/a?b=1&c=2#d"))
    doc.add(s, DCAT + "landingPage", IRI("http://example.org/pages/%C3%A9t%C3%A9"))
    doc.add("http://example.org/other", DCT + "title", Lit("Titel", "nl-BE"))
    return doc


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_round_trips_hostile_text(fmt: str) -> None:
    doc = hostile_document()
    expected = doc.to_rdflib()
    body = doc.serialize(fmt)
    parsed = Graph().parse(data=body, format=RDFLIB_FORMATS[fmt])
    assert isomorphic(parsed, expected), body.decode()[:3000]
    oxigraph = list(ox.parse(body, format=FORMATS[fmt].ox_format))
    assert len(oxigraph) == len(expected)


def test_control_characters_are_dropped_from_user_text() -> None:
    # XML 1.0 cannot carry them, so RDF/XML would be unreadable; every format drops them
    assert text("a\x01b\x1fc").value == "abc"
    assert text("tab\tand\nnewline").value == "tab\tand\nnewline"


def test_jsonld_is_compacted_with_an_inline_context() -> None:
    doc = hostile_document()
    body = json.loads(doc.serialize("jsonld"))
    assert body["@context"] == JSONLD_CONTEXT
    node = body["@graph"][0]
    assert node["@type"] == "dcat:Dataset"
    assert node["issued"] == "2024-03-01T10:00:00Z"
    assert node["description"]["nl"] and node["description"]["en"]
    assert node["dct:identifier"] == {"@value": "42", "@type": "xsd:integer"}
    assert node["dct:title"] == "no language"
    assert node["landingPage"] == "http://example.org/pages/%C3%A9t%C3%A9"
    assert body["@graph"][1]["title"] == {"nl-BE": "Titel"}


def test_iri_check() -> None:
    assert is_iri("https://data.vlaanderen.be/id/gemeente/44021")
    assert is_iri("mailto:data@stad.gent")
    for bad in ("Gent", "http://a b", "http://x/<y>", 'http://x/"', "//relative", "", "http://x/{y}"):
        assert not is_iri(bad), bad


@pytest.mark.parametrize(("accept", "fmt"), [
    (None, "ttl"),
    ("", "ttl"),
    ("*/*", "ttl"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/xml", "rdf"),
    ("application/n-triples", "nt"),
    ("text/*", "ttl"),
    ("application/rdf+xml;q=0.5, application/ld+json;q=0.9", "jsonld"),
    ("text/turtle;q=0.1, */*;q=0.5", "jsonld"),  # */* makes every other format better than Turtle
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),  # a browser
    ("application/ld+json, text/html;q=0.1", "jsonld"),
    ("image/png", None),
    ("text/turtle;q=0", None),
    ("garbage", "ttl"),
])
def test_negotiation(accept: str | None, fmt: str | None) -> None:
    assert negotiate(accept) == fmt
