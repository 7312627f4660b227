"""The catalogue's controlled vocabularies and their labels, in Dutch and English.

Themes are the EU data themes, frequencies the EU frequency list
(``belfort.catalog.metadata.Frequency``). The portal shows these labels and the linked-data
vocabularies state them (``belfort.linked.vocabularies``), so both read them from here.
"""

from __future__ import annotations

THEME_LABELS: dict[str, dict[str, str]] = {
    # The EU data themes (publications office "data-theme" authority list).
    "AGRI": {"nl": "Landbouw, visserij en voeding", "en": "Agriculture, fisheries and food"},
    "ECON": {"nl": "Economie en financiën", "en": "Economy and finance"},
    "EDUC": {"nl": "Onderwijs, cultuur en sport", "en": "Education, culture and sport"},
    "ENER": {"nl": "Energie", "en": "Energy"},
    "ENVI": {"nl": "Milieu", "en": "Environment"},
    "GOVE": {"nl": "Overheid en publieke sector", "en": "Government and public sector"},
    "HEAL": {"nl": "Gezondheid", "en": "Health"},
    "INTR": {"nl": "Internationale vraagstukken", "en": "International issues"},
    "JUST": {"nl": "Justitie en openbare veiligheid", "en": "Justice and public safety"},
    "REGI": {"nl": "Regio's en steden", "en": "Regions and cities"},
    "SOCI": {"nl": "Bevolking en samenleving", "en": "Population and society"},
    "TECH": {"nl": "Wetenschap en technologie", "en": "Science and technology"},
    "TRAN": {"nl": "Vervoer", "en": "Transport"},
}

FREQUENCY_LABELS: dict[str, dict[str, str]] = {
    "continuous": {"nl": "voortdurend", "en": "continuous"},
    "hourly": {"nl": "elk uur", "en": "hourly"},
    "daily": {"nl": "dagelijks", "en": "daily"},
    "weekly": {"nl": "wekelijks", "en": "weekly"},
    "monthly": {"nl": "maandelijks", "en": "monthly"},
    "quarterly": {"nl": "per kwartaal", "en": "quarterly"},
    "annual": {"nl": "jaarlijks", "en": "annually"},
    "irregular": {"nl": "onregelmatig", "en": "irregular"},
    "never": {"nl": "nooit", "en": "never"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
}
