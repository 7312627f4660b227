"""A map of shapes against its dataset: do the fields the tile names exist, with the right
types? Asked when a dashboard is saved (``check_spec``: every problem with its path, as
``DashboardInvalid``) and again when the tile is drawn (``shape_problems`` on the version the
gate gives), since a dataset may change, or be published only after the dashboard was saved.

A dataset that does not exist (yet) is not checked when saving: a dashboard may name the
crowding datasets before the first zone is defined; the tile stays empty until then.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from belfort.catalog.store import current_schema, find_dataset
from belfort.dashboards.spec import DashboardSpec, TileSpec
from belfort.errors import DashboardInvalid
from belfort.schema import TableSchema

GEOMETRY_TYPES = ("geometry", "geopoint")
NUMBER_TYPES = ("integer", "number")


def shape_problems(schema: TableSchema, tile: TileSpec, path: str) -> list[dict[str, str]]:
    """What is wrong with a map tile's fields in ``schema`` (nothing: an empty list)."""
    problems: list[dict[str, str]] = []
    dataset = tile.dataset or ""

    def names(types: tuple[str, ...]) -> str:
        found = [f.name for f in schema.fields if f.type in types]
        return ", ".join(found[:10]) or "none"

    def add(key: str, message: str) -> None:
        problems.append({"path": f"{path}.{key}", "message": message})

    def missing(key: str, name: str, hint: str) -> None:
        add(key, f"no field {name!r} in dataset {dataset!r} ({hint})")

    geometries = names(GEOMETRY_TYPES)
    geometry = schema.get(tile.geometry or "")
    if not any(f.type in GEOMETRY_TYPES for f in schema.fields):
        add("geometry", f"dataset {dataset!r} has no geometry field to map")
    elif geometry is None:
        missing("geometry", str(tile.geometry), f"geometry fields: {geometries}")
    elif geometry.type not in GEOMETRY_TYPES:
        add("geometry", f"{geometry.name!r} is a {geometry.type} field, not a geometry "
            f"(geometry fields: {geometries})")
    value = schema.get(tile.value)
    if value is None:
        missing("value", tile.value, f"number fields: {names(NUMBER_TYPES)}")
    elif value.type not in NUMBER_TYPES:
        add("value", f"{value.name!r} is a {value.type} field, not a number "
            f"(number fields: {names(NUMBER_TYPES)})")
    for key, name in (("label", tile.label), ("time", tile.time)):
        if name is not None and schema.get(name) is None:
            missing(key, name, "fields: " + ", ".join(schema.names[:12]))
    return problems


def check_spec(session: Session, spec: DashboardSpec) -> None:
    """``DashboardInvalid`` when a map tile names fields its (existing) dataset lacks."""
    problems: list[dict[str, str]] = []
    for index, tile in enumerate(spec.tiles):
        if not tile.shapes or tile.dataset is None:
            continue
        dataset = find_dataset(session, tile.dataset)
        raw = current_schema(session, dataset) if dataset is not None else None
        if raw is None:
            continue
        problems += shape_problems(TableSchema.from_dict(raw), tile, f"tiles[{index}]")
    if problems:
        raise DashboardInvalid(
            "invalid dashboard: " + "; ".join(f"{p['path']}: {p['message']}"
                                              for p in problems[:10]),
            details={"problems": problems[:100]})
