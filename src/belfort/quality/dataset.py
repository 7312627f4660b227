"""Quality results published as data: the live dataset ``datakwaliteit``.

One row per rule (and per field's completeness) of the latest report of every public dataset
(open, published; the report of its published version), as the public sees it — fields held
back from the public are left out with the rules that read them (``belfort.quality.report``),
and there are no example values: ``dataset``, ``version``, ``measured_at``, ``dimension``,
``rule``, ``checked``, ``failing``, ``share`` (failing / checked), ``data_score`` (the dataset's
share of checked values passing, ``belfort.quality.kpis``) and ``metadata_score`` (its MQA
points of 405, ``belfort.mqa``).

It is a ``LiveSource`` (``belfort.streams.live``): its mark changes with every new report and
with every change to which datasets are public, so every dialect (the Opendatasoft APIs, the
native API, the DCAT catalogue) answers the rows of the newest run — kept in step without a
publication of its own. Its catalogue rows are made by ``ensure_quality_dataset`` (at start-up
when ``BELFORT_QUALITY_DATASET`` is on); the source is registered in every process.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select

from belfort.catalog.models import Dataset, QualityReport
from belfort.mqa import service as mqa_service
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.gate import PUBLIC_STATES
from belfort.policy.principals import ANONYMOUS
from belfort.quality import store
from belfort.quality.kpis import data_score
from belfort.quality.report import report_to_dict
from belfort.schema import Field, TableSchema
from belfort.streams.live import live_registry
from belfort.streams.live_catalog import publish_live_dataset

DATASET_ID = "datakwaliteit"
UTC_US = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema([
    ("dataset", pa.string()), ("version", pa.int64()), ("measured_at", UTC_US),
    ("dimension", pa.string()), ("rule", pa.string()), ("checked", pa.int64()),
    ("failing", pa.int64()), ("share", pa.float64()), ("data_score", pa.float64()),
    ("metadata_score", pa.int64()),
])
TYPES = {"dataset": "string", "version": "integer", "measured_at": "datetime",
         "dimension": "string", "rule": "string", "checked": "integer", "failing": "integer",
         "share": "number", "data_score": "number", "metadata_score": "integer"}
TEXTS: dict[str, tuple[str, str, str | None]] = {  # name → (title nl, title en, unit)
    "dataset": ("Dataset", "Dataset", None),
    "version": ("Versie", "Version", None),
    "measured_at": ("Gemeten op", "Measured at", None),
    "dimension": ("Dimensie", "Dimension", None),
    "rule": ("Regel", "Rule", None),
    "checked": ("Gecontroleerde waarden", "Values checked", None),
    "failing": ("Waarden niet in orde", "Values failing", None),
    "share": ("Aandeel niet in orde", "Share failing", None),
    "data_score": ("Datascore van de dataset", "The dataset's data score", None),
    "metadata_score": ("Metadatascore (van 405)", "Metadata score (of 405)", "punten"),
}
METADATA: dict[str, Any] = {
    "title_nl": "Datakwaliteit van de open data",
    "title_en": "Data quality of the open data",
    "description_nl": (
        "De laatste meting van de datakwaliteit van elke open dataset, per regel: volledigheid, "
        "geldigheid, uniciteit en consistentie (gecontroleerde en falende waarden), met de "
        "datascore van de dataset en de score van zijn metadata (methode van het Europese "
        "dataportaal, van 405). Bijgewerkt na elke meting."),
    "description_en": (
        "The latest data-quality measurement of every open dataset, per rule: completeness, "
        "validity, uniqueness and consistency (values checked and failing), with the dataset's "
        "data score and its metadata score (the European Data Portal's method, of 405). "
        "Updated after every measurement."),
    "organisation": "Stad Gent",  # made by publish_live_dataset when absent
    "contact_point": {"name": "Dienst Data en Informatie", "email": "data@stad.gent"},
    "themes": ["GOVE"], "keywords": ["datakwaliteit", "kwaliteit", "open data", "metadata"],
    "licence": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
    "spatial": "Gent", "frequency": "continuous", "timezone": "UTC",
    "record_key": ["dataset", "rule"],
}


def _public_datasets(session: Any) -> list[Dataset]:
    return list(session.scalars(
        select(Dataset).where(Dataset.classification == "open",
                              Dataset.state.in_(tuple(PUBLIC_STATES)),
                              Dataset.published_version.is_not(None),
                              Dataset.id != DATASET_ID)
        .order_by(Dataset.id)).all())


class QualityResultsSource:
    """The rows of ``datakwaliteit`` now (a ``LiveSource``)."""

    dataset_id = DATASET_ID

    def mark(self, platform: Platform) -> str:
        with platform.db.session() as session:
            newest = session.scalar(select(func.max(QualityReport.id))
                                    .where(QualityReport.dataset_id != DATASET_ID)) or 0
            # which datasets are public, their versions and the fields held back from the
            # public: a field classified later is left out at once, not at the next report
            public = [(d.id, d.published_version,
                       d.updated_at.isoformat() if d.updated_at else "",
                       sorted(gate.held_back_fields(ANONYMOUS, d)))
                      for d in _public_datasets(session)]
        digest = hashlib.sha256(repr(public).encode()).hexdigest()[:16]
        return f"q{newest}-{digest}"

    def table(self, platform: Platform) -> pa.Table:
        return pa.Table.from_pylist(rows(platform), schema=SCHEMA)


def rows(platform: Platform) -> list[dict[str, Any]]:
    public = ANONYMOUS
    scores = {d["dataset_id"]: d["points"] for d in
              mqa_service.catalogue_quality(platform, public)["datasets"]}
    out: list[dict[str, Any]] = []
    with platform.db.session() as session:
        for dataset in _public_datasets(session):
            report = store.latest_report(session, dataset.id, dataset.published_version or 0)
            if report is None or report.status != "ok":
                continue
            body = report_to_dict(report, hidden=gate.held_back_fields(public, dataset),
                                  examples=False)
            score = data_score(body["dimensions"])
            for rule in body["rules"]:
                out.append({
                    "dataset": dataset.id, "version": report.version,
                    "measured_at": report.measured_at, "dimension": rule["dimension"],
                    "rule": rule["id"], "checked": rule["checked"], "failing": rule["failing"],
                    "share": rule["share"], "data_score": score,
                    "metadata_score": scores.get(dataset.id),
                })
    return out


def register(platform: Platform) -> None:
    """Add the source to this process's live registry (at start-up)."""
    live_registry(platform).add(QualityResultsSource())


def ensure_quality_dataset(platform: Platform) -> bool:
    """The catalogue rows of ``datakwaliteit`` unless they exist (idempotent)."""
    fields = TableSchema(fields=tuple(Field(name=n, type=t) for n, t in TYPES.items()))
    texts = {n: {"title_nl": nl, "title_en": en, "unit": unit}
             for n, (nl, en, unit) in TEXTS.items()}
    return publish_live_dataset(platform, DATASET_ID, METADATA, SCHEMA, fields, texts)
