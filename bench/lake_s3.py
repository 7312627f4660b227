"""The lake on object storage: what a read costs when the version file must first come from
the bucket, when it is in the node's cache, and with the lake on local disk — side by side
in one run, rounds taking turns.

One read = ``lake.version_file`` (the local path: nothing, a touch, or a download) plus one
query on it (``Query(limit=10)`` with its total), with every answer and result cache off, so
each read really opens the file. The object store is a real SeaweedFS (``weed server -s3``
from the ``test`` extra, started as the tests start it, on free ports, always stopped).

    .venv/bin/python bench/lake_s3.py [--rows 100000 1000000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.lake.seaweedfs: the store the tests run

from belfort.platform import Platform  # noqa: E402
from belfort.policy.principals import CLI_ADMIN  # noqa: E402
from belfort.publishing import ingest_file  # noqa: E402
from belfort.query.model import Query  # noqa: E402
from belfort.schema import TableSchema  # noqa: E402
from belfort.settings import Settings  # noqa: E402
from tests.lake.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedS3  # noqa: E402

NO_CACHES = {"answer_cache_mb": 0, "result_cache_mb": 0, "version_tables_mb": 0}


def write_csv(path: Path, rows: int) -> Path:
    with path.open("w") as out:
        out.write("telpunt;tijdstip;aantal;meting\n")
        state = 12345
        for i in range(rows):  # a fixed-seed LCG: values Parquet cannot squeeze to nothing
            state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
            out.write(f"punt-{state % 9973};2024-{1 + i % 12:02d}-{1 + i % 28:02d} "
                      f"{i % 24:02d}:{state % 60:02d}:00;{state % 100000};"
                      f"{(state >> 20) % 1000000},{state % 1000:03d}\n")
    return path


def reader(platform: Platform, relative: str, schema: TableSchema) -> Callable[[], None]:
    def read() -> None:
        path = platform.lake.version_file(relative)
        result = platform.engine.execute(Query(limit=10), schema, path, with_total=True)
        assert result.total is not None and result.total > 0

    return read


def reader_prepare(platform: Platform, relative: str) -> Callable[[], None]:
    """Make sure the file is in the node's cache (untimed, before a cached read)."""
    return lambda: platform.lake.version_file(relative) and None


def timed_ms(fn: Callable[[], None], before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp_name:
        tmp = Path(tmp_name)
        store = SeaweedS3(tmp / "seaweedfs")
        store.start()
        try:
            store.create_bucket("bench-lake")
            s3 = {"lake_url": "s3://bench-lake/belfort", "lake_endpoint_url": store.endpoint,
                  "lake_access_key": ACCESS_KEY, "lake_secret_key": SECRET_KEY,
                  "lake_region": "us-east-1"}
            database = f"sqlite:///{tmp / 'catalog.sqlite'}"
            local = Platform(Settings(data_dir=tmp / "local", **NO_CACHES))
            remote = Platform(Settings(data_dir=tmp / "s3-node", database_url=database,
                                       **s3, **NO_CACHES))
            print("| rows | file | local lake | S3, cached | S3, first read | first / cached |"
                  " cached / local |")
            print("|---:|---:|---:|---:|---:|---:|---:|")
            for rows in args.rows:
                source = write_csv(tmp / f"counts-{rows}.csv", rows)
                name = f"d{rows}"
                ingest_file(local, CLI_ADMIN, name, source, metadata={"title_nl": name})
                ingest_file(remote, CLI_ADMIN, name, source, metadata={"title_nl": name})
                with remote.db.session() as session:
                    from belfort.catalog.models import Version

                    version = session.query(Version).filter_by(dataset_id=name).one()
                    rel, size = version.path, version.byte_size
                    schema = TableSchema.from_dict(version.table_schema)
                with local.db.session() as session:
                    local_rel = session.query(Version).filter_by(dataset_id=name).one().path
                read_local = reader(local, local_rel, schema)
                read_s3 = reader(remote, rel, schema)
                cached_file = remote.lake.absolute(rel)
                fetch = reader_prepare(remote, rel)
                evict = cached_file.unlink
                times: dict[str, list[float]] = {"local": [], "cached": [], "first": []}
                read_local(), read_s3()  # warm the code paths
                for turn in range(args.rounds):
                    order = ["local", "cached", "first"]
                    order = order[turn % 3:] + order[:turn % 3]
                    for what in order:
                        if what == "local":
                            times[what].append(timed_ms(read_local))
                        elif what == "cached":
                            times[what].append(timed_ms(read_s3, fetch))
                        else:
                            times[what].append(timed_ms(read_s3, evict))
                m = {k: statistics.median(v) for k, v in times.items()}
                print(f"| {rows:,} | {size / 1e6:.1f} MB | {m['local']:.1f} ms "
                      f"| {m['cached']:.1f} ms | {m['first']:.1f} ms "
                      f"| {m['first'] / m['cached']:.1f} |"
                      f" {m['cached'] / m['local']:.2f} |")
            local.close()
            remote.close()
        finally:
            store.stop()


if __name__ == "__main__":
    main()
