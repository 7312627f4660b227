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

# The licences the catalogue offers, by the URI it stores (belfort.linked.vocabularies.LICENCES
# adds their EU licence-list URIs, SPDX ids and licence types).
LICENCE_LABELS: dict[str, dict[str, str]] = {
    "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0": {
        "nl": "Creative Commons Zero-verklaring", "en": "Creative Commons Zero (CC0 1.0)"},
    "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0": {
        "nl": "Modellicentie gratis hergebruik", "en": "Flemish model licence for free re-use"},
    "https://creativecommons.org/licenses/by/4.0/": {
        "nl": "Creative Commons Naamsvermelding 4.0", "en": "Creative Commons Attribution 4.0"},
    "https://creativecommons.org/licenses/by-sa/4.0/": {
        "nl": "Creative Commons Naamsvermelding-GelijkDelen 4.0",
        "en": "Creative Commons Attribution-ShareAlike 4.0"},
    "https://opendatacommons.org/licenses/by/1-0/": {
        "nl": "Open Data Commons Attribution License 1.0",
        "en": "Open Data Commons Attribution License 1.0"},
    "https://opendatacommons.org/licenses/odbl/1-0/": {
        "nl": "Open Database License (ODbL) 1.0", "en": "Open Database License (ODbL) 1.0"},
}


def licence_labels() -> dict[str, dict[str, str]]:
    return LICENCE_LABELS
