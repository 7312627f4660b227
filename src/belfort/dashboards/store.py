"""Dashboards in the database, so every process (and machine) serves the same edits.

A row keeps the spec's text as staff wrote it (``source``) and the data it holds
(``spec``); ``revision`` grows with every save. A parsed spec is kept per process by the
SHA-256 of its text (never by id and revision: a dashboard deleted and made again starts at
revision 1 with another text), so reading a dashboard costs one small query.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from belfort.catalog.models import Dashboard, utcnow
from belfort.dashboards.fields import check_spec
from belfort.dashboards.spec import SLUG, DashboardSpec, check_id, load_source, parse_spec
from belfort.errors import DashboardInvalid, DashboardNotFound
from belfort.platform import Platform

DEFAULT_ID = "gent"


@dataclass(frozen=True)
class StoredDashboard:
    id: str
    revision: int
    source: str
    spec: DashboardSpec
    updated_at: datetime
    updated_by: str | None


_PARSED: dict[str, DashboardSpec] = {}
_LOCK = threading.Lock()


def _parsed(row: Dashboard) -> DashboardSpec:
    key = hashlib.sha256(row.source.encode("utf-8")).hexdigest()
    with _LOCK:
        found = _PARSED.get(key)
    if found is None:
        found = parse_spec(row.source)
        with _LOCK:
            if len(_PARSED) > 1000:
                _PARSED.clear()
            _PARSED[key] = found
    return found


def _stored(row: Dashboard) -> StoredDashboard:
    return StoredDashboard(row.id, row.revision, row.source, _parsed(row), row.updated_at,
                           row.updated_by)


def list_dashboards(session: Session) -> list[StoredDashboard]:
    return [_stored(row) for row in session.scalars(select(Dashboard).order_by(Dashboard.id))]


def could_be_id(dashboard_id: object) -> bool:
    """Whether a dashboard could have this id (asked before the database is: PostgreSQL
    refuses text with a NUL byte)."""
    return isinstance(dashboard_id, str) and SLUG.fullmatch(dashboard_id) is not None


def get_dashboard(session: Session, dashboard_id: str) -> StoredDashboard:
    row = session.get(Dashboard, dashboard_id) if could_be_id(dashboard_id) else None
    if row is None:
        raise DashboardNotFound(f"no dashboard {str(dashboard_id)[:60]!r}")
    return _stored(row)


def save_dashboard(session: Session, dashboard_id: str, source: str, *,
                   by: str | None = None, create: bool | None = None) -> StoredDashboard:
    """Create or replace a dashboard (``DashboardInvalid`` when its id or spec is wrong;
    nothing is saved then). ``create=True`` refuses to replace, ``False`` to create."""
    check_id(dashboard_id)
    spec = parse_spec(source)
    check_spec(session, spec)  # a map's fields against its dataset, when it exists
    data = load_source(source)
    row = session.get(Dashboard, dashboard_id)
    if row is None and create is False:
        raise DashboardNotFound(f"no dashboard {dashboard_id!r}")
    if row is not None and create is True:
        raise DashboardInvalid(f"a dashboard {dashboard_id!r} exists already", details={
            "problems": [{"path": "id", "message": f"{dashboard_id!r} is taken"}]})
    now = utcnow()
    if row is None:
        row = Dashboard(id=dashboard_id, created_at=now, revision=0)
        session.add(row)
    row.title_nl = spec.title.nl[:200]
    row.title_en = spec.title.en[:200] if spec.title.en else None
    row.source = source
    row.spec = data
    row.revision = (row.revision or 0) + 1
    row.updated_at = now
    row.updated_by = (by or None) and by[:200]
    session.flush()
    return _stored(row)


def delete_dashboard(session: Session, dashboard_id: str) -> None:
    row = session.get(Dashboard, dashboard_id) if could_be_id(dashboard_id) else None
    if row is None:
        raise DashboardNotFound(f"no dashboard {dashboard_id[:60]!r}")
    session.delete(row)


def default_source() -> str:
    """The default Ghent dashboard's spec (``default_gent.yaml``)."""
    return resources.files("belfort.dashboards").joinpath("default_gent.yaml").read_text("utf-8")


def ensure_default(platform: Platform) -> bool:
    """Create the default Ghent dashboard when there is none (at start-up; two processes
    starting at once create it once). True when it was created."""
    try:
        with platform.db.session() as session:
            if session.get(Dashboard, DEFAULT_ID) is not None:
                return False
            save_dashboard(session, DEFAULT_ID, default_source(), by="belfort", create=True)
        return True
    except IntegrityError:  # another process inserted it after our look
        return False
    except DashboardInvalid:  # … or committed it between our look and our save
        with platform.db.session() as session:
            if session.get(Dashboard, DEFAULT_ID) is not None:
                return False
        raise
