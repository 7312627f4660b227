"""Errors on portal pages as HTML pages in the visitor's language (the API answers JSON)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from belfort.policy.principals import ANONYMOUS
from belfort.portal.i18n import Translator, language_of
from belfort.portal.render import render


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    t = Translator(language_of(request))
    if status == 404:
        heading, text = "404", t("error_not_found")
    else:
        heading, text = str(status), message or t("error_bad_request")
    return render(request, "error.html", ANONYMOUS, status_code=status, status=status, heading=heading,
                  message=text)
