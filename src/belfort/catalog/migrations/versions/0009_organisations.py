"""organisations as a catalogue table; existing metadata merged onto the controlled lists

Adds ``organisations`` (slug, names, descriptions, contact, homepage) and, once, rewrites the
datasets' free text: themes to EU theme codes, licences to their URI, spatial coverage to the
listed place's name, and organisations spelled alike ("Stad Gent", "stad gent") to one
organisation row (the most used spelling; a spelling with capitals wins a tie). Values on no
list are kept as they are (docs/metadata.md). "Stad Gent" is always created.

Downgrade drops the table; the rewritten metadata stays canonical (nothing to undo).

Revision ID: 0009
Revises: 0008 (written on 0007 and re-chained after 0008; it does not depend on 0008's tables)
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CITY = ("stad-gent", "Stad Gent", "City of Ghent", "https://stad.gent")


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("slug", sa.String(length=80), primary_key=True),
        sa.Column("name_nl", sa.String(length=200), nullable=False, unique=True),
        sa.Column("name_en", sa.String(length=200)),
        sa.Column("description_nl", sa.Text()),
        sa.Column("description_en", sa.Text()),
        sa.Column("contact_email", sa.String(length=254)),
        sa.Column("homepage", sa.String(length=500)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    merge_existing(op.get_bind())


def merge_existing(connection: sa.Connection) -> None:
    """The one-off data step: every dataset's terms onto the lists, organisations merged."""
    from belfort.catalog import vocabularies as cv
    from belfort.linked import vocabularies as v

    datasets = sa.table(
        "datasets",
        sa.column("id", sa.String),
        sa.column("themes", sa.JSON),
        sa.column("licence", sa.String),
        sa.column("spatial", sa.String),
        sa.column("organisation", sa.String),
    )
    organisations = sa.table(
        "organisations",
        sa.column("slug", sa.String),
        sa.column("name_nl", sa.String),
        sa.column("name_en", sa.String),
        sa.column("homepage", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    rows = connection.execute(sa.select(datasets)).mappings().all()
    spellings: dict[str, Counter[str]] = {}
    for row in rows:
        if row["organisation"] and row["organisation"].strip():
            name = " ".join(row["organisation"].split())
            spellings.setdefault(v.normalise(name), Counter())[name] += 1
    canonical = {key: _preferred(counts) for key, counts in spellings.items()}
    now = datetime.now(timezone.utc)
    slugs: set[str] = set()
    city_key = v.normalise(CITY[1])
    canonical.setdefault(city_key, CITY[1])
    for key, name in sorted(canonical.items()):
        slug = v.slug(name) or "organisation"
        base, n = slug, 2
        while slug in slugs:
            slug, n = f"{base[:76]}-{n}", n + 1
        slugs.add(slug)
        is_city = key == city_key
        connection.execute(
            sa.insert(organisations).values(
                slug=slug,
                name_nl=name,
                name_en=CITY[2] if is_city else None,
                homepage=CITY[3] if is_city else None,
                created_at=now,
                updated_at=now,
            )
        )
    for row in rows:
        changes: dict[str, Any] = {}
        themes = row["themes"] if isinstance(row["themes"], list) else []
        mapped: list[Any] = []
        for theme in themes:
            code = cv.theme_code(theme) if isinstance(theme, str) else None
            value = code or theme
            if value not in mapped:
                mapped.append(value)
        if mapped != themes:
            changes["themes"] = mapped
        if row["licence"] and (uri := cv.licence_uri(row["licence"])) and uri != row["licence"]:
            changes["licence"] = uri
        if row["spatial"] and (place := cv.place_name(row["spatial"])) and place != row["spatial"]:
            changes["spatial"] = place
        if row["organisation"] and row["organisation"].strip():
            name = canonical[v.normalise(" ".join(row["organisation"].split()))]
            if name != row["organisation"]:
                changes["organisation"] = name
        if changes:
            connection.execute(
                sa.update(datasets).where(datasets.c.id == row["id"]).values(**changes)
            )


def _preferred(counts: Counter[str]) -> str:
    """The most used spelling; on a tie one with capitals, then the first alphabetically."""
    return sorted(counts, key=lambda s: (-counts[s], s == s.lower(), s))[0]


def downgrade() -> None:
    op.drop_table("organisations")
