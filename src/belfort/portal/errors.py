"""Errors on portal pages as HTML pages in the visitor's language (the API answers JSON):
what went wrong and what to do, from the error's type (``belfort.portal.messages``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from belfort.errors import BelfortError
from belfort.policy.principals import ANONYMOUS
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import error_text, technical_detail
from belfort.portal.render import render


def error_page(request: Request, status: int, error: BelfortError | None = None) -> Response:
    t = Translator(language_of(request))
    detail = None
    if status == 404:
        said = error_text(t, error) if error is not None and "say" in error.details else None
        heading, text = t("msg_page_404"), said or t("error_not_found")
    elif error is not None:
        heading, text = t("msg_page_400" if status < 500 else "msg_page_other"), error_text(t, error)
        detail = technical_detail(t, error) if status == 400 else None
    else:
        heading, text = t("msg_page_400" if status < 500 else "msg_page_other"), t("error_bad_request")
    return render(request, "error.html", ANONYMOUS, status_code=status, status=status, heading=heading,
                  message=text, detail=detail)
