"""The organisations area's texts: the staff page "Organisaties" (issue 12 items 4, 5, 7) and
chart errors in the page's language."""

from __future__ import annotations

NL: dict[str, str] = {
    "orgs_staff_title": "Organisaties beheren",
    "orgs_manage": "Organisaties beheren",
    "orgs_staff_intro": (
        "Datasets kiezen hun organisatie uit deze lijst. Een nieuwe naam geldt meteen ook "
        "voor de datasets van die organisatie."
    ),
    "orgs_list_title": "Alle organisaties",
    "orgs_col_name": "Naam",
    "orgs_col_slug": "Code",
    "orgs_col_datasets": "Datasets",
    "orgs_col_contact": "Contact",
    "orgs_none": "Er zijn nog geen organisaties.",
    "orgs_edit_link": "Wijzig {name}",
    "orgs_add_title": "Organisatie toevoegen",
    "orgs_add_button": "Organisatie toevoegen",
    "orgs_added": "De organisatie {slug} is toegevoegd.",
    "orgs_edit_title": "Organisatie {name} wijzigen",
    "orgs_save_button": "Wijzigingen opslaan",
    "orgs_saved": "De wijzigingen zijn opgeslagen.",
    "orgs_public_page": "Bekijk de publieke pagina",
    "orgs_back": "Terug naar de organisaties",
    "orgs_dataset_count": "Datasets van deze organisatie: {count}",
    "orgs_field_slug": "Code",
    "orgs_field_name_nl": "Naam (Nederlands)",
    "orgs_field_name_en": "Naam (Engels)",
    "orgs_field_description_nl": "Beschrijving (Nederlands)",
    "orgs_field_description_en": "Beschrijving (Engels)",
    "orgs_field_contact_email": "Contact: e-mailadres",
    "orgs_field_homepage": "Website",
    "orgs_slug_help": (
        "Kleine letters, cijfers en koppeltekens, bijvoorbeeld mobiliteitsbedrijf. "
        "De code staat in webadressen en verandert niet meer."
    ),
    "orgs_homepage_help": "Een volledig webadres, bijvoorbeeld https://stad.gent.",
    "orgs_error_required": "Vul {label} in.",
    "orgs_error_slug": (
        "{label} mag alleen kleine letters, cijfers en koppeltekens bevatten "
        "(hoogstens 80 tekens, niet beginnen of eindigen met een koppelteken)."
    ),
    "orgs_error_slug_taken": "Er is al een organisatie met deze code. Kies een andere code.",
    "orgs_error_name_taken": (
        "Er is al een organisatie met deze naam. Kies een andere naam of wijzig de bestaande."
    ),
    "orgs_error_too_long": "{label} mag hoogstens {limit} tekens lang zijn.",
    "orgs_error_one_line": "{label} moet op één regel staan.",
    "orgs_error_email": "{label} is geen e-mailadres. Schrijf het als naam@stad.gent.",
    "orgs_error_homepage": (
        "{label} is geen webadres. Begin met http:// of https://, zonder spaties."
    ),
    "orgs_error_nul": "{label} bevat een ongeldig teken (NUL). Typ de tekst opnieuw.",
    "orgs_error_invalid": "{label} is niet geldig.",
    "chart_error_too_long": "De keuze voor {choice} is te lang (hoogstens {limit} tekens).",
    "chart_error_not_one_of": "‘{value}’ is geen mogelijke keuze voor {choice}.",
    "chart_error_no_x": "Kies een veld voor de horizontale as.",
    "chart_error_x_type": "Het veld ‘{field}’ ({type}) kan niet op de horizontale as.",
    "chart_error_y_type": (
        "Het veld ‘{field}’ is een {type}. Kies voor de verticale as een veld met getallen."
    ),
    "chart_error_agg_needs_y": (
        "Voor {agg} is een veld met getallen nodig. Kies er een voor de verticale as."
    ),
    "chart_error_scatter_needs_y": (
        "Een puntenwolk heeft een veld met getallen nodig. Kies er een voor de verticale as."
    ),
    "chart_error_raw_needs_scatter": "Losse waarden kunnen alleen als puntenwolk getekend worden.",
    "chart_error_unit_needs_time": (
        "Een tijdseenheid kan alleen bij een datum of tijd. Het veld ‘{field}’ is een {type}."
    ),
    "chart_error_split_type": (
        "Het veld ‘{field}’ ({type}) kan de grafiek niet opsplitsen. "
        "Kies een tekstveld of een ja/nee-veld."
    ),
    "chart_error_split_same": (
        "Splits de grafiek op een ander veld dan dat op de horizontale as."
    ),
    "chart_error_no_field": "Deze dataset heeft geen veld ‘{field}’.",
    "chart_error_too_many_points": (
        "Deze grafiek zou meer dan {limit} punten hebben. Kies een grotere tijdseenheid."
    ),
    "chart_error_too_many_points_any": (
        "Deze grafiek zou te veel punten hebben. Kies een grotere tijdseenheid of splits op "
        "een veld met minder waarden."
    ),
    "chart_error_split_too_many": (
        "Het veld ‘{field}’ heeft meer dan {limit} verschillende waarden. "
        "Splits op een veld met minder waarden."
    ),
    "chart_error_param_chart_mark": "de soort grafiek",
    "chart_error_param_chart_x": "de horizontale as",
    "chart_error_param_chart_y": "de verticale as",
    "chart_error_param_chart_agg": "de berekening",
    "chart_error_param_chart_unit": "de tijdseenheid",
    "chart_error_param_chart_split": "het opsplitsen",
    "chart_error_param_any": "de grafiek",
    "chart_error_agg_count": "het aantal",
    "chart_error_agg_sum": "de som",
    "chart_error_agg_avg": "het gemiddelde",
    "chart_error_agg_min": "het minimum",
    "chart_error_agg_max": "het maximum",
    "chart_error_agg_none": "losse waarden",
}

EN: dict[str, str] = {
    "orgs_staff_title": "Manage organisations",
    "orgs_manage": "Manage organisations",
    "orgs_staff_intro": (
        "Datasets choose their organisation from this list. A new name applies at once to "
        "that organisation's datasets too."
    ),
    "orgs_list_title": "All organisations",
    "orgs_col_name": "Name",
    "orgs_col_slug": "Code",
    "orgs_col_datasets": "Datasets",
    "orgs_col_contact": "Contact",
    "orgs_none": "There are no organisations yet.",
    "orgs_edit_link": "Change {name}",
    "orgs_add_title": "Add an organisation",
    "orgs_add_button": "Add organisation",
    "orgs_added": "Organisation {slug} has been added.",
    "orgs_edit_title": "Change organisation {name}",
    "orgs_save_button": "Save changes",
    "orgs_saved": "Your changes have been saved.",
    "orgs_public_page": "View the public page",
    "orgs_back": "Back to the organisations",
    "orgs_dataset_count": "Datasets of this organisation: {count}",
    "orgs_field_slug": "Code",
    "orgs_field_name_nl": "Name (Dutch)",
    "orgs_field_name_en": "Name (English)",
    "orgs_field_description_nl": "Description (Dutch)",
    "orgs_field_description_en": "Description (English)",
    "orgs_field_contact_email": "Contact: email address",
    "orgs_field_homepage": "Website",
    "orgs_slug_help": (
        "Lowercase letters, digits and hyphens, for example mobiliteitsbedrijf. "
        "The code appears in web addresses and cannot be changed later."
    ),
    "orgs_homepage_help": "A full web address, for example https://stad.gent.",
    "orgs_error_required": "Enter {label}.",
    "orgs_error_slug": (
        "{label} may only contain lowercase letters, digits and hyphens "
        "(at most 80 characters, not starting or ending with a hyphen)."
    ),
    "orgs_error_slug_taken": "There is already an organisation with this code. Choose another.",
    "orgs_error_name_taken": (
        "There is already an organisation with this name. Choose another name or change "
        "the existing one."
    ),
    "orgs_error_too_long": "{label} must be {limit} characters or fewer.",
    "orgs_error_one_line": "{label} must be on one line.",
    "orgs_error_email": "{label} is not an email address. Write it like name@stad.gent.",
    "orgs_error_homepage": (
        "{label} is not a web address. Start with http:// or https://, without spaces."
    ),
    "orgs_error_nul": "{label} contains an invalid character (NUL). Type the text again.",
    "orgs_error_invalid": "{label} is not valid.",
    "chart_error_too_long": "The choice for {choice} is too long (at most {limit} characters).",
    "chart_error_not_one_of": "‘{value}’ is not a possible choice for {choice}.",
    "chart_error_no_x": "Choose a field for the horizontal axis.",
    "chart_error_x_type": "The field ‘{field}’ ({type}) cannot go on the horizontal axis.",
    "chart_error_y_type": (
        "The field ‘{field}’ is a {type}. Choose a field with numbers for the vertical axis."
    ),
    "chart_error_agg_needs_y": (
        "{agg} needs a field with numbers. Choose one for the vertical axis."
    ),
    "chart_error_scatter_needs_y": (
        "A scatter plot needs a field with numbers. Choose one for the vertical axis."
    ),
    "chart_error_raw_needs_scatter": "Single values can only be drawn as a scatter plot.",
    "chart_error_unit_needs_time": (
        "A time unit only applies to a date or time. The field ‘{field}’ is a {type}."
    ),
    "chart_error_split_type": (
        "The field ‘{field}’ ({type}) cannot split the chart. Choose a text or yes/no field."
    ),
    "chart_error_split_same": "Split the chart by another field than the horizontal axis.",
    "chart_error_no_field": "This dataset has no field ‘{field}’.",
    "chart_error_too_many_points": (
        "This chart would have more than {limit} points. Choose a larger time unit."
    ),
    "chart_error_too_many_points_any": (
        "This chart would have too many points. Choose a larger time unit or split by a "
        "field with fewer values."
    ),
    "chart_error_split_too_many": (
        "The field ‘{field}’ has more than {limit} different values. "
        "Split by a field with fewer values."
    ),
    "chart_error_param_chart_mark": "the kind of chart",
    "chart_error_param_chart_x": "the horizontal axis",
    "chart_error_param_chart_y": "the vertical axis",
    "chart_error_param_chart_agg": "the calculation",
    "chart_error_param_chart_unit": "the time unit",
    "chart_error_param_chart_split": "splitting",
    "chart_error_param_any": "the chart",
    "chart_error_agg_count": "The count",
    "chart_error_agg_sum": "The sum",
    "chart_error_agg_avg": "The average",
    "chart_error_agg_min": "The minimum",
    "chart_error_agg_max": "The maximum",
    "chart_error_agg_none": "Single values",
}
