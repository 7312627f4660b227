"""The access requests' texts (issue 14, item 5): the request form, "my requests" and the
stewards' pages."""

from __future__ import annotations

NL: dict[str, str] = {
    "areq_form_title": "Toegang vragen tot {title}",
    "areq_form_dataset": "Eigenaar: {owner}. Classificatie: {classification}.",
    "areq_form_heading": "Je aanvraag",
    "areq_classification_open": "open (een deel kan toch afgeschermd zijn)",
    "areq_sign_in_intro": (
        "Om toegang te vragen meld je je aan, zodat de beheerder weet wie vraagt en jij je "
        "aanvragen later terugvindt. Je hoeft geen medewerker van de stad te zijn."
    ),
    "areq_sign_in": "Aanmelden om toegang te vragen",
    "areq_no_provider": (
        "Aanmelden is op dit platform niet ingesteld; vraag de eigenaar om "
        "toegang."
    ),
    "areq_sign_in_first": "Je sessie is verlopen: meld je opnieuw aan. Wat je typte, staat er nog.",
    "areq_purpose": "Doel",
    "areq_purpose_hint": "Kies het doel uit de lijst van de Data Privacy Vocabulary (DPV).",
    "areq_purpose_choose": "Kies een doel",
    "areq_purpose_missing": "Kies een doel uit de lijst.",
    "areq_purpose_text": "Het doel in je eigen woorden",
    "areq_purpose_text_hint": "Waarvoor gebruik je de data? {min} tot {max} tekens.",
    "areq_message": "Bericht aan de beheerder (niet verplicht)",
    "areq_message_hint": (
        "Bijvoorbeeld welke velden of periode je nodig hebt. Hoogstens {max} "
        "tekens."
    ),
    "areq_send": "Aanvraag versturen",
    "areq_control": (
        "Deze tekst bevat een onzichtbaar stuurteken (zoals een NUL-teken); haal het "
        "weg."
    ),
    "areq_markup": "HTML of scripts zijn hier niet toegestaan; schrijf gewone tekst.",
    "areq_too_short": "Schrijf minstens {min} tekens.",
    "areq_too_long": "Hoogstens {max} tekens; je schreef er {length}.",
    "areq_already_pending": "Je hebt al een openstaande aanvraag voor deze dataset.",
    "areq_refused": "De aanvraag werd niet aanvaard: {reason}",
    "areq_mine_title": "Mijn toegangsaanvragen",
    "areq_mine_intro": "Je aanvragen, de nieuwste eerst, met hun stand.",
    "areq_mine_none": "Je hebt nog geen toegang gevraagd. Niet-open datasets staan op",
    "areq_sent": "Je aanvraag is verstuurd. De beheerder beslist; je ziet de stand hier.",
    "areq_withdrawn_notice": "Je aanvraag is ingetrokken.",
    "areq_col_status": "Stand",
    "areq_col_asked": "Gevraagd op",
    "areq_col_reason": "Doel en bericht",
    "areq_col_requester": "Aanvrager",
    "areq_col_decided": "Beslist op",
    "areq_status_pending": "In behandeling",
    "areq_status_approved": "Goedgekeurd",
    "areq_status_refused": "Geweigerd",
    "areq_status_withdrawn": "Ingetrokken",
    "areq_until": "Geldig tot en met",
    "areq_actions": "Wat mag",
    "areq_action_read": "rijen lezen",
    "areq_action_aggregate": "alleen samenvattingen (groepen)",
    "areq_action_export": "exporteren",
    "areq_fields": "Velden",
    "areq_fields_asked": "Gevraagde velden",
    "areq_all_fields": "alle velden",
    "areq_row_filter": "Rijfilter",
    "areq_threshold": "Drempel: minstens zoveel bijdragers per groep",
    "areq_per_day": "Verzoeken per dag",
    "areq_steward_note": "Toelichting van de beheerder",
    "areq_refusal_reason": "Reden van weigering",
    "areq_how_to_use": (
        "Gebruik de API met je aanmelding (een bearer-token van de identiteitsprovider) en "
        "vermeld het doel in de kop X-Belfort-Purpose: dpv:{purpose}."
    ),
    "areq_withdraw": "Intrekken",
    "areq_withdraw_label": "Aanvraag voor {dataset} intrekken",
    "areq_decided_by": "Beslist door",
    "areq_staff_title": "Toegangsaanvragen",
    "areq_staff_link": "Toegangsaanvragen behandelen",
    "areq_staff_intro_all": "Als beheerder zie je de aanvragen voor alle datasets.",
    "areq_staff_intro_org": "Je ziet de aanvragen voor de datasets van {organisation}.",
    "areq_staff_pending": "Openstaand ({count})",
    "areq_staff_none": "Er staan geen aanvragen open.",
    "areq_staff_recent": "Onlangs beslist",
    "areq_staff_decided": "De beslissing is bewaard en staat in het auditspoor.",
    "areq_staff_one": "Aanvraag voor {title}",
    "areq_approve_title": "Goedkeuren, met voorwaarden",
    "areq_mode_read": "Rijen lezen (met de gekozen velden en rijfilter)",
    "areq_mode_aggregate": "Alleen samenvattingen, met de drempel hieronder",
    "areq_mode_export": "Ook exporteren (volledige bestanden) toestaan",
    "areq_threshold_hint": (
        "Alleen voor samenvattingen: groepen met minder bijdragers blijven verborgen "
        "(standaard 10)."
    ),
    "areq_threshold_bad": "Geef een geheel getal van 2 tot 1.000.000.",
    "areq_fields_missing": "Kies minstens één veld van de dataset.",
    "areq_row_filter_hint": (
        "Niet verplicht. Een where-uitdrukking zoals in de API, bv. wijk = "
        "\"Binnenstad\"."
    ),
    "areq_row_filter_bad": "Deze rijfilter klopt niet: {message}",
    "areq_per_day_hint": "Niet verplicht: het hoogste aantal verzoeken per dag.",
    "areq_per_day_bad": "Geef een geheel getal van 1 tot 1.000.000, of laat het leeg.",
    "areq_expires_hint": (
        "De toegang vervalt op het einde van deze dag (Gentse tijd); hoogstens een "
        "jaar."
    ),
    "areq_expires_bad": "Geef een datum, bv. 2027-03-31.",
    "areq_expires_range": "Kies een dag na vandaag en binnen {days} dagen.",
    "areq_approve": "Goedkeuren",
    "areq_refuse_title": "Weigeren",
    "areq_refusal_hint": "De aanvrager leest deze reden.",
    "areq_refusal_missing": "Geef een reden (minstens 3 tekens).",
    "areq_refuse": "Weigeren",
}

EN: dict[str, str] = {
    "areq_form_title": "Ask for access to {title}",
    "areq_form_dataset": "Owner: {owner}. Classification: {classification}.",
    "areq_form_heading": "Your request",
    "areq_classification_open": "open (a part may still be held back)",
    "areq_sign_in_intro": (
        "To ask for access, sign in, so that the steward knows who asks and you find your "
        "requests again later. You need not work for the city."
    ),
    "areq_sign_in": "Sign in to ask for access",
    "areq_no_provider": "Signing in is not set up on this platform; ask the owner for access.",
    "areq_sign_in_first": "Your session has ended: sign in again. What you typed is still here.",
    "areq_purpose": "Purpose",
    "areq_purpose_hint": "Choose the purpose from the Data Privacy Vocabulary (DPV) list.",
    "areq_purpose_choose": "Choose a purpose",
    "areq_purpose_missing": "Choose a purpose from the list.",
    "areq_purpose_text": "The purpose in your own words",
    "areq_purpose_text_hint": "What will you use the data for? {min} to {max} characters.",
    "areq_message": "Message to the steward (optional)",
    "areq_message_hint": "For example which fields or period you need. At most {max} characters.",
    "areq_send": "Send the request",
    "areq_control": "This text holds an invisible control character (such as a NUL); remove it.",
    "areq_markup": "HTML or scripts are not allowed here; write plain text.",
    "areq_too_short": "Write at least {min} characters.",
    "areq_too_long": "At most {max} characters; you wrote {length}.",
    "areq_already_pending": "You already have a pending request for this dataset.",
    "areq_refused": "The request was not accepted: {reason}",
    "areq_mine_title": "My access requests",
    "areq_mine_intro": "Your requests, newest first, with their status.",
    "areq_mine_none": "You have not asked for access yet. Datasets that are not open are listed on",
    "areq_sent": "Your request has been sent. The steward decides; you see the status here.",
    "areq_withdrawn_notice": "Your request has been withdrawn.",
    "areq_col_status": "Status",
    "areq_col_asked": "Asked on",
    "areq_col_reason": "Purpose and message",
    "areq_col_requester": "Requester",
    "areq_col_decided": "Decided on",
    "areq_status_pending": "Pending",
    "areq_status_approved": "Approved",
    "areq_status_refused": "Refused",
    "areq_status_withdrawn": "Withdrawn",
    "areq_until": "Valid until (inclusive)",
    "areq_actions": "What is allowed",
    "areq_action_read": "read rows",
    "areq_action_aggregate": "aggregates only (groups)",
    "areq_action_export": "export",
    "areq_fields": "Fields",
    "areq_fields_asked": "Fields asked for",
    "areq_all_fields": "all fields",
    "areq_row_filter": "Row filter",
    "areq_threshold": "Threshold: at least this many contributors per group",
    "areq_per_day": "Requests per day",
    "areq_steward_note": "The steward's note",
    "areq_refusal_reason": "Reason for refusal",
    "areq_how_to_use": (
        "Use the API with your sign-in (a bearer token from the identity provider) and state "
        "the purpose in the X-Belfort-Purpose header: dpv:{purpose}."
    ),
    "areq_withdraw": "Withdraw",
    "areq_withdraw_label": "Withdraw the request for {dataset}",
    "areq_decided_by": "Decided by",
    "areq_staff_title": "Access requests",
    "areq_staff_link": "Handle access requests",
    "areq_staff_intro_all": "As an admin you see the requests for every dataset.",
    "areq_staff_intro_org": "You see the requests for the datasets of {organisation}.",
    "areq_staff_pending": "Pending ({count})",
    "areq_staff_none": "No requests are pending.",
    "areq_staff_recent": "Decided lately",
    "areq_staff_decided": "The decision is saved and recorded in the audit trail.",
    "areq_staff_one": "Request for {title}",
    "areq_approve_title": "Approve, with conditions",
    "areq_mode_read": "Read rows (with the chosen fields and row filter)",
    "areq_mode_aggregate": "Aggregates only, with the threshold below",
    "areq_mode_export": "Also allow exports (whole files)",
    "areq_threshold_hint": (
        "Aggregates only: groups with fewer contributors stay hidden (10 by "
        "default)."
    ),
    "areq_threshold_bad": "Give a whole number from 2 to 1,000,000.",
    "areq_fields_missing": "Choose at least one of the dataset's fields.",
    "areq_row_filter_hint": (
        "Optional. A where expression as in the API, e.g. wijk = "
        "\"Binnenstad\"."
    ),
    "areq_row_filter_bad": "This row filter is not right: {message}",
    "areq_per_day_hint": "Optional: the most requests per day.",
    "areq_per_day_bad": "Give a whole number from 1 to 1,000,000, or leave it empty.",
    "areq_expires_hint": "Access ends at the end of this day (Ghent time); at most a year.",
    "areq_expires_bad": "Give a date, e.g. 2027-03-31.",
    "areq_expires_range": "Choose a day after today and within {days} days.",
    "areq_approve": "Approve",
    "areq_refuse_title": "Refuse",
    "areq_refusal_hint": "The requester reads this reason.",
    "areq_refusal_missing": "Give a reason (at least 3 characters).",
    "areq_refuse": "Refuse",
}
