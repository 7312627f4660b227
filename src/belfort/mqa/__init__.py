"""Metadata quality, scored with the European Data Portal's MQA method (docs/metadata-quality.md).

``method`` holds the indicators, their points and the vocabularies they check against;
``scoring`` scores one dataset's DCAT-AP description; ``dqv`` writes the result as W3C DQV
statements. Those three know only the RDF document model, so the DCAT builder can use them.
``urls`` (are the access and download URLs answering?), ``shacl`` (does the description pass
the DCAT-AP shapes?) and ``service`` (scores for what a caller may see) work on the platform.
"""
