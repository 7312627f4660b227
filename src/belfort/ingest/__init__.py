"""Ingest: any supported file (CSV, XLSX, JSON, GeoJSON, Parquet) → typed Parquet.

Public API::

    convert_to_parquet(source, destination, *, format=None, sheet=None, overrides=None,
                       max_examples=5, max_invalid_rows=0, progress=None) -> IngestResult
    sniff(source, format=None, sheet=None, sample_rows=20) -> SniffResult
"""

from belfort.ingest.names import normalise_name, normalise_names
from belfort.ingest.pipeline import IngestResult, SniffResult, convert_to_parquet, sniff
from belfort.ingest.report import Problem, ValidationReport

__all__ = [
    "IngestResult",
    "Problem",
    "SniffResult",
    "ValidationReport",
    "convert_to_parquet",
    "normalise_name",
    "normalise_names",
    "sniff",
]
