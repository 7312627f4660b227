"""The metadata area's texts: the staff metadata form's controlled lists and the
organisation pages (issue 12 items 4 and 7)."""

from __future__ import annotations

NL: dict[str, str] = {
    "metadata_none_chosen": "— niet gekozen —",
    "metadata_not_on_list": "staat niet op de lijst",
    "metadata_organisation_help": (
        "Staat de organisatie er niet bij? Vraag een beheerder om ze toe te voegen."
    ),
    "metadata_contact_name": "Contactpunt: naam",
    "metadata_contact_email": "Contactpunt: e-mailadres",
    "metadata_steward": "Data-eigenaar (steward)",
    "metadata_spatial": "Gebied",
    "metadata_place_gemeente": "Gemeente",
    "metadata_place_deelgemeente": "Deelgemeenten van Gent",
    "metadata_place_wijk": "Wijken van Gent",
    "metadata_place_gewest": "Gewest",
    "metadata_place_land": "Land",
    "metadata_temporal": "Periode waarover de data gaan",
    "metadata_temporal_start": "Vanaf",
    "metadata_temporal_end": "Tot en met",
    "metadata_classification_open": "open",
    "metadata_classification_internal": "intern",
    "metadata_classification_confidential": "vertrouwelijk",
    "metadata_classification_strictly_confidential": "strikt vertrouwelijk",
    "organisation_contact": "Contact",
    "organisation_homepage": "Website",
    "organisation_no_datasets": "Deze organisatie heeft nog geen gepubliceerde datasets.",
    "organisation_count": "{count} datasets",
}

EN: dict[str, str] = {
    "metadata_none_chosen": "— not chosen —",
    "metadata_not_on_list": "not on the list",
    "metadata_organisation_help": "Organisation not listed? Ask an administrator to add it.",
    "metadata_contact_name": "Contact point: name",
    "metadata_contact_email": "Contact point: email address",
    "metadata_steward": "Data steward",
    "metadata_spatial": "Area covered",
    "metadata_place_gemeente": "Municipality",
    "metadata_place_deelgemeente": "Ghent's former municipalities",
    "metadata_place_wijk": "Ghent's districts",
    "metadata_place_gewest": "Region",
    "metadata_place_land": "Country",
    "metadata_temporal": "Period the data cover",
    "metadata_temporal_start": "From",
    "metadata_temporal_end": "Up to and including",
    "metadata_classification_open": "open",
    "metadata_classification_internal": "internal",
    "metadata_classification_confidential": "confidential",
    "metadata_classification_strictly_confidential": "strictly confidential",
    "organisation_contact": "Contact",
    "organisation_homepage": "Website",
    "organisation_no_datasets": "This organisation has no published datasets yet.",
    "organisation_count": "{count} datasets",
}
