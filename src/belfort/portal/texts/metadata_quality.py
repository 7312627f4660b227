"""The metadata-quality badge of a dataset page (MQA method; docs/metadata-quality.md)."""

from __future__ import annotations

NL: dict[str, str] = {
    "mqa_title": "Kwaliteit van de metadata",
    "mqa_badge": "{band}: {points} van {max} punten",
    "mqa_intro": "Gescoord met de methode van het Europese dataportaal (MQA): vindbaarheid, "
                 "toegankelijkheid, interoperabiliteit, herbruikbaarheid en context.",
    "mqa_json": "De volledige score als JSON",
    "mqa_to_add": "Wat toevoegen voor een hogere score",
    "mqa_points_gained": "+{points} punten",
    "mqa_complete": "Niets meer toe te voegen: de maximale score.",
    "mqa_dimension": "{dimension}: {points} van {max}",
}

EN: dict[str, str] = {
    "mqa_title": "Metadata quality",
    "mqa_badge": "{band}: {points} of {max} points",
    "mqa_intro": "Scored with the European Data Portal's method (MQA): findability, "
                 "accessibility, interoperability, reusability and context.",
    "mqa_json": "The full score as JSON",
    "mqa_to_add": "What to add to score higher",
    "mqa_points_gained": "+{points} points",
    "mqa_complete": "Nothing left to add: the highest score.",
    "mqa_dimension": "{dimension}: {points} of {max}",
}
