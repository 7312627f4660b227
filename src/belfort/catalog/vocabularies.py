"""The controlled lists a dataset's metadata is chosen from, and free text mapped onto them.

Themes are the EU data themes (DCAT-AP-VL asks for the Belgian data-theme list, which has the
same thirteen codes), licences are stored by URI, frequencies are the EU frequency list,
spatial coverage is a place of ``belfort.linked.vocabularies.PLACES``; a licence or place
that is on no list may still be given by its web address (an http(s) URI). Free text that matches
an entry — its code, URI, label in either language, or a word of the documented mapping in
``theme_words.txt`` — is rewritten to it; anything else is refused with the closest entry as a
suggestion (``UnknownTerm``), on every entry path, because every path goes through
``belfort.catalog.store.validate_metadata``.

Harvested records use ``lenient_terms`` instead: what maps is kept, what does not is returned
so the harvest can keep it as a keyword and note it (docs/metadata.md).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from belfort.errors import UnknownTerm
from belfort.linked import vocabularies as v

FREQUENCIES = tuple(v.FREQUENCIES)
THEME_PREFIXES = (
    v.AUTHORITY + "data-theme/",
    "http://vocab.belgif.be/auth/datatheme/",
    "https://vocab.belgif.be/auth/datatheme/",
)
WEB_URI = re.compile(r"https?://[^\s<>\"{}|\\^`]{1,480}")
MAX_SHOWN = 60  # characters of an unknown value repeated in a message


@dataclass(frozen=True)
class Problem:
    """One value that is not on its list: which field, the value, the closest entry's label."""

    field: str
    value: str
    suggestion: str | None

    def english(self) -> str:
        noun = NOUNS[self.field][1]
        text = f"unknown {noun} {self.value[:MAX_SHOWN]!r}"
        return text + (f": did you mean {self.suggestion!r}?" if self.suggestion else "")

    def dutch(self) -> str:
        noun = NOUNS[self.field][0]
        ending = "" if self.field == "themes" else "e"  # het thema; de licentie, plaats, …
        text = f"Onbekend{ending} {noun} '{self.value[:MAX_SHOWN]}'"
        return text + (f": bedoel je '{self.suggestion}'?" if self.suggestion else ".")


NOUNS = {
    "themes": ("thema", "theme"),
    "licence": ("licentie", "licence"),
    "frequency": ("frequentie", "frequency"),
    "spatial": ("plaats", "place"),
    "organisation": ("organisatie", "organisation"),
}


def _key(text: str) -> str:
    return v.normalise(text).strip(" .")


# ── themes ───────────────────────────────────────────────────────────────────────────────


def theme_label(code: str, lang: str = "nl") -> str:
    concept = v.THEMES[code]
    return f"{concept.label_nl if lang == 'nl' else concept.label_en} ({code})"


@lru_cache(maxsize=1)
def theme_words() -> dict[str, str]:
    """Normalised word → EU theme code: the codes, both labels, and ``theme_words.txt``."""
    words: dict[str, str] = {}
    for code, concept in v.THEMES.items():
        for name in (code, concept.label_en, concept.label_nl or ""):
            words[_key(name)] = code
    text = resources.files("belfort.catalog").joinpath("theme_words.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            word, code = (part.strip() for part in line.split("=", 1))
            if code in v.THEMES and word:
                words[_key(word)] = code
    return words


def theme_code(value: str) -> str | None:
    """The EU theme code for a code, a theme URI, a label or a listed word; None otherwise."""
    text = value.strip()
    for prefix in THEME_PREFIXES:
        if text.startswith(prefix):
            code = text.removeprefix(prefix).strip("/").upper()
            return code if code in v.THEMES else None
    return theme_words().get(_key(text))


def _suggest(value: str, choices: dict[str, str]) -> str | None:
    """The label of the closest choice (normalised name → label), or None when none is close."""
    match = difflib.get_close_matches(_key(value)[:200], list(choices), n=1, cutoff=0.6)
    return choices[match[0]] if match else None


def _theme_choices() -> dict[str, str]:
    return {word: theme_label(code) for word, code in theme_words().items()}


# ── licences ─────────────────────────────────────────────────────────────────────────────


def licence_uri(value: str) -> str | None:
    known = v.licence_of(value)
    return known.uri if known is not None else None


def licence_label(uri: str, lang: str = "nl") -> str:
    """A licence's readable name (the URI itself for one not on the list)."""
    known = v.licence_of(uri)
    if known is None:
        return uri
    return known.label_nl if lang == "nl" else known.label_en


def _licence_choices() -> dict[str, str]:
    choices: dict[str, str] = {}
    for known in v.LICENCES:
        for name in (known.label_nl, known.label_en, known.spdx or ""):
            choices[_key(name)] = known.label_nl
    return choices


# ── spatial coverage and frequency ──────────────────────────────────────────────────────


def place_name(value: str) -> str | None:
    """The listed place's Dutch name (what the catalogue stores) for a name, alias or URI."""
    place = v.place_of(value)
    return place.name_nl if place is not None else None


def _place_choices() -> dict[str, str]:
    return {_key(p.name_nl): p.name_nl for p in v.PLACES}


FREQUENCY_WORDS: dict[str, str] = {
    **{_key(value): value for value in v.FREQUENCIES},
    **{_key(c.label_en): value for value, c in v.FREQUENCIES.items()},
    **{_key(c.label_nl or value): value for value, c in v.FREQUENCIES.items()},
    **{_key(c.uri): value for value, c in v.FREQUENCIES.items()},
    **{_key(c.uri.rsplit("/", 1)[1]): value for value, c in v.FREQUENCIES.items()},
    "yearly": "annual",
    "annually": "annual",
    "jaarlijks": "annual",
    "per jaar": "annual",
    "real time": "continuous",
    "realtime": "continuous",
    "live": "continuous",
}


def _frequency_choices() -> dict[str, str]:
    return {
        word: f"{v.FREQUENCIES[value].label_nl} ({value})"
        for word, value in FREQUENCY_WORDS.items()
    }


def frequency_value(value: str) -> str | None:
    return FREQUENCY_WORDS.get(_key(value))


# ── the metadata as a whole ─────────────────────────────────────────────────────────────


def canonical_terms(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with themes, licence, frequency and spatial coverage rewritten to their
    list entries; raises ``UnknownTerm`` naming every value that is on no list."""
    out, problems, _ = _map_terms(data)
    if problems:
        raise UnknownTerm(
            "; ".join(p.english() for p in problems),
            details={
                "problems": [
                    {
                        "field": p.field,
                        "value": p.value[:MAX_SHOWN],
                        "suggestion": p.suggestion,
                        "message_nl": p.dutch(),
                        "message_en": p.english(),
                    }
                    for p in problems
                ]
            },
        )
    return out


def lenient_terms(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """For harvested records: what maps is rewritten, what does not is left out and returned
    (the caller keeps the original as a keyword and notes it; an unknown frequency becomes
    ``unknown``)."""
    out, problems, _ = _map_terms(data)
    for problem in problems:
        if problem.field == "themes":
            out["themes"] = [t for t in out.get("themes", []) if t != problem.value]
        elif problem.field == "frequency":
            out["frequency"] = "unknown"
        else:
            out[problem.field] = None
    return out, problems


def _map_terms(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem], None]:
    out = dict(data)
    problems: list[Problem] = []
    themes = out.get("themes")
    if isinstance(themes, list):
        mapped: list[Any] = []
        for theme in themes:
            if not isinstance(theme, str) or not theme.strip():
                mapped.append(theme)  # left to the model's own checks
                continue
            code = theme_code(theme)
            if code is None:
                problems.append(Problem("themes", theme.strip(), _suggest(theme, _theme_choices())))
                mapped.append(theme)
            elif code not in mapped:
                mapped.append(code)
        out["themes"] = mapped
    for name, lookup, choices in (
        ("licence", licence_uri, _licence_choices),
        ("spatial", place_name, _place_choices),
        ("frequency", frequency_value, _frequency_choices),
    ):
        value = out.get(name)
        if not isinstance(value, str) or not value.strip():
            if isinstance(value, str):
                out[name] = None if name != "frequency" else "unknown"
            continue
        found = lookup(value)
        if found is None and name in ("licence", "spatial") and WEB_URI.fullmatch(value.strip()):
            out[name] = value.strip()  # a licence document or place elsewhere, named by its URI
        elif found is None:
            problems.append(Problem(name, value.strip(), _suggest(value, choices())))
        else:
            out[name] = found
    return out, problems, None
