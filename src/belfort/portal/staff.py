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
from belfort.catalog.metadata import TRANSITIONS, check_slug
from belfort.catalog.models import Dataset
from belfort.catalog.store import dataset_to_dict
from belfort.errors import (
    BelfortError,
    Forbidden,
    InvalidRequest,
    NotFound,
    ValidationFailed,
    VersionNotFound,
)
from belfort.ingest.pipeline import sniff
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.policy.server_secret import server_secret
from belfort.policy.sessions import end_session, start_session
from belfort.portal.i18n import Translator, language_of
from belfort.portal.metadata_form import (
    metadata_from_form,
    metadata_lists,
    problem_text,
    typed_values,
)
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
    context.setdefault("lists", metadata_lists(request.app.state.platform))
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
    with platform.db.session() as session:
        datasets = [dataset_to_dict(d, include_versions=False)
                    for d in session.scalars(gate.visible_datasets(principal)).all()]
    datasets.sort(key=lambda d: d["id"])
    return _page(request, "staff.html", principal, datasets=datasets)


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
    """Keep the uploaded file aside (nothing is ingested yet) and show what was sniffed."""
    _require_staff(principal)
    form = await _form(request)
    dataset_id = str(form.get("dataset", "")).strip()
    check_slug(dataset_id)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        raise InvalidRequest("choose a file to upload")
    token = uuid.uuid4().hex
    folder = _uploads(platform) / token
    await anyio.Path(folder).mkdir(parents=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(file.filename).name)[-100:] or "upload"
    target = folder / name
    await _save(file, target, platform.settings.max_upload_bytes)
    await anyio.Path(folder / "dataset").write_text(dataset_id)
    return _redirect(f"/staff/uploads/{token}")


async def _save(file: UploadFile, target: Path, limit: int) -> None:
    """Copy the upload to ``target`` (each write in a worker thread); on a refusal the
    upload's folder is removed."""
    written = 0
    problem: str | None = None
    async with await anyio.open_file(target, "wb") as out:
        while chunk := await file.read(CHUNK):
            written += len(chunk)
            if written > limit:
                problem = f"the file is larger than the limit of {limit:,} bytes"
                break
            await out.write(chunk)
    if written == 0:
        problem = "the file is empty"
    if problem is not None:
        await run_in_threadpool(shutil.rmtree, target.parent, ignore_errors=True)
        raise InvalidRequest(problem)


def _uploads(platform: Platform) -> Path:
    return platform.lake.uploads_dir  # `belfort gc` removes uploads left unreviewed for a week


def _upload(platform: Platform, token: str) -> tuple[str, Path]:
    folder = _uploads(platform) / token
    if not TOKEN.match(token) or not folder.is_dir():
        raise NotFound("this upload does not exist (any more); upload the file again")
    files = [p for p in folder.iterdir() if p.name != "dataset"]
    return (folder / "dataset").read_text(), files[0]


@router.get("/staff/uploads/{token}")
def review(token: str, request: Request, platform: Platform = Depends(get_platform),
           principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    dataset_id, source = _upload(platform, token)
    return _review_page(request, platform, principal, token, dataset_id, source)


def _review_page(request: Request, platform: Platform, principal: Principal, token: str, dataset_id: str,
                 source: Path, *, outcome: dict[str, Any] | None = None, problem: str | None = None,
                 report: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    try:
        sniffed = sniff(source, limits=ingest_limits(platform))
    except BelfortError as exc:
        return _page(request, "staff_review.html", principal, status_code=400, token=token, dataset_id=dataset_id,
                     sniffed=None, existing=None, types=FIELD_TYPES, outcome=None, problem=exc.message, report=None)
    with platform.db.session() as session:
        found = session.get(Dataset, dataset_id)
        existing = dataset_to_dict(found, include_versions=False) if found is not None else None
    return _page(request, "staff_review.html", principal, status_code=status_code, token=token,
                 dataset_id=dataset_id, sniffed=sniffed, existing=existing, types=FIELD_TYPES,
                 outcome=outcome, problem=problem, report=report)


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
    try:
        outcome = await run_in_threadpool(
            lambda: ingest_file(platform, principal, dataset_id, source, metadata=metadata, overrides=overrides,
                                draft=True, source_name=source.name))
    except ValidationFailed as exc:
        return await run_in_threadpool(_review_page, request, platform, principal, token, dataset_id, source,
                                       problem=exc.message, report=exc.details.get("report"), status_code=422)
    except BelfortError as exc:
        return await run_in_threadpool(_review_page, request, platform, principal, token, dataset_id, source,
                                       problem=exc.message, status_code=exc.http_status)
    return await run_in_threadpool(_review_page, request, platform, principal, token, dataset_id, source,
                                   outcome={"version": outcome.version, "rows": outcome.row_count},
                                   report=outcome.report)


def _metadata(form: FormData) -> dict[str, Any]:
    return metadata_from_form(form, complete=False)


@router.get("/staff/datasets/{dataset_id}")
def edit(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
         principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    return _edit_page(request, platform, principal, dataset_id)


def _edit_page(request: Request, platform: Platform, principal: Principal, dataset_id: str,
               message: str | None = None, problem: str | None = None, status_code: int = 200,
               typed: dict[str, Any] | None = None) -> Response:
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        info = dataset_to_dict(dataset)
    return _page(request, "staff_dataset.html", principal, status_code=status_code, dataset=info,
                 transitions=sorted(TRANSITIONS.get(info["state"], ())), message=message, problem=problem,
                 values={**info, **(typed or {})})


@router.post("/staff/datasets/{dataset_id}")
async def save(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
               principal: Principal = Depends(portal_principal)) -> Response:
    """One form, three actions: ``action`` = metadata, state or publish."""
    _require_staff(principal)
    form = await _form(request)
    action = str(form.get("action", ""))
    try:
        if action == "metadata":
            changes = metadata_from_form(form, complete=True)
            await run_in_threadpool(update_dataset_metadata, platform, principal, dataset_id, changes)
        elif action == "state":
            await run_in_threadpool(change_dataset_state, platform, principal, dataset_id, str(form.get("state", "")))
        elif action == "publish":
            number = int(str(form.get("version", "")))
            await run_in_threadpool(publish_dataset_version, platform, principal, dataset_id, number)
        else:
            raise InvalidRequest("unknown action")
    except ValueError:
        return await run_in_threadpool(_edit_page, request, platform, principal, dataset_id,
                                       problem="version must be a number", status_code=400)
    except BelfortError as exc:
        if isinstance(exc, NotFound) and not isinstance(exc, VersionNotFound):
            raise
        typed = typed_values(form) if action == "metadata" else None  # kept when a check fails
        return await run_in_threadpool(_edit_page, request, platform, principal, dataset_id,
                                       problem=problem_text(exc, language_of(request)),
                                       status_code=exc.http_status, typed=typed)
    return _redirect(f"/staff/datasets/{quote(dataset_id, safe='')}?saved={action}")
