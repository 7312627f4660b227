"""A dataset's MQA result as W3C Data Quality Vocabulary (DQV) statements.

Each indicator becomes a ``dqv:QualityMeasurement`` of the dataset (``…/{id}#quality-{key}``)
with ``dqv:isMeasurementOf`` the indicator's metric (piveau's IRI, as data.europa.eu uses),
``dqv:value`` true or false (met or not) and, for an indicator earned on a distribution,
``dqv:computedOn`` that distribution (the others are measured on the dataset that has
them). The metrics and their dimensions are described once (``dqv:Metric``,
``dqv:inDimension``, ``skos:prefLabel``).

An indicator that was not checked (``IndicatorResult.checked`` False) gets no measurement:
a false value would claim a failure that nobody saw.
"""

from __future__ import annotations

from belfort.linked.rdf import IRI, Document, Lit
from belfort.linked.vocabularies import DQV, RDF, SKOS, XSD
from belfort.mqa import method as m
from belfort.mqa.scoring import DatasetScore

HAS_MEASUREMENT = DQV + "hasQualityMeasurement"
MEASUREMENT = DQV + "QualityMeasurement"
_A = RDF + "type"
_TRUE = Lit("true", datatype=XSD + "boolean")
_FALSE = Lit("false", datatype=XSD + "boolean")


def measurement_uri(dataset_uri: str, indicator: str) -> str:
    return f"{dataset_uri}#quality-{indicator}"


def add_measurements(doc: Document, score: DatasetScore) -> None:
    """Add ``score`` to ``doc`` as DQV statements about its dataset (and describe the
    metrics it uses, unless ``doc`` does already)."""
    dataset = score.dataset_uri
    for result in score.indicators:
        if not result.checked:
            continue
        uri = measurement_uri(dataset, result.key)
        doc.add(dataset, HAS_MEASUREMENT, IRI(uri))
        props = doc.props(uri)
        metric = m.INDICATOR_KEYS[result.key]
        props.append((_A, IRI(MEASUREMENT)))
        props.append((DQV + "isMeasurementOf", IRI(metric.metric_iri)))
        if result.on:  # a distribution's indicator: the distribution it was earned on
            props.append((DQV + "computedOn", IRI(result.on)))
        props.append((DQV + "value", _TRUE if result.met else _FALSE))
        _describe_metric(doc, metric)


def _describe_metric(doc: Document, metric: m.Indicator) -> None:
    if doc.has(metric.metric_iri):
        return
    dimension = m.DIMENSION_KEYS[metric.dimension]
    doc.add(metric.metric_iri, _A, IRI(DQV + "Metric"))
    doc.add(metric.metric_iri, SKOS + "prefLabel", Lit(metric.key, "en"))
    doc.add(metric.metric_iri, DQV + "inDimension", IRI(dimension.metric_iri))
    doc.add(metric.metric_iri, DQV + "expectedDataType", IRI(XSD + "boolean"))
    if not doc.has(dimension.metric_iri):
        doc.add(dimension.metric_iri, _A, IRI(DQV + "Dimension"))
        doc.add(dimension.metric_iri, SKOS + "prefLabel", Lit(dimension.label_en, "en"))
        doc.add(dimension.metric_iri, SKOS + "prefLabel", Lit(dimension.label_nl, "nl"))
