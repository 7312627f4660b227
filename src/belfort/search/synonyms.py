"""Synonym groups: words (or phrases) a search should treat as meaning the same.

The file format (``synonyms_nl.txt`` is the built-in Dutch/English starter set)::

    # a comment; blank lines are ignored
    fiets, fietsen, rijwiel, bike, bicycle
    bus, tram, openbaar vervoer, De Lijn      # a phrase is a comma-separated entry too

One group per line, entries separated by commas, ``#`` starts a comment. Entries are folded and
tokenised like everything else (case and accents do not matter). A word may be in several
groups; expansion is one step (a synonym of a synonym is not used). A line with fewer than two
entries is ignored.

Matching is by word forms (a word or its stem), so ``fietsen`` in a query finds the group of
``fiets``. A multi-word entry matches a query when its words appear next to each other in the
query, and matches a dataset when all its words occur in the dataset (in any field): the
"all words" reading, which also finds "vervoer, openbaar" and is what a catalogue needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from belfort.search.text import forms, tokenize

BUILTIN_FILE = "synonyms_nl.txt"

Entry = tuple[str, ...]
"""One synonym: the folded words of a word or a phrase."""


@dataclass(frozen=True)
class Synonyms:
    """Parsed synonym groups (each a tuple of entries, each entry a tuple of folded words)."""

    groups: tuple[tuple[Entry, ...], ...] = ()
    _single: dict[str, frozenset[int]] = field(default_factory=dict, repr=False, compare=False)
    _phrases: dict[str, tuple[tuple[Entry, frozenset[int]], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        single: dict[str, set[int]] = {}
        phrases: dict[Entry, set[int]] = {}
        for gid, group in enumerate(self.groups):
            for entry in group:
                if len(entry) == 1:
                    for form in forms(entry[0]):
                        single.setdefault(form, set()).add(gid)
                else:
                    phrases.setdefault(entry, set()).add(gid)
        self._single.update({k: frozenset(v) for k, v in single.items()})
        by_first: dict[str, list[tuple[Entry, frozenset[int]]]] = {}
        for entry, gids in phrases.items():
            by_first.setdefault(entry[0], []).append((entry, frozenset(gids)))
        # longest phrases first, so the longest entry starting at a word wins
        self._phrases.update(
            {k: tuple(sorted(v, key=lambda e: (-len(e[0]), e[0]))) for k, v in by_first.items()}
        )

    @classmethod
    def from_groups(cls, groups: list[list[str]] | tuple[tuple[str, ...], ...]) -> Synonyms:
        """Groups given as plain strings, e.g. ``[["fiets", "rijwiel"], ["bus", "De Lijn"]]``."""
        parsed: list[tuple[Entry, ...]] = []
        for group in groups:
            entries: list[Entry] = []
            for raw in group:
                entry = tuple(tokenize(raw))
                if entry and entry not in entries:
                    entries.append(entry)
            if len(entries) >= 2:
                parsed.append(tuple(entries))
        return cls(groups=tuple(parsed))

    @classmethod
    def parse(cls, text: str) -> Synonyms:
        """Parse the file format described in the module docstring."""
        groups = []
        for line in text.splitlines():
            line = line.split("#", 1)[0]
            if line.strip():
                groups.append(line.split(","))
        return cls.from_groups(groups)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Synonyms:
        """Read a synonyms file; ``None`` reads the built-in Dutch starter set.

        A path that does not exist raises ``FileNotFoundError`` (a misconfigured
        ``BELFORT_SEARCH_SYNONYMS_FILE`` should stop start-up, not silently disable synonyms).
        """
        if path is None:
            text = resources.files("belfort.search").joinpath(BUILTIN_FILE).read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return cls.parse(text)

    @classmethod
    def none(cls) -> Synonyms:
        """No synonyms at all."""
        return cls()

    def groups_of_word(self, word: str) -> frozenset[int]:
        """The groups with a one-word entry sharing a form (word or stem) with ``word``."""
        found: set[int] = set()
        for form in forms(word):
            found |= self._single.get(form, frozenset())
        return frozenset(found)

    def phrases_in(self, words: list[str]) -> list[tuple[int, int, frozenset[int]]]:
        """Multi-word entries found in ``words``: ``(start, end, groups)`` with ``end``
        exclusive; non-overlapping, leftmost-longest first."""
        found: list[tuple[int, int, frozenset[int]]] = []
        i = 0
        while i < len(words):
            step = 1
            for entry, gids in self._phrases.get(words[i], ()):
                n = len(entry)
                if tuple(words[i:i + n]) == entry:
                    found.append((i, i + n, gids))
                    step = n
                    break
            i += step
        return found

    def alternatives(self, groups: frozenset[int] | set[int], exclude: Entry) -> list[Entry]:
        """Every entry of ``groups`` except ``exclude``, each once."""
        out: list[Entry] = []
        for gid in sorted(groups):
            for entry in self.groups[gid]:
                if entry != exclude and entry not in out:
                    out.append(entry)
        return out
