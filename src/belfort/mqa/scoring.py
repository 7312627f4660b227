"""Score one dataset's DCAT-AP description with the MQA method (``belfort.mqa.method``).

The description is a ``belfort.linked.rdf.Document`` (what the DCAT builder writes). Two
checks need the world outside the description and are given by the caller: whether a URL
answers (``url_ok``: True, False, or None when it was not checked) and whether the whole
description passes the DCAT-AP shapes (``compliant``: likewise). An indicator that could
not be checked scores 0 and says so.

Distributions are not averaged: each is scored on the distribution indicators (with its own
``issued``/``modified``), the best counts (ties: the first in the description), and the
dataset-level indicators are added — the dataset's ``issued``/``modified`` only where that
distribution lacks them. A dataset without distributions scores 0 on all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from belfort.linked.rdf import IRI, Document, Term
from belfort.linked.vocabularies import DCAT, DCT, EXPORT_FORMATS, licence_of
from belfort.mqa import method as m

UrlCheck = Callable[[str], bool | None]


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    dimension: str
    points: int  # earned: the indicator's points or 0
    max_points: int
    checked: bool = True  # False: it could not be checked (scored 0)
    on: str | None = None  # the distribution it was earned on, if any

    @property
    def met(self) -> bool:
        return self.points > 0


@dataclass(frozen=True)
class Suggestion:
    """What to add to score higher."""

    indicator: str
    points: int
    nl: str
    en: str
    checked: bool = True


@dataclass(frozen=True)
class DatasetScore:
    dataset_uri: str
    indicators: tuple[IndicatorResult, ...]
    best_distribution: str | None
    distributions: int

    @property
    def total(self) -> int:
        return sum(i.points for i in self.indicators)

    @property
    def band(self) -> m.Band:
        return m.band_of(self.total)

    def dimension_points(self) -> dict[str, int]:
        out = {d.key: 0 for d in m.DIMENSIONS}
        for result in self.indicators:
            out[result.dimension] += result.points
        return out

    def indicator(self, key: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.key == key)

    def to_add(self) -> list[Suggestion]:
        """The indicators not earned, most points first (then in the method's order)."""
        missing = [i for i in self.indicators if not i.met]
        order = {i.key: n for n, i in enumerate(m.INDICATORS)}
        missing.sort(key=lambda i: (-i.max_points, order[i.key]))
        out = []
        for result in missing:
            ind = m.INDICATOR_KEYS[result.key]
            nl, en = ind.add_nl, ind.add_en
            if not result.checked:
                nl = f"Niet gecontroleerd: {nl[0].lower()}{nl[1:]}"
                en = f"Not checked: {en[0].lower()}{en[1:]}"
            out.append(Suggestion(result.key, result.max_points, nl, en, result.checked))
        return out

    def to_dict(self) -> dict[str, Any]:
        dims = self.dimension_points()
        band = self.band
        return {
            "points": self.total,
            "max_points": m.MAX_POINTS,
            "band": band.key,
            "band_label": {"nl": band.label_nl, "en": band.label_en},
            "dimensions": [{"dimension": d.key, "label": {"nl": d.label_nl, "en": d.label_en},
                            "points": dims[d.key], "max_points": d.max_points}
                           for d in m.DIMENSIONS],
            "indicators": [{"indicator": i.key, "dimension": i.dimension, "points": i.points,
                            "max_points": i.max_points, "met": i.met, "checked": i.checked,
                            "metric": m.INDICATOR_KEYS[i.key].metric_iri,
                            **({"distribution": i.on} if i.on else {})} for i in self.indicators],
            "best_distribution": self.best_distribution,
            "distributions": self.distributions,
            "to_add": [{"indicator": s.indicator, "points": s.points, "checked": s.checked,
                        "text": {"nl": s.nl, "en": s.en}} for s in self.to_add()],
        }


@dataclass
class _Props:
    """A node's values per predicate."""

    values: dict[str, list[Term]] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Document, subject: str) -> _Props:
        props = cls()
        for predicate, obj in doc.nodes.get(subject, ()):
            props.values.setdefault(predicate, []).append(obj)
        return props

    def all(self, predicate: str) -> list[str]:
        return [str(o) if isinstance(o, IRI) else o.value for o in self.values.get(predicate, ())]

    def has(self, predicate: str) -> bool:
        return bool(self.values.get(predicate))


def _any(values: Iterable[str], check: UrlCheck) -> bool | None:
    """True when one URL answers; None when none was checked and none answered."""
    seen_unchecked = False
    for value in values:
        ok = check(value)
        if ok:
            return True
        seen_unchecked = seen_unchecked or ok is None
    return None if seen_unchecked else False


@lru_cache(maxsize=4096)
def _known_licence(value: str) -> bool:
    return value.startswith(m.EU_LICENCE) or licence_of(value) is not None


@lru_cache(maxsize=4096)
def _codes(formats: tuple[str, ...], media: tuple[str, ...]) -> tuple[frozenset[str], bool, bool]:
    """(the EU file-type codes the values name, a format from the EU list, a registered
    media type) — the same few values on every distribution of a catalogue."""
    codes = {c for c in (m.file_type_code(f) for f in formats) if c}
    registered = [t for t in (m.media_type_of(x) for x in media) if t]
    codes |= {c for c in (m.MEDIA_TYPES[t] for t in registered) if c}
    return frozenset(codes), any(m.is_eu_file_type(f) for f in formats), bool(registered)


def _distribution_met(doc: Document, dist: str, url_ok: UrlCheck) -> dict[str, bool | None]:
    p = _Props.of(doc, dist)
    formats = tuple(p.all(DCT + "format"))
    media = tuple(p.all(DCAT + "mediaType"))
    codes, eu_format, registered = _codes(formats, media)
    download_urls = p.all(DCAT + "downloadURL")
    return {
        "accessUrlStatusCode": _any(p.all(DCAT + "accessURL"), url_ok),
        "downloadUrlAvailability": bool(download_urls),
        "downloadUrlStatusCode": _any(download_urls, url_ok) if download_urls else False,
        "formatAvailability": bool(formats),
        "mediaTypeAvailability": bool(media),
        "formatMediaTypeVocabularyAlignment": eu_format and registered,
        "formatMediaTypeNonProprietary": bool(codes & m.NON_PROPRIETARY),
        "formatMediaTypeMachineInterpretable": bool(codes & m.MACHINE_READABLE),
        "licenceAvailability": p.has(DCT + "license"),
        "knownLicence": any(_known_licence(x) for x in p.all(DCT + "license")),
        "rightsAvailability": p.has(DCT + "rights"),
        "byteSizeAvailability": p.has(DCAT + "byteSize"),
        "dateIssuedAvailability": p.has(DCT + "issued"),
        "dateModifiedAvailability": p.has(DCT + "modified"),
    }


def _points(met: dict[str, bool | None]) -> int:
    return sum(m.INDICATOR_KEYS[key].points for key, ok in met.items() if ok)


def _result(key: str, ok: bool | None, on: str | None = None) -> IndicatorResult:
    ind = m.INDICATOR_KEYS[key]
    earned = ind.points if ok else 0
    return IndicatorResult(key, ind.dimension, earned, ind.points, ok is not None,
                           on if ok else None)


def score_description(doc: Document, dataset_uri: str, url_ok: UrlCheck,
                      compliant: bool | None) -> DatasetScore:
    """The MQA score of the dataset ``dataset_uri`` described in ``doc``."""
    ds = _Props.of(doc, dataset_uri)
    best: dict[str, bool | None] | None = None
    best_uri: str | None = None
    best_points = -1
    distributions = ds.all(DCAT + "distribution")
    for dist in distributions:
        met = _distribution_met(doc, dist, url_ok)
        points = _points(met)
        if points > best_points:  # ties keep the first
            best, best_uri, best_points = met, dist, points
    by_key = {key: _result(key, ok, best_uri) for key, ok in (best or {}).items()}
    for key, predicate in (("dateIssuedAvailability", DCT + "issued"),
                           ("dateModifiedAvailability", DCT + "modified")):
        if not (key in by_key and by_key[key].met) and ds.has(predicate):
            by_key[key] = _result(key, True)  # the dataset's date where the distribution has none
    rights = ds.all(DCT + "accessRights")
    dataset_level: dict[str, bool | None] = {
        "keywordAvailability": ds.has(DCAT + "keyword"),
        "categoryAvailability": ds.has(DCAT + "theme"),
        "spatialAvailability": ds.has(DCT + "spatial"),
        "temporalAvailability": ds.has(DCT + "temporal"),
        "dcatApCompliance": compliant,
        "accessRightsAvailability": bool(rights),
        "accessRightsVocabularyAlignment": any(m.is_eu_access_right(r) for r in rights),
        "contactPointAvailability": ds.has(DCAT + "contactPoint"),
        "publisherAvailability": ds.has(DCT + "publisher"),
    }
    for key, ok in dataset_level.items():
        by_key[key] = _result(key, ok)
    indicators = tuple(by_key.get(i.key) or _result(i.key, False) for i in m.INDICATORS)
    return DatasetScore(dataset_uri, indicators, best_uri, len(distributions))


def own_url_ok(url: str, base: str, dataset_id: str, public: bool) -> bool | None:
    """Whether one of Belfort's own URLs for ``dataset_id`` answers an anonymous HEAD with
    2xx, decided from Belfort itself: the route exists (an export of the Explore API or the
    dataset's portal or API page) and the dataset is public. None: not a URL of this dataset
    under ``base`` (the caller checks it otherwise)."""
    base = base.rstrip("/")
    if not url.startswith(base + "/"):
        return None
    path = url[len(base):].split("?", 1)[0]
    exports = f"/api/explore/v2.1/catalog/datasets/{dataset_id}/exports/"
    if path.startswith(exports):
        return public and path[len(exports):] in _EXPORT_NAMES
    if path in (f"/datasets/{dataset_id}", f"/api/belfort/v1/datasets/{dataset_id}",
                f"/api/explore/v2.1/catalog/datasets/{dataset_id}"):
        return public
    return None


_EXPORT_NAMES = frozenset(f.name for f in EXPORT_FORMATS)
