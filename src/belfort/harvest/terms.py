"""Harvested metadata onto the catalogue's controlled lists, without refusing a record.

A harvested theme, licence, place or frequency that maps is rewritten to the list's entry
(``belfort.catalog.vocabularies``). What does not map is not lost: an unmapped theme is kept
as a keyword, and every unmapped value is named in the harvest's notes for that dataset and
in the audit log (action ``harvest_unmapped_terms``, see docs/metadata.md). A publisher that
matches a listed organisation takes its name; an unknown publisher is added to the list.
"""

from __future__ import annotations

from typing import Any

from belfort.catalog import organisations as orgs
from belfort.catalog import store
from belfort.catalog.vocabularies import lenient_terms
from belfort.linked.vocabularies import slug
from belfort.platform import Platform
from belfort.policy.principals import Principal


def mapped_terms(metadata: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """``metadata`` with its terms on the lists; an unmapped theme becomes a keyword."""
    out, problems = lenient_terms(metadata)
    keywords: list[str] = list(out.get("keywords") or [])
    for problem in problems:
        value = problem.value[:100]
        if problem.field == "themes":
            if value not in keywords and len(keywords) < 50:
                keywords.append(value)
            notes.append(f"theme {value!r} is on no list: kept as a keyword")
        else:
            notes.append(f"{problem.field} {value!r} is on no list: left out")
    if keywords:
        out["keywords"] = keywords
    return out


def unmapped(notes: list[str]) -> list[str]:
    return [n for n in notes if "is on no list" in n]


def harvested_organisation(
    platform: Platform, principal: Principal, name: str | None, notes: list[str]
) -> str | None:
    """The listed organisation's name for a harvested publisher, added when it is new."""
    if not name or not name.strip():
        return None
    with platform.db.session() as session:
        found = orgs.find_organisation(session, name)
        if found is not None:
            return found.name_nl
        base = slug(name, 76) or "organisation"
        candidate, n = base, 2
        while session.get(orgs.Organisation, candidate) is not None:
            candidate, n = f"{base}-{n}", n + 1
        org = orgs.add_organisation(session, candidate, {"name_nl": name.strip()[:200]})
        store.record_audit(
            session,
            principal.actor,
            "add_organisation",
            None,
            organisation=org.slug,
            fields=["name_nl"],
            source="harvest",
        )
        notes.append(f"organisation {org.name_nl!r} added to the list (from the harvest)")
        result = org.name_nl
    platform.generation.bump()
    return result


def record_unmapped(
    platform: Platform, principal: Principal, dataset_id: str, notes: list[str]
) -> None:
    """Keep the unmapped originals in the audit log (the harvest's notes name them too)."""
    lost = unmapped(notes)
    if not lost:
        return
    with platform.db.session() as session:
        store.record_audit(
            session,
            principal.actor,
            "harvest_unmapped_terms",
            dataset_id,
            terms=[n[:300] for n in lost[:40]],
        )
