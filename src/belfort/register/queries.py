"""The register site's SPARQL queries, as Ghent's processing-register site asks them.

The site first asks how many entries there are (``count_query``), then pages through
the list with ``LIMIT 1000 OFFSET n`` (``list_query``), splitting the ``group_concat``
values on commas; both read the named graph ``<http://stad.gent/data-processes/>``.
The tests run them on pyoxigraph with ``register_document`` and against ``/sparql``.
"""

from __future__ import annotations

from belfort.register.linked import REGISTER_GRAPH
from belfort.register.model import Audience

PAGE_SIZE = 1000

PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX gdv: <http://stad.gent/data/ns/data-processing/>
PREFIX toestemming: <http://data.vlaanderen.be/ns/toestemming#>
PREFIX schema: <http://schema.org/>
"""


def _audience(audience: str) -> str:
    return Audience(audience).value  # only the two known audiences reach a query


def count_query(audience: str) -> str:
    """How many entries the site lists for ``audience`` ("burger" or "werknemer stad")."""
    return f"""{PREFIXES}SELECT (count(?verwerking) AS ?count)
FROM <{REGISTER_GRAPH}>
WHERE {{
  ?verwerking a toestemming:VerwerkingsActiviteit ;
              schema:audience ?audience .
  FILTER (?audience = "{_audience(audience)}"^^xsd:string)
}}"""


def list_query(audience: str, offset: int = 0) -> str:
    """One page of the list: one row per entry, multiple values joined with commas."""
    return f"""{PREFIXES}SELECT ?id ?name ?type ?processor ?formal_framework ?audience
  (group_concat(DISTINCT ?grantee; separator=",") AS ?grantees)
  (group_concat(DISTINCT ?personalData; separator=",") AS ?personalData)
  (group_concat(DISTINCT ?sensitivePersonalData; separator=",") AS ?sensitivePersonalData)
FROM <{REGISTER_GRAPH}>
WHERE {{
  ?verwerking a toestemming:VerwerkingsActiviteit ;
              dcterms:identifier ?id ;
              dcterms:title ?name ;
              dcterms:type/skos:prefLabel ?type ;
              toestemming:verwerker/skos:prefLabel ?processor ;
              toestemming:verwerkingsgrond/skos:prefLabel ?formal_framework ;
              schema:audience ?audience .
  OPTIONAL {{ ?verwerking gdv:grantee/skos:prefLabel ?grantee }}
  OPTIONAL {{ ?verwerking gdv:hasPersonalData/dcterms:type/skos:prefLabel ?personalData }}
  OPTIONAL {{ ?verwerking gdv:hasSensitivePersonalData/dcterms:type/skos:prefLabel ?sensitivePersonalData }}
  FILTER (?audience = "{_audience(audience)}")
}}
GROUP BY ?verwerking ?id ?name ?type ?processor ?formal_framework ?audience
ORDER BY ?name ?id
LIMIT {PAGE_SIZE} OFFSET {max(0, int(offset))}"""
