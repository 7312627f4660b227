"""The portal's language: which one a request asks for, and its texts looked up by key.

Texts live in ``belfort.portal.texts`` (one module per area of the portal). A page's
language comes from ``?lang=`` (which also sets a cookie), else the ``belfort_lang``
cookie, else Dutch. Every text a template shows is a key there; a test checks both
languages have the same keys.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from belfort.portal import texts

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
COOKIE = "belfort_lang"

MESSAGES: dict[str, dict[str, str]] = texts.messages()

AUDIENCE_LABELS: dict[str, dict[str, str]] = {  # the processing register's audiences
    "burger": {"nl": "burgers", "en": "citizens"},
    "werknemer stad": {"nl": "medewerkers van de stad", "en": "city staff"},
}

STATE_LABELS: dict[str, dict[str, str]] = {
    "draft": {"nl": "ontwerp", "en": "draft"},
    "published": {"nl": "gepubliceerd", "en": "published"},
    "deprecated": {"nl": "verouderd", "en": "deprecated"},
    "archived": {"nl": "gearchiveerd", "en": "archived"},
}


def language_of(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """``t("key", name=…)`` in one language; unknown keys fail loudly in tests."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.messages = MESSAGES[lang]

    def __call__(self, key: str, **values: Any) -> str:
        text = self.messages[key]
        return text.format(**values) if values else text

    def label(self, table: dict[str, dict[str, str]], code: str | None) -> str:
        if not code:
            return ""
        return table.get(code, {}).get(self.lang, code)

    def number(self, value: int | float | None) -> str:
        """Thousands separated as people write them: 1.234.567 in Dutch, 1,234,567 in English."""
        if value is None:
            return ""
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
        return text.replace(",", ".") if self.lang == "nl" else text
