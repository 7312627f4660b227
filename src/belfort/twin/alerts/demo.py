"""The demo's alert rules and advice for the Korenmarkt, loaded with the demo's zones.

The replayed counts keep the Korenmarkt's score low (a few points out of 100: 3,100 m² of
square for a few hundred passers-by an hour), so besides rules at the gauge's own bands
(warning above 67, critical above 90) the demo has an ``attention`` rule at 3 — a
demonstration threshold that the replay crosses in the daytime and drops under at night,
so the whole path (evaluation, banner, audit trail, acknowledgement) can be seen at work.
"""

from __future__ import annotations

from belfort.catalog.models import Zone
from belfort.platform import Platform
from belfort.twin.alerts.rules import add_rule, list_rules, set_advice, spec_from_mapping

ZONE = "korenmarkt"
ACTOR = "system:demo"
RULES = (
    {"kind": "score_above", "level": "attention", "threshold": 3, "clear_below": 2,
     "min_minutes": 0},
    {"kind": "score_above", "level": "warning", "threshold": 67, "clear_below": 60,
     "min_minutes": 5},
    {"kind": "score_above", "level": "critical", "threshold": 90, "clear_below": 80,
     "min_minutes": 5},
)
ADVICE = {
    "attention": {"nl": "Houd de camerabeelden van de Korenmarkt in het oog; stewards stand-by "
                        "aan de Veldstraat.",
                  "en": "Watch the Korenmarkt cameras; stewards on stand-by at the Veldstraat."},
    "warning": {"nl": "Sluit de toegang tot de Korenmarkt vanaf de Veldstraat; leid "
                      "voetgangers om via de Graslei.",
                "en": "Close the Korenmarkt entrance from the Veldstraat; divert pedestrians "
                      "via the Graslei."},
    "critical": {"nl": "Sluit de Korenmarkt af voor nieuwe bezoekers; meld het aan de "
                       "politie en verwijs via de Graslei en de Limburgstraat.",
                 "en": "Close the Korenmarkt to new visitors; inform the police and divert via "
                       "the Graslei and the Limburgstraat."},
}


def load_demo_alerts(platform: Platform) -> int:
    """The Korenmarkt's demo rules and advice, when it has no rules yet; how many rules
    were added (0 the second time, or without the zone)."""
    with platform.db.session() as session:
        if session.get(Zone, ZONE) is None or list_rules(session, ZONE):
            return 0
        for level, text in ADVICE.items():
            set_advice(session, ZONE, level, text, ACTOR)
        for body in RULES:
            add_rule(session, spec_from_mapping({"zone": ZONE, **body}, platform.settings),
                     ACTOR)
    return len(RULES)
