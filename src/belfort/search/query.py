"""From query text to concepts: what a query asks for, before any document is scored.

A query is folded and tokenised like the documents (at most MAX_QUERY_CHARS characters and
MAX_TERMS distinct words are read). Its distinct words, minus stop words, are its *slots*.
What a person typed as one word — ``real-time``, ``P+R``, ``tijd_van_voltooien`` — is one
*group* of slots, and "all words matched" counts groups whose slots are all matched, so
``P+R Gentbrugge`` is two words, not three.

Each slot becomes a :class:`Concept` whose alternatives are the indexed words it reaches
(:meth:`Vocabulary.expand`) plus those of its synonyms (weight × SYNONYM; no typos, and as a
compound part only the head of a longer word) and, for a word that
is not indexed, its halves when both are (``realtime`` → real + time, weight SPLIT). A synonym that is a
phrase ("openbaar vervoer") is a multi-word alternative: a dataset matches it when it contains
all of its words. A phrase of the query itself that is a synonym entry ("De Lijn", "air
quality") adds one more concept covering the phrase's slots, whose alternatives are the phrase
and the other entries of its group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from belfort.search.synonyms import Entry, Synonyms
from belfort.search.text import STOPWORDS, tokenize
from belfort.search.vocabulary import Vocabulary

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
SYNONYM = 0.85
SPLIT = 0.8
"""Weight of a query word's two halves found as separate words (``realtime`` → real, time)."""


@dataclass
class Concept:
    """One thing the query asks for and every way a dataset can match it."""

    covers: tuple[int, ...]
    """The slots (distinct query words) a match of this concept covers."""
    words: dict[int, float] = field(default_factory=dict)
    """Alternatives that are one indexed word: vocabulary id → weight."""
    phrases: list[tuple[Entry, float]] = field(default_factory=list)
    """Alternatives of several words (all must occur in the dataset) and their weight."""
    replaces: bool = False
    """A query-phrase concept: a dataset gets the better of this concept and the sum of the
    concepts of the covered words (so a phrase is not counted twice)."""


@dataclass
class Plan:
    """The concepts of a query; ``slots`` is the number of distinct query words that count."""

    slots: int
    concepts: list[Concept]
    groups: list[tuple[int, ...]] = field(default_factory=list)
    """The slots of each word as typed (whitespace-separated); a group counts as matched when
    all its slots are."""
    match_all: bool = False
    """True for an empty query (or ``*``): every dataset matches with score 0."""


def query_words(query: str) -> list[list[str]]:
    """The folded words of each whitespace-separated part of a query (empty parts dropped),
    reading at most MAX_QUERY_CHARS characters and MAX_TERMS × 4 words."""
    parts: list[list[str]] = []
    budget = MAX_TERMS * 4
    for chunk in query[:MAX_QUERY_CHARS].split():
        words = tokenize(chunk)[:budget]
        if words:
            parts.append(words)
            budget -= len(words)
        if budget <= 0:
            break
    return parts


def _add_entry(concept: Concept, entry: Entry, weight: float, vocab: Vocabulary) -> None:
    """Add a synonym (or a split word) as an alternative: no typos, and as a compound part only
    as the head of a longer word (``buurt`` → ``wijk`` → ``stadswijk``, but not ``wijkagent``)."""
    if len(entry) == 1:
        for i, w in vocab.expand(entry[0], typos=False, starts=False).items():
            if concept.words.get(i, 0.0) < w * weight:
                concept.words[i] = w * weight
    elif (entry, weight) not in concept.phrases:
        concept.phrases.append((entry, weight))


def plan_query(query: str, vocab: Vocabulary, synonyms: Synonyms) -> Plan:
    """Turn query text into concepts over ``vocab``."""
    if not query.strip() or query.strip() == "*":
        return Plan(slots=0, concepts=[], match_all=True)
    parts = query_words(query)
    words = [w for part in parts for w in part]
    keep = (lambda w: w not in STOPWORDS) if any(w not in STOPWORDS for w in words) else bool
    slots: list[str] = []
    groups: list[tuple[int, ...]] = []
    for part in parts:
        group: list[int] = []
        for w in part:
            if not keep(w):
                continue
            if w not in slots:
                if len(slots) == MAX_TERMS:
                    continue
                slots.append(w)
            group.append(slots.index(w))  # at most MAX_TERMS slots: cheap
        if group and tuple(group) not in groups:
            groups.append(tuple(group))
    slot_of = {w: i for i, w in enumerate(slots)}

    concepts: list[Concept] = []
    for i, word in enumerate(slots):
        concept = Concept(covers=(i,))
        synonym_groups = synonyms.groups_of_word(word)
        # a known synonym is taken as correctly spelled: no typo expansion
        concept.words = vocab.expand(word, typos=not synonym_groups)
        if not vocab.has(word):
            for left, right in vocab.splits(word):
                _add_entry(concept, (left, right), SPLIT, vocab)
        for entry in synonyms.alternatives(synonym_groups, exclude=(word,)):
            _add_entry(concept, entry, SYNONYM, vocab)
        concepts.append(concept)

    for start, end, phrase_groups in synonyms.phrases_in(words):
        covers = tuple(sorted({slot_of[w] for w in words[start:end] if w in slot_of}))
        if not covers:
            continue
        concept = Concept(covers=covers, replaces=True)
        # the phrase itself is an alternative too, so the concept's idf is over every dataset
        # it matches and the literal phrase outranks its synonyms
        _add_entry(concept, tuple(words[start:end]), 1.0, vocab)
        for entry in synonyms.alternatives(phrase_groups, exclude=tuple(words[start:end])):
            _add_entry(concept, entry, SYNONYM, vocab)
        concepts.append(concept)
    return Plan(slots=len(slots), concepts=concepts, groups=groups)
