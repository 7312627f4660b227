"""Messages people read when something is wrong: ingest problems, metadata validation, typed
errors, the state and publish steps (``belfort.portal.messages`` picks the text).

Keys: ``msg_problem_<code>`` per ingest problem code (``…_format`` when the expected form is
known); ``msg_field_<path>`` the label of a metadata field; ``msg_meta_<path>_<type>`` a
metadata error specific to a field, ``msg_meta_<type>`` one for any field (``{label}`` is the
field's label); ``msg_error_<code>`` a typed error.
"""

from __future__ import annotations

NL: dict[str, str] = {
    # --- field types as the review page names them
    "msg_type_integer": "geheel getal",
    "msg_type_number": "decimaal getal",
    "msg_type_boolean": "ja/nee",
    "msg_type_date": "datum",
    "msg_type_datetime": "datum en tijd",
    "msg_type_string": "tekst",
    "msg_type_geopoint": "punt (breedte, lengte)",
    "msg_type_geometry": "vorm (GeoJSON)",
    # --- forms of values
    "msg_format_decimal comma": "decimale komma, bv. 0,75",
    "msg_format_excel serial": "Excel-datumgetal",
    "msg_format_iso8601": "jjjj-mm-dd uu:mm",
    "msg_format_lat,lon": "breedte,lengte, bv. 51.05,3.72",
    "msg_format_geojson": "GeoJSON",
    # --- ingest problems: {row}, {column}, {value} and the problem's parameters
    "msg_problem_not_integer": (
        "rij {row}, kolom {column}: '{value}' is geen geheel getal — kies 'tekst' als soort, of "
        "verbeter de waarde in het bestand"
    ),
    "msg_problem_not_number": (
        "rij {row}, kolom {column}: '{value}' is geen getal — kies 'tekst' als soort, of "
        "verbeter de waarde in het bestand"
    ),
    "msg_problem_not_number_format": (
        "rij {row}, kolom {column}: '{value}' is geen getal in de vorm {format} — kies 'tekst' "
        "als soort, of verbeter de waarde in het bestand"
    ),
    "msg_problem_not_boolean": (
        "rij {row}, kolom {column}: '{value}' is geen ja of nee — kies 'tekst' als soort, of "
        "schrijf ja/nee, true/false of 1/0"
    ),
    "msg_problem_not_date": (
        "rij {row}, kolom {column}: '{value}' is geen datum — kies 'tekst' als soort, of "
        "verbeter de waarde in het bestand"
    ),
    "msg_problem_not_date_format": (
        "rij {row}, kolom {column}: '{value}' is geen datum in de vorm {format} — kies 'tekst' "
        "als soort, of schrijf alle datums in dezelfde vorm"
    ),
    "msg_problem_not_datetime": (
        "rij {row}, kolom {column}: '{value}' is geen datum met tijd — kies 'tekst' als soort, "
        "of verbeter de waarde in het bestand"
    ),
    "msg_problem_not_datetime_format": (
        "rij {row}, kolom {column}: '{value}' is geen datum met tijd in de vorm {format} — kies "
        "'tekst' als soort, of schrijf alle tijdstippen in dezelfde vorm"
    ),
    "msg_problem_not_geopoint": (
        "rij {row}, kolom {column}: '{value}' is geen punt (breedte,lengte, bv. 51.05,3.72) — "
        "kies 'tekst' als soort, of verbeter de waarde"
    ),
    "msg_problem_not_geometry": (
        "rij {row}, kolom {column}: '{value}' is geen vorm in GeoJSON — kies 'tekst' als soort, "
        "of verbeter de waarde"
    ),
    "msg_problem_invalid_geometry": (
        "rij {row}, kolom {column}: deze vorm is geen geldige GeoJSON-geometrie (bijvoorbeeld "
        "coördinaten buiten de wereld, of een veelhoek die niet sluit) — verbeter ze in het "
        "bestand"
    ),
    "msg_problem_nul_byte": (
        "rij {row}, kolom {column}: de tekst bevat een NUL-teken; is het bestand een "
        "binair bestand of in een verkeerde tekenset opgeslagen? Sla het opnieuw op als CSV "
        "(UTF-8)"
    ),
    "msg_problem_wrong_field_count": (
        "rij {row}: deze rij heeft {found} velden, de kopregel {expected} — de rij is "
        "overgeslagen; staat er een scheidingsteken te veel of te weinig?"
    ),
    "msg_problem_wrong_field_count_any": (
        "rij {row}: deze rij heeft niet evenveel velden als de kopregel — de rij is "
        "overgeslagen; staat er een scheidingsteken te veel of te weinig?"
    ),
    "msg_problem_unterminated_quote": (
        "rij {row}: een aanhalingsteken wordt niet gesloten, dus de rest van het bestand werd "
        "als één waarde gelezen — verbeter het aanhalingsteken in het bestand"
    ),
    "msg_problem_count": "Dit komt {count} keer voor.",
    "msg_problem_examples": "Voorbeelden",
    "msg_problem_row": "Rij",
    "msg_problem_column": "Kolom",
    "msg_problem_value": "Waarde",
    "msg_problem_whole_row": "(hele rij)",
    "msg_report_title": "Wat niet klopt",
    "msg_report_kept": (
        "Er is niets bewaard. Kies een andere soort voor de kolom, of verbeter het bestand en "
        "laad het opnieuw op."
    ),
    # --- metadata fields, as the forms label them
    "msg_field_metadata": "Metadata",
    "msg_field_title_nl": "Titel (Nederlands)",
    "msg_field_title_en": "Titel (Engels)",
    "msg_field_description_nl": "Beschrijving (Nederlands)",
    "msg_field_description_en": "Beschrijving (Engels)",
    "msg_field_organisation": "Organisatie",
    "msg_field_contact_point": "Contactpunt",
    "msg_field_contact_point.name": "Naam van het contactpunt",
    "msg_field_contact_point.email": "E-mailadres van het contactpunt",
    "msg_field_themes": "Thema's",
    "msg_field_keywords": "Trefwoorden",
    "msg_field_licence": "Licentie",
    "msg_field_spatial": "Gebied",
    "msg_field_temporal": "Periode",
    "msg_field_temporal.start": "Begindatum van de periode",
    "msg_field_temporal.end": "Einddatum van de periode",
    "msg_field_frequency": "Frequentie van bijwerken",
    "msg_field_classification": "Classificatie",
    "msg_field_classification_reason": "Reden van de classificatie",
    "msg_field_restriction_reason": "Waarom niet open",
    "msg_field_listed": "Vermeld op de pagina met niet-open data",
    "msg_field_steward": "Beheerder",
    "msg_field_record_key": "Sleutelvelden",
    "msg_field_personal_data": "Persoonsgegevens",
    "msg_field_processing_activity": "Verwerking in het verwerkingsregister",
    "msg_field_rdf_mapping": "Linked-data-vertaling",
    "msg_field_timezone": "Tijdzone van de bron",
    "msg_field_dataset": "Identificatie van de dataset",
    "msg_field_file": "Bestand",
    # --- metadata errors for any field
    "msg_meta_missing": "{label}: vul dit in.",
    "msg_meta_string_too_short": "{label}: vul dit in.",
    "msg_meta_string_too_long": "{label}: gebruik ten hoogste {max_length} tekens.",
    "msg_meta_too_long": "{label}: geef er ten hoogste {max_length}.",
    "msg_meta_string_type": "{label}: vul hier tekst in.",
    "msg_meta_list_type": "{label}: geef een lijst, gescheiden door komma's.",
    "msg_meta_enum": "{label}: kies een van de waarden uit de lijst.",
    "msg_meta_literal_error": "{label}: kies een van de waarden uit de lijst.",
    "msg_meta_bool_parsing": "{label}: kies ja of nee.",
    "msg_meta_bool_type": "{label}: kies ja of nee.",
    "msg_meta_date_parsing": "{label}: vul een geldige datum in, bijvoorbeeld 2024-12-31.",
    "msg_meta_date_from_datetime_parsing": (
        "{label}: vul een geldige datum in, bijvoorbeeld 2024-12-31."
    ),
    "msg_meta_date_type": "{label}: vul een geldige datum in, bijvoorbeeld 2024-12-31.",
    "msg_meta_extra_forbidden": "{label}: dit veld bestaat niet.",
    "msg_meta_dict_type": "{label}: deze waarde heeft niet de juiste vorm.",
    "msg_meta_model_type": "{label}: deze waarde heeft niet de juiste vorm.",
    "msg_meta_invalid": "{label}: deze waarde klopt niet.",
    # --- metadata errors of one field (pydantic's "value_error" from a validator)
    "msg_meta_contact_point.email_value_error": (
        "Vul een geldig e-mailadres in, bijvoorbeeld naam@stad.gent."
    ),
    "msg_meta_temporal_value_error": "De einddatum ligt voor de begindatum.",
    "msg_meta_restriction_reason_value_error": (
        "{label}: kies een reden uit de lijst (privacy, veiligheid, rechten van derden, in "
        "voorbereiding); een dataset die niet open is, heeft er een nodig."
    ),
    "msg_meta_timezone_value_error": (
        "{label}: onbekende tijdzone; kies er een uit de lijst, bijvoorbeeld Europe/Brussels."
    ),
    "msg_meta_themes_value_error": "{label}: elk thema is ten hoogste 100 tekens.",
    "msg_meta_keywords_value_error": "{label}: elk trefwoord is ten hoogste 100 tekens.",
    "msg_meta_record_key_value_error": "{label}: elk veld is ten hoogste 100 tekens.",
    "msg_meta_processing_activity_value_error": (
        "{label}: gebruik de identificatie van de verwerking zoals het register ze toont "
        "(36 tekens, bv. 0b6e…-…)."
    ),
    "msg_meta_rdf_mapping_value_error": (
        "{label}: deze vertaling klopt niet; zie de handleiding over linked data."
    ),
    "msg_meta__value_error": "Tekst mag geen NUL-teken bevatten.",
    # --- typed errors
    "msg_error_generic": "Er klopt iets niet aan je vraag.",
    "msg_error_details": "Technische details (Engels)",
    "msg_error_forbidden": (
        "Dit formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens."
    ),
    "msg_error_not_found": "Dit bestaat niet (meer), of je hebt er geen toegang toe.",
    "msg_error_upload_gone": (
        "Dit opgeladen bestand bestaat niet meer (ongecontroleerde bestanden worden na een week "
        "opgeruimd). Laad het opnieuw op."
    ),
    "msg_error_version_not_found": "Deze dataset heeft geen versie {version}.",
    "msg_error_quality_gate": (
        "Versie {version} is niet gepubliceerd: de datakwaliteit ligt onder het minimum voor "
        "gegevens van klasse '{classification}'. De regels die falen staan bij de versie. Verbeter "
        "de gegevens, of publiceer toch met een geschreven reden."
    ),
    "msg_error_version_not_number": "Kies een versie om te publiceren.",
    "msg_error_unsupported_format": (
        "Dit soort bestand kan Belfort niet lezen. Gebruik CSV, Excel (.xlsx), JSON, GeoJSON of "
        "Parquet."
    ),
    "msg_error_unreadable_file": (
        "Belfort kan dit bestand niet lezen: het is beschadigd, onvolledig, of niet wat de naam "
        "zegt. Sla het opnieuw op (bijvoorbeeld als CSV) en laad het opnieuw op."
    ),
    "msg_error_file_too_large": (
        "Dit bestand is te groot: het mag ten hoogste {maximum} bytes zijn."
    ),
    "msg_error_file_too_large_any": "Dit bestand is te groot om te verwerken.",
    "msg_error_file_shape_refused": (
        "Dit bestand heeft te veel kolommen of cellen om te verwerken (ten hoogste {maximum})."
    ),
    "msg_error_file_empty": "Het gekozen bestand is leeg.",
    "msg_error_file_missing": "Kies een bestand om op te laden.",
    "msg_error_file_again": (
        "Kies het bestand opnieuw: een browser stuurt een gekozen bestand niet twee keer mee."
    ),
    "msg_error_bad_slug": (
        "Gebruik kleine letters, cijfers en koppeltekens (niet aan het begin of einde), "
        "bijvoorbeeld fietstellingen-gent."
    ),
    "msg_error_validation_failed": (
        "Het bestand is niet bewaard: sommige waarden passen niet bij de gekozen soort. "
        "Hieronder staat wat en waar."
    ),
    "msg_error_illegal_transition": "De status kan niet van '{current}' naar '{target}' gaan.",
    "msg_error_unknown_state": "Kies een status uit de lijst.",
    "msg_error_archived": "Deze dataset is gearchiveerd; zet ze eerst terug op 'verouderd'.",
    "msg_error_no_version": "Deze dataset heeft nog geen versie om te publiceren.",
    "msg_error_personal_data_needs_register_entry": (
        "Deze dataset bevat persoonsgegevens: koppel ze eerst aan een gepubliceerde verwerking in "
        "het verwerkingsregister."
    ),
    "msg_error_query_unknown_field": (
        "Het veld '{field}' bestaat niet in deze dataset. Gebruik een kolomnaam uit de tabel."
    ),
    "msg_error_query": (
        "Dit filter kan niet worden uitgevoerd. Zoek op een woord (bijvoorbeeld Korenmarkt) of op "
        "een veld (bijvoorbeeld aantal > 100)."
    ),
    "msg_error_query_at": (
        "Dit filter kan niet worden gelezen vanaf teken {position}. Zoek op een woord "
        "(bijvoorbeeld Korenmarkt) of op een veld (bijvoorbeeld aantal > 100)."
    ),
    "msg_error_query_timeout": "Dit duurde te lang. Maak je vraag kleiner en probeer opnieuw.",
    "msg_error_busy": "Het is nu erg druk. Probeer het over een minuut opnieuw.",
    "msg_error_unauthorized": "Meld je aan om dit te zien.",
    "msg_error_summary": "Er is een probleem",
    "msg_page_404": "Pagina niet gevonden",
    "msg_page_400": "Er is een probleem",
    "msg_page_other": "Er ging iets mis",
    "msg_page_status": "Foutcode {status}",
    # --- the state menu and publishing
    "msg_state_current": "{state} (huidige status)",
    "msg_state_confirm": (
        "Ik begrijp dat '{archived}' en '{deprecated}' de dataset voor iedereen veranderen."
    ),
    "msg_state_confirm_needed": (
        "Vink aan dat je begrijpt wat '{target}' doet: niets is gewijzigd."
    ),
    "msg_state_unchanged": "De status is niet gewijzigd: je koos de huidige status.",
    "msg_state_changed": "De status van {title} is nu '{state}'.",
    "msg_published": "Versie {version} van {title} is gepubliceerd: {rows} rijen.",
    "msg_published_link": "Bekijk de publieke pagina",
    "msg_sniffed_whole": "Gelezen als {format}; soorten afgeleid uit alle {rows} rijen.",
}

EN: dict[str, str] = {
    "msg_type_integer": "whole number",
    "msg_type_number": "decimal number",
    "msg_type_boolean": "yes/no",
    "msg_type_date": "date",
    "msg_type_datetime": "date and time",
    "msg_type_string": "text",
    "msg_type_geopoint": "point (latitude, longitude)",
    "msg_type_geometry": "shape (GeoJSON)",
    "msg_format_decimal comma": "decimal comma, e.g. 0,75",
    "msg_format_excel serial": "Excel date number",
    "msg_format_iso8601": "yyyy-mm-dd hh:mm",
    "msg_format_lat,lon": "latitude,longitude, e.g. 51.05,3.72",
    "msg_format_geojson": "GeoJSON",
    "msg_problem_not_integer": (
        "row {row}, column {column}: '{value}' is not a whole number — choose 'text' as its type, "
        "or correct the value in the file"
    ),
    "msg_problem_not_number": (
        "row {row}, column {column}: '{value}' is not a number — choose 'text' as its type, or "
        "correct the value in the file"
    ),
    "msg_problem_not_number_format": (
        "row {row}, column {column}: '{value}' is not a number written as {format} — choose "
        "'text' as its type, or correct the value in the file"
    ),
    "msg_problem_not_boolean": (
        "row {row}, column {column}: '{value}' is not yes or no — choose 'text' as its type, or "
        "write yes/no, true/false or 1/0"
    ),
    "msg_problem_not_date": (
        "row {row}, column {column}: '{value}' is not a date — choose 'text' as its type, or "
        "correct the value in the file"
    ),
    "msg_problem_not_date_format": (
        "row {row}, column {column}: '{value}' is not a date written as {format} — choose 'text' "
        "as its type, or write every date the same way"
    ),
    "msg_problem_not_datetime": (
        "row {row}, column {column}: '{value}' is not a date and time — choose 'text' as its "
        "type, or correct the value in the file"
    ),
    "msg_problem_not_datetime_format": (
        "row {row}, column {column}: '{value}' is not a date and time written as {format} — "
        "choose 'text' as its type, or write every time the same way"
    ),
    "msg_problem_not_geopoint": (
        "row {row}, column {column}: '{value}' is not a point (latitude,longitude, e.g. "
        "51.05,3.72) — choose 'text' as its type, or correct the value"
    ),
    "msg_problem_not_geometry": (
        "row {row}, column {column}: '{value}' is not a GeoJSON shape — choose 'text' as its "
        "type, or correct the value"
    ),
    "msg_problem_invalid_geometry": (
        "row {row}, column {column}: this shape is not valid GeoJSON geometry (for example "
        "coordinates outside the world, or a polygon that does not close) — correct it in the "
        "file"
    ),
    "msg_problem_nul_byte": (
        "row {row}, column {column}: the text holds a NUL character; is the file binary or saved "
        "in the wrong character set? Save it again as CSV (UTF-8)"
    ),
    "msg_problem_wrong_field_count": (
        "row {row}: this row has {found} fields, the header {expected} — the row was skipped; is "
        "there a delimiter too many or too few?"
    ),
    "msg_problem_wrong_field_count_any": (
        "row {row}: this row does not have as many fields as the header — the row was skipped; "
        "is there a delimiter too many or too few?"
    ),
    "msg_problem_unterminated_quote": (
        "row {row}: a quote is never closed, so the rest of the file was read as one value — "
        "correct the quote in the file"
    ),
    "msg_problem_count": "This happens {count} times.",
    "msg_problem_examples": "Examples",
    "msg_problem_row": "Row",
    "msg_problem_column": "Column",
    "msg_problem_value": "Value",
    "msg_problem_whole_row": "(whole row)",
    "msg_report_title": "What is wrong",
    "msg_report_kept": (
        "Nothing was kept. Choose another type for the column, or correct the file and upload it "
        "again."
    ),
    "msg_field_metadata": "Metadata",
    "msg_field_title_nl": "Title (Dutch)",
    "msg_field_title_en": "Title (English)",
    "msg_field_description_nl": "Description (Dutch)",
    "msg_field_description_en": "Description (English)",
    "msg_field_organisation": "Organisation",
    "msg_field_contact_point": "Contact point",
    "msg_field_contact_point.name": "Contact point's name",
    "msg_field_contact_point.email": "Contact point's e-mail address",
    "msg_field_themes": "Themes",
    "msg_field_keywords": "Keywords",
    "msg_field_licence": "Licence",
    "msg_field_spatial": "Area",
    "msg_field_temporal": "Period",
    "msg_field_temporal.start": "Start of the period",
    "msg_field_temporal.end": "End of the period",
    "msg_field_frequency": "Update frequency",
    "msg_field_classification": "Classification",
    "msg_field_classification_reason": "Reason for the classification",
    "msg_field_restriction_reason": "Why it is not open",
    "msg_field_listed": "Listed on the page of data that is not open",
    "msg_field_steward": "Steward",
    "msg_field_record_key": "Key fields",
    "msg_field_personal_data": "Personal data",
    "msg_field_processing_activity": "Entry in the processing register",
    "msg_field_rdf_mapping": "Linked data mapping",
    "msg_field_timezone": "Source time zone",
    "msg_field_dataset": "Dataset identifier",
    "msg_field_file": "File",
    "msg_meta_missing": "{label}: fill this in.",
    "msg_meta_string_too_short": "{label}: fill this in.",
    "msg_meta_string_too_long": "{label}: use at most {max_length} characters.",
    "msg_meta_too_long": "{label}: give at most {max_length}.",
    "msg_meta_string_type": "{label}: enter text here.",
    "msg_meta_list_type": "{label}: give a list, separated by commas.",
    "msg_meta_enum": "{label}: choose one of the values in the list.",
    "msg_meta_literal_error": "{label}: choose one of the values in the list.",
    "msg_meta_bool_parsing": "{label}: choose yes or no.",
    "msg_meta_bool_type": "{label}: choose yes or no.",
    "msg_meta_date_parsing": "{label}: enter a valid date, for example 2024-12-31.",
    "msg_meta_date_from_datetime_parsing": "{label}: enter a valid date, for example 2024-12-31.",
    "msg_meta_date_type": "{label}: enter a valid date, for example 2024-12-31.",
    "msg_meta_extra_forbidden": "{label}: this field does not exist.",
    "msg_meta_dict_type": "{label}: this value does not have the right form.",
    "msg_meta_model_type": "{label}: this value does not have the right form.",
    "msg_meta_invalid": "{label}: this value is not right.",
    "msg_meta_contact_point.email_value_error": (
        "Enter a valid e-mail address, for example name@stad.gent."
    ),
    "msg_meta_temporal_value_error": "The end date is before the start date.",
    "msg_meta_restriction_reason_value_error": (
        "{label}: choose a reason from the list (privacy, security, third-party rights, in "
        "preparation); a dataset that is not open needs one."
    ),
    "msg_meta_timezone_value_error": (
        "{label}: unknown time zone; choose one from the list, for example Europe/Brussels."
    ),
    "msg_meta_themes_value_error": "{label}: each theme is at most 100 characters.",
    "msg_meta_keywords_value_error": "{label}: each keyword is at most 100 characters.",
    "msg_meta_record_key_value_error": "{label}: each field is at most 100 characters.",
    "msg_meta_processing_activity_value_error": (
        "{label}: use the entry's identifier as the register shows it (36 characters)."
    ),
    "msg_meta_rdf_mapping_value_error": (
        "{label}: this mapping is not right; see the guide on linked data."
    ),
    "msg_meta__value_error": "Text may not contain a NUL character.",
    "msg_error_generic": "Something is wrong with your request.",
    "msg_error_details": "Technical details",
    "msg_error_forbidden": "This form has expired. Reload the page and try again.",
    "msg_error_not_found": "This does not exist (any more), or you have no access to it.",
    "msg_error_upload_gone": (
        "This upload no longer exists (unchecked files are cleared after a week). Upload it again."
    ),
    "msg_error_version_not_found": "This dataset has no version {version}.",
    "msg_error_quality_gate": (
        "Version {version} is not published: its data quality is below the minimum for "
        "'{classification}' data. The failing rules are listed with the version. Improve the "
        "data, or publish anyway with a written reason."
    ),
    "msg_error_version_not_number": "Choose a version to publish.",
    "msg_error_unsupported_format": (
        "Belfort cannot read this kind of file. Use CSV, Excel (.xlsx), JSON, GeoJSON or Parquet."
    ),
    "msg_error_unreadable_file": (
        "Belfort cannot read this file: it is damaged, incomplete, or not what its name says. "
        "Save it again (for example as CSV) and upload it again."
    ),
    "msg_error_file_too_large": "This file is too large: it may be at most {maximum} bytes.",
    "msg_error_file_too_large_any": "This file is too large to process.",
    "msg_error_file_shape_refused": (
        "This file has too many columns or cells to process (at most {maximum})."
    ),
    "msg_error_file_empty": "The chosen file is empty.",
    "msg_error_file_missing": "Choose a file to upload.",
    "msg_error_file_again": ("Choose the file again: a browser does not send a chosen file twice."),
    "msg_error_bad_slug": (
        "Use lower-case letters, digits and hyphens (not at the start or end), for example "
        "bike-counts-ghent."
    ),
    "msg_error_validation_failed": (
        "The file was not kept: some values do not fit the chosen type. What and where is "
        "listed below."
    ),
    "msg_error_illegal_transition": "The state cannot go from '{current}' to '{target}'.",
    "msg_error_unknown_state": "Choose a state from the list.",
    "msg_error_archived": "This dataset is archived; set it back to 'deprecated' first.",
    "msg_error_no_version": "This dataset has no version to publish yet.",
    "msg_error_personal_data_needs_register_entry": (
        "This dataset holds personal data: link it to a published entry in the processing "
        "register first."
    ),
    "msg_error_query_unknown_field": (
        "This dataset has no field '{field}'. Use a column name from the table."
    ),
    "msg_error_query": (
        "This filter cannot be run. Search for a word (for example Korenmarkt) or a field (for "
        "example aantal > 100)."
    ),
    "msg_error_query_at": (
        "This filter cannot be read from character {position} on. Search for a word (for "
        "example Korenmarkt) or a field (for example aantal > 100)."
    ),
    "msg_error_query_timeout": "This took too long. Ask for less and try again.",
    "msg_error_busy": "It is very busy right now. Try again in a minute.",
    "msg_error_unauthorized": "Sign in to see this.",
    "msg_error_summary": "There is a problem",
    "msg_page_404": "Page not found",
    "msg_page_400": "There is a problem",
    "msg_page_other": "Something went wrong",
    "msg_page_status": "Error code {status}",
    "msg_state_current": "{state} (current state)",
    "msg_state_confirm": (
        "I understand that '{archived}' and '{deprecated}' change the dataset for everyone."
    ),
    "msg_state_confirm_needed": (
        "Tick the box to confirm you understand what '{target}' does: nothing was changed."
    ),
    "msg_state_unchanged": "The state was not changed: you chose the current state.",
    "msg_state_changed": "The state of {title} is now '{state}'.",
    "msg_published": "Version {version} of {title} is published: {rows} rows.",
    "msg_published_link": "View the public page",
    "msg_sniffed_whole": "Read as {format}; types inferred from all {rows} rows.",
}

# --- the processing register entry's fields (belfort.register.model.ActivityInput)
_REGISTER_LABELS_NL = {
    "name": "Naam van de verwerking",
    "description": "Beschrijving",
    "category": "Categorie",
    "processor": "Verwerkende dienst",
    "controller": "Verwerkingsverantwoordelijke",
    "legal_basis": "Rechtsgrond",
    "legal_basis_explained": "Toelichting bij de rechtsgrond",
    "formal_framework": "Wettelijk kader",
    "purposes": "Doeleinden",
    "data_subjects": "Betrokkenen",
    "grantees": "Ontvangers",
    "personal_data.type": "Soort persoonsgegevens",
    "personal_data.description": "Omschrijving van de persoonsgegevens",
    "sensitive_personal_data": "Gevoelige persoonsgegevens",
    "sensitive_personal_data.type": "Soort gevoelige persoonsgegevens",
    "sensitive_personal_data.description": "Omschrijving van de gevoelige persoonsgegevens",
    "retention": "Bewaartermijn",
    "third_country_transfers": "Doorgifte buiten de EU",
    "security_measures": "Beveiligingsmaatregelen",
    "audience": "Doelgroep",
}
_REGISTER_LABELS_EN = {
    "name": "Name of the processing",
    "description": "Description",
    "category": "Category",
    "processor": "Processing department",
    "controller": "Controller",
    "legal_basis": "Legal basis",
    "legal_basis_explained": "Legal basis explained",
    "formal_framework": "Legal framework",
    "purposes": "Purposes",
    "data_subjects": "Data subjects",
    "grantees": "Recipients",
    "personal_data.type": "Kind of personal data",
    "personal_data.description": "Description of the personal data",
    "sensitive_personal_data": "Sensitive personal data",
    "sensitive_personal_data.type": "Kind of sensitive personal data",
    "sensitive_personal_data.description": "Description of the sensitive personal data",
    "retention": "Retention period",
    "third_country_transfers": "Transfers outside the EU",
    "security_measures": "Security measures",
    "audience": "Audience",
}
_ONE_LINE = ("name", "category", "processor", "controller", "legal_basis", "formal_framework",
             "retention", "personal_data.type", "sensitive_personal_data.type")
_TEXT = ("description", "legal_basis_explained", "third_country_transfers", "security_measures",
         "personal_data.description", "sensitive_personal_data.description")
_LISTS = ("purposes", "data_subjects", "grantees")

NL.update({f"msg_field_{k}": v for k, v in _REGISTER_LABELS_NL.items()})
NL.update({f"msg_meta_{k}_value_error": (
    "{label}: gebruik één regel tekst, zonder stuurtekens, puntkomma's of (bij een soort) komma's."
) for k in _ONE_LINE})
NL.update({f"msg_meta_{k}_value_error": "{label}: de tekst bevat stuurtekens; verwijder ze."
           for k in _TEXT})
NL.update({f"msg_meta_{k}_value_error": (
    "{label}: zet elk item op een eigen regel, zonder puntkomma's of stuurtekens (betrokkenen "
    "en ontvangers ook zonder komma's), ten hoogste 200 tekens (doeleinden 1000)."
) for k in _LISTS})
EN.update({f"msg_field_{k}": v for k, v in _REGISTER_LABELS_EN.items()})
EN.update({f"msg_meta_{k}_value_error": (
    "{label}: use one line of text, without control characters, semicolons or (for a kind) "
    "commas."
) for k in _ONE_LINE})
EN.update({f"msg_meta_{k}_value_error": "{label}: the text holds control characters; remove them."
           for k in _TEXT})
EN.update({f"msg_meta_{k}_value_error": (
    "{label}: put each item on a line of its own, without semicolons or control characters "
    "(data subjects and recipients also without commas), at most 200 characters (purposes 1000)."
) for k in _LISTS})
