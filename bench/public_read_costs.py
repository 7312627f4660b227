"""What each kind of the soak's public reads costs the server, one request at a time.

    .venv/bin/python bench/public_read_costs.py              # the soak's 2,000 read URLs, twice
    .venv/bin/python bench/public_read_costs.py --rounds 3

Loads the full demo catalogue into a fresh data directory under bench/out/ and serves it in
process over ASGI (no network, no other load) with the soak's settings (``SERVER_ENV`` of
``bench/soak.py``); asks each of the soak's public-read URLs (``soak_mix.Mix.public``, the
same 2,000 that wrk cycles through) once, not counted, then ``--rounds`` times, and prints per
kind the requests, median and mean milliseconds (request to response) and the share of the
total time. The soak's probe p99 target is a queueing question: at 80 % of capacity the wait
is a multiple of the mean service time, so this says which kinds to make cheaper.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import serve_demo_from  # noqa: E402
from soak import PUBLIC_PATHS, SERVER_ENV  # noqa: E402
from soak_mix import Mix, MixConfig  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    os.environ.update(SERVER_ENV)

    from fastapi.testclient import TestClient

    from belfort.app import create_app

    mix = Mix(MixConfig(admin_key="unused", service_port=0))
    reads = [mix.public(n) for n in range(PUBLIC_PATHS)]
    spent: dict[str, list[float]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        serve_demo_from(Path(tmp) / "demo")
        with TestClient(create_app()) as client:
            time.sleep(2)  # the chart renderer warms up in the background at start-up
            for read in reads:  # warm, not counted (as the soak's wrk pass before capacity)
                client.get(read.url)
            for _ in range(args.rounds):
                for n, read in enumerate(reads):
                    start = time.perf_counter()
                    forwarded = {"X-Forwarded-For": f"10.9.{n % 250}.1"}  # under the quota
                    response = client.get(read.url, headers=forwarded)
                    spent[read.label].append((time.perf_counter() - start) * 1000)
                    if read.allowed is not None and response.status_code not in read.allowed:
                        raise SystemExit(f"{read.url}: {response.status_code}")
    total = sum(sum(times) for times in spent.values())
    count = sum(len(times) for times in spent.values())
    print(f"{count} public reads, {args.rounds} rounds of {len(reads)} URLs, in process: "
          f"mean {total / count:.2f} ms per read")
    print(f"{'kind':<22} {'reads':>6} {'median ms':>10} {'mean ms':>8} {'share':>6}")
    for label, times in sorted(spent.items(), key=lambda item: -sum(item[1])):
        print(f"{label:<22} {len(times):>6} {statistics.median(times):>10.2f} "
              f"{statistics.fmean(times):>8.2f} {100 * sum(times) / total:>5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
