"""The processing register as RDF, the way Ghent's register site queries it.

``register_document(session, base)`` builds the published entries as one document; the
SPARQL endpoint loads it into the named graph ``<http://stad.gent/data-processes/>``
(``REGISTER_GRAPH``). Shape per entry (docs/processing-register.md has the full table):

- ``a toestemming:VerwerkingsActiviteit`` (``http``, capital A: what the site queries)
  and the OSLO vocabulary's own ``https://data.vlaanderen.be/ns/toestemming#Verwerkingsactiviteit``;
- ``dcterms:identifier`` (the GUID), ``dcterms:title``, ``dcterms:description``;
- ``dcterms:type``, ``toestemming:verwerker``, ``toestemming:verwerkingsgrond``,
  ``gdv:grantee`` → ``skos:Concept``s with a ``skos:prefLabel``;
- ``gdv:hasPersonalData`` / ``gdv:hasSensitivePersonalData`` → a node with
  ``dcterms:type`` (a concept) and ``dcterms:description``;
- ``dcterms:temporal`` → a node with ``dcterms:title`` (the retention period);
- ``schema:audience`` "burger" / "werknemer stad" (plain literals: the site filters on
  ``"burger"^^xsd:string``);
- what GDPR art. 30(1) adds, in DPV: ``dpv:hasPurpose``, ``dpv:hasDataSubject``,
  ``dpv:hasDataController``, ``dpv:hasTechnicalOrganisationalMeasure``; and in ``gdv:``
  ``gdv:verduidelijkingRechtsgrond``, ``gdv:wettelijkKader`` (the law or regulation),
  ``gdv:doorgifteDerdeLanden`` (third-country transfers);
- ``foaf:page`` (the entry's page on this portal), ``dcterms:relation`` (linked open
  datasets in the DCAT catalogue), ``dcterms:created`` / ``dcterms:modified``.

Entry and concept URIs are the city's (``https://stad.gent/id/data-processing/…``), not
the server's: an entry keeps its identity wherever Belfort runs, and Ghent's site expects
them. ``base`` (``belfort.api.deps.base_url``) only makes the page and dataset links.
Text values are Dutch (``@nl``) except identifiers and audiences (plain literals).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from belfort.catalog.models import ProcessingActivity
from belfort.linked.rdf import IRI, RDF_TYPE, Document, Lit, is_iri, text
from belfort.linked.vocabularies import DCT, FOAF, SKOS, XSD, slug
from belfort.register.store import list_activities, open_dataset_links

REGISTER_GRAPH = "http://stad.gent/data-processes/"
URI_BASE = "https://stad.gent/id/data-processing/"

TOESTEMMING = "http://data.vlaanderen.be/ns/toestemming#"
TOESTEMMING_OSLO = "https://data.vlaanderen.be/ns/toestemming#"
GDV = "http://stad.gent/data/ns/data-processing/"
SCHEMA = "http://schema.org/"
DPV = "https://w3id.org/dpv#"

ACTIVITY_CLASS = TOESTEMMING + "VerwerkingsActiviteit"
ACTIVITY_CLASS_OSLO = TOESTEMMING_OSLO + "Verwerkingsactiviteit"

# concept schemes under URI_BASE + "concepts/<scheme>/<slug>"
SCHEMES = {
    "category": "Categorieën van verwerkingen",
    "processor": "Verwerkende diensten",
    "legal-basis": "Rechtsgronden (AVG art. 6)",
    "grantee": "Ontvangers",
    "personal-data": "Soorten persoonsgegevens",
    "data-subject": "Categorieën van betrokkenen",
    "controller": "Verwerkingsverantwoordelijken",
}


def activity_uri(activity_id: str, uri_base: str = URI_BASE) -> str:
    return f"{uri_base}activities/{activity_id}"


def concept_uri(scheme: str, label: str, uri_base: str = URI_BASE) -> str:
    return f"{uri_base}concepts/{scheme}/{slug(label) or 'x'}"


class _Builder:
    def __init__(self, base: str, uri_base: str) -> None:
        self.doc = Document()
        self.base = base.rstrip("/")
        self.uri_base = uri_base
        self.concepts: set[str] = set()
        self.links: dict[str, list[str]] = {}  # entry → linked open datasets

    def nl(self, value: str) -> Lit:
        return text(value, "nl")

    def concept(self, scheme: str, label: str, *classes: str) -> IRI:
        uri = concept_uri(scheme, label, self.uri_base)
        if uri not in self.concepts:
            self.concepts.add(uri)
            scheme_uri = f"{self.uri_base}concepts/{scheme}"
            props = self.doc.props(uri)
            props.append((RDF_TYPE, IRI(SKOS + "Concept")))
            props.extend((RDF_TYPE, IRI(c)) for c in classes)
            props.append((SKOS + "prefLabel", self.nl(label)))
            props.append((SKOS + "inScheme", IRI(scheme_uri)))
            if not self.doc.has(scheme_uri):
                self.doc.add(scheme_uri, RDF_TYPE, IRI(SKOS + "ConceptScheme"))
                self.doc.add(scheme_uri, SKOS + "prefLabel", self.nl(SCHEMES[scheme]))
        return IRI(uri)

    def personal_data(self, subject: str, predicate: str, kind: str,
                      items: Iterable[dict[str, str | None]]) -> None:
        for number, item in enumerate(items, 1):
            node = f"{subject}/{kind}/{number}"
            self.doc.add(subject, predicate, IRI(node))
            self.doc.add(node, RDF_TYPE, IRI(DPV + "PersonalData"))
            label = str(item.get("type") or "")
            self.doc.add(node, DCT + "type", self.concept("personal-data", label))
            if item.get("description"):
                self.doc.add(node, DCT + "description", self.nl(str(item["description"])))

    def activity(self, a: ProcessingActivity) -> None:
        s = activity_uri(a.id, self.uri_base)
        add = self.doc.props(s).append
        add((RDF_TYPE, IRI(ACTIVITY_CLASS)))
        add((RDF_TYPE, IRI(ACTIVITY_CLASS_OSLO)))
        add((DCT + "identifier", Lit(a.id)))
        add((DCT + "title", self.nl(a.name)))
        if a.description:
            add((DCT + "description", self.nl(a.description)))
        if a.category:
            add((DCT + "type", self.concept("category", a.category)))
        if a.processor:
            add((TOESTEMMING + "verwerker", self.concept("processor", a.processor)))
        if a.legal_basis:
            add((TOESTEMMING + "verwerkingsgrond", self.concept("legal-basis", a.legal_basis)))
        if a.legal_basis_explained:
            add((GDV + "verduidelijkingRechtsgrond", self.nl(a.legal_basis_explained)))
        if a.formal_framework:
            add((GDV + "wettelijkKader", self.nl(a.formal_framework)))
        for grantee in a.grantees or []:
            add((GDV + "grantee", self.concept("grantee", grantee)))
        self.personal_data(s, GDV + "hasPersonalData", "personal-data", a.personal_data or [])
        self.personal_data(s, GDV + "hasSensitivePersonalData", "sensitive-personal-data",
                           a.sensitive_personal_data or [])
        if a.retention:
            node = f"{s}/retention"
            add((DCT + "temporal", IRI(node)))
            self.doc.add(node, RDF_TYPE, IRI(DCT + "PeriodOfTime"))
            self.doc.add(node, DCT + "title", self.nl(a.retention))
        add((SCHEMA + "audience", Lit(a.audience)))
        for number, purpose in enumerate(a.purposes or [], 1):
            node = f"{s}/purpose/{number}"
            add((DPV + "hasPurpose", IRI(node)))
            self.doc.add(node, RDF_TYPE, IRI(DPV + "Purpose"))
            self.doc.add(node, DCT + "description", self.nl(purpose))
        for subject in a.data_subjects or []:
            add((DPV + "hasDataSubject", self.concept("data-subject", subject, DPV + "DataSubject")))
        if a.controller:
            add((DPV + "hasDataController", self.concept("controller", a.controller, DPV + "DataController")))
        if a.third_country_transfers:
            add((GDV + "doorgifteDerdeLanden", self.nl(a.third_country_transfers)))
        if a.security_measures:
            node = f"{s}/security-measures"
            add((DPV + "hasTechnicalOrganisationalMeasure", IRI(node)))
            self.doc.add(node, RDF_TYPE, IRI(DPV + "TechnicalOrganisationalMeasure"))
            self.doc.add(node, DCT + "description", self.nl(a.security_measures))
        page = f"{self.base}/verwerkingsregister/{a.id}"
        if is_iri(page):
            add((FOAF + "page", IRI(page)))
        for dataset_id in self.links.get(a.id, ()):
            uri = f"{self.base}/catalog/datasets/{dataset_id}"
            if is_iri(uri):
                add((DCT + "relation", IRI(uri)))
        add((DCT + "created", _datetime(a.created_at)))
        add((DCT + "modified", _datetime(a.updated_at)))


def _datetime(value: datetime) -> Lit:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return Lit(value.astimezone(UTC).isoformat().replace("+00:00", "Z"), datatype=XSD + "dateTime")


def entry_document(session: Session, base: str, activity: ProcessingActivity, *,
                   uri_base: str = URI_BASE) -> Document:
    """One entry as RDF, with the concepts it uses (its page's Turtle / JSON-LD)."""
    builder = _Builder(base, uri_base)
    builder.links = {activity.id: open_dataset_links(session).get(activity.id, [])}
    builder.activity(activity)
    return builder.doc


def register_document(session: Session, base: str, *, uri_base: str = URI_BASE) -> Document:
    """Every *published* register entry as RDF (drafts and archived entries stay out).

    ``base``: this Belfort's public address (page and dataset links); ``uri_base``:
    where entry and concept URIs live (the city's, ``https://stad.gent/id/data-processing/``).
    """
    builder = _Builder(base, uri_base)
    builder.links = open_dataset_links(session)
    for activity in list_activities(session):
        builder.activity(activity)
    return builder.doc
