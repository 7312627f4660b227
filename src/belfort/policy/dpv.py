"""DPV purposes: a small vendored list of W3C Data Privacy Vocabulary 2.x purpose terms
(``dpv_purposes.json``: IRI, English label, the broader purpose), what policies and access
requests name as purposes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

DPV_NS = "https://w3id.org/dpv#"


@dataclass(frozen=True)
class Purpose:
    iri: str
    label: str
    broader: str | None  # the broader purpose's IRI

    @property
    def compact(self) -> str:
        return "dpv:" + self.iri[len(DPV_NS):]


def _load() -> dict[str, Purpose]:
    data = json.loads(resources.files("belfort.policy").joinpath("dpv_purposes.json")
                      .read_text("utf-8"))
    ns = data["namespace"]
    return {ns + p["term"]: Purpose(ns + p["term"], p["label"],
                                    ns + p["broader"] if p["broader"] else None)
            for p in data["purposes"]}


PURPOSES: dict[str, Purpose] = _load()
_BY_NAME = {name.casefold(): p.iri for p in PURPOSES.values()
            for name in (p.iri, p.compact, p.iri[len(DPV_NS):], p.label)}


def purpose_iri(text: str) -> str | None:
    """A purpose's IRI from its IRI, ``dpv:Term``, ``Term`` or English label (None: not a
    purpose Belfort knows)."""
    if not isinstance(text, str) or len(text) > 300:
        return None
    return _BY_NAME.get(text.strip().casefold())


def is_a(purpose: str, broader: str) -> bool:
    """Whether ``purpose`` is ``broader`` or (transitively) narrower than it."""
    seen = 0
    current: str | None = purpose
    while current is not None and seen < 20:
        if current == broader:
            return True
        found = PURPOSES.get(current)
        current = found.broader if found else None
        seen += 1
    return False


def require_purpose(text: str) -> str:
    """A declared purpose's IRI; ``UnknownPurpose`` (422) when it names no known purpose."""
    from belfort.errors import UnknownPurpose

    found = purpose_iri(text)
    if found is None:
        shown = text[:100] if isinstance(text, str) else type(text).__name__
        raise UnknownPurpose(f"unknown purpose {shown!r}: use a DPV purpose such as "
                             "dpv:ResearchAndDevelopment (GET /api/belfort/v1/policies/purposes)")
    return found
