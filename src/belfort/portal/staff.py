"""Staff pages: sign in with an admin key, upload a file, see the sniffed schema, adjust
types and metadata, check it as a draft version, publish; edit metadata; change state.

Every step goes through the same write path as the CLI and the API
(``belfort.publishing``), so the same checks and audit apply. Nothing is published by
accident: an upload becomes a *draft* version with its validation report, and only the
explicit "publish" button makes it live.

Signing in starts a server-side session (``belfort.policy.sessions``): the cookie holds its
random token, never the admin key, and signing out ends it. Every form carries a CSRF
token: an HMAC, under the server's secret, of a random cookie and the session's token, so a
token forged to equal its cookie is refused (403). Cookies are HttpOnly, SameSite=Strict,
and Secure when the request is https (behind a trusted proxy: X-Forwarded-Proto) or when
``BELFORT_SECURE_COOKIES`` asks.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import shutil
import uuid
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from belfort.api.caching import PRIVATE
from belfort.api.deps import get_platform, principal_of_key
from belfort.api.security_headers import secure_cookies
from belfort.catalog.metadata import SLUG_PATTERN, TRANSITIONS, LifecycleState
from belfort.catalog.models import Dataset
from belfort.catalog.store import dataset_to_dict
from belfort.errors import (
    BelfortError,
    Forbidden,
    InvalidRequest,
    MetadataInvalid,
    NotFound,
    QualityGateBlocked,
    UnknownTerm,
    ValidationFailed,
    VersionNotFound,
)
from belfort.ingest.pipeline import sniff
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.policy.server_secret import server_secret
from belfort.policy.sessions import end_session, start_session
from belfort.portal.i18n import STATE_LABELS, Translator, language_of
from belfort.portal.messages import (
    FieldError,
    error_text,
    metadata_errors,
    report_messages,
    technical_detail,
    unknown_term_errors,
)
from belfort.portal.metadata_form import metadata_from_form, metadata_lists, typed_values
from belfort.portal.pages import portal_principal
from belfort.portal.render import STAFF_COOKIE, render
from belfort.publishing import (
    change_dataset_state,
    ingest_file,
    ingest_limits,
    publish_dataset_version,
    update_dataset_metadata,
)
from belfort.schema import FIELD_TYPES
from belfort.timezones import known_timezones

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "belfort_csrf"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
CHUNK = 1024 * 1024

def staff_secret(platform: Platform) -> bytes:
    """The secret that signs CSRF tokens (``BELFORT_SECRET_KEY`` or the data directory's);
    the app reads it at start-up into ``app.state.secret``."""
    settings = platform.settings
    return server_secret(settings.secret_key, settings.data_dir.resolve())


def _nonce(request: Request) -> str:
    kept = request.cookies.get(CSRF_COOKIE, "")
    return kept if TOKEN.match(kept) else secrets.token_hex(16)


def csrf_token(request: Request, nonce: str) -> str:
    """The form token: bound to the browser's CSRF cookie and to its staff session."""
    secret: bytes = request.app.state.secret  # belfort.policy.server_secret, read at start-up
    message = f"csrf|{nonce}|{request.cookies.get(STAFF_COOKIE, '')}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]  # 128 bits, as before


def _page(request: Request, template: str, principal: Principal, status_code: int = 200, **context: Any) -> Response:
    nonce = _nonce(request)
    context.setdefault("zones", known_timezones())
    context.setdefault("default_zone", request.app.state.platform.settings.default_source_timezone)
    context.setdefault("oidc", request.app.state.platform.settings.oidc_enabled)  # staff_oidc.py
    response = render(request, template, principal, status_code=status_code, active="staff",
                      csrf=csrf_token(request, nonce), **context)
    response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=secure_cookies(request))
    response.headers["Cache-Control"] = PRIVATE
    return response


async def _form(request: Request) -> FormData:
    """The posted form, refused unless its CSRF token is the one made for this browser."""
    form = await request.form(max_files=1, max_fields=100)
    sent, nonce = str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "")
    if not TOKEN.match(nonce) or not hmac.compare_digest(sent, csrf_token(request, nonce)):
        raise Forbidden("this form has expired; reload the page and try again")
    return form


def _require_staff(principal: Principal) -> None:
    if not principal.is_admin:
        raise NotFound("page not found")  # the public does not learn staff pages exist


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@router.get("/staff")
def dashboard(request: Request, platform: Platform = Depends(get_platform),
              principal: Principal = Depends(portal_principal)) -> Response:
    if not principal.is_admin:
        return _page(request, "staff_sign_in.html", principal, error=None)
    return _dashboard_page(request, platform, principal)


def _dashboard_page(request: Request, platform: Platform, principal: Principal, status_code: int = 200,
                    field_errors: list[FieldError] | None = None, values: dict[str, str] | None = None) -> Response:
    with platform.db.session() as session:
        datasets = [dataset_to_dict(d, include_versions=False)
                    for d in session.scalars(gate.visible_datasets(principal, session)).all()]
    datasets.sort(key=lambda d: d["id"])
    return _page(request, "staff.html", principal, status_code=status_code, datasets=datasets,
                 field_errors=field_errors or [], values=values or {})


@router.post("/staff/sign-in")
async def sign_in(request: Request, platform: Platform = Depends(get_platform),
                  principal: Principal = Depends(portal_principal)) -> Response:
    form = await _form(request)
    key = str(form.get("key", "")).strip()[:200]
    try:
        signed_in = await run_in_threadpool(principal_of_key, platform, key) if key else None
    except BelfortError:
        signed_in = None
    if signed_in is None or not signed_in.is_admin:
        return _page(request, "staff_sign_in.html", principal, status_code=401,
                     error=Translator(language_of(request))("staff_bad_key"))
    lifetime = platform.settings.staff_session_hours * 3600
    token = await run_in_threadpool(_start_session, platform, signed_in, lifetime)
    response = _redirect("/staff")
    response.set_cookie(STAFF_COOKIE, token, httponly=True, samesite="strict",
                        secure=secure_cookies(request), max_age=int(lifetime))
    return response


@router.post("/staff/sign-out")
async def sign_out(request: Request, platform: Platform = Depends(get_platform)) -> Response:
    """Ends the session on the server: the old cookie value opens nothing any more."""
    await _form(request)
    token = request.cookies.get(STAFF_COOKIE, "")
    await run_in_threadpool(_end_session, platform, token)
    response = _redirect("/")
    response.delete_cookie(STAFF_COOKIE, httponly=True, samesite="strict", secure=secure_cookies(request))
    return response


def _start_session(platform: Platform, principal: Principal, lifetime: float) -> str:
    with platform.db.session() as session:
        return start_session(session, principal, lifetime)


def _end_session(platform: Platform, token: str) -> None:
    with platform.db.session() as session:
        end_session(session, token)


@router.post("/staff/uploads")
async def upload(request: Request, platform: Platform = Depends(get_platform),
                 principal: Principal = Depends(portal_principal)) -> Response:
    """Keep the uploaded file aside (nothing is ingested yet) and show what was sniffed. A
    refusal shows the form again with what was typed and says what to correct."""
    _require_staff(principal)
    form = await _form(request)
    t = Translator(language_of(request))
    dataset_id = str(form.get("dataset", "")).strip()[:200]
    file = form.get("file")
    errors: list[FieldError] = []
    if not SLUG_PATTERN.fullmatch(dataset_id):
        errors.append(FieldError("dataset", t("msg_field_dataset"), t("msg_error_bad_slug")))
    if not isinstance(file, UploadFile) or not file.filename:
        errors.append(FieldError("file", t("msg_field_file"), t("msg_error_file_missing")))
    else:
        token = uuid.uuid4().hex
        folder = _uploads(platform) / token
        await anyio.Path(folder).mkdir(parents=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(file.filename).name)[-100:] or "upload"
        limit = platform.settings.max_upload_bytes
        refused = await _save(file, folder / name, limit) if not errors else "file_again"
        if refused is None:
            await anyio.Path(folder / "dataset").write_text(dataset_id)
            return _redirect(f"/staff/uploads/{token}")
        await run_in_threadpool(shutil.rmtree, folder, ignore_errors=True)
        errors.append(FieldError("file", t("msg_field_file"),
                                 t(f"msg_error_{refused}", maximum=t.number(limit))))
    return await run_in_threadpool(_dashboard_page, request, platform, principal, 400, errors,
                                   {"dataset": dataset_id})


async def _save(file: UploadFile, target: Path, limit: int) -> str | None:
    """Copy the upload to ``target`` (each write in a worker thread); the refusal's message
    code (``file_too_large``, ``file_empty``) or None."""
    written = 0
    async with await anyio.open_file(target, "wb") as out:
        while chunk := await file.read(CHUNK):
            written += len(chunk)
            if written > limit:
                return "file_too_large"
            await out.write(chunk)
    return "file_empty" if written == 0 else None


def _uploads(platform: Platform) -> Path:
    return platform.lake.uploads_dir  # `belfort gc` removes uploads left unreviewed for a week


def _upload(platform: Platform, token: str) -> tuple[str, Path]:
    folder = _uploads(platform) / token
    if not TOKEN.match(token) or not folder.is_dir():
        raise NotFound("this upload does not exist (any more); upload the file again",
                       details={"say": "upload_gone"})
    files = [p for p in folder.iterdir() if p.name != "dataset"]
    return (folder / "dataset").read_text(), files[0]


@router.get("/staff/uploads/{token}")
def review(token: str, request: Request, platform: Platform = Depends(get_platform),
           principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    dataset_id, source = _upload(platform, token)
    return _review_page(request, platform, principal, token, dataset_id, source)


def _review_page(request: Request, platform: Platform, principal: Principal, token: str, dataset_id: str,
                 source: Path, *, outcome: dict[str, Any] | None = None, error: BelfortError | None = None,
                 report: dict[str, Any] | None = None, status_code: int = 200,
                 values: dict[str, Any] | None = None, chosen: dict[str, str] | None = None) -> Response:
    """The review page; after a failed check it shows the steward's own choices (``values``
    typed, ``chosen`` types) with what is wrong, in the page's language."""
    t = Translator(language_of(request))
    common: dict[str, Any] = dict(token=token, dataset_id=dataset_id, types=FIELD_TYPES, chosen=chosen or {},
                                  problems=report_messages(t, report), field_errors=[], problem=None,
                                  detail=None, outcome=outcome)
    if error is not None:
        common.update(_error_context(t, error))
    try:
        # types from every row, as the CLI's ingest infers them (the upload's size is bounded)
        sniffed = sniff(source, inference_rows=None, limits=ingest_limits(platform))
    except BelfortError as exc:
        common.update(_error_context(t, exc))
        return _page(request, "staff_review.html", principal, status_code=400, sniffed=None,
                     values={}, **common)
    with platform.db.session() as session:
        found = session.get(Dataset, dataset_id)
        existing = dataset_to_dict(found, include_versions=False) if found is not None else {"title_nl": ""}
    return _page(request, "staff_review.html", principal, status_code=status_code, sniffed=sniffed,
                 lists=metadata_lists(platform),
                 values={**existing, **(values or {})}, **common)


def _error_context(t: Translator, exc: BelfortError, **context: Any) -> dict[str, Any]:
    """A page's error summary: per field for metadata, else one sentence (and, when that is
    only the general one, the error's own words folded away)."""
    if isinstance(exc, MetadataInvalid):
        return {"field_errors": metadata_errors(t, exc.details.get("errors") or []), "problem": None,
                "detail": None}
    if isinstance(exc, UnknownTerm):
        return {"field_errors": unknown_term_errors(t, exc), "problem": None, "detail": None}
    return {"field_errors": [], "problem": error_text(t, exc, **context), "detail": technical_detail(t, exc, **context)}


@router.post("/staff/uploads/{token}")
async def check_as_draft(token: str, request: Request, platform: Platform = Depends(get_platform),
                         principal: Principal = Depends(portal_principal)) -> Response:
    """Ingest the upload with the chosen types and metadata as a draft version."""
    _require_staff(principal)
    form = await _form(request)
    dataset_id, source = await run_in_threadpool(_upload, platform, token)
    overrides = {k.removeprefix("type:"): str(v) for k, v in form.multi_items()
                 if k.startswith("type:") and str(v) in FIELD_TYPES}
    metadata = _metadata(form)
    kept = {"values": typed_values(form), "chosen": overrides}
    try:
        outcome = await run_in_threadpool(
            lambda: ingest_file(platform, principal, dataset_id, source, metadata=metadata, overrides=overrides,
                                draft=True, source_name=source.name))
    except ValidationFailed as exc:
        return await run_in_threadpool(partial(
            _review_page, request, platform, principal, token, dataset_id, source, error=exc, report=exc.details.get("report"),
            status_code=422, **kept))
    except BelfortError as exc:
        return await run_in_threadpool(partial(
            _review_page, request, platform, principal, token, dataset_id, source, error=exc, status_code=exc.http_status,
            **kept))
    return await run_in_threadpool(_review_page, request, platform, principal, token, dataset_id, source,
                                   outcome={"version": outcome.version, "rows": outcome.row_count},
                                   report=outcome.report)


def _metadata(form: FormData) -> dict[str, Any]:
    """The metadata a new upload's form gives (empty fields left out)."""
    return metadata_from_form(form, complete=False)


@router.get("/staff/datasets/{dataset_id}")
def edit(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
         principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    return _edit_page(request, platform, principal, dataset_id)


#: States that change a dataset for everyone who uses it: asked to be confirmed.
DESTRUCTIVE_STATES = (LifecycleState.ARCHIVED.value, LifecycleState.DEPRECATED.value)


def _edit_page(request: Request, platform: Platform, principal: Principal, dataset_id: str, *,
               error: BelfortError | None = None, problem: str | None = None, status_code: int = 200,
               values: dict[str, Any] | None = None, context: dict[str, Any] | None = None) -> Response:
    """The dataset's staff page. The state menu opens on the current state (nothing
    destructive pre-selected); after an action it says what happened. A publication the
    quality gate blocked lists the rules at fault under its version, with a form to publish
    it anyway with a written reason."""
    t = Translator(language_of(request))
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        info = dataset_to_dict(dataset)
    errors: dict[str, Any] = {"field_errors": [], "problem": problem, "detail": None}
    if error is not None:
        errors = _error_context(t, error, **(context or {}))
    state = info["state"]
    blocked = None
    if isinstance(error, QualityGateBlocked) and context and "version" in context:
        blocked = {"version": context["version"], "failing": error.details.get("failing") or [],
                   "min_chars": platform.settings.quality_gate_override_min_chars}
    return _page(request, "staff_dataset.html", principal, status_code=status_code, dataset=info,
                 gate_blocked=blocked,
                 lists=metadata_lists(platform),
                 values={**info, **(values or {})}, states=[state, *sorted(s.value for s in TRANSITIONS.get(state, ()))],
                 destructive=DESTRUCTIVE_STATES, done=_done(t, request, info), **errors)


def _done(t: Translator, request: Request, info: dict[str, Any]) -> str | None:
    """What the last action did, from the redirect's query (``?saved=…``)."""
    saved = request.query_params.get("saved")
    title = (info.get("title_en") if t.lang == "en" else None) or info["title_nl"]
    if saved == "publish":
        number = info.get("published_version")
        rows = next((v["row_count"] for v in info.get("versions", []) if v["number"] == number), 0)
        return t("msg_published", version=number, title=title, rows=t.number(rows))
    if saved == "state":
        return t("msg_state_changed", title=title, state=t.label(STATE_LABELS, info["state"]))
    if saved == "unchanged":
        return t("msg_state_unchanged")
    return t("staff_saved") if saved else None


def _state_of(platform: Platform, principal: Principal, dataset_id: str) -> str:
    with platform.db.session() as session:
        return str(gate.get_dataset(session, principal, dataset_id).state)


@router.post("/staff/datasets/{dataset_id}")
async def save(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
               principal: Principal = Depends(portal_principal)) -> Response:
    """One form, three actions: ``action`` = metadata, state or publish. Archiving and
    deprecating need the ``confirm`` box ticked; without it nothing changes."""
    _require_staff(principal)
    form = await _form(request)
    t = Translator(language_of(request))
    action = str(form.get("action", ""))
    context: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    done = action
    try:
        if action == "metadata":
            kept = typed_values(form)
            await run_in_threadpool(update_dataset_metadata, platform, principal, dataset_id,
                                    metadata_from_form(form, complete=True))
        elif action == "state":
            target = str(form.get("state", ""))[:40]
            current = await run_in_threadpool(_state_of, platform, principal, dataset_id)
            if target not in STATE_LABELS:
                return await run_in_threadpool(partial(
                    _edit_page, request, platform, principal, dataset_id, problem=t("msg_error_unknown_state"),
                    status_code=400))
            if target == current:
                done = "unchanged"
            elif target in DESTRUCTIVE_STATES and form.get("confirm") != "yes":
                return await run_in_threadpool(partial(
                    _edit_page, request, platform, principal, dataset_id, status_code=400,
                    problem=t("msg_state_confirm_needed", target=t.label(STATE_LABELS, target))))
            else:
                context = {"current": t.label(STATE_LABELS, current), "target": t.label(STATE_LABELS, target)}
                await run_in_threadpool(change_dataset_state, platform, principal, dataset_id, target)
        elif action == "publish":
            number = int(str(form.get("version", ""))[:20])
            context = {"version": number}
            reason = str(form.get("override_reason", ""))[:5000].strip() or None
            await run_in_threadpool(publish_dataset_version, platform, principal, dataset_id, number, reason)
        else:
            raise InvalidRequest("unknown action")
    except ValueError:
        return await run_in_threadpool(partial(
            _edit_page, request, platform, principal, dataset_id, problem=t("msg_error_version_not_number"), status_code=400))
    except BelfortError as exc:
        if isinstance(exc, NotFound) and not isinstance(exc, VersionNotFound):
            raise
        return await run_in_threadpool(partial(
            _edit_page, request, platform, principal, dataset_id, error=exc, status_code=exc.http_status, values=kept,
            context=context))
    return _redirect(f"/staff/datasets/{quote(dataset_id, safe='')}?saved={done}")
