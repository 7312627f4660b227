"""API keys in URLs, made harmless wherever a URL is written down (logs, a version's source).

Opendatasoft clients put their key in the query string (``?apikey=…``); a harvested
download URL may carry one too. :func:`redact_url` replaces every such value.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

REDACTED = "[redacted]"
KEY_PARAMETER = "apikey"  # the query parameter a key comes in (belfort.api.caller reads it)
# every query parameter that carries a secret: the key, and the device credential of the
# FIWARE IoT Agent's HTTP form (POST /iot/json?k=<apikey>&i=<device>; belfort.api.fiware)
SECRET_PARAMETERS = (KEY_PARAMETER, "k")
_QUERY = re.compile(r"\?[^\s\"'#]*")


def _redact_part(part: str) -> str:
    name, equals, value = part.partition("=")
    if equals and value and unquote_plus(name).strip() in SECRET_PARAMETERS:
        return f"{name}={REDACTED}"
    return part


def _redact_query(match: re.Match[str]) -> str:
    return "?" + "&".join(_redact_part(part) for part in match.group(0)[1:].split("&"))


def redact_url(text: str) -> str:
    """``text`` with the value of every ``apikey`` (and FIWARE ``k``) query parameter
    replaced, however its name is percent-encoded."""
    if "?" not in text or "=" not in text:
        return text
    return _QUERY.sub(_redact_query, text)
