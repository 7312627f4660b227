"""The staff pages' texts: sign-in, upload, review, publish, metadata, states."""

from __future__ import annotations

NL: dict[str, str] = {
    "staff_title": "Beheer",
    "staff_sign_in_intro": (
        "Meld je aan met je beheerderssleutel (een API-sleutel met de rol admin, gemaakt met "
        "`belfort keys create`)."
    ),
    "staff_key": "Beheerderssleutel",
    "staff_bad_key": "Deze sleutel is geen geldige beheerderssleutel.",
    "staff_sign_in_oidc": "Aanmelden met je account",
    "staff_or_key": "Of meld je aan met een beheerderssleutel:",
    "staff_signed_in_as": "Je bent aangemeld als {name}.",
    "staff_reader": (
        "Je hebt geen beheerdersrol: je ziet de open data en wat beleidsregels je toekennen."
    ),
    "staff_signed_in_continue": "Verder naar Beheer",
    "staff_sign_in": "Aanmelden",
    "staff_upload": "Een bestand opladen",
    "staff_upload_intro": (
        "Kies de dataset (een nieuwe of een bestaande) en het bestand. Je ziet eerst wat Belfort "
        "in het bestand leest; er wordt niets gepubliceerd tot je daar zelf op klikt."
    ),
    "staff_dataset_id": "Identificatie van de dataset",
    "staff_dataset_id_help": (
        "Kleine letters, cijfers en koppeltekens, bijvoorbeeld fietstellingen-gent."
    ),
    "staff_file": "Bestand (CSV, Excel, JSON, GeoJSON of Parquet)",
    "staff_upload_button": "Opladen en bekijken",
    "staff_all_datasets": "Alle datasets",
    "staff_title_col": "Titel",
    "staff_title_nl": "Titel (Nederlands, verplicht voor een nieuwe dataset)",
    "staff_title_en": "Titel (Engels)",
    "staff_description_nl": "Beschrijving (Nederlands)",
    "staff_description_en": "Beschrijving (Engels)",
    "staff_comma_separated": "gescheiden door komma's",
    "staff_classification_reason": "Toelichting (verplicht als de dataset niet open is)",
    "staff_restriction_reason": "Waarom niet open (verplicht als de dataset niet open is)",
    "staff_restriction_none": "— geen (open dataset) —",
    "staff_timezone": (
        "Tijdzone van de bron (IANA-naam, bv. Europe/Brussels): tijden zonder UTC-verschuiving "
        "in het bestand zijn lokale tijden daar; geldt voor nieuwe versies"
    ),
    "staff_review_title": "Nieuwe versie van {dataset} nakijken",
    "staff_examples": "voorbeelden",
    "staff_draft_ok": (
        "Versie {version} is opgeslagen als ontwerp: {rows} rijen, gecontroleerd. Ze is nog niet "
        "gepubliceerd."
    ),
    "staff_publish_version": "Versie {version} publiceren",
    "staff_gate_failing": "Regels onder het minimum",
    "staff_gate_rule": "regel {rule}: {percent} % van de rijen faalt (maximum {limit} %)",
    "staff_gate_dimension": "{dimension}: score {score} (minimum {limit})",
    "staff_gate_error": "de regels konden niet gemeten worden: {error}",
    "staff_gate_reason": (
        "Reden om toch te publiceren (minstens {minimum} tekens, wordt bewaard en gelogd)"
    ),
    "staff_gate_override": "Versie {version} toch publiceren",
    "staff_gate_overridden": "gepubliceerd ondanks de kwaliteitsdrempel: {reason}",
    "staff_delimiter": "scheidingsteken",
    "staff_types": "Velden en hun soort: pas aan waar nodig",
    "staff_sample": "Voorbeeldwaarden",
    "staff_draft_help": (
        "Controleren leest het hele bestand met deze soorten en bewaart het als ontwerpversie, "
        "met het verslag van de controle. Publiceren doe je daarna apart."
    ),
    "staff_check_draft": "Controleren en als ontwerp bewaren",
    "staff_view_page": "Bekijk de publieke pagina",
    "staff_saved": "Opgeslagen.",
    "staff_state": "Status",
    "staff_new_state": "Nieuwe status",
    "staff_change_state": "Status wijzigen",
    "staff_edit_metadata": "Metadata bewerken",
    "staff_save": "Opslaan",
    "staff_signed_in": "Aangemeld als {name}",
    "staff_sign_out": "Afmelden",
}

EN: dict[str, str] = {
    "staff_title": "Manage",
    "staff_sign_in_intro": (
        "Sign in with your staff key (an API key with the admin role, made with `belfort keys "
        "create`)."
    ),
    "staff_key": "Staff key",
    "staff_bad_key": "This key is not a valid staff key.",
    "staff_sign_in_oidc": "Sign in with your account",
    "staff_or_key": "Or sign in with a staff key:",
    "staff_signed_in_as": "You are signed in as {name}.",
    "staff_reader": "You have no staff role: you see open data and what policies grant you.",
    "staff_signed_in_continue": "Continue to Manage",
    "staff_sign_in": "Sign in",
    "staff_upload": "Upload a file",
    "staff_upload_intro": (
        "Choose the dataset (a new or an existing one) and the file. You first see what Belfort "
        "reads in the file; nothing is published until you click to do so."
    ),
    "staff_dataset_id": "Dataset identifier",
    "staff_dataset_id_help": (
        "Lower-case letters, digits and hyphens, for example bike-counts-ghent."
    ),
    "staff_file": "File (CSV, Excel, JSON, GeoJSON or Parquet)",
    "staff_upload_button": "Upload and review",
    "staff_all_datasets": "All datasets",
    "staff_title_col": "Title",
    "staff_title_nl": "Title (Dutch, required for a new dataset)",
    "staff_title_en": "Title (English)",
    "staff_description_nl": "Description (Dutch)",
    "staff_description_en": "Description (English)",
    "staff_comma_separated": "separated by commas",
    "staff_classification_reason": "Explanation (required when the dataset is not open)",
    "staff_restriction_reason": "Why it is not open (required when the dataset is not open)",
    "staff_restriction_none": "— none (open dataset) —",
    "staff_timezone": (
        "Source time zone (IANA name, e.g. Europe/Brussels): times without a UTC offset in the "
        "file are local times there; applies to new versions"
    ),
    "staff_review_title": "Review a new version of {dataset}",
    "staff_examples": "examples",
    "staff_draft_ok": (
        "Version {version} is saved as a draft: {rows} rows, checked. It is not published yet."
    ),
    "staff_publish_version": "Publish version {version}",
    "staff_gate_failing": "Rules below the minimum",
    "staff_gate_rule": "rule {rule}: {percent} % of rows fail (at most {limit} %)",
    "staff_gate_dimension": "{dimension}: score {score} (at least {limit})",
    "staff_gate_error": "the rules could not be measured: {error}",
    "staff_gate_reason": (
        "Reason to publish anyway (at least {minimum} characters, kept and audited)"
    ),
    "staff_gate_override": "Publish version {version} anyway",
    "staff_gate_overridden": "published despite the quality gate: {reason}",
    "staff_delimiter": "delimiter",
    "staff_types": "Fields and their types: adjust where needed",
    "staff_sample": "Sample values",
    "staff_draft_help": (
        "Checking reads the whole file with these types and keeps it as a draft version, with "
        "the check's report. Publishing is a separate step."
    ),
    "staff_check_draft": "Check and keep as draft",
    "staff_view_page": "View the public page",
    "staff_saved": "Saved.",
    "staff_state": "State",
    "staff_new_state": "New state",
    "staff_change_state": "Change state",
    "staff_edit_metadata": "Edit metadata",
    "staff_save": "Save",
    "staff_signed_in": "Signed in as {name}",
    "staff_sign_out": "Sign out",
}
