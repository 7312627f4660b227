"""The what-if scenarios page's texts (issue 15 item 5)."""

from __future__ import annotations

NL: dict[str, str] = {
    "scen_title": "Wat-als-scenario's",
    "scen_intro": (
        "Wat gebeurt er met de rest van de binnenstad als een plein of straat een tijd dicht "
        "is? Elk scenario verdeelt de wandelaars, geschat uit de tellingen, over de straten die "
        "open blijven. Kies twee scenario's om ze naast elkaar te zien."
    ),
    "scen_none": "Er zijn nog geen scenario's. Medewerkers maken ze via de API.",
    "scen_pick_a": "Scenario A",
    "scen_pick_b": "Scenario B",
    "scen_pick_none": "(geen)",
    "scen_compare": "Vergelijk",
    "scen_missing": "Scenario niet gevonden: {ids}",
    "scen_closed": "dicht",
    "scen_band_rustig": "rustig",
    "scen_band_druk": "druk",
    "scen_band_te_druk": "te druk",
    "scen_zone_tip": "drukste uur {score}/100, {band}",
    "scen_map_title": "Zones in {name}, gekleurd naar hun drukste uur",
    "scen_window": "Van {start} tot {end} ({hours} u)",
    "scen_street": "straat (lijn)",
    "scen_link_tip": "{flow} voetgangers per uur, capaciteit {capacity}",
    "scen_reliability": "Betrouwbaarheid: {level}",
    "scen_reliability_low": "laag",
    "scen_reliability_indicative": "indicatief",
    "scen_totals": (
        "{demand} verplaatsingen; {redistributed} elders heen, {dropped} weggevallen, "
        "{unreachable} onbereikbaar."
    ),
    "scen_flagged": "Drukker dan zonder afsluiting: {zones}",
    "scen_flagged_none": "Geen zone wordt drukker.",
    "scen_table_title": "Drukste uur per zone",
    "scen_col_zone": "Zone",
    "scen_col_capacity": "Capaciteit",
    "scen_col_baseline": "{name}: zonder afsluiting",
    "scen_col_scenario": "{name}: met afsluiting",
    "scen_cell": "{score}/100 {band} ({occupancy} pers.)",
    "scen_export": "Download {name} als CSV",
    "scen_col_name": "Naam",
    "scen_col_when": "Venster",
    "scen_col_by": "Gemaakt door",
    "scen_list_title": "Bewaarde scenario's",
}

EN: dict[str, str] = {
    "scen_title": "What-if scenarios",
    "scen_intro": (
        "What happens to the rest of the centre when a square or street closes for a while? "
        "Each scenario spreads the walkers, estimated from the counts, over the streets that "
        "stay open. Pick two scenarios to see them side by side."
    ),
    "scen_none": "There are no scenarios yet. Staff create them through the API.",
    "scen_pick_a": "Scenario A",
    "scen_pick_b": "Scenario B",
    "scen_pick_none": "(none)",
    "scen_compare": "Compare",
    "scen_missing": "Scenario not found: {ids}",
    "scen_closed": "closed",
    "scen_band_rustig": "calm",
    "scen_band_druk": "busy",
    "scen_band_te_druk": "too busy",
    "scen_zone_tip": "busiest hour {score}/100, {band}",
    "scen_map_title": "Zones in {name}, coloured by their busiest hour",
    "scen_window": "From {start} to {end} ({hours} h)",
    "scen_street": "street (line)",
    "scen_link_tip": "{flow} pedestrians an hour, capacity {capacity}",
    "scen_reliability": "Reliability: {level}",
    "scen_reliability_low": "low",
    "scen_reliability_indicative": "indicative",
    "scen_totals": (
        "{demand} trips; {redistributed} went elsewhere, {dropped} dropped, "
        "{unreachable} unreachable."
    ),
    "scen_flagged": "Busier than without the closure: {zones}",
    "scen_flagged_none": "No zone gets busier.",
    "scen_table_title": "Busiest hour per zone",
    "scen_col_zone": "Zone",
    "scen_col_capacity": "Capacity",
    "scen_col_baseline": "{name}: without the closure",
    "scen_col_scenario": "{name}: with the closure",
    "scen_cell": "{score}/100 {band} ({occupancy} people)",
    "scen_export": "Download {name} as CSV",
    "scen_col_name": "Name",
    "scen_col_when": "Window",
    "scen_col_by": "Created by",
    "scen_list_title": "Saved scenarios",
}
