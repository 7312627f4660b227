"""Opendatasoft-compatible dialects: API v1 (``/api/records/1.0``, ``/api/datasets/1.0``)
and Explore API v2.1 (``/api/explore/v2.1``). Thin adapters onto the one engine."""
