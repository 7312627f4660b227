"""The City Dashboard's texts: the dashboards, their tiles, and the staff page that edits
them (issue 13 item 8)."""

from __future__ import annotations

NL: dict[str, str] = {
    "dash_list_title": "Dashboards",
    "dash_list_intro": (
        "Live overzichten van de stad: drukte, parkeren, fietsen. Elk dashboard en elke tegel "
        "kan je op een andere site tonen (iframe) met het adres van de pagina."
    ),
    "dash_none": "Er zijn nog geen dashboards.",
    "dash_tiles_count": "{count} tegels",
    "dash_no_data": "Nog geen gegevens.",
    "dash_hidden_all": "Verborgen: minder dan {k} records (drempel voor geaggregeerde gegevens).",
    "dash_hidden_some": (
        "{n} verborgen: groepen met minder dan {k} records, en de groepen waaruit die "
        "af te leiden zouden zijn."
    ),
    "dash_updated": "Bijgewerkt: {time}",
    "dash_alerts_title": "Drukte-alarm",
    "dash_alert_advice": "Advies:",
    "dash_alert_ack": "Gezien door een operator.",
    "dash_alert_attention": "Aandacht",
    "dash_alert_warning": "Waarschuwing",
    "dash_alert_critical": "Kritiek",
    "dash_as_of": "Stand van {time}",
    "dash_trend_up": "{pct} meer dan dezelfde tijd vorige week ({value})",
    "dash_trend_down": "{pct} minder dan dezelfde tijd vorige week ({value})",
    "dash_trend_same": "Evenveel als dezelfde tijd vorige week ({value})",
    "dash_level": "Niveau: {label}",
    "dash_gauge_desc": "Meter van 0 tot 100: {value}, {label}.",
    "dash_gauge_desc_empty": "Meter van 0 tot 100: nog geen waarde.",
    "dash_tile_alone": "Deze tegel apart",
    "dash_whole": "Het hele dashboard",
    "dash_embed_title": "Insluiten",
    "dash_embed_help": (
        "Toon dit dashboard of een tegel op een andere site met een iframe naar "
        "het adres van de pagina:"
    ),
    "dash_live_on": "Live: tegels worden bijgewerkt zonder de pagina te herladen.",
    "dash_live_off": "De live verbinding is onderbroken; de pagina toont de laatste stand.",
    "dash_col_name": "Sensor",
    "dash_col_value": "Waarde",
    "dash_col_time": "Tijdstip",
    "dash_col_x": "Wat",
    "dash_col_y": "Waarde",
    "dash_table_caption": "Gegevens van {title}",
    "dash_map_legend": "Legende",
    "dash_map_no_value": "nog geen waarde",
    "dash_problem": "Probleem (alleen voor medewerkers)",
    "dash_staff_title": "Dashboards beheren",
    "dash_staff_intro": (
        "Een dashboard is een beschrijving in YAML (of JSON): een titel en tegels. Elke tegel "
        "leest een dataset (met een vraag in ODSQL), een sensor of de sensoren van een live "
        "dataset, en toont een kengetal, lijn, staven, kaart, drukmeter of tabel. Zie "
        "docs/dashboard.md."
    ),
    "dash_staff_list": "Alle dashboards",
    "dash_staff_edit_link": "Wijzig {id}",
    "dash_staff_new": "Nieuw dashboard",
    "dash_staff_id": "Code van het dashboard",
    "dash_staff_id_hint": (
        "Kleine letters, cijfers en '-', bv. drukte-centrum. Het adres wordt "
        "/dashboards/code."
    ),
    "dash_staff_spec": "Beschrijving (YAML of JSON)",
    "dash_staff_create": "Dashboard aanmaken",
    "dash_staff_save": "Wijzigingen opslaan",
    "dash_staff_saved": "Het dashboard is opgeslagen.",
    "dash_staff_created": "Het dashboard {id} is aangemaakt.",
    "dash_staff_deleted": "Het dashboard {id} is verwijderd.",
    "dash_staff_delete": "Dashboard verwijderen",
    "dash_staff_delete_confirm": "Ja, verwijder dit dashboard",
    "dash_staff_delete_needs_confirm": "Vink het vakje aan om het dashboard te verwijderen.",
    "dash_staff_edit_title": "Dashboard {id} wijzigen",
    "dash_staff_view": "Bekijk het dashboard",
    "dash_staff_back": "Terug naar de dashboards",
    "dash_staff_id_taken": "Er is al een dashboard met de code {id}.",
    "dash_staff_id_invalid": (
        "De code mag alleen kleine letters, cijfers en '-' bevatten (hoogstens "
        "60)."
    ),
    "dash_staff_problem": "{path}: {message}",
    "dash_staff_revision": "Versie {revision}, gewijzigd {time}",
    "dash_twin_title": "Drukte: verwachting en scenario's",
    "dash_twin_forecasts": "Drukteverwachting per zone",
    "dash_twin_forecasts_about": (
        "De drukte nu en de verwachting voor de komende uren, met het model dat ze maakte en "
        "hoe betrouwbaar het tot nu toe was."
    ),
    "dash_twin_scenarios": "Wat als? Scenario's",
    "dash_twin_scenarios_about": (
        "Wat gebeurt er met de drukte als een zone of straat een tijd dicht gaat: twee "
        "scenario's naast elkaar."
    ),
    "dash_fc_heading": "Verwachting, komende {hours} uur",
    "dash_fc_caption": "Verwachting per uur met de marge waarin 80 % van de uren valt: {title}",
    "dash_fc_col_hour": "Uur",
    "dash_fc_col_zone": "Zone",
    "dash_fc_col_now": "Nu",
    "dash_fc_col_value": "Verwachting",
    "dash_fc_col_interval": "Marge (80 %)",
    "dash_fc_col_level": "Niveau",
    "dash_fc_cell": "{value} ({lower}–{upper})",
    "dash_fc_made": "Gemaakt {made} door model {version}.",
    "dash_fc_accuracy": "Hoe nauwkeurig het was: ",
    "dash_fc_model_link": "Over dit model",
    "dash_fc_degraded": (
        "Let op: dit model voorspelt de laatste dagen minder goed dan de drempel; de "
        "verwachting is minder betrouwbaar."
    ),
    "dash_fc_none": "Geen verwachting beschikbaar: {reason}.",
    "dash_fc_none_zone": "geen verwachting: {reason}",
    "dash_fc_why_not_served": "dit proces maakt geen verwachtingen",
    "dash_fc_why_no_model": "er is nog geen voorspellingsmodel getraind",
    "dash_fc_why_not_made": "er is nog geen verwachting gemaakt",
    "dash_fc_why_history": "te weinig historiek van de telpunten",
    "dash_fc_why_outage": "een telpunt is in storing",
    "dash_fc_why_not_in_model": "het telpunt zat niet in het model toen het getraind werd",
    "dash_fc_why_sensors": "niet al haar telpunten hebben een verwachting",
    "dash_fc_why_no_sensor": "er is geen verwachting voor dit telpunt",
    "dash_fc_why_no_zones": "er zijn nog geen zones",
    "dash_fc_why_counters": "de zone heeft geen tellers waarvoor een verwachting gemaakt wordt",
    "dash_fc_why_other": "zie de reden hiernaast",
}

EN: dict[str, str] = {
    "dash_list_title": "Dashboards",
    "dash_list_intro": (
        "Live views of the city: crowding, parking, cycling. Every dashboard and every tile can "
        "be shown on another site (iframe) with the page's address."
    ),
    "dash_none": "There are no dashboards yet.",
    "dash_tiles_count": "{count} tiles",
    "dash_no_data": "No data yet.",
    "dash_hidden_all": "Hidden: fewer than {k} records (the threshold for aggregates).",
    "dash_hidden_some": (
        "{n} hidden: groups with fewer than {k} records, and the groups they could be "
        "worked out from."
    ),
    "dash_updated": "Updated: {time}",
    "dash_alerts_title": "Crowding alert",
    "dash_alert_advice": "Advice:",
    "dash_alert_ack": "Acknowledged by an operator.",
    "dash_alert_attention": "Attention",
    "dash_alert_warning": "Warning",
    "dash_alert_critical": "Critical",
    "dash_as_of": "As of {time}",
    "dash_trend_up": "{pct} more than the same time last week ({value})",
    "dash_trend_down": "{pct} less than the same time last week ({value})",
    "dash_trend_same": "As much as the same time last week ({value})",
    "dash_level": "Level: {label}",
    "dash_gauge_desc": "Gauge from 0 to 100: {value}, {label}.",
    "dash_gauge_desc_empty": "Gauge from 0 to 100: no value yet.",
    "dash_tile_alone": "This tile alone",
    "dash_whole": "The whole dashboard",
    "dash_embed_title": "Embedding",
    "dash_embed_help": (
        "Show this dashboard or a tile on another site with an iframe to the "
        "page's address:"
    ),
    "dash_live_on": "Live: tiles are updated without reloading the page.",
    "dash_live_off": "The live connection was interrupted; the page shows the last values.",
    "dash_col_name": "Sensor",
    "dash_col_value": "Value",
    "dash_col_time": "Time",
    "dash_col_x": "What",
    "dash_col_y": "Value",
    "dash_table_caption": "Data of {title}",
    "dash_map_legend": "Legend",
    "dash_map_no_value": "no value yet",
    "dash_problem": "Problem (staff only)",
    "dash_staff_title": "Manage dashboards",
    "dash_staff_intro": (
        "A dashboard is a description in YAML (or JSON): a title and tiles. Each tile reads a "
        "dataset (with a question in ODSQL), a sensor or the sensors of a live dataset, and "
        "shows a key figure, line, bars, map, crowd gauge or table. See docs/dashboard.md."
    ),
    "dash_staff_list": "All dashboards",
    "dash_staff_edit_link": "Edit {id}",
    "dash_staff_new": "New dashboard",
    "dash_staff_id": "Dashboard code",
    "dash_staff_id_hint": (
        "Lower-case letters, digits and '-', e.g. crowding-centre. The address "
        "becomes /dashboards/code."
    ),
    "dash_staff_spec": "Description (YAML or JSON)",
    "dash_staff_create": "Create dashboard",
    "dash_staff_save": "Save changes",
    "dash_staff_saved": "The dashboard was saved.",
    "dash_staff_created": "The dashboard {id} was created.",
    "dash_staff_deleted": "The dashboard {id} was deleted.",
    "dash_staff_delete": "Delete dashboard",
    "dash_staff_delete_confirm": "Yes, delete this dashboard",
    "dash_staff_delete_needs_confirm": "Tick the box to delete the dashboard.",
    "dash_staff_edit_title": "Edit dashboard {id}",
    "dash_staff_view": "View the dashboard",
    "dash_staff_back": "Back to the dashboards",
    "dash_staff_id_taken": "There is a dashboard with the code {id} already.",
    "dash_staff_id_invalid": (
        "The code may only hold lower-case letters, digits and '-' (at most "
        "60)."
    ),
    "dash_staff_problem": "{path}: {message}",
    "dash_staff_revision": "Version {revision}, changed {time}",
    "dash_twin_title": "Crowding: forecasts and scenarios",
    "dash_twin_forecasts": "Crowding forecast per zone",
    "dash_twin_forecasts_about": (
        "Crowding now and the forecast for the coming hours, with the model that made it and "
        "how reliable it has been so far."
    ),
    "dash_twin_scenarios": "What if? Scenarios",
    "dash_twin_scenarios_about": (
        "What happens to crowding when a zone or street closes for a while: two scenarios side "
        "by side."
    ),
    "dash_fc_heading": "Forecast, next {hours} hours",
    "dash_fc_caption": "Forecast per hour with the margin 80 % of the hours fall in: {title}",
    "dash_fc_col_hour": "Hour",
    "dash_fc_col_zone": "Zone",
    "dash_fc_col_now": "Now",
    "dash_fc_col_value": "Forecast",
    "dash_fc_col_interval": "Margin (80 %)",
    "dash_fc_col_level": "Level",
    "dash_fc_cell": "{value} ({lower}–{upper})",
    "dash_fc_made": "Made {made} by model {version}.",
    "dash_fc_accuracy": "How accurate it has been: ",
    "dash_fc_model_link": "About this model",
    "dash_fc_degraded": (
        "Note: this model has forecast worse than the threshold over the last days; the "
        "forecast is less reliable."
    ),
    "dash_fc_none": "No forecast available: {reason}.",
    "dash_fc_none_zone": "no forecast: {reason}",
    "dash_fc_why_not_served": "this process does not make forecasts",
    "dash_fc_why_no_model": "no forecast model has been trained yet",
    "dash_fc_why_not_made": "no forecast has been made yet",
    "dash_fc_why_history": "too little history of the counters",
    "dash_fc_why_outage": "a counter is in an outage",
    "dash_fc_why_not_in_model": "the counter was not in the model when it was trained",
    "dash_fc_why_sensors": "not all of its counters have a forecast",
    "dash_fc_why_no_sensor": "there is no forecast for this counter",
    "dash_fc_why_no_zones": "there are no zones yet",
    "dash_fc_why_counters": "the zone has no counters that are forecast",
    "dash_fc_why_other": "see the reason next to it",
}
