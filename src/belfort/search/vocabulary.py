"""The vocabulary of an index and how one query word expands over it.

A query word reaches the indexed words (the vocabulary) in four ways, each with a weight that
multiplies the score of the indexed word:

========================  ======  ==========================================================
match                     weight  example (query → indexed word)
========================  ======  ==========================================================
exact                     1.0     ``fietsen`` → ``fietsen``
same stem                 0.9     ``fiets`` → ``fietsen``; ``counters`` → ``counter``
compound part, head       0.65    ``telpaal`` → ``fietstelpalen`` (query is the end of a word)
compound part, start      0.6     ``fiets`` → ``fietstelpalen`` (query is the start of a word)
typo, 1 edit              0.7     ``parkeergarge`` → ``parkeergarage``
typo, 2 edits             0.55    ``fietstelpal`` → ``fietstelpalen``
========================  ======  ==========================================================

A query word that is not indexed at all may also be two indexed words written together
(:meth:`Vocabulary.splits`, ``realtime`` → ``real`` + ``time``); the query planner then looks for
datasets with both words (weight SPLIT in :mod:`belfort.search.query`).

Compound parts are matched on words and their Dutch stems only (English does not glue words
together, and English stems make false prefixes). They must leave at least COMPOUND_REST
characters over (so ``wijk`` finds
``stadswijk`` but ``park`` does not find ``parken`` that way), and are only tried for words of at
least MIN_COMPOUND_CHARS letters. Typos are only tried for a word that is not itself in the vocabulary
(a word the catalogue uses is not "corrected" into another one; a stem match of an unknown
word still outranks its typo matches), and only towards the words of
titles, keywords, themes, organisations and field names (the index passes them as
``typo_words``): those are what people look for, and descriptions would multiply the size and
build time of the typo index for matches that hardly count.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from belfort.search.text import compound_forms, forms, is_stemmable
from belfort.search.typos import DeletionIndex

EXACT = 1.0
STEM = 0.9
COMPOUND_HEAD = 0.65
COMPOUND_START = 0.6
TYPO = {1: 0.7, 2: 0.55}

MIN_COMPOUND_CHARS = 4
COMPOUND_REST = 3
MIN_SPLIT_CHARS = 3
MAX_SPLITS = 3
MAX_COMPOUND_MATCHES = 200
"""At most this many longer words per direction (a short prefix in a huge vocabulary)."""


def _merge(into: dict[int, float], ids: Iterable[int], weight: float) -> None:
    for i in ids:
        if into.get(i, 0.0) < weight:
            into[i] = weight


class Vocabulary:
    """Indexed words with look-ups by form, by compound part and by typo."""

    def __init__(self, words: list[str], typo_words: Iterable[str] | None = None) -> None:
        """``words``: the vocabulary (position = id). ``typo_words``: the words a misspelled
        query word may be corrected to (default: all)."""
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}
        by_form: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            for form in forms(word):
                by_form.setdefault(form, []).append(i)
        self._by_form = by_form
        by_part: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            for form in compound_forms(word):
                if is_stemmable(form) and len(form) >= MIN_COMPOUND_CHARS + COMPOUND_REST:
                    by_part.setdefault(form, []).append(i)
        self._by_part = by_part
        self._starts = sorted(by_part)
        self._ends = sorted(f[::-1] for f in by_part)
        self._typos = DeletionIndex(
            w for w in (words if typo_words is None else typo_words) if is_stemmable(w)
        )

    def __len__(self) -> int:
        return len(self.words)

    def direct(self, word: str) -> dict[int, float]:
        """Indexed words equal to ``word`` (1.0) or sharing a form with it (STEM)."""
        out: dict[int, float] = {}
        own = self.ids.get(word)
        if own is not None:
            out[own] = EXACT
        for form in forms(word):
            _merge(out, self._by_form.get(form, ()), STEM)
        return out

    def compounds(self, word: str, *, starts: bool = True) -> dict[int, float]:
        """Indexed words that end with a form of ``word`` (its head: ``telpaal`` →
        ``fietstelpaal``) or, when ``starts``, begin with one (``fiets`` → ``fietstelpaal``)."""
        out: dict[int, float] = {}
        if not is_stemmable(word):
            return out
        for form in compound_forms(word):
            if len(form) < MIN_COMPOUND_CHARS:
                continue
            if starts:
                for key in self._scan(self._starts, form):
                    _merge(out, self._by_part[key], COMPOUND_START)
            for rkey in self._scan(self._ends, form[::-1]):
                _merge(out, self._by_part[rkey[::-1]], COMPOUND_HEAD)
        return out

    @staticmethod
    def _scan(keys: list[str], prefix: str) -> list[str]:
        """Keys that start with ``prefix`` and are COMPOUND_REST characters longer."""
        lo = bisect_left(keys, prefix)
        hi = bisect_left(keys, prefix + "\U0010ffff", lo)
        longer = len(prefix) + COMPOUND_REST
        return [k for k in keys[lo:hi] if len(k) >= longer][:MAX_COMPOUND_MATCHES]

    def typos(self, word: str) -> dict[int, float]:
        """Indexed words within the allowed number of edits of ``word`` (not ``word`` itself)."""
        out: dict[int, float] = {}
        if not is_stemmable(word):
            return out
        for candidate, distance in self._typos.candidates(word).items():
            if distance > 0:
                _merge(out, (self.ids[candidate],), TYPO[distance])
        return out

    def has(self, word: str) -> bool:
        """Whether ``word`` or one of its forms is indexed."""
        return word in self.ids or any(f in self._by_form for f in forms(word))

    def splits(self, word: str) -> list[tuple[str, str]]:
        """Ways to cut ``word`` into two indexed words of at least MIN_SPLIT_CHARS letters
        (``realtime`` → ``real`` + ``time``, ``fietsparkeren`` → ``fiets`` + ``parkeren``), for
        words that are not indexed themselves; at most MAX_SPLITS, longest first part first."""
        out: list[tuple[str, str]] = []
        if not is_stemmable(word) or len(word) < 2 * MIN_SPLIT_CHARS:
            return out
        for i in range(len(word) - MIN_SPLIT_CHARS, MIN_SPLIT_CHARS - 1, -1):
            left, right = word[:i], word[i:]
            if self.has(right):
                if self.has(left):
                    out.append((left, right))
                elif left.endswith("s") and len(left) > MIN_SPLIT_CHARS and self.has(left[:-1]):
                    out.append((left[:-1], right))  # a linking s: "stadswijk" → stad + wijk
            if len(out) == MAX_SPLITS:
                break
        return out

    def expand(self, word: str, *, typos: bool = True, starts: bool = True) -> dict[int, float]:
        """Every indexed word ``word`` reaches, with the weight of the best way it does.

        Typos are tried only when ``typos`` is true and ``word`` itself is not indexed; words
        that ``word`` is the start of only when ``starts`` is true.
        """
        out = self.direct(word)
        for i, w in self.compounds(word, starts=starts).items():
            if out.get(i, 0.0) < w:
                out[i] = w
        if typos and word not in self.ids:
            for i, w in self.typos(word).items():
                if out.get(i, 0.0) < w:
                    out[i] = w
        return out
