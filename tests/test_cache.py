"""The platform's answer cache (belfort.cache.AnswerCache): bounded in bytes, one helper for
"until the next catalogue write", one build while others wait."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from belfort.cache import (
    GENERATION_FILE,
    AnswerCache,
    DatabaseGeneration,
    Generation,
    SharedGeneration,
    approximate_size,
)
from belfort.catalog.database import Database
from belfort.platform import Platform
from belfort.settings import Settings


@dataclass
class _Answer:
    body: bytes
    rows: list[dict[str, int]]


def test_sizes_follow_what_values_hold() -> None:
    small, large = _Answer(b"x" * 10, []), _Answer(b"x" * 100_000, [{"a": i} for i in range(1000)])
    assert approximate_size(small) < 1_000
    assert approximate_size(large) > 100_000 + 1000 * 64
    shared = b"y" * 50_000
    assert approximate_size((shared, shared)) < 2 * 50_000  # counted once


def test_the_cache_stays_within_its_bytes(tmp_path: Path) -> None:
    cache = AnswerCache(Generation(tmp_path), max_bytes=1_000_000)
    for i in range(100):
        cache.put(("answer", i), b"z" * 50_000)
    assert cache.size_bytes <= 1_000_000 and 15 <= len(cache) <= 20
    assert cache.get(("answer", 99)) is not None and cache.get(("answer", 0)) is None  # oldest out
    off = AnswerCache(Generation(tmp_path), max_bytes=0)
    assert off.current("k", lambda: "built") == "built" and len(off) == 0  # 0: nothing kept


def test_current_answers_last_until_the_next_catalogue_write(tmp_path: Path) -> None:
    generation = Generation(tmp_path)
    cache = AnswerCache(generation, max_bytes=1 << 20)
    builds: list[int] = []

    def build() -> str:
        builds.append(1)
        return f"answer {len(builds)}"

    assert cache.current("k", build) == "answer 1"
    assert cache.current("k", build) == "answer 1"
    generation.bump()  # another process wrote to the catalogue
    assert cache.current("k", build) == "answer 2" and len(builds) == 2


def test_one_thread_builds_while_the_others_wait(tmp_path: Path) -> None:
    cache = AnswerCache(Generation(tmp_path), max_bytes=1 << 20)
    builds: list[int] = []

    def slow() -> str:
        builds.append(1)
        time.sleep(0.2)
        return "answer"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.current("k", slow))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["answer"] * 8 and len(builds) == 1


def test_the_database_generation_is_shared_by_platforms_on_one_database(settings: Settings) -> None:
    """Two platforms on one catalogue database are two nodes: a write on one is seen by the
    other within ``generation_max_age_seconds``, by a counter (not a clock, not a file)."""
    settings.generation_max_age_seconds = 0.3
    node_a = DatabaseGeneration(Database(settings.effective_database_url).engine, 0.3)
    node_b = DatabaseGeneration(Database(settings.effective_database_url).engine, 0.3)
    try:
        before = node_b.current()
        node_a.bump()
        assert node_a.current() == (1, before[1] + 1)  # the writer sees its own bump at once
        assert node_b.current() == before  # kept for at most max_age …
        time.sleep(0.35)
        assert node_b.current() == (1, before[1] + 1)  # … then read again
        node_b.bump()
        node_b.bump()
        time.sleep(0.35)
        assert node_a.current() == (1, before[1] + 3)
        assert not (settings.data_dir / GENERATION_FILE).exists()
    finally:
        node_a.engine.dispose()
        node_b.engine.dispose()


def test_a_platform_uses_the_database_generation_only_with_postgresql(platform: Platform) -> None:
    expected = SharedGeneration if platform.db.shared else Generation
    assert type(platform.generation) is expected
    before = platform.generation.current()
    platform.generation.bump()
    assert platform.generation.current() != before


def test_nodes_without_a_shared_data_directory_see_writes_through_the_database(
    settings: Settings, tmp_path: Path
) -> None:
    """Two nodes on one PostgreSQL catalogue whose data directories are not one file system
    (the generation files differ): a write through one is seen by the other within the
    maximum age, through the database's counter alone; processes sharing a data directory
    see it at once (the file)."""
    settings.generation_max_age_seconds = 0.3
    other = settings.model_copy(update={"data_dir": tmp_path / "elsewhere"})
    node_a, node_b, worker_a2 = Platform(settings), Platform(other), Platform(settings)
    try:
        if not node_a.db.shared:
            assert type(node_b.generation) is Generation  # SQLite: the file, as ever
            return
        seen_b, seen_a2 = node_b.generation.current(), worker_a2.generation.current()
        node_a.generation.bump()
        assert worker_a2.generation.current() != seen_a2  # same data directory: at once
        assert node_b.generation.current() == seen_b  # another machine: within the bound …
        time.sleep(0.35)
        assert node_b.generation.current() != seen_b  # … and then surely
    finally:
        for p in (node_a, node_b, worker_a2):
            p.close()
