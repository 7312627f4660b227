"""Harvest an Opendatasoft portal (or another Belfort) through its Explore API v2.1.

For each dataset: metadata and field definitions from ``catalog/datasets``, all records
from ``exports/parquet`` (or ``exports/csv`` where a portal has no Parquet export),
ingested as a new version with the source's field types.

Incremental and resumable: a state file in the data directory remembers, per source and
dataset, the source's ``modified`` time that was last harvested. A dataset whose time is
unchanged is skipped; a run that stops half-way simply continues where it stopped next
time, because finished datasets are skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from belfort.catalog.metadata import SLUG_PATTERN
from belfort.errors import BelfortError, InvalidRequest, PayloadTooLarge
from belfort.harvest.terms import harvested_organisation, mapped_terms, record_unmapped
from belfort.platform import Platform
from belfort.policy.principals import Kind, Principal, Role
from belfort.publishing import ingest_file
from belfort.timezones import check_timezone

HARVESTER = Principal(role=Role.ADMIN, name="harvest", kind=Kind.SYSTEM)
PAGE = 100
TIMEOUT = httpx.Timeout(30.0, read=300.0)
ODS_TO_BELFORT = {
    "text": "string", "int": "integer", "double": "number", "boolean": "boolean",
    "date": "date", "datetime": "datetime", "geo_point_2d": "geopoint", "geo_shape": "geometry",
}
TAGS = re.compile(r"<[^>]+>")


@dataclass
class HarvestResult:
    dataset_id: str
    status: str  # "harvested" | "unchanged" | "failed"
    detail: str = ""


def _state_file(platform: Platform, base_url: str) -> Path:
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:16]
    path = platform.settings.data_dir / "harvest" / f"ods-{digest}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads(path.read_text())
        return state
    except (FileNotFoundError, ValueError):
        return {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(path)


def _catalogue(client: httpx.Client, base: str) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        r = client.get(f"{base}/api/explore/v2.1/catalog/datasets",
                       params={"limit": PAGE, "offset": offset})
        r.raise_for_status()
        page = r.json()
        results = page.get("results", [])
        yield from results
        offset += len(results)
        if not results or offset >= page.get("total_count", 0):
            return


def _metadata(dataset: dict[str, Any]) -> dict[str, Any]:
    meta = (dataset.get("metas") or {}).get("default") or {}

    def listing(value: Any) -> list[str]:
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    description = meta.get("description")
    if isinstance(description, str):
        description = TAGS.sub("", description).strip() or None
    territory = listing(meta.get("territory"))
    timezone = _source_timezone(meta.get("timezone"))
    return {
        "title_nl": str(meta.get("title") or dataset["dataset_id"])[:300],
        "description_nl": description,
        "organisation": (str(meta["publisher"])[:200] if meta.get("publisher") else None),
        "licence": (str(meta["license"])[:300] if meta.get("license") else None),
        "themes": [t[:100] for t in listing(meta.get("theme"))][:20],
        "keywords": [k[:100] for k in listing(meta.get("keyword"))][:50],
        "spatial": territory[0][:500] if territory else None,
        **({"timezone": timezone} if timezone else {}),
    }


def _source_timezone(value: Any) -> str | None:
    """The portal's ``timezone`` meta (the zone its processing reads naive dates in), when it
    names a zone this machine knows; otherwise the dataset keeps its own (or the default)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return check_timezone(value.strip())
    except ValueError:
        return None


def _overrides(dataset: dict[str, Any]) -> dict[str, str]:
    return {
        f["name"]: ODS_TO_BELFORT[f["type"]]
        for f in dataset.get("fields") or []
        if f.get("type") in ODS_TO_BELFORT and f.get("name")
    }


def harvest_ods(
    platform: Platform,
    base_url: str,
    *,
    only: list[str] | None = None,
    client: httpx.Client | None = None,
) -> Iterator[HarvestResult]:
    """Harvest every dataset of the portal at ``base_url`` (or only those in ``only``)."""
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise InvalidRequest(f"not an http(s) URL: {base_url[:100]!r}")
    state_path = _state_file(platform, base)
    state = _load_state(state_path)
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True)
    try:
        for dataset in _catalogue(client, base):
            dataset_id = str(dataset.get("dataset_id", ""))
            if only and dataset_id not in only:
                continue
            if not SLUG_PATTERN.match(dataset_id):
                yield HarvestResult(dataset_id, "failed", "identifier is not a valid slug")
                continue
            modified = str(((dataset.get("metas") or {}).get("default") or {}).get("modified"))
            if state.get(dataset_id, {}).get("modified") == modified:
                yield HarvestResult(dataset_id, "unchanged")
                continue
            notes: list[str] = []
            try:
                version = _harvest_one(platform, client, base, dataset, notes)
            except (BelfortError, httpx.HTTPError, OSError) as exc:
                yield HarvestResult(dataset_id, "failed", str(exc)[:300])
                continue
            state[dataset_id] = {"modified": modified, "version": version}
            _save_state(state_path, state)
            yield HarvestResult(dataset_id, "harvested", "; ".join([f"version {version}", *notes]))
    finally:
        if own:
            client.close()


def _download(client: httpx.Client, url: str, target: Path, params: dict[str, str],
              max_bytes: int) -> bool:
    """Stream ``url`` into ``target``; False when the portal does not offer this export.
    Refused past ``max_bytes`` (counted as decoded, so a compressed answer cannot inflate
    past it either)."""
    with client.stream("GET", url, params=params) as response:
        if response.status_code in (400, 404, 406, 501):
            return False
        response.raise_for_status()
        size = 0
        with target.open("wb") as handle:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"{url[:200]} is larger than the limit of {max_bytes:,} "
                                          "bytes (BELFORT_MAX_UPLOAD_BYTES)")
                handle.write(chunk)
    return True


def _harvest_one(platform: Platform, client: httpx.Client, base: str, dataset: dict[str, Any],
                 notes: list[str]) -> int:
    """Parquet export first (typed, keeps nulls apart from empty text); CSV otherwise.
    Its metadata goes onto the controlled lists (``belfort.harvest.terms``)."""
    dataset_id = dataset["dataset_id"]
    metadata = mapped_terms(_metadata(dataset), notes)
    metadata["organisation"] = harvested_organisation(platform, HARVESTER, metadata.get("organisation"), notes)
    staging = platform.lake.new_staging_dir()
    try:
        exports = f"{base}/api/explore/v2.1/catalog/datasets/{quote(dataset_id)}/exports"
        target, fmt, url = staging / f"{dataset_id}.parquet", "parquet", f"{exports}/parquet"
        limit = platform.settings.max_upload_bytes
        if not _download(client, url, target, {}, limit):
            target, fmt, url = staging / f"{dataset_id}.csv", "csv", f"{exports}/csv"
            if not _download(client, url, target, {"delimiter": ";"}, limit):
                raise InvalidRequest(f"{dataset_id}: the portal offers neither a Parquet nor a CSV export")
        outcome = ingest_file(
            platform, HARVESTER, dataset_id, target, format=fmt,
            metadata=metadata, overrides=_overrides(dataset) or None,
            source_name=url[:500], trigger="harvest",
        )
        record_unmapped(platform, HARVESTER, dataset_id, notes)
        return outcome.version
    finally:
        shutil.rmtree(staging, ignore_errors=True)
