"""Linked data: the catalogue as DCAT-AP (``dcat``), the vocabularies it maps Belfort's
codes to (``vocabularies``), the RDF document model and its serialisations (``rdf``),
and the catalogue rows it is built from, read through the gate (``rows``).

Framework-neutral; ``belfort.api.dcat`` serves it over HTTP (docs/linked-data.md).
"""
