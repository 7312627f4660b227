"""The forecasts pages' texts (issue 15 items 1, 3 and 7)."""

from __future__ import annotations

NL: dict[str, str] = {
    "fc_title": "Drukteverwachting",
    "fc_intro": (
        "Hoe druk het de komende {hours} uur wordt in elke zone, naast de drukte nu. De "
        "verwachting komt uit een model dat geleerd heeft van de tellingen van de voorbije "
        "maanden; de marge is een interval van 80 %: in 8 op de 10 uren valt de echte drukte "
        "erbinnen."
    ),
    "fc_model_line": "Gemaakt met model {version} (getraind {created}).",
    "fc_model_link": "Hoe betrouwbaar is dit model?",
    "fc_degraded": (
        "Let op: dit model voorspelt de laatste dagen minder goed dan de drempel; de "
        "verwachting is minder betrouwbaar tot er een nieuw model getraind is."
    ),
    "fc_no_model": "Er is nog geen voorspellingsmodel getraind.",
    "fc_no_zones": "Er zijn nog geen zones.",
    "fc_now": "Nu: {score}/100 (tellingen tot {observed}).",
    "fc_now_none": "Nu: geen actuele tellingen.",
    "fc_caption": "Verwachte drukte in {name} per uur (gemaakt {made})",
    "fc_col_hour": "Uur",
    "fc_col_score": "Verwachte drukte (0-100)",
    "fc_col_interval": "Marge (80 %)",
    "fc_col_label": "Niveau",
    "fc_band_rustig": "rustig",
    "fc_band_druk": "druk",
    "fc_band_te_druk": "te druk",
    "fc_withheld": "Geen verwachting: {reason}",
    "fcm_title": "Voorspellingsmodel {version}",
    "fcm_missing_title": "Model niet gevonden",
    "fcm_missing": "Er is geen voorspellingsmodel {version}.",
    "fcm_status_active": "Dit model maakt nu de verwachtingen.",
    "fcm_status_retired": "Dit model is vervangen door een nieuwer model.",
    "fcm_data_h": "Welke data",
    "fcm_data": (
        "De uurtellingen van {sensors} tellers, van {first} tot {last} (lokale tijd, {timezone}). "
        "Uren zonder telling, storingen (24 uur of meer nullen) en onmogelijke waarden zijn "
        "opgevuld en nooit als waarheid gebruikt."
    ),
    "fcm_model_h": "Welk model",
    "fcm_model": (
        "Eén gradient-boosting-model (LightGBM) voor alle tellers samen, dat tot {horizon} uur "
        "vooruit kijkt. Het gebruikt {features} kenmerken: hetzelfde uur op de vorige dagen en "
        "weken, het niveau van de laatste dag en week, uur, weekdag, seizoen, feestdagen en "
        "schoolvakanties ({country}). Twee extra modellen geven de marge van 80 %."
    ),
    "fcm_when_h": "Wanneer",
    "fcm_when": "Getraind op {created} (training duurde {seconds} seconden).",
    "fcm_reliability_h": "Hoe betrouwbaar",
    "fcm_backtest": (
        "Getest op {origins} momenten uit het verleden, telkens {horizon} uur vooruit: MASE "
        "{mase} (de regel \"zelfde uur vorige week\" haalde {weekly}); {coverage} % van de "
        "echte uren viel binnen de marge."
    ),
    "fcm_mase_meaning": (
        "MASE is de fout gedeeld door de fout van \"hetzelfde uur gisteren\": 1 is even goed "
        "als die vuistregel, 0,5 is half zo veel fout."
    ),
    "fcm_no_backtest": "Er zijn geen testcijfers voor dit model.",
    "fcm_live": (
        "De voorbije 7 dagen, over {hours} voorspelde uren: MASE {mase}, gemiddeld {mae} "
        "passanten per uur ernaast, {coverage} % binnen de marge."
    ),
    "fcm_no_live": "Er zijn nog geen uren waarvan de verwachting met de echte telling kon "
                   "worden vergeleken.",
    "fcm_json": "Alle cijfers (JSON)",
    "fcm_back": "Terug naar de drukteverwachting",
}

EN: dict[str, str] = {
    "fc_title": "Crowding forecast",
    "fc_intro": (
        "How busy each zone will be in the next {hours} hours, next to how busy it is now. The "
        "forecast comes from a model that learnt from the counts of the past months; the "
        "margin is an 80 % interval: in 8 hours out of 10 the real crowding falls inside it."
    ),
    "fc_model_line": "Made with model {version} (trained {created}).",
    "fc_model_link": "How reliable is this model?",
    "fc_degraded": (
        "Note: this model has forecast worse than the threshold over the last days; the "
        "forecast is less reliable until a new model is trained."
    ),
    "fc_no_model": "No forecast model has been trained yet.",
    "fc_no_zones": "There are no zones yet.",
    "fc_now": "Now: {score}/100 (counts up to {observed}).",
    "fc_now_none": "Now: no current counts.",
    "fc_caption": "Forecast crowding in {name} per hour (made {made})",
    "fc_col_hour": "Hour",
    "fc_col_score": "Forecast crowding (0-100)",
    "fc_col_interval": "Margin (80 %)",
    "fc_col_label": "Level",
    "fc_band_rustig": "quiet",
    "fc_band_druk": "busy",
    "fc_band_te_druk": "too busy",
    "fc_withheld": "No forecast: {reason}",
    "fcm_title": "Forecast model {version}",
    "fcm_missing_title": "Model not found",
    "fcm_missing": "There is no forecast model {version}.",
    "fcm_status_active": "This model makes the forecasts now.",
    "fcm_status_retired": "This model has been replaced by a newer one.",
    "fcm_data_h": "What data",
    "fcm_data": (
        "The hourly counts of {sensors} counters, from {first} to {last} (local time, "
        "{timezone}). Hours without a count, outages (24 or more hours of zeros) and "
        "impossible values were filled in and never used as the truth."
    ),
    "fcm_model_h": "Which model",
    "fcm_model": (
        "One gradient-boosting model (LightGBM) for all counters together, looking up to "
        "{horizon} hours ahead. It uses {features} inputs: the same hour on the previous days "
        "and weeks, the level of the last day and week, hour, weekday, season, public and "
        "school holidays ({country}). Two more models give the 80 % margin."
    ),
    "fcm_when_h": "When",
    "fcm_when": "Trained on {created} (training took {seconds} seconds).",
    "fcm_reliability_h": "How reliable",
    "fcm_backtest": (
        "Tested at {origins} moments in the past, {horizon} hours ahead each time: MASE {mase} "
        "(the rule \"same hour last week\" scored {weekly}); {coverage} % of the real hours "
        "fell inside the margin."
    ),
    "fcm_mase_meaning": (
        "MASE is the error divided by the error of \"the same hour yesterday\": 1 is as good "
        "as that rule of thumb, 0.5 is half its error."
    ),
    "fcm_no_backtest": "There are no test figures for this model.",
    "fcm_live": (
        "Over the last 7 days, {hours} forecast hours: MASE {mase}, on average {mae} "
        "pedestrians an hour off, {coverage} % inside the margin."
    ),
    "fcm_no_live": "No forecast hour could be compared with the real count yet.",
    "fcm_json": "All figures (JSON)",
    "fcm_back": "Back to the crowding forecast",
}
