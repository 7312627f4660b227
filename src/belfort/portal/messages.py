"""What went wrong, as people read it: in the page's language, plain and specific.

The ingest report (``belfort.ingest.report``), metadata validation
(``belfort.errors.MetadataInvalid``) and typed errors carry machine codes and parameters;
this module turns them into sentences from the texts in ``belfort.portal.texts.messages``.
Nothing here shows a Python repr, pydantic's "Value error, …" or a field path: fields are
named by their form labels and linked to the form element (``FIELD_IDS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from belfort.errors import (
    BelfortError,
    Busy,
    Conflict,
    FileShapeRefused,
    Forbidden,
    InvalidRequest,
    MetadataInvalid,
    NotFound,
    PayloadTooLarge,
    QualityGateBlocked,
    QueryError,
    QueryTimeout,
    Unauthorized,
    UnknownTerm,
    UnreadableFile,
    UnsupportedFormat,
    ValidationFailed,
    VersionNotFound,
)
from belfort.portal.i18n import Translator

#: The longest value a message quotes; longer ones are cut with "…".
VALUE_CHARS = 60

#: Form element id of a metadata field path, where it is not the path itself.
FIELD_IDS: dict[str, str] = {
    "contact_point": "contact_email",
    "contact_point.name": "contact_name",
    "contact_point.email": "contact_email",
    "temporal": "temporal_end",
    "temporal.start": "temporal_start",
    "temporal.end": "temporal_end",
}


@dataclass(frozen=True)
class Example:
    row: int | None
    column: str | None
    value: str


@dataclass(frozen=True)
class ProblemMessage:
    """One problem of an ingest: a sentence about its first example, how often it happens,
    and its examples as rows of a small table."""

    text: str
    count: int
    count_text: str
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class FieldError:
    """A metadata error: ``field`` the form element's id ("" for the form as a whole)."""

    field: str
    label: str
    text: str


def shown(value: Any, limit: int = VALUE_CHARS) -> str:
    """A value as a message quotes it: text, no NUL, one line, at most ``limit`` characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = " ".join(text.replace("\x00", "\\0").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_label(t: Translator, fmt: str) -> str:
    """A value's expected form as people write it: dd/mm/jjjj, decimale komma, …"""
    key = f"msg_format_{fmt}"
    if key in t.messages:
        return t(key)
    if "%" not in fmt:
        return shown(fmt, 40)
    year, hour = ("jjjj", "uu") if t.lang == "nl" else ("yyyy", "hh")
    for code, word in (
        ("%d", "dd"),
        ("%m", "mm"),
        ("%Y", year),
        ("%H", hour),
        ("%M", "mm"),
        ("%S", "ss"),
    ):
        fmt = fmt.replace(code, word)
    return fmt


def type_label(t: Translator, type_: str) -> str:
    key = f"msg_type_{type_}"
    return t(key) if key in t.messages else type_


def problem_key(code: str, params: dict[str, Any]) -> str:
    """The text key of a problem: ``…_format`` when the form is known, ``…_any`` when the
    parameters the sentence needs are missing."""
    base = f"msg_problem_{code}"
    if code == "wrong_field_count" and not {"expected", "found"} <= params.keys():
        return base + "_any"
    if params.get("format") and code.startswith("not_") and code != "not_integer":
        if code not in ("not_geopoint", "not_geometry", "not_boolean"):
            return base + "_format"
    return base


def problem_message(t: Translator, problem: dict[str, Any]) -> ProblemMessage:
    """One entry of a report's ``problems`` in the page's language."""
    params = dict(problem.get("params") or {})
    code = str(problem.get("code") or "")
    examples = tuple(
        Example(
            row=e.get("row"),
            column=e.get("column"),
            value=shown(e.get("value"))
            if problem.get("column") is not None
            else t("msg_problem_whole_row"),
        )
        for e in problem.get("examples") or ()
    )
    first = examples[0] if examples else Example(None, problem.get("column"), "")
    values: dict[str, Any] = {
        "row": first.row if first.row is not None else "?",
        "column": shown(problem.get("column"), 100),
        "value": first.value,
        "expected": params.get("expected", ""),
        "found": params.get("found", ""),
        "format": format_label(t, str(params.get("format", ""))),
    }
    key = problem_key(code, params)
    text = t(key, **values) if key in t.messages else shown(problem.get("problem"), 300)
    count = int(problem.get("count") or 0)
    count_text = t("msg_problem_count", count=t.number(count)) if count > 1 else ""
    if not text.endswith((".", "?", "!")):
        text += "."
    return ProblemMessage(
        text=text[:1].upper() + text[1:], count=count, count_text=count_text, examples=examples
    )


def report_messages(t: Translator, report: dict[str, Any] | None) -> list[ProblemMessage]:
    if not report:
        return []
    return [problem_message(t, p) for p in report.get("problems") or ()]


def field_path(loc: list[Any]) -> str:
    """``["contact_point", "email"]`` → ``contact_point.email``; list positions dropped."""
    return ".".join(str(p) for p in loc if not isinstance(p, int))


def metadata_key(t: Translator, path: str, type_: str) -> str | None:
    """The text key of a metadata error, most specific first; None when there is none."""
    for key in (f"msg_meta_{path}_{type_}", f"msg_meta_{type_}"):
        if key in t.messages:
            return key
    return None


def field_label(t: Translator, path: str) -> str:
    key = f"msg_field_{path}"
    if key in t.messages:
        return t(key)
    top = path.split(".")[0]
    return t(f"msg_field_{top}") if f"msg_field_{top}" in t.messages else t("msg_field_metadata")


def metadata_errors(t: Translator, errors: list[dict[str, Any]]) -> list[FieldError]:
    """``MetadataInvalid.details['errors']`` as messages next to the form's fields."""
    found: list[FieldError] = []
    for err in errors:
        path = field_path(list(err.get("loc") or ()))
        label = field_label(t, path)
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (int, str))}
        key = metadata_key(t, path, str(err.get("type", ""))) or "msg_meta_invalid"
        try:
            text = t(key, label=label, **ctx)
        except (KeyError, IndexError):  # a text needing a parameter pydantic did not give
            text = t("msg_meta_invalid", label=label)
        item = FieldError(field=FIELD_IDS.get(path, path), label=label, text=text)
        if item not in found:
            found.append(item)
    return found


def unknown_term_errors(t: Translator, exc: UnknownTerm) -> list[FieldError]:
    """``UnknownTerm``'s problems (a value on none of the controlled lists, with the closest
    entry) next to their fields, in the page's language."""
    found: list[FieldError] = []
    for problem in exc.details.get("problems") or []:
        if not isinstance(problem, dict):
            continue
        path = str(problem.get("field") or "")
        text = str(problem.get("message_nl" if t.lang == "nl" else "message_en") or exc.message)
        item = FieldError(field=FIELD_IDS.get(path, path), label=field_label(t, path), text=text)
        if item not in found:
            found.append(item)
    return found


def chart_error_text(
    t: Translator, details: dict[str, Any], names: dict[str, str] | None = None
) -> str | None:
    """A chart error (``details["chart"]``, raised in ``portal.charts`` and
    ``portal.chart_series``) in the page's language; fields named by their titles
    (``names``, field id → title) where they have one. None when it has no text."""
    key = f"chart_error_{details.get('chart')}"
    if key not in t.messages:
        return None
    field = str(details.get("field") or "")
    param = str(details.get("param") or "")
    choice = f"chart_error_param_{param}"
    agg = f"chart_error_agg_{details.get('agg')}"
    return t(
        key,
        field=shown((names or {}).get(field) or field),
        type=t(kind) if (kind := f"fields_type_{details.get('type')}") in t.messages else "",
        value=shown(details.get("value")),
        limit=t.number(details["limit"]) if isinstance(details.get("limit"), int) else "",
        choice=t(choice) if choice in t.messages else t("chart_error_param_any"),
        agg=t(agg) if agg in t.messages else "",
    )


def error_text(t: Translator, exc: BelfortError, **context: Any) -> str:
    """A typed error in the page's language; ``context`` adds what the page knows (the
    version asked for, the states of a transition, the field ``names`` of a chart)."""
    details = exc.details
    if isinstance(exc, InvalidRequest) and details.get("chart"):
        text = chart_error_text(t, details, context.get("names"))
        if text is not None:
            return text
    if isinstance(exc, MetadataInvalid):
        return " ".join(e.text for e in metadata_errors(t, details.get("errors") or []))
    if isinstance(exc, UnknownTerm):
        return " ".join(e.text for e in unknown_term_errors(t, exc))
    if isinstance(exc, VersionNotFound):
        return t("msg_error_version_not_found", version=context.get("version", "?"))
    if isinstance(exc, ValidationFailed):
        return t("msg_error_validation_failed")
    if isinstance(exc, UnsupportedFormat):
        return t("msg_error_unsupported_format")
    if isinstance(exc, UnreadableFile):
        return t("msg_error_unreadable_file")
    if isinstance(exc, FileShapeRefused):
        return t("msg_error_file_shape_refused", maximum=t.number(details.get("maximum")))
    if isinstance(exc, PayloadTooLarge):
        if isinstance(details.get("maximum"), int):
            return t("msg_error_file_too_large", maximum=t.number(details["maximum"]))
        return t("msg_error_file_too_large_any")
    if isinstance(exc, QualityGateBlocked):
        return t("msg_error_quality_gate", version=context.get("version", "?"),
                 classification=str(details.get("classification", "?")))
    if isinstance(exc, Conflict):
        rule = details.get("rule")
        if rule and f"msg_error_{rule}" in t.messages:
            return t(f"msg_error_{rule}")
        if "is archived" in exc.message:
            return t("msg_error_archived")
        if "no version to publish" in exc.message:
            return t("msg_error_no_version")
        if "current" in context and "target" in context:
            return t(
                "msg_error_illegal_transition", current=context["current"], target=context["target"]
            )
    if isinstance(exc, QueryError):
        if details.get("field"):
            return t("msg_error_query_unknown_field", field=shown(details["field"], 100))
        if isinstance(details.get("position"), int):
            return t("msg_error_query_at", position=details["position"] + 1)
        return t("msg_error_query")
    if isinstance(exc, QueryTimeout):
        return t("msg_error_query_timeout")
    if isinstance(exc, Busy):
        return t("msg_error_busy")
    if isinstance(exc, Forbidden):
        return t("msg_error_forbidden")
    if isinstance(exc, Unauthorized):
        return t("msg_error_unauthorized")
    if isinstance(exc, NotFound):
        said = f"msg_error_{details.get('say')}"  # a page's own text for what is missing
        return t(said) if said in t.messages else t("msg_error_not_found")
    return t("msg_error_generic")


def technical_detail(t: Translator, exc: BelfortError, **context: Any) -> str | None:
    """The error's own (English) message, offered folded away under "technical details" when
    the page's sentence is only the general one; None when the sentence says it all."""
    if error_text(t, exc, **context) != t("msg_error_generic"):
        return None
    return shown(exc.message, 500)


def said(t: Translator, exc: BelfortError, **context: Any) -> str:
    """One line for a page that shows a single message: the error in the page's language,
    followed by its own words only when there is no specific text for it."""
    detail = technical_detail(t, exc, **context)
    text = error_text(t, exc, **context)
    return f"{text} ({detail})" if detail else text
