"""The access area's texts: the transparency page (issue 14, item 7)."""

from __future__ import annotations

NL: dict[str, str] = {
    "footer_transparency": "Niet-open data",
    "transparency_title": "Data die niet open is",
    "transparency_intro": (
        "Gent publiceert open, tenzij er een reden is om dat niet te doen. Deze datasets zijn "
        "niet open; hun eigenaars vermelden ze hier, met de reden. Wie ze nodig heeft voor een "
        "wettig doel, kan toegang vragen."
    ),
    "transparency_none": "Er staan nog geen niet-open datasets op deze lijst.",
    "transparency_col_title": "Dataset",
    "transparency_col_owner": "Eigenaar",
    "transparency_col_classification": "Classificatie",
    "transparency_col_reason": "Waarom niet open",
    "transparency_col_count": "Aantal datasets",
    "transparency_counts_title": "Hoeveel datasets niet open zijn, en waarom",
    "transparency_counts_intro": (
        "Alle gepubliceerde datasets die niet open zijn, ook die niet op de lijst hieronder "
        "staan, geteld per reden."
    ),
    "transparency_listed_title": "Datasets die hun eigenaar hier vermeldt",
    "transparency_request": "Toegang vragen",
    "transparency_request_label": "Toegang vragen tot {title}",
    "transparency_no_contact": "Geen contactadres opgegeven",
    "transparency_contact": "Contact",
    "transparency_contact_label": "Mail de eigenaar van {title}",
    "classification_internal": "intern",
    "classification_confidential": "vertrouwelijk",
    "classification_strictly-confidential": "strikt vertrouwelijk",
}

EN: dict[str, str] = {
    "footer_transparency": "Data that is not open",
    "transparency_title": "Data that is not open",
    "transparency_intro": (
        "Ghent publishes open data unless there is a reason not to. These datasets are not "
        "open; their owners list them here with the reason. Anyone who needs one for a lawful "
        "purpose can ask for access."
    ),
    "transparency_none": "No datasets that are not open are listed yet.",
    "transparency_col_title": "Dataset",
    "transparency_col_owner": "Owner",
    "transparency_col_classification": "Classification",
    "transparency_col_reason": "Why it is not open",
    "transparency_col_count": "Number of datasets",
    "transparency_counts_title": "How many datasets are not open, and why",
    "transparency_counts_intro": (
        "Every published dataset that is not open, also those not on the list below, "
        "counted per reason."
    ),
    "transparency_listed_title": "Datasets their owners list here",
    "transparency_request": "Ask for access",
    "transparency_request_label": "Ask for access to {title}",
    "transparency_no_contact": "No contact address given",
    "transparency_contact": "Contact",
    "transparency_contact_label": "E-mail the owner of {title}",
    "classification_internal": "internal",
    "classification_confidential": "confidential",
    "classification_strictly-confidential": "strictly confidential",
}
