"""The data dictionary's texts: the "Velden" section of a dataset page and the staff page
where a steward describes every field."""

from __future__ import annotations

NL: dict[str, str] = {
    "fields_title": "Velden",
    "fields_intro": "Wat elke kolom van de gegevens betekent.",
    "fields_col_title": "Naam",
    "fields_col_id": "Veld-id",
    "fields_col_type": "Soort",
    "fields_col_unit": "Eenheid",
    "fields_col_description": "Beschrijving",
    "fields_none": "Deze dataset heeft nog geen velden.",
    "fields_type_integer": "geheel getal",
    "fields_type_number": "getal",
    "fields_type_boolean": "ja/nee",
    "fields_type_date": "datum",
    "fields_type_datetime": "datum en tijd",
    "fields_type_string": "tekst",
    "fields_type_geopoint": "punt op de kaart",
    "fields_type_geometry": "vorm op de kaart",
    "fields_staff_link": "Velden beschrijven",
    "fields_staff_title": "Velden van {dataset} beschrijven",
    "fields_staff_intro": (
        "Geef elk veld een naam, een korte beschrijving en de eenheid, in het Nederlands en het "
        "Engels. Bezoekers zien ze op de pagina van de dataset, in de downloads en in de "
        "catalogus. Laat leeg wat je niet weet."
    ),
    "fields_staff_version": "Velden van versie {version}, de nieuwste.",
    "fields_staff_no_version": "Deze dataset heeft nog geen versie. Laad eerst een bestand op.",
    "fields_staff_source_title": "In het bestand: {title}",
    "fields_staff_title_nl": "Naam (Nederlands)",
    "fields_staff_title_en": "Naam (Engels)",
    "fields_staff_description_nl": "Beschrijving (Nederlands)",
    "fields_staff_description_en": "Beschrijving (Engels)",
    "fields_staff_unit": "Eenheid, bijvoorbeeld km/u, °C of fietsers per uur",
    "fields_short_title_nl": "naam (Nederlands)",
    "fields_short_title_en": "naam (Engels)",
    "fields_short_description_nl": "beschrijving (Nederlands)",
    "fields_short_description_en": "beschrijving (Engels)",
    "fields_short_unit": "eenheid",
    "fields_staff_save": "Velden opslaan",
    "fields_staff_saved": "De velden zijn opgeslagen.",
    "fields_staff_problems": "Niet opgeslagen: verbeter wat hieronder staat en probeer opnieuw.",
    "fields_problem_too_long": "{label}: maximaal {limit} tekens; nu {length}.",
    "fields_problem_control_character": (
        "{label}: bevat een onzichtbaar stuurteken (zoals een NUL-teken of, in een naam of "
        "eenheid, een regeleinde). Haal het weg."
    ),
    "fields_problem_not_text": "{label}: moet tekst zijn.",
    "fields_problem_unknown_key": "{label}: onbekend.",
    "fields_problem_unknown_field": (
        "Het veld bestaat niet (meer) in de nieuwste versie. Laad de pagina opnieuw."
    ),
    "fields_staff_back": "Terug naar de dataset",
}

EN: dict[str, str] = {
    "fields_title": "Fields",
    "fields_intro": "What each column of the data means.",
    "fields_col_title": "Name",
    "fields_col_id": "Field id",
    "fields_col_type": "Type",
    "fields_col_unit": "Unit",
    "fields_col_description": "Description",
    "fields_none": "This dataset has no fields yet.",
    "fields_type_integer": "whole number",
    "fields_type_number": "number",
    "fields_type_boolean": "yes/no",
    "fields_type_date": "date",
    "fields_type_datetime": "date and time",
    "fields_type_string": "text",
    "fields_type_geopoint": "point on the map",
    "fields_type_geometry": "shape on the map",
    "fields_staff_link": "Describe the fields",
    "fields_staff_title": "Describe the fields of {dataset}",
    "fields_staff_intro": (
        "Give each field a name, a short description and its unit, in Dutch and English. "
        "Visitors see them on the dataset's page, in the downloads and in the catalogue. "
        "Leave empty what you do not know."
    ),
    "fields_staff_version": "Fields of version {version}, the newest.",
    "fields_staff_no_version": "This dataset has no version yet. Upload a file first.",
    "fields_staff_source_title": "In the file: {title}",
    "fields_staff_title_nl": "Name (Dutch)",
    "fields_staff_title_en": "Name (English)",
    "fields_staff_description_nl": "Description (Dutch)",
    "fields_staff_description_en": "Description (English)",
    "fields_staff_unit": "Unit, for example km/h, °C or cyclists per hour",
    "fields_short_title_nl": "name (Dutch)",
    "fields_short_title_en": "name (English)",
    "fields_short_description_nl": "description (Dutch)",
    "fields_short_description_en": "description (English)",
    "fields_short_unit": "unit",
    "fields_staff_save": "Save the fields",
    "fields_staff_saved": "The fields have been saved.",
    "fields_staff_problems": "Not saved: correct what is listed below and try again.",
    "fields_problem_too_long": "{label}: at most {limit} characters; now {length}.",
    "fields_problem_control_character": (
        "{label}: holds an invisible control character (such as a NUL character or, in a name "
        "or unit, a line break). Remove it."
    ),
    "fields_problem_not_text": "{label}: must be text.",
    "fields_problem_unknown_key": "{label}: unknown.",
    "fields_problem_unknown_field": (
        "The field does not exist (any more) in the newest version. Reload the page."
    ),
    "fields_staff_back": "Back to the dataset",
}
