"""The catalogue index: documents in, ranked hits out.

Scoring (see docs/search.md for the full story) is BM25F over the fields below:

* A query concept (one query word and every indexed word it reaches, see
  :mod:`belfort.search.vocabulary` and :mod:`belfort.search.query`) pools the term frequencies of
  its alternatives per field, each times its weight (an exact word counts 1, a typo 0.55, ...).
* Per field the pooled frequency is saturated BM25-style,
  ``tf·(k1+1) / (tf + k1·(1 − b + b·len/avg_len))``; the Dutch and English versions of the title
  (and of the description) count as one field: the better of the two is used, so a bilingual
  dataset is neither favoured nor penalised. The fields' values, times the field weights, are
  summed and multiplied by the concept's idf (over the datasets the concept matches at all).
* Datasets are ranked by how many query words they match first (all words beat some words; a
  word as typed, so ``real-time`` is one word that needs both ``real`` and ``time``), then by
  the summed concept scores times a state factor (published 1.0, deprecated 0.8, anything else
  0.6), then by title. The score of a hit is ``matched words + s / (s + 10)``: its integer part
  is the number of query words matched, and sorting by it is the ranking.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from belfort.search.query import Concept, Plan, plan_query
from belfort.search.synonyms import Synonyms
from belfort.search.text import fold, tokenize
from belfort.search.vocabulary import Vocabulary


@dataclass(frozen=True)
class SearchDocument:
    """What the search sees of one dataset (the portal builds these from the catalogue)."""

    id: str
    title_nl: str
    title_en: str | None = None
    description_nl: str | None = None
    description_en: str | None = None
    keywords: tuple[str, ...] = ()
    organisation: str | None = None
    field_names: tuple[str, ...] = ()
    """Names, labels and descriptions of the schema's fields."""
    themes: tuple[str, ...] = ()
    state: str = "published"


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: a dataset id and its score (higher is better)."""

    id: str
    score: float


@dataclass(frozen=True)
class FieldSpec:
    """A searchable field: its weight and BM25 length normalisation ``b``."""

    weight: float
    b: float


FIELDS: dict[str, FieldSpec] = {
    "title": FieldSpec(5.0, 0.5),
    "keywords": FieldSpec(3.0, 0.3),
    "themes": FieldSpec(2.0, 0.3),
    "organisation": FieldSpec(2.0, 0.3),
    "field_names": FieldSpec(1.5, 0.5),
    "description": FieldSpec(1.0, 0.75),
}
COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "nl"), ("title", "en"), ("keywords", ""), ("themes", ""), ("organisation", ""),
    ("field_names", ""), ("description", "nl"), ("description", "en"),
)
"""The indexed columns: a field, split by language where the document has two versions."""
K1 = 1.2
STATE_FACTOR = {"published": 1.0, "deprecated": 0.8}
OTHER_STATE_FACTOR = 0.6
SCORE_SCALE = 10.0

def _sort_title(doc: SearchDocument) -> str:
    """The default order: Dutch title, or the English one when there is no Dutch title."""
    return fold(doc.title_nl or doc.title_en or "")


def _column_texts(doc: SearchDocument) -> list[list[str]]:
    """The texts of ``doc`` per column of COLUMNS."""
    return [
        [doc.title_nl], [doc.title_en or ""], list(doc.keywords), list(doc.themes),
        [doc.organisation or ""], list(doc.field_names),
        [doc.description_nl or ""], [doc.description_en or ""],
    ]


class CatalogueIndex:
    """An immutable search index over catalogue documents (safe to share between threads)."""

    def __init__(
        self,
        documents: list[SearchDocument],
        vocabulary: Vocabulary,
        postings: tuple[np.ndarray, np.ndarray, np.ndarray],
        lengths: np.ndarray,
        synonyms: Synonyms,
    ) -> None:
        self.documents = documents
        self.vocabulary = vocabulary
        self.synonyms = synonyms
        self._offsets, self._docs, self._tf = postings
        b = np.array([FIELDS[f].b for f, _ in COLUMNS])
        avg = np.maximum(lengths.mean(axis=0), 1.0) if len(documents) else np.ones(len(COLUMNS))
        # the BM25 denominator term k1·(1 − b + b·len/avg) per document and column
        self._norm = K1 * (1 - b + b * lengths / avg)
        self._position = {d.id: i for i, d in enumerate(documents)}
        self._state = np.array(
            [STATE_FACTOR.get(d.state, OTHER_STATE_FACTOR) for d in documents], dtype=np.float64
        )
        order = sorted(range(len(documents)),
                       key=lambda i: (_sort_title(documents[i]), documents[i].id))
        self._default_order = np.array(order, dtype=np.int64)
        self._rank = np.empty(len(documents), dtype=np.int64)
        self._rank[self._default_order] = np.arange(len(documents))

    @classmethod
    def build(
        cls,
        documents: Iterable[SearchDocument],
        synonyms: Synonyms | str | Path | None = None,
    ) -> CatalogueIndex:
        """Index ``documents``. ``synonyms``: parsed groups, a synonyms file, or ``None`` for
        the built-in Dutch starter set (``Synonyms.none()`` turns synonyms off).

        Raises ``ValueError`` on two documents with the same id.
        """
        docs = list(documents)
        if isinstance(synonyms, (str, Path)):
            synonyms = Synonyms.load(synonyms)
        elif synonyms is None:
            synonyms = Synonyms.load()
        seen: set[str] = set()
        for document in docs:
            if document.id in seen:
                raise ValueError(f"duplicate document id {document.id!r}")
            seen.add(document.id)

        lengths = np.zeros((len(docs), len(COLUMNS)), dtype=np.float64)
        word_ids: dict[str, int] = {}
        typo_words: set[str] = set()
        rows: list[tuple[int, int, int, int]] = []  # word, document, column, tf
        for d, doc in enumerate(docs):
            for c, texts in enumerate(_column_texts(doc)):
                tokens = [t for text in texts for t in tokenize(text)]
                lengths[d, c] = len(tokens)
                counts = Counter(tokens)
                if COLUMNS[c][0] != "description":
                    typo_words.update(counts)
                for word, tf in counts.items():
                    rows.append((word_ids.setdefault(word, len(word_ids)), d, c, tf))
        vocab = Vocabulary(list(word_ids), typo_words)
        postings = cls._postings(len(vocab), max(len(docs), 1), np.array(rows, dtype=np.int64))
        return cls(docs, vocab, postings, lengths, synonyms)

    @staticmethod
    def _postings(
        n_words: int, n_docs: int, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per word (``offsets[w]:offsets[w+1]``), the documents containing it and their term
        frequency per column."""
        rows = rows.reshape(-1, 4)
        keys, inverse = np.unique(rows[:, 0] * n_docs + rows[:, 1], return_inverse=True)
        tf = np.zeros((len(keys), len(COLUMNS)), dtype=np.float32)
        tf[inverse, rows[:, 2]] = rows[:, 3]
        offsets = np.searchsorted(keys // n_docs, np.arange(n_words + 1))
        return offsets, (keys % n_docs).astype(np.int32), tf

    def __len__(self) -> int:
        return len(self.documents)

    # --- searching ---------------------------------------------------------------------

    def search(
        self, query: str, *, limit: int | None = None, within: Collection[str] | None = None,
        fields: Collection[str] | None = None,
    ) -> list[Hit]:
        """Datasets matching ``query``, best first.

        An empty query (or ``*``) returns every dataset with score 0, ordered by title.
        ``within`` restricts the hits to these dataset ids (e.g. what the caller may see);
        ``limit`` cuts the list after the restriction. ``fields`` (names of ``FIELDS``)
        restricts the fields a word may match in; the default is all of them.
        """
        scores = self.scores(query, fields=fields)
        allowed = self._allowed(within)
        if scores is None:
            order = self._default_order
            if allowed is not None:
                order = order[allowed[order]]
            return [Hit(self.documents[i].id, 0.0) for i in order[:limit]]
        candidates = np.flatnonzero(scores > 0)
        if allowed is not None:
            candidates = candidates[allowed[candidates]]
        order = candidates[np.lexsort((self._rank[candidates], -scores[candidates]))]
        return [Hit(self.documents[i].id, float(scores[i])) for i in order[:limit]]

    def scores(self, query: str, *, fields: Collection[str] | None = None) -> np.ndarray | None:
        """The score of every document for ``query``, in the order the documents were indexed
        (0 = no match), or ``None`` when the query matches everything (empty or ``*``)."""
        weights = {name: spec.weight for name, spec in FIELDS.items()}
        if fields is not None:
            unknown = set(fields) - weights.keys()
            if unknown:
                raise ValueError(f"unknown search fields {sorted(unknown)}; known: {list(FIELDS)}")
            weights = {name: w for name, w in weights.items() if name in fields}
        plan = plan_query(query if isinstance(query, str) else "", self.vocabulary, self.synonyms)
        if plan.match_all:
            return None
        if not self.documents:
            return np.zeros(0, dtype=np.float64)
        return self._score(plan, weights)

    @property
    def title_rank(self) -> np.ndarray:
        """Per document (in indexed order), its place in the default (title) order."""
        return self._rank

    def _allowed(self, within: Collection[str] | None) -> np.ndarray | None:
        if within is None:
            return None
        mask = np.zeros(len(self.documents), dtype=bool)
        idx = [self._position[i] for i in within if i in self._position]
        mask[idx] = True
        return mask

    def _bm25f(self, alternatives: dict[int, float], fields: dict[str, float]) -> np.ndarray:
        """Per dataset, the BM25F score (without idf) of the alternatives pooled as one term."""
        n = len(self.documents)
        v = np.zeros(n, dtype=np.float64)
        if not alternatives:
            return v
        words = np.fromiter(alternatives.keys(), dtype=np.int64, count=len(alternatives))
        weights = np.fromiter(alternatives.values(), dtype=np.float64, count=len(alternatives))
        lo, hi = self._offsets[words], self._offsets[words + 1]
        sizes = hi - lo
        total = int(sizes.sum())
        if total == 0:
            return v
        if len(words) == 1:  # one word: its documents are distinct already
            docs = self._docs[lo[0]:hi[0]]
            tf = weights[0] * self._tf[lo[0]:hi[0]].astype(np.float64)
        else:  # all postings at once: position i of the concatenation is lo[k] + (i - start[k])
            pos = np.arange(total) + np.repeat(lo - (np.cumsum(sizes) - sizes), sizes)
            docs, inverse = np.unique(self._docs[pos], return_inverse=True)
            weighted = self._tf[pos] * np.repeat(weights, sizes)[:, None]
            tf = np.empty((len(docs), len(COLUMNS)), dtype=np.float64)
            for c in range(len(COLUMNS)):
                tf[:, c] = np.bincount(inverse, weights=weighted[:, c], minlength=len(docs))
        sat = tf * (K1 + 1) / (tf + self._norm[docs])
        score = np.zeros(len(docs), dtype=np.float64)
        best: dict[str, np.ndarray] = {}
        for c, (name, _) in enumerate(COLUMNS):
            best[name] = np.maximum(best[name], sat[:, c]) if name in best else sat[:, c]
        for name, col in best.items():
            if name in fields:
                score += fields[name] * col
        v[docs] = score
        return v

    def _concept_vector(self, concept: Concept, fields: dict[str, float]) -> np.ndarray:
        v = self._bm25f(concept.words, fields) if concept.words else np.zeros(len(self.documents))
        for entry, weight in concept.phrases:
            parts = [self._bm25f(self.vocabulary.expand(w, typos=False, starts=False), fields)
                     for w in entry]
            all_there = np.logical_and.reduce([p > 0 for p in parts])
            v = np.maximum(v, np.where(all_there, weight * np.mean(parts, axis=0), 0.0))
        df = int(np.count_nonzero(v))
        if df:
            n = len(self.documents)
            v *= math.log(1 + (n - df + 0.5) / (df + 0.5))
        return v

    def _score(self, plan: Plan, fields: dict[str, float]) -> np.ndarray:
        n = len(self.documents)
        covered = np.zeros((plan.slots, n), dtype=bool)
        per_slot = np.zeros((plan.slots, n), dtype=np.float64)
        phrase_bonus = np.zeros(n, dtype=np.float64)
        for concept in plan.concepts:
            if not concept.replaces:
                v = self._concept_vector(concept, fields)
                (slot,) = concept.covers
                per_slot[slot] = v
                covered[slot] |= v > 0
        for concept in plan.concepts:
            if concept.replaces:
                v = self._concept_vector(concept, fields)
                span = per_slot[list(concept.covers)].sum(axis=0)
                phrase_bonus += np.maximum(v * len(concept.covers) - span, 0.0)
                covered[list(concept.covers)] |= v > 0
        s = (per_slot.sum(axis=0) + phrase_bonus) * self._state
        matched = np.zeros(n, dtype=np.float64)
        for group in plan.groups:
            matched += np.logical_and.reduce(covered[list(group)])
        return np.where(s > 0, matched + s / (s + SCORE_SCALE), 0.0)
