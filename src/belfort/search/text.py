"""Text normalisation for catalogue search: folding, tokenisation, stemming, stop words.

Every string the engine sees, from a dataset title to a query, goes through the same steps:

1. :func:`fold` — Unicode NFKD, combining marks dropped (é → e, ĳ → ij), case folded (ß → ss).
2. :func:`tokenize` — split on everything that is not a letter or a digit, so punctuation,
   underscores, hyphens, emoji, NUL and other controls all separate words
   (``tijd_van_voltooien`` → ``tijd``, ``van``, ``voltooien``).
3. :func:`forms` — a word plus its Dutch and English Snowball stems, so ``fietsen``/``fiets``,
   ``parkings``/``parking`` and ``counters``/``counter`` share a form.

Nothing here uses a backtracking pattern, so no input can make it slow.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

MAX_TOKEN_CHARS = 64
"""Longer runs of letters are cut to this length (nobody searches for longer words)."""

MIN_STEM_CHARS = 3
"""A stem shorter than this is not used (it would match too many unrelated words)."""

_WORD = re.compile(r"[^\W_]+")

STOPWORDS: frozenset[str] = frozenset(
    # Dutch
    "de het een en of van voor in op met aan bij door over uit naar tot om als te is zijn "
    "die dat deze dit er ook niet wat welke wie waar hoe per alle"
    " "
    # English
    "the a an and or of for in on at by with to from is are be this that these those what "
    "which who where how all about into"
    .split()
)
"""Words a query may drop: they are indexed, but a query term that is one of them does not
count towards "all words matched" (unless the query has nothing else)."""

STEM_OVERRIDES: dict[str, str] = {
    # The Dutch stemmer strips "-ing", which would make "parking" match "parken" (parks).
    "parking": "parking",
    "parkings": "parking",
    # The English stemmer turns "evenement" into "even".
    "evenement": "evenement",
    "evenementen": "evenement",
    # "opening" is not "open".
    "opening": "opening",
    "openingen": "opening",
    # Place names are not stemmed into each other.
    "gent": "gent",
    "ghent": "ghent",
}
"""Words whose stem is fixed by hand (the usual stemmer-override list of search engines)."""


class _CombiningMarks(dict[int, int | None]):
    """A ``str.translate`` table that deletes combining marks, filled in as characters come."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        if len(self) < 100_000:
            self[code] = value
        return value


_STRIP_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """Accent- and case-fold ``text`` (NFKD, combining marks removed, casefolded)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_STRIP_MARKS).casefold()


def tokenize(text: str | None) -> list[str]:
    """The folded words of ``text``, in order; words longer than MAX_TOKEN_CHARS are cut."""
    if not text:
        return []
    return [word[:MAX_TOKEN_CHARS] for word in _WORD.findall(fold(text))]


def is_stemmable(token: str) -> bool:
    """Only words of letters get stems, typo tolerance and compound matching (not ``2024``)."""
    return token.isalpha()


_STEMMERS = {lang: snowballstemmer.stemmer(lang) for lang in ("dutch", "english")}
_STEM_LOCK = threading.Lock()  # Snowball stemmer objects keep state while stemming


@lru_cache(maxsize=200_000)
def compound_forms(token: str) -> tuple[str, ...]:
    """The forms used for compound matching: ``token`` and its Dutch stem.

    Compounds are a Dutch affair; English stems are left out because they make unrelated
    prefixes (``elections`` → ``elect`` would be the start of ``electric``).
    """
    full = forms(token)
    if len(full) == 1 or token in STEM_OVERRIDES:
        return full
    with _STEM_LOCK:
        dutch = _STEMMERS["dutch"].stemWord(token)
    out = [token]
    for stem in [dutch, *_undoubled(token, dutch)]:
        if len(stem) >= MIN_STEM_CHARS and stem not in out:
            out.append(stem)
    return tuple(out)


@lru_cache(maxsize=200_000)
def forms(token: str) -> tuple[str, ...]:
    """``token`` followed by its distinct Dutch and English stems (token first, no duplicates).

    Stems shorter than MIN_STEM_CHARS are dropped; words in STEM_OVERRIDES get their fixed stem.
    Non-alphabetic tokens (numbers, codes) are their only form.
    """
    if not is_stemmable(token):
        return (token,)
    override = STEM_OVERRIDES.get(token)
    if override is not None:
        return (token,) if override == token else (token, override)
    with _STEM_LOCK:
        stems = [_STEMMERS[lang].stemWord(token) for lang in ("dutch", "english")]
    stems[1:1] = _undoubled(token, stems[0])
    out = [token]
    for stem in stems:
        if len(stem) >= MIN_STEM_CHARS and stem not in out:
            out.append(stem)
    return tuple(out)


def _undoubled(token: str, stem: str) -> list[str]:
    """The Dutch stemmer writes the long vowel of an open syllable double ("bomen" → "boom"),
    which is wrong for short vowels ("zwembaden" → "zwembaad", "fietspaden" → "fietspaad").
    When the double vowel is the stemmer's own, the single-vowel spelling is a form too, so
    "zwembad" and "zwembaden" meet."""
    if (len(stem) >= 4 and stem[-3] == stem[-2] and stem[-2] in "aeou"
            and stem[-1] not in "aeiouy" and stem[-3:-1] not in token):
        return [stem[:-2] + stem[-1]]
    return []
