"""Texts of the dataset page's map: its base layer (the city's wijk boundaries)."""

from __future__ import annotations

NL: dict[str, str] = {
    "map_base_legend": "Grijze lijnen: wijkgrenzen uit de dataset ‘{title}’",
    "map_base_modelled": "Grijze lijnen: benaderde wijkgrenzen, getekend rond de middelpunten "
                         "van de dataset ‘{title}’",
}

EN: dict[str, str] = {
    "map_base_legend": "Grey lines: neighbourhood boundaries from the dataset ‘{title}’",
    "map_base_modelled": "Grey lines: approximate neighbourhood boundaries, drawn around the "
                         "centre points of the dataset ‘{title}’",
}
