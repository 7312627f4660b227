"""Texts of the search page on phones (the folded filters, the chips of the active
filters) and the footer's sign-in link for staff."""

from __future__ import annotations

NL: dict[str, str] = {
    "filters_show": "Filters",
    "filters_active": "{count} actief",
    "filter_chip": "{facet}: {value}",
    "filter_chip_remove": "Filter {facet}: {value} verwijderen",
    "active_filters": "Actieve filters",
    "footer_staff_sign_in": "Aanmelden voor medewerkers",
    "footer_staff": "Beheer",
}

EN: dict[str, str] = {
    "filters_show": "Filters",
    "filters_active": "{count} active",
    "filter_chip": "{facet}: {value}",
    "filter_chip_remove": "Remove filter {facet}: {value}",
    "active_filters": "Active filters",
    "footer_staff_sign_in": "Staff sign-in",
    "footer_staff": "Staff pages",
}
