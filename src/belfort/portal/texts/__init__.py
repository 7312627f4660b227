"""The portal's texts in Dutch and English, one module per area of the portal.

Each module holds ``NL`` and ``EN``: key → text (``str.format`` fields allowed). A new area
adds its module to ``AREAS``; a key may be defined by one area only.
"""

from __future__ import annotations

from types import ModuleType

from belfort.portal.texts import (
    access,
    access_requests,
    alerts,
    charts,
    cijfers,
    dashboard,
    data_quality,
    fields,
    forecasts,
    governance,
    maps,
    metadata,
    metadata_quality,
    search,
    site,
    staff,
    table,
)
from belfort.portal.texts import messages as messages_area
from belfort.portal.texts import organisations as organisations_area
from belfort.portal.texts import policies as policies_area
from belfort.portal.texts import scenarios as scenarios_area
from belfort.portal.texts import sensors as sensors_area

AREAS: tuple[ModuleType, ...] = (
    site, staff, search, table, fields, messages_area, maps, metadata, charts,
    organisations_area, sensors_area, dashboard, access, policies_area, alerts,
    access_requests, scenarios_area, forecasts, metadata_quality, cijfers,
    data_quality, governance,
)


def messages() -> dict[str, dict[str, str]]:
    """Every area's texts merged per language; a key defined twice is a programming error."""
    merged: dict[str, dict[str, str]] = {"nl": {}, "en": {}}
    for area in AREAS:
        for lang, texts in (("nl", area.NL), ("en", area.EN)):
            twice = merged[lang].keys() & texts.keys()
            if twice:
                raise RuntimeError(f"portal texts defined twice ({area.__name__}): {sorted(twice)}")
            merged[lang].update(texts)
    return merged
