"""Field-name normalisation, the way Opendatasoft does it.

Queries refer to fields by a name that survives URLs, SQL and every client
language, so headers like "Tijd van voltooien" or "Aantal (€)" become
``tijd_van_voltooien`` and ``aantal``. The original header is kept as the title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def clean_title(header: object) -> str:
    """The header as a human title: BOM and surrounding whitespace stripped."""
    text = "" if header is None else str(header)
    return text.replace("\ufeff", "").strip()


def normalise_name(header: object) -> str:
    """Lowercase ASCII; runs of anything else become one "_"; may return ""."""
    text = unicodedata.normalize("NFKD", clean_title(header).lower())
    text = text.encode("ascii", "ignore").decode("ascii")
    text = _NON_ALNUM.sub("_", text).strip("_")
    if text and text[0].isdigit():
        text = "f_" + text
    return text


def normalise_names(headers: Sequence[object]) -> list[str]:
    """Normalise a header row into unique names (``column_N``, ``_2``/``_3`` suffixes)."""
    names: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(headers, start=1):
        base = normalise_name(header) or f"column_{index}"
        name = base
        suffix = 2
        while name in seen:
            name = f"{base}_{suffix}"
            suffix += 1
        seen.add(name)
        names.append(name)
    return names
