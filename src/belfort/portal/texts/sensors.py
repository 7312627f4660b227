"""The sensors area's texts: the staff page "Sensoren" (issue 13 item 1): the list, adding a
sensor (its credential shown once), revoking one, and the recent refusals."""

from __future__ import annotations

NL: dict[str, str] = {
    "sensors_manage": "Sensoren beheren",
    "sensors_staff_title": "Sensoren beheren",
    "sensors_staff_intro": (
        "Elke sensor stuurt waarnemingen met een eigen sleutel. Een ingetrokken sensor wordt "
        "geweigerd; zijn waarnemingen blijven bewaard."
    ),
    "sensors_list_title": "Alle sensoren",
    "sensors_none": "Er zijn nog geen sensoren.",
    "sensors_col_id": "Code",
    "sensors_col_name": "Naam",
    "sensors_col_kind": "Soort",
    "sensors_col_property": "Eigenschap",
    "sensors_col_dataset": "Dataset",
    "sensors_col_status": "Status",
    "sensors_col_action": "Actie",
    "sensors_active": "actief",
    "sensors_revoked": "ingetrokken",
    "sensors_revoke_link": "Trek {id} in",
    "sensors_add_title": "Sensor toevoegen",
    "sensors_add_button": "Sensor toevoegen",
    "sensors_field_id": "Code",
    "sensors_field_name": "Naam",
    "sensors_field_kind": "Soort",
    "sensors_field_observed_property": "Waargenomen eigenschap",
    "sensors_field_unit": "Eenheid",
    "sensors_field_longitude": "Lengtegraad (WGS84)",
    "sensors_field_latitude": "Breedtegraad (WGS84)",
    "sensors_field_dataset_id": "Dataset",
    "sensors_id_help": (
        "Letters, cijfers, punt, liggend streepje, dubbelpunt of koppelteken, bijvoorbeeld "
        "korenmarkt-1. De code verandert niet meer."
    ),
    "sensors_location_help": "Optioneel; vul beide in, bijvoorbeeld 3,7209 en 51,0545.",
    "sensors_error_id": "{label}: gebruik 1 tot 100 letters, cijfers, '.', '_', ':' of '-'.",
    "sensors_error_id_taken": "{label}: er bestaat al een sensor met deze code.",
    "sensors_error_name": "{label} is verplicht (ten hoogste 200 tekens).",
    "sensors_error_kind": "{label} is verplicht (ten hoogste 50 tekens).",
    "sensors_error_observed_property": (
        "{label}: een naam van letters, cijfers, '_', '.' of '-', bijvoorbeeld count."
    ),
    "sensors_error_unit": "{label}: ten hoogste 50 tekens.",
    "sensors_error_longitude": "{label}: een getal tussen -180 en 180 (samen met de breedtegraad).",
    "sensors_error_latitude": "{label}: een getal tussen -90 en 90 (samen met de lengtegraad).",
    "sensors_error_dataset_id": "{label}: kleine letters, cijfers en koppeltekens.",
    "sensors_error_nul": "{label} bevat een ongeldig teken.",
    "sensors_created_title": "Sensor {id} is toegevoegd",
    "sensors_credential_intro": (
        "Dit is de sleutel van de sensor. Kopieer hem nu en stel hem in op het toestel: hij "
        "wordt maar één keer getoond en niet bewaard (alleen een vingerafdruk ervan)."
    ),
    "sensors_credential_label": "Sleutel van {id}",
    "sensors_back": "Terug naar de sensoren",
    "sensors_revoke_title": "Sensor {id} intrekken",
    "sensors_revoke_question": (
        "Wil je de sensor {id} ({name}) intrekken? Zijn berichten worden vanaf nu geweigerd; "
        "dat kan niet ongedaan worden gemaakt. Zijn waarnemingen blijven bewaard."
    ),
    "sensors_revoke_button": "Ja, trek de sensor in",
    "sensors_revoke_cancel": "Nee, terug",
    "sensors_revoked_notice": "De sensor {id} is ingetrokken.",
    "sensors_already_revoked": "De sensor {id} is al ingetrokken.",
    "sensors_refusals_title": "Recente weigeringen",
    "sensors_refusals_none": "Er zijn geen weigeringen.",
    "sensors_col_minute": "Minuut (UTC)",
    "sensors_col_device": "Toestel",
    "sensors_col_channel": "Kanaal",
    "sensors_col_reason": "Reden",
    "sensors_col_count": "Aantal",
}

EN: dict[str, str] = {
    "sensors_manage": "Manage sensors",
    "sensors_staff_title": "Manage sensors",
    "sensors_staff_intro": (
        "Every sensor sends observations with a credential of its own. A revoked sensor is "
        "refused; its observations are kept."
    ),
    "sensors_list_title": "All sensors",
    "sensors_none": "There are no sensors yet.",
    "sensors_col_id": "Code",
    "sensors_col_name": "Name",
    "sensors_col_kind": "Kind",
    "sensors_col_property": "Property",
    "sensors_col_dataset": "Dataset",
    "sensors_col_status": "Status",
    "sensors_col_action": "Action",
    "sensors_active": "active",
    "sensors_revoked": "revoked",
    "sensors_revoke_link": "Revoke {id}",
    "sensors_add_title": "Add a sensor",
    "sensors_add_button": "Add sensor",
    "sensors_field_id": "Code",
    "sensors_field_name": "Name",
    "sensors_field_kind": "Kind",
    "sensors_field_observed_property": "Observed property",
    "sensors_field_unit": "Unit",
    "sensors_field_longitude": "Longitude (WGS84)",
    "sensors_field_latitude": "Latitude (WGS84)",
    "sensors_field_dataset_id": "Dataset",
    "sensors_id_help": (
        "Letters, digits, dot, underscore, colon or hyphen, for example korenmarkt-1. The code "
        "does not change later."
    ),
    "sensors_location_help": "Optional; give both, for example 3.7209 and 51.0545.",
    "sensors_error_id": "{label}: use 1 to 100 letters, digits, '.', '_', ':' or '-'.",
    "sensors_error_id_taken": "{label}: a sensor with this code exists already.",
    "sensors_error_name": "{label} is required (at most 200 characters).",
    "sensors_error_kind": "{label} is required (at most 50 characters).",
    "sensors_error_observed_property": (
        "{label}: a name of letters, digits, '_', '.' or '-', for example count."
    ),
    "sensors_error_unit": "{label}: at most 50 characters.",
    "sensors_error_longitude": "{label}: a number between -180 and 180 (with the latitude).",
    "sensors_error_latitude": "{label}: a number between -90 and 90 (with the longitude).",
    "sensors_error_dataset_id": "{label}: lower-case letters, digits and hyphens.",
    "sensors_error_nul": "{label} contains an invalid character.",
    "sensors_created_title": "Sensor {id} was added",
    "sensors_credential_intro": (
        "This is the sensor's credential. Copy it now and set it on the device: it is shown "
        "only this once and not stored (only a fingerprint of it)."
    ),
    "sensors_credential_label": "Credential of {id}",
    "sensors_back": "Back to the sensors",
    "sensors_revoke_title": "Revoke sensor {id}",
    "sensors_revoke_question": (
        "Do you want to revoke the sensor {id} ({name})? Its messages are refused from now on; "
        "this cannot be undone. Its observations are kept."
    ),
    "sensors_revoke_button": "Yes, revoke the sensor",
    "sensors_revoke_cancel": "No, go back",
    "sensors_revoked_notice": "The sensor {id} was revoked.",
    "sensors_already_revoked": "The sensor {id} is revoked already.",
    "sensors_refusals_title": "Recent refusals",
    "sensors_refusals_none": "There are no refusals.",
    "sensors_col_minute": "Minute (UTC)",
    "sensors_col_device": "Device",
    "sensors_col_channel": "Channel",
    "sensors_col_reason": "Reason",
    "sensors_col_count": "Count",
}
