"""The processing register's public pages: ``/verwerkingsregister`` (search and filters by
audience, processing department and category) and one page per entry with every field
and the datasets linked to it. Staff see draft and archived entries too (marked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from belfort.api.caching import PRIVATE
from belfort.api.deps import base_url, get_platform
from belfort.catalog.models import ProcessingActivity
from belfort.errors import NotFound
from belfort.linked.rdf import FORMATS, OFFERS, negotiate
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.i18n import AUDIENCE_LABELS
from belfort.portal.pages import portal_principal
from belfort.portal.render import render
from belfort.register import store
from belfort.register.dataset import REGISTER_DATASET
from belfort.register.linked import activity_uri, entry_document
from belfort.register.model import ActivityState, Audience

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

AUDIENCES = [a.value for a in Audience]
MAX_QUERY = 200
PER_PAGE = 50


@dataclass
class Filters:
    q: str
    audience: str
    processor: str
    category: str

    def matches(self, a: ProcessingActivity) -> bool:
        if self.audience and a.audience != self.audience:
            return False
        if self.processor and a.processor != self.processor:
            return False
        if self.category and a.category != self.category:
            return False
        if self.q:
            text = " ".join(str(v) for v in (a.name, a.description, a.processor, a.category) if v).casefold()
            return all(word in text for word in self.q.casefold().split())
        return True


def visible_states(principal: Principal) -> tuple[str, ...] | None:
    """The public reads published entries; staff read every entry."""
    return None if principal.is_admin else (ActivityState.PUBLISHED.value,)


@router.get("/verwerkingsregister")
def register_list(request: Request, platform: Platform = Depends(get_platform),
                  principal: Principal = Depends(portal_principal)) -> Response:
    params = request.query_params
    filters = Filters(*(params.get(name, "").strip()[:MAX_QUERY]
                        for name in ("q", "audience", "processor", "category")))
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    with platform.db.session() as session:
        everything = store.list_activities(session, states=visible_states(principal))
        matching = [a for a in everything if filters.matches(a)]
        pages = max(1, -(-len(matching) // PER_PAGE))
        page = min(page, pages)
        shown = [store.activity_to_dict(a) for a in matching[(page - 1) * PER_PAGE: page * PER_PAGE]]
    processors = sorted({a.processor for a in everything if a.processor}, key=str.casefold)
    categories = sorted({a.category for a in everything if a.category}, key=str.casefold)
    return render(request, "register.html", principal, active="register", activities=shown, filters=filters,
                  matching=len(matching), page=page, pages=pages,
                  audiences=AUDIENCES, processors=processors, categories=categories,
                  total=len(everything), dataset_id=REGISTER_DATASET, AUDIENCES=AUDIENCE_LABELS)


def rdf_format(activity_id: str, accept: str | None) -> tuple[str, str | None]:
    """(the identifier, the RDF format asked for: by extension, or by an Accept header that
    names an RDF media type and prefers it to HTML; None: the HTML page)."""
    stem, dot, extension = activity_id.rpartition(".")
    if dot and extension in FORMATS:
        return stem, extension
    if accept and any(media in accept for media, fmt in OFFERS if fmt != "html"):
        chosen = negotiate(accept)
        if chosen in FORMATS:
            return activity_id, chosen
    return activity_id, None


@router.get("/verwerkingsregister/{activity_id}")
def register_entry(activity_id: str, request: Request, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    activity_id, fmt = rdf_format(activity_id, request.headers.get("accept"))
    with platform.db.session() as session:
        activity = store.get_activity(session, activity_id)
        if not principal.is_admin and activity.state != ActivityState.PUBLISHED.value:
            raise NotFound(f"processing activity {activity_id[:60]!r} not found")
        if fmt is not None:
            body = entry_document(session, base_url(request), activity).serialize(fmt)
            headers = {"Vary": "Accept"} if not principal.is_admin else {
                "Vary": "Accept", "Cache-Control": PRIVATE}
            return Response(body, media_type=FORMATS[fmt].content_type, headers=headers)
        entry: dict[str, Any] = store.activity_to_dict(activity)
        datasets = [{"id": d.id, "title_nl": d.title_nl, "title_en": d.title_en, "state": d.state}
                    for d in store.linked_datasets(session, activity.id, open_only=not principal.is_admin)]
    return render(request, "register_entry.html", principal, active="register", entry=entry, datasets=datasets,
                  uri=activity_uri(entry["id"]), AUDIENCES=AUDIENCE_LABELS)
