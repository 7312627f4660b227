"""The chart section's texts (the chart form's split and time unit, the page without a
default chart). The words inside a drawn chart are in ``belfort.portal.charts``."""

from __future__ import annotations

NL: dict[str, str] = {
    "chart_split": "Opsplitsen per",
    "chart_split_none": "niet opsplitsen",
    "chart_unit": "Per",
    "chart_unit_auto": "automatisch",
    "chart_unit_year": "jaar",
    "chart_unit_month": "maand",
    "chart_unit_week": "week",
    "chart_unit_day": "dag",
    "chart_unit_hour": "uur",
    "chart_no_default": (
        "Deze gegevens hebben geen vanzelfsprekende grafiek: er is geen verloop in de tijd "
        "en geen indeling in een paar groepen. Kies hierboven zelf wat u wilt tekenen."
    ),
    "counts_threshold": (
        "U mag van deze gegevens alleen aantallen zien, per groep van minstens {k} records: "
        "geen records, geen kaart en geen downloads."
    ),
    "counts_hidden": (
        "{n} verborgen: waarden met minder dan {k} records, en de waarden waaruit die af te "
        "leiden zouden zijn."
    ),
    "counts_none": "Geen tekst- of ja/nee-veld om per waarde te tellen.",
}

EN: dict[str, str] = {
    "chart_split": "Split by",
    "chart_split_none": "do not split",
    "chart_unit": "Per",
    "chart_unit_auto": "automatic",
    "chart_unit_year": "year",
    "chart_unit_month": "month",
    "chart_unit_week": "week",
    "chart_unit_day": "day",
    "chart_unit_hour": "hour",
    "chart_no_default": (
        "This data has no obvious chart: nothing changes over time and nothing falls into "
        "a few groups. Choose above what you want to draw."
    ),
    "counts_threshold": (
        "You may only see counts of this data, in groups of at least {k} records: no "
        "records, no map and no downloads."
    ),
    "counts_hidden": (
        "{n} hidden: values with fewer than {k} records, and the values they could be "
        "worked out from."
    ),
    "counts_none": "No text or yes/no field to count per value.",
}
