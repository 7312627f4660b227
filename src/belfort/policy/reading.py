"""One way to read a dataset, below every dialect: the gate's answer, cached, and counted.

Every dialect that reads a dataset's rows — the native API, Opendatasoft v1 and v2.1, the
portal, records as linked data and the event streams — asks ``readable`` (or
``readable_history``) here. The rules are the gate's (``gate.readable_version``); this
module adds what every dialect needs next to them:

- the answer as plain data (``ReadableVersion``: schema, files, record key, mapping, and
  whether anonymous callers may read it, which decides shared caching downstream);
- caching until the next catalogue write by any process (``Platform.cache.current``);
  "not found" is not cached;
- usage counting: every successful read counts as one use of the dataset (``count_use``);
- files on this node's disk: with the lake on object storage (``BELFORT_LAKE_URL``) a
  version file this node has not cached is downloaded before any dialect reads it;
- live datasets (``belfort.streams.live_catalog``): after the gate's answer, the version's
  file is replaced by the dataset's current live file, a snapshot named by its mark, so
  every dialect answers with rows seconds old and every cache keyed by the file moves on;
- what the gate holds back (``Grant``: fields, rows): the file is replaced by the copy that
  holds only what the principal may read, and the schema by its fields
  (``belfort.policy.restricted``), so no dialect can show a held-back value or name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from belfort.audit.log import record_access
from belfort.catalog.models import Version
from belfort.errors import ActionNotGranted, AggregatesOnly, NotFound
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.access import DEFAULT_MIN_GROUP_SIZE, FULL, Action, Grant
from belfort.policy.granting import refund
from belfort.policy.principals import Principal
from belfort.policy.restricted import restricted_file, restricted_schema
from belfort.query.disclosure import Disclosure
from belfort.schema import TableSchema
from belfort.streams.live_catalog import live_file, sync, sync_for

T = TypeVar("T")


@dataclass(frozen=True)
class ReadableVersion:
    """Everything a dialect needs to answer about one version a principal may read."""

    dataset_id: str
    number: int
    schema: TableSchema
    table_schema: dict[str, Any]  # the schema as stored (``TableSchema.to_dict()``)
    path: Path
    record_times: Path | None
    created_at: dt.datetime
    record_key: tuple[str, ...]
    title_nl: str
    title_en: str | None
    rdf_mapping: dict[str, Any] | None
    public: bool  # anonymous callers may read the dataset (``gate.is_public``)
    # read by the public (not an admin key or staff): counted in the public figures too
    # (``belfort.usage``); an admin's read of even an open dataset is not
    public_use: bool
    grant: Grant = FULL  # what the gate allows (``schema`` and ``path`` already apply it)
    # a live dataset (``belfort.streams.live_catalog``): ``path`` is its current snapshot
    live: bool = False


@dataclass(frozen=True)
class VersionFile:
    """One version of a history: its number, file, schema and creation time."""

    number: int
    path: Path
    schema: TableSchema
    created_at: dt.datetime


@dataclass(frozen=True)
class ReadableHistory:
    """A readable version with every earlier version (version history is public)."""

    current: ReadableVersion
    versions: tuple[VersionFile, ...]  # oldest first, ending with ``current``'s


def readable(
    platform: Platform,
    principal: Principal,
    dataset_id: str,
    number: int | None = None,
    *,
    count_use: bool = True,
    action: Action = Action.READ,
    audit: bool = True,
) -> ReadableVersion:
    """Version ``number`` (default: the published one; staff: the newest before any is
    published) of a dataset the principal may read; NotFound otherwise, as the gate says.
    ``action``: what the caller does with it (``export`` for a whole file): ActionNotGranted
    when its grant does not include it. ``audit=False``: the caller records the access
    itself (``audit_access``), once it knows what it does."""
    found = _uncached_under_policy(platform, dataset_id, ("readable", dataset_id, number,
                                                          principal.audience),
                                   lambda: _readable(platform, principal, dataset_id, number),
                                   lambda f: f.grant.policy_id is not None)
    if not found.grant.allows(action):
        if found.grant.charges:  # a refused request does not count
            with platform.db.session() as session:
                refund(session, found.grant)
        raise ActionNotGranted(f"your access to {dataset_id!r} does not include {action.value}")
    if audit:
        audit_access(platform, principal, found, action)
    found = _restrict(platform, _on_disk(platform, _live(platform, found)))
    if count_use:
        # traceable use: every read of a dataset
        platform.usage.record(found.dataset_id, requests=1, public=found.public_use)
    return found


def readable_history(
    platform: Platform, principal: Principal, dataset_id: str, *, count_use: bool = True
) -> ReadableHistory:
    """The readable version (as ``readable``) and the versions before it; ActionNotGranted
    when the grant does not include ``read`` (every version's rows are read)."""
    found = _uncached_under_policy(platform, dataset_id, ("readable-history", dataset_id,
                                                          principal.audience),
                                   lambda: _history(platform, principal, dataset_id),
                                   lambda f: f.current.grant.policy_id is not None)
    if found.current.grant.aggregates_only:  # a history is every version's rows
        raise AggregatesOnly("only aggregates may be read from this dataset: no event stream")
    if not found.current.grant.allows(Action.READ):
        raise ActionNotGranted(f"your access to {dataset_id!r} does not include read")
    audit_access(platform, principal, found.current, Action.READ)
    for version in found.versions:
        platform.lake.ensure_local(version.path)
    current = _restrict(platform, _on_disk(platform, _live(platform, found.current)))
    if current is not found.current:
        grant = current.grant
        found = ReadableHistory(current, tuple(
            replace(v, path=current.path, schema=current.schema) if v.number == current.number
            else _restrict_file(platform, v, grant) for v in found.versions))
    if count_use:
        platform.usage.record(found.current.dataset_id, requests=1,
                              public=found.current.public_use)
    return found


def audit_access(platform: Platform, principal: Principal, found: ReadableVersion,
                 action: Action) -> None:
    """Traceable use: every access to data that is not open, or that a policy allowed, goes
    into the audit trail — who, what, the grant's fields and rows, the purpose, the policy
    (``belfort.audit``; batched, ~3 µs here)."""
    if found.public and found.grant.policy_id is None:
        return
    grant = found.grant
    record_access(platform, principal.actor, principal.kind.value, found.dataset_id,
                  action.value, sorted(grant.fields) if grant.fields is not None else None,
                  grant.row_filter, principal.purpose, grant.policy_id, None)


def disclosure_of(platform: Platform, found: ReadableVersion) -> Disclosure | None:
    """The aggregation threshold the engine answers ``found``'s reader under (None: none):
    a grant limited to aggregates gives its k, the fields a filter may name and the
    settings' zero and noise rules (``belfort.query.disclosure``)."""
    grant = found.grant
    if not grant.aggregates_only:
        return None
    settings = platform.settings
    return Disclosure(grant.min_group_size or DEFAULT_MIN_GROUP_SIZE,
                      suppress_zeros=settings.threshold_suppress_zeros,
                      epsilon=settings.threshold_epsilon, filter_fields=grant.fields)


def _uncached_under_policy(platform: Platform, dataset_id: str, key: tuple[Any, ...],
                           build: Callable[[], T], under_policy: Callable[[T], bool]) -> T:
    """The gate's answer, cached until the next catalogue write — except an answer under a
    policy, whose time and count constraints decide at each read: that one is built anew
    (once: not again when the cache has just built it)."""
    built: list[T] = []

    def fresh() -> T:
        built.append(build())
        return built[-1]

    found = _gated(platform, dataset_id, lambda: platform.cache.current(key, fresh))
    return build() if under_policy(found) and not built else found


def _gated(platform: Platform, dataset_id: str, lookup: Callable[[], T]) -> T:
    """``lookup()`` (the gate's cached answer), with the live datasets a sensor registered in
    any process in the catalogue first; a NotFound for a dataset sensors feed but this
    process has not seen yet syncs at once and asks again."""
    sync(platform)
    try:
        return lookup()
    except NotFound:
        if not sync_for(platform, dataset_id):
            raise
        return lookup()


def _live(platform: Platform, found: ReadableVersion) -> ReadableVersion:
    """``found`` with the current live file when the dataset is live."""
    path = live_file(platform, found.dataset_id)
    return found if path is None else replace(found, path=path, live=True)


def _on_disk(platform: Platform, found: ReadableVersion) -> ReadableVersion:
    """``found``, its files on this node's disk: with an object store, a version file not in
    the node's cache is downloaded now (LakeUnavailable, 503, when the store cannot be read);
    the cached answer above holds paths only, so an evicted file comes back here."""
    platform.lake.ensure_local(found.path)
    if found.record_times is not None:
        platform.lake.ensure_local(found.record_times)
    return found


def _restrict(platform: Platform, found: ReadableVersion) -> ReadableVersion:
    """``found`` with the file and schema of what its grant allows (as is without limits)."""
    grant = found.grant
    if grant.fields is None and grant.row_filter is None:
        return found
    narrowed = _restrict_file(platform, VersionFile(found.number, found.path, found.schema,
                                                    found.created_at), grant)
    return replace(
        found,
        path=narrowed.path,
        schema=narrowed.schema,
        table_schema=narrowed.schema.to_dict(),
        # the times of a version's records are kept by row: filtered rows lose them
        record_times=found.record_times if grant.row_filter is None else None,
        record_key=tuple(k for k in found.record_key
                         if grant.fields is None or k in grant.fields),
        rdf_mapping=None,  # a mapping may name held-back fields: the default one applies
    )


def _restrict_file(platform: Platform, version: VersionFile, grant: Grant) -> VersionFile:
    """A version file restricted by a grant (for a history: the current version's grant)."""
    if grant.fields is None and grant.row_filter is None:
        return version
    return replace(
        version,
        path=restricted_file(platform.lake, version.path, version.schema, grant.fields,
                             grant.row_filter),
        schema=restricted_schema(version.schema, grant.fields),
    )


def _readable(
    platform: Platform, principal: Principal, dataset_id: str, number: int | None
) -> ReadableVersion:
    with platform.db.session() as session:
        dataset, version = gate.readable_version(session, principal, dataset_id, number)
        schema = TableSchema.from_dict(version.table_schema or {})
        return ReadableVersion(
            dataset_id=dataset.id,
            number=version.number,
            schema=schema,
            table_schema=version.table_schema or {},
            path=platform.lake.absolute(version.path),
            record_times=(
                platform.lake.absolute(version.record_times_path)
                if version.record_times_path
                else None
            ),
            created_at=version.created_at,
            record_key=tuple(dataset.record_key or ()),
            title_nl=dataset.title_nl,
            title_en=dataset.title_en,
            rdf_mapping=dataset.rdf_mapping,
            public=gate.is_public(dataset),
            public_use=not principal.is_admin and gate.is_public(dataset),
            grant=gate.access(session, principal, dataset, schema.names),
        )


def _history(platform: Platform, principal: Principal, dataset_id: str) -> ReadableHistory:
    current = _readable(platform, principal, dataset_id, None)
    with platform.db.session() as session:
        rows = session.execute(
            select(Version.number, Version.path, Version.table_schema, Version.created_at)
            .where(Version.dataset_id == current.dataset_id, Version.number <= current.number)
            .order_by(Version.number)
        ).all()
    versions = tuple(
        VersionFile(
            number, platform.lake.absolute(path), TableSchema.from_dict(schema or {}), created_at
        )
        for number, path, schema, created_at in rows
    )
    return ReadableHistory(current, versions)
