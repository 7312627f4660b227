"""The table preview's and the downloads' texts: time zones, the row limit, field ids."""

from __future__ import annotations

NL: dict[str, str] = {
    "table_zone_note": "Tijden in Gentse tijd (CET/CEST).",
    "table_field_id": "veld-id",
    "table_limit_title": "De tabel toont de eerste {rows} rijen.",
    "table_limit_text": "Filter om verder te zoeken, of download alles.",
    "table_limit_filter": "Filter de rijen",
    "table_limit_download": "Alles downloaden",
    "download_zones": (
        "Tijden staan in de bestanden in UTC (wereldtijd), tenzij er Gentse tijd bij staat."
    ),
    "download_in_zone": "{format} downloaden (Gentse tijd)",
    "download_in_utc": "{format} downloaden (tijden in UTC)",
    "download_geo_only": "GeoJSON is er alleen voor gegevens met een locatie of vorm.",
}

EN: dict[str, str] = {
    "table_zone_note": "Times in Ghent time (CET/CEST).",
    "table_field_id": "field id",
    "table_limit_title": "The table shows the first {rows} rows.",
    "table_limit_text": "Filter to look further, or download everything.",
    "table_limit_filter": "Filter the rows",
    "table_limit_download": "Download everything",
    "download_zones": "Times in the files are in UTC, unless the button says Ghent time.",
    "download_in_zone": "Download {format} (Ghent time)",
    "download_in_utc": "Download {format} (times in UTC)",
    "download_geo_only": "GeoJSON is only offered for data with a location or shape.",
}
