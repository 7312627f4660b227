"""Texts of the Gent in Cijfers pages: overview, wijk profile, compare, map (issue 18 item 4)."""

from __future__ import annotations

NL: dict[str, str] = {
    "nav_cijfers": "Gent in Cijfers",
    "gic_title": "Gent in Cijfers",
    "gic_intro": (
        "Cijfers over de 25 Gentse wijken door de jaren heen, altijd naast het cijfer van heel "
        "Gent. Kleine aantallen worden beschermd: een waarde onder de drempel staat er als "
        "„< 5”, en soms wordt een tweede waarde geheim gehouden zodat de eerste niet uit het "
        "totaal te berekenen is."
    ),
    "gic_themes_h": "Indicatoren per thema",
    "gic_wijken_h": "Wijken",
    "gic_compare_h": "Wijken vergelijken",
    "gic_compare_help": "Kies twee tot vier wijken.",
    "gic_compare_button": "Vergelijk",
    "gic_none": "Er zijn nog geen indicatoren.",
    "gic_modelled": "gemodelleerd",
    "gic_modelled_note": (
        "Indicatoren met het label „gemodelleerd” zijn plausibel gegenereerd voor de demo, "
        "geen officiële cijfers."
    ),
    "gic_wijk_title": "Wijk {name}",
    "gic_wijk_intro": "De cijfers van de wijk {name} naast die van heel Gent, per thema.",
    "gic_summary_h": "In het kort",
    "gic_summary_none": (
        "De wijk wijkt op geen enkele gepubliceerde indicator duidelijk af van "
        "heel Gent."
    ),
    "gic_more_count": "Meer {name} per 1.000 inwoners dan in heel Gent ({wijk} tegenover {city}).",
    "gic_less_count": (
        "Minder {name} per 1.000 inwoners dan in heel Gent ({wijk} tegenover "
        "{city})."
    ),
    "gic_higher": "{name}: hoger dan in heel Gent ({wijk} tegenover {city}).",
    "gic_lower": "{name}: lager dan in heel Gent ({wijk} tegenover {city}).",
    "gic_similar": "ongeveer zoals heel Gent",
    "gic_tolerance_note": (
        "„Meer” of „minder” betekent: meer dan {percent} % verschil met het cijfer van heel "
        "Gent. Aantallen worden per 1.000 inwoners vergeleken."
    ),
    "gic_col_indicator": "Indicator",
    "gic_col_period": "Periode",
    "gic_col_wijk": "{name}",
    "gic_col_city": "Gent",
    "gic_col_rank": "Rang",
    "gic_col_trend": "Verloop",
    "gic_col_class": "Klasse",
    "gic_rank": "{position} van {among}",
    "gic_rank_note": (
        "Rang: de plaats van de wijk van hoog naar laag, onder de wijken waarvan het cijfer "
        "gepubliceerd is."
    ),
    "gic_trend_title": "{name} in {wijk}, {first}–{last}",
    "gic_trend_desc": (
        "Doorgetrokken lijn: {wijk}. Gestippelde lijn: heel Gent. Van {low} tot {high}. "
        "De cijfers staan in de tabel eronder."
    ),
    "gic_trend_desc_count": (
        "Lijn: {wijk}. Van {low} tot {high}. De cijfers staan in de tabel eronder."
    ),
    "gic_series_show": "Cijfers per jaar van {name}",
    "gic_series_caption": "{name} per periode in {wijk} en heel Gent",
    "gic_download_wijk": "Alle cijfers van deze wijk (CSV)",
    "gic_download_indicator": "Alle cijfers van deze indicator (CSV)",
    "gic_missing_h": "Waarom staat er geen cijfer?",
    "gic_below": "Minder dan {threshold}: het juiste aantal is beschermd.",
    "gic_hidden": "geheim",
    "gic_hidden_help": (
        "„geheim”: dit cijfer is verborgen zodat een beschermd klein aantal niet uit het "
        "totaal van Gent te berekenen is."
    ),
    "gic_missing_unknown": "onbekend",
    "gic_missing_not_applicable": "niet van toepassing",
    "gic_missing_suppressed_by_supplier": "geheim (leverancier)",
    "gic_missing_empty": "geen gegevens",
    "gic_missing_help_unknown": "onbekend (Swing-code −99999): de waarde is niet bekend.",
    "gic_missing_help_not_applicable": (
        "niet van toepassing (−99998): de indicator zegt niets over dit gebied of deze periode."
    ),
    "gic_missing_help_suppressed_by_supplier": (
        "geheim (leverancier) (−99997): de leverancier hield het cijfer geheim; dan is ook het "
        "cijfer van heel Gent geheim."
    ),
    "gic_missing_help_empty": "geen gegevens (−99996): er is geen waarde voor deze periode.",
    "gic_compare_title": "Wijken vergelijken",
    "gic_compare_intro": "{names} naast elkaar en naast heel Gent, in de laatste periode.",
    "gic_indicator_title": "{name}",
    "gic_map_h": "Kaart per wijk, {period}",
    "gic_map_desc": (
        "Kaart van de 25 wijken, ingekleurd in {classes} klassen (kwantielen) van licht (laag) "
        "naar donker (hoog); gearceerd grijs: cijfer beschermd. De cijfers staan in de tabel."
    ),
    "gic_map_modelled": (
        "De wijkgrenzen op deze kaart zijn benaderd (rond de middelpunten van de wijken "
        "getekend), niet de officiële grenzen."
    ),
    "gic_legend_h": "Legende",
    "gic_legend_range": "{low} tot {high}",
    "gic_legend_hidden": "cijfer beschermd (< {threshold} of geheim)",
    "gic_legend_none": "geen cijfer",
    "gic_period_label": "Periode",
    "gic_period_button": "Toon",
    "gic_table_caption": "{name} per wijk, {period}",
    "gic_unit": "Eenheid: {unit}",
    "gic_no_values": "Er zijn nog geen cijfers voor deze indicator.",
    "gic_back": "Alle indicatoren en wijken",
    "gic_source_modelled": (
        "Gemodelleerd voor de demo van Belfort: plausibel, geen officieel "
        "cijfer."
    ),
    "msg_error_cijfers_wijk": (
        "Er is geen wijk met die code; de wijken zijn genummerd van 1 tot "
        "25."
    ),
    "msg_error_cijfers_indicator": "Er is geen indicator met die code.",
    "msg_error_cijfers_period": "Deze indicator heeft geen cijfers voor die periode.",
    "gic_theme_": "Overige",
    "gic_theme_demografie": "Bevolking",
    "gic_theme_huishoudens": "Huishoudens",
    "gic_theme_migratie": "Migratie en nationaliteit",
    "gic_theme_werk": "Werk",
    "gic_theme_inkomen": "Inkomen",
    "gic_theme_kinderopvang": "Kinderopvang",
    "gic_theme_wonen": "Wonen",
    "gic_theme_mobiliteit": "Mobiliteit",
    "gic_theme_economie": "Economie",
    "gic_theme_gezondheid": "Gezondheid",
    "gic_theme_leefbaarheid": "Leefbaarheid",
}

EN: dict[str, str] = {
    "nav_cijfers": "Ghent in Figures",
    "gic_title": "Ghent in Figures",
    "gic_intro": (
        "Figures on Ghent's 25 neighbourhoods (wijken) over the years, always next to the "
        "figure for Ghent as a whole. Small numbers are protected: a value below the threshold "
        "reads \u201c< 5\u201d, and sometimes a second value is withheld so that the first cannot "
        "be worked out from the total."
    ),
    "gic_themes_h": "Indicators by theme",
    "gic_wijken_h": "Neighbourhoods",
    "gic_compare_h": "Compare neighbourhoods",
    "gic_compare_help": "Choose two to four neighbourhoods.",
    "gic_compare_button": "Compare",
    "gic_none": "There are no indicators yet.",
    "gic_modelled": "modelled",
    "gic_modelled_note": (
        "Indicators labelled \u201cmodelled\u201d were generated plausibly for the demo; they are "
        "not official figures."
    ),
    "gic_wijk_title": "Neighbourhood {name}",
    "gic_wijk_intro": "The figures of {name} next to those of Ghent as a whole, by theme.",
    "gic_summary_h": "In short",
    "gic_summary_none": (
        "On no published indicator does this neighbourhood clearly differ from "
        "Ghent as a whole."
    ),
    "gic_more_count": (
        "More {name} per 1,000 inhabitants than in Ghent as a whole ({wijk} "
        "against {city})."
    ),
    "gic_less_count": (
        "Fewer {name} per 1,000 inhabitants than in Ghent as a whole ({wijk} "
        "against {city})."
    ),
    "gic_higher": "{name}: higher than in Ghent as a whole ({wijk} against {city}).",
    "gic_lower": "{name}: lower than in Ghent as a whole ({wijk} against {city}).",
    "gic_similar": "about as in Ghent as a whole",
    "gic_tolerance_note": (
        "\u201cMore\u201d or \u201cfewer\u201d means: a difference of more than {percent} % from "
        "the figure for Ghent as a whole. Counts are compared per 1,000 inhabitants."
    ),
    "gic_col_indicator": "Indicator",
    "gic_col_period": "Period",
    "gic_col_wijk": "{name}",
    "gic_col_city": "Ghent",
    "gic_col_rank": "Rank",
    "gic_col_trend": "Trend",
    "gic_col_class": "Class",
    "gic_rank": "{position} of {among}",
    "gic_rank_note": (
        "Rank: the neighbourhood's place from high to low, among the neighbourhoods whose "
        "figure is published."
    ),
    "gic_trend_title": "{name} in {wijk}, {first}–{last}",
    "gic_trend_desc": (
        "Solid line: {wijk}. Dashed line: Ghent as a whole. From {low} to {high}. The figures "
        "are in the table below."
    ),
    "gic_trend_desc_count": (
        "Line: {wijk}. From {low} to {high}. The figures are in the table below."
    ),
    "gic_series_show": "Figures per year of {name}",
    "gic_series_caption": "{name} per period in {wijk} and Ghent as a whole",
    "gic_download_wijk": "All figures of this neighbourhood (CSV)",
    "gic_download_indicator": "All figures of this indicator (CSV)",
    "gic_missing_h": "Why is there no figure?",
    "gic_below": "Fewer than {threshold}: the exact number is protected.",
    "gic_hidden": "withheld",
    "gic_hidden_help": (
        "\u201cwithheld\u201d: this figure is hidden so that a protected small number cannot be "
        "worked out from Ghent's total."
    ),
    "gic_missing_unknown": "unknown",
    "gic_missing_not_applicable": "not applicable",
    "gic_missing_suppressed_by_supplier": "withheld (supplier)",
    "gic_missing_empty": "no data",
    "gic_missing_help_unknown": "unknown (Swing code −99999): the value is not known.",
    "gic_missing_help_not_applicable": (
        "not applicable (−99998): the indicator says nothing about this area or period."
    ),
    "gic_missing_help_suppressed_by_supplier": (
        "withheld (supplier) (−99997): the supplier withheld the figure; then Ghent's figure is "
        "withheld too."
    ),
    "gic_missing_help_empty": "no data (−99996): there is no value for this period.",
    "gic_compare_title": "Compare neighbourhoods",
    "gic_compare_intro": "{names} side by side and next to Ghent as a whole, in the latest period.",
    "gic_indicator_title": "{name}",
    "gic_map_h": "Map by neighbourhood, {period}",
    "gic_map_desc": (
        "Map of the 25 neighbourhoods in {classes} classes (quantiles) from light (low) to dark "
        "(high); hatched grey: figure protected. The figures are in the table."
    ),
    "gic_map_modelled": (
        "The boundaries on this map are approximate (drawn around the neighbourhoods' centres), "
        "not the official ones."
    ),
    "gic_legend_h": "Legend",
    "gic_legend_range": "{low} to {high}",
    "gic_legend_hidden": "figure protected (< {threshold} or withheld)",
    "gic_legend_none": "no figure",
    "gic_period_label": "Period",
    "gic_period_button": "Show",
    "gic_table_caption": "{name} by neighbourhood, {period}",
    "gic_unit": "Unit: {unit}",
    "gic_no_values": "There are no figures for this indicator yet.",
    "gic_back": "All indicators and neighbourhoods",
    "gic_source_modelled": "Modelled for Belfort's demo: plausible, not an official figure.",
    "msg_error_cijfers_wijk": (
        "There is no neighbourhood with that code; they are numbered 1 to "
        "25."
    ),
    "msg_error_cijfers_indicator": "There is no indicator with that code.",
    "msg_error_cijfers_period": "This indicator has no figures for that period.",
    "gic_theme_": "Other",
    "gic_theme_demografie": "Population",
    "gic_theme_huishoudens": "Households",
    "gic_theme_migratie": "Migration and nationality",
    "gic_theme_werk": "Work",
    "gic_theme_inkomen": "Income",
    "gic_theme_kinderopvang": "Childcare",
    "gic_theme_wonen": "Housing",
    "gic_theme_mobiliteit": "Mobility",
    "gic_theme_economie": "Economy",
    "gic_theme_gezondheid": "Health",
    "gic_theme_leefbaarheid": "Liveability",
}
