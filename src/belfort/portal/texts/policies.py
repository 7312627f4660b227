"""The policies area's texts: the staff page of a dataset's ODRL policies (issue 14 item 3)."""

from __future__ import annotations

NL: dict[str, str] = {
    "pol_staff_link": "Beleidsregels (wie mag wat)",
    "pol_staff_title": "Beleidsregels van {dataset}",
    "pol_staff_intro": (
        "Wie mag deze dataset lezen, enkel tellen (aggregaten), exporteren of live volgen, "
        "voor welk doel en tot wanneer: ODRL-beleidsregels in JSON-LD (zie de documentatie, "
        "\"Policies (ODRL)\")."
    ),
    "pol_staff_list": "Beleidsregels",
    "pol_staff_none": "Deze dataset heeft nog geen beleidsregels.",
    "pol_staff_col_uid": "Identificator",
    "pol_staff_col_type": "Soort",
    "pol_staff_col_state": "Toegepast",
    "pol_staff_col_until": "Geldig tot",
    "pol_staff_col_by": "Laatst gewijzigd door",
    "pol_staff_col_actions": "Acties",
    "pol_staff_enabled": "ja",
    "pol_staff_disabled": "nee",
    "pol_staff_edit": "Bewerken",
    "pol_staff_delete": "Verwijderen",
    "pol_staff_delete_confirm": "Ja, verwijderen",
    "pol_staff_delete_needs_confirm": "Vink eerst aan dat je de beleidsregel wil verwijderen.",
    "pol_staff_form": "Beleidsregel toevoegen of vervangen",
    "pol_staff_source": "Beleidsregel (JSON-LD)",
    "pol_staff_source_hint": (
        "Plak een ODRL-beleidsregel; een regel met dezelfde uid wordt vervangen."
    ),
    "pol_staff_apply": "Meteen toepassen",
    "pol_staff_save": "Opslaan",
    "pol_staff_saved": "Beleidsregel {uid} is opgeslagen.",
    "pol_staff_deleted": "Beleidsregel {uid} is verwijderd.",
    "pol_staff_problem": "{path}: {message}",
    "pol_staff_whole": "de beleidsregel",
    "pol_staff_too_large": "Een beleidsregel is hoogstens {limit} bytes groot.",
    "pol_staff_other_dataset": "Deze beleidsregel gaat niet over {dataset}: pas de target aan.",
}

EN: dict[str, str] = {
    "pol_staff_link": "Policies (who may do what)",
    "pol_staff_title": "Policies of {dataset}",
    "pol_staff_intro": (
        "Who may read this dataset, only count it (aggregates), export it or follow it live, "
        "for which purpose and until when: ODRL policies in JSON-LD (see the documentation, "
        "\"Policies (ODRL)\")."
    ),
    "pol_staff_list": "Policies",
    "pol_staff_none": "This dataset has no policies yet.",
    "pol_staff_col_uid": "Identifier",
    "pol_staff_col_type": "Type",
    "pol_staff_col_state": "Applied",
    "pol_staff_col_until": "Valid until",
    "pol_staff_col_by": "Last changed by",
    "pol_staff_col_actions": "Actions",
    "pol_staff_enabled": "yes",
    "pol_staff_disabled": "no",
    "pol_staff_edit": "Edit",
    "pol_staff_delete": "Delete",
    "pol_staff_delete_confirm": "Yes, delete",
    "pol_staff_delete_needs_confirm": "Tick the box first to delete the policy.",
    "pol_staff_form": "Add or replace a policy",
    "pol_staff_source": "Policy (JSON-LD)",
    "pol_staff_source_hint": "Paste an ODRL policy; one with the same uid is replaced.",
    "pol_staff_apply": "Apply it now",
    "pol_staff_save": "Save",
    "pol_staff_saved": "Policy {uid} saved.",
    "pol_staff_deleted": "Policy {uid} deleted.",
    "pol_staff_problem": "{path}: {message}",
    "pol_staff_whole": "the policy",
    "pol_staff_too_large": "A policy is at most {limit} bytes.",
    "pol_staff_other_dataset": "This policy is not about {dataset}: change its target.",
}
