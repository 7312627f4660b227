"""Edit distance and the deletion index."""

from __future__ import annotations

import random

from belfort.search.typos import DeletionIndex, allowed_edits, osa_distance


def test_osa_distance() -> None:
    assert osa_distance("fiets", "fiets", 2) == 0
    assert osa_distance("fiets", "fietz", 2) == 1  # substitution
    assert osa_distance("fiets", "fits", 2) == 1  # deletion
    assert osa_distance("fiets", "fietss", 2) == 1  # insertion
    assert osa_distance("fiets", "fiest", 2) == 1  # transposition counts once
    assert osa_distance("parkeerggarage", "parkeergarages", 2) == 2
    assert osa_distance("fietstelpal", "fietstelpalen", 2) == 2


def test_osa_distance_stops_at_the_limit() -> None:
    assert osa_distance("abcdef", "uvwxyz", 1) == 2
    assert osa_distance("a", "abcdef", 2) == 3


def test_allowed_edits_by_length() -> None:
    assert [allowed_edits("x" * n) for n in (1, 3, 4, 7, 8, 20)] == [0, 0, 1, 1, 2, 2]
    assert allowed_edits("x" * 100) == 0  # nobody mistypes a 100-letter word


def test_candidates() -> None:
    index = DeletionIndex(["fietstelpalen", "fietstelpaal", "parkeergarages", "wijk", "wijken",
                           "bus", "druktebarometer"])
    assert index.candidates("fietstelpal") == {"fietstelpaal": 1, "fietstelpalen": 2}
    assert index.candidates("parkeerggarage") == {"parkeergarages": 2}
    assert index.candidates("drukbarometer") == {"druktebarometer": 2}
    assert index.candidates("wijkk") == {"wijk": 1}  # 5 letters: 1 edit, so not "wijken"
    assert index.candidates("bux") == {}  # 3 letters: no typos
    assert index.candidates("wijk") == {"wijk": 0}


def _mutate(rng: random.Random, word: str) -> str:
    chars = list(word)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(chars))
        op = rng.choice("sidt")
        if op == "s":
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        elif op == "i":
            chars.insert(i, rng.choice("abcdefghijklmnopqrstuvwxyz"))
        elif op == "d" and len(chars) > 1:
            del chars[i]
        elif op == "t" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def test_candidates_equal_a_brute_force_scan() -> None:
    """The prefix-limited deletion index misses nothing a full scan finds."""
    rng = random.Random(7)
    letters = "aeioubdfgklmnprstvwz"
    words = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 20)))
                    for _ in range(1500)})
    words += ["fietstelpalen", "fietstelpaalbeheer", "parkeergarages", "parkeergarage"]
    index = DeletionIndex(words)
    for _ in range(250):
        query = _mutate(rng, rng.choice(words))
        k = allowed_edits(query)
        near = [w for w in words if abs(len(w) - len(query)) <= k] if k else []
        expected = {w: d for w in near if (d := osa_distance(query, w, k)) <= k}
        assert index.candidates(query) == expected, query
