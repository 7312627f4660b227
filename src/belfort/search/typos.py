"""Typo tolerance: a SymSpell-style deletion index over the vocabulary.

A word within *k* edits of another shares a string with it once up to *k* characters are
deleted from each. The index maps every such deletion of every vocabulary word to the words it
came from, so a query term's candidates are found with a handful of dictionary look-ups — never
a scan of the vocabulary or of the documents — and then checked with the true
optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions).

How many edits a term may have depends on its length (see :func:`allowed_edits`).

As in SymSpell, only the first PREFIX characters of a word are used for the deletions: two
words within *k* edits have prefixes that are each within *k* deletions of a common string, so
nothing is missed, and a long compound costs no more deletions than a ten-letter word.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_FUZZY_CHARS = 32
"""Words longer than this are neither indexed for typos nor looked up (no one mistypes them)."""
PREFIX = 10
"""Characters of a word that its deletions are made from."""


def allowed_edits(term: str) -> int:
    """0 edits below 4 characters, 1 edit for 4-7 characters, 2 edits from 8 characters."""
    n = len(term)
    if n < 4 or n > MAX_FUZZY_CHARS:
        return 0
    return 1 if n <= 7 else 2


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made by deleting up to ``depth`` characters from it."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        nxt: set[str] = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1:])
        nxt -= found
        found |= nxt
        frontier = nxt
    return found


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds
    ``limit`` (so callers can stop early)."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        row_min = i
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            if v < row_min:
                row_min = v
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[lb] if prev[lb] <= limit else limit + 1


class DeletionIndex:
    """Finds the vocabulary words within the allowed number of edits of a term."""

    def __init__(self, words: Iterable[str]) -> None:
        self._deletes: dict[str, list[str]] = {}
        for word in set(words):
            if not 3 <= len(word) <= MAX_FUZZY_CHARS:
                continue
            # Up to 2 edits are allowed for terms of 8+ characters, which can reach words of 6+.
            depth = 2 if len(word) >= 6 else 1
            for d in _deletions(word[:PREFIX], depth):
                self._deletes.setdefault(d, []).append(word)

    def __len__(self) -> int:
        return len(self._deletes)

    def candidates(self, term: str, max_edits: int | None = None) -> dict[str, int]:
        """Vocabulary words within ``max_edits`` (default :func:`allowed_edits`) of ``term``,
        with their distance; ``term`` itself is included when it is in the vocabulary."""
        k = allowed_edits(term) if max_edits is None else min(max_edits, allowed_edits(term))
        if k == 0:
            return {}
        out: dict[str, int] = {}
        seen: set[str] = set()
        for d in _deletions(term[:PREFIX], k):
            for word in self._deletes.get(d, ()):
                if word in seen:
                    continue
                seen.add(word)
                dist = osa_distance(term, word, k)
                if dist <= k:
                    out[word] = dist
        return out
