"""IANA time zone names: checking one, and the ones this machine knows.

A foundation module (docs/architecture.md, "Layers"): the settings, the catalogue's metadata
rules, harvesting and the staff pages all check zone names the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# IANA names: Area/Location[/Sublocation] or single names such as UTC; never a path.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}")
# files in the tz directory that are not zones
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone name this machine knows (ValueError otherwise)."""
    if (
        not isinstance(name, str)
        or len(name) > 64
        or not _ZONE_NAME.fullmatch(name)
        or name in _NOT_ZONES
    ):
        raise ValueError(
            f"not an IANA time zone name: {str(name)[:64]!r} (e.g. Europe/Brussels, UTC)"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r} (e.g. Europe/Brussels, UTC)") from None
    return name


@lru_cache(maxsize=1)
def known_timezones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (for pick lists)."""
    return tuple(sorted(z for z in available_timezones() if z not in _NOT_ZONES))
