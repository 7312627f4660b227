"""RDF mappings of the demo datasets (docs/linked-data.md, "Rows as linked data").

The counting points are ``sosa:Sensor``s and OSLO ``vkm:Verkeersmeetpunt``s with their own
URIs under ``/id/`` (``/id/telpunten-drukte-gent/TP01``); the hourly counts become one
pedestrian ``sosa:Observation`` (and ``vkm:Verkeersmeting``) per row, made by that sensor.
"""

from __future__ import annotations

from typing import Any

MEASURING_POINT_CLASSES = ["sosa:Sensor", "vkm:Verkeersmeetpunt"]


def measuring_points(id_field: str, label_field: str) -> dict[str, Any]:
    """Counting points: a sensor and measuring point each, named by ``id_field``."""
    return {
        "class": MEASURING_POINT_CLASSES,
        "subject": f"{{_base}}/id/{{_dataset}}/{{{id_field}}}",
        "fields": {label_field: {"predicate": "rdfs:label"}},
    }


def pedestrian_counts(sensor_dataset: str, sensor_field: str) -> dict[str, Any]:
    """Hourly counts (``tijdstip`` = the start of the hour, ``aantal``) as pedestrian observations."""
    return {
        "observations": {
            "results": ["aantal"],
            "time": "tijdstip",
            "duration": "PT1H",
            "sensor": f"{{_base}}/id/{sensor_dataset}/{{{sensor_field}}}",
            "oslo": True,
            "vehicle": "voetganger",
        }
    }


TELPUNTEN_GENT = {**measuring_points("id", "naam"),
                  "fields": {"naam": {"predicate": "rdfs:label", "language": "nl"}}}
PASSANTEN_GENT = pedestrian_counts("telpunten-drukte-gent", "telpunt_id")
TELLERS_AUCKLAND = measuring_points("sensor", "sensor")
PASSANTEN_AUCKLAND = pedestrian_counts("passantentellers-auckland", "sensor")
