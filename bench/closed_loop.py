"""Requests served by one `belfort serve` in a closed loop over a few URLs, after its warm-up.

    .venv/bin/python bench/closed_loop.py --data-dir /tmp/cl/data --seconds 25 \\
        /api/belfort/v1/datasets "/api/datasets/1.0/search/?rows=10"

The data directory gets the soak's full demo when it has no catalogue yet (`bench/soak.py`'s
`prepare_instance`), and the server the soak's settings without its per-address quota. A
SPARQL query first waits for the linked-data warm-up, so the loop times the requests, not the
start. One client, one request at a time, each from its own address; any answer but 200 fails
the run. ``--profile FILE`` also records the server with py-spy (raw, for flame graphs) while
the loop runs. To compare two trees of the code on one machine, run it with
``PYTHONPATH=<tree>/src`` for each, one after the other, on data directories of their own.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

import httpx
from common import Server, bin_path, free_port
from soak import SERVER_ENV, prepare_instance

WARM_UP = "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--seconds", type=float, default=25.0)
    p.add_argument("--profile", type=Path, default=None, help="py-spy raw output file")
    p.add_argument("urls", nargs="+")
    args = p.parse_args()
    if not (args.data_dir / "catalog.sqlite").exists():
        prepare_instance(args.data_dir, False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in SERVER_ENV.items() if k != "BELFORT_QUOTA_PER_ADDRESS"}
    cmd = [bin_path("belfort"), "serve", "--data-dir", str(args.data_dir),
           "--host", "127.0.0.1", "--port", str(port)]
    with Server(cmd, base + "/health", args.data_dir.parent / "server.log", env=env) as server:
        with httpx.Client(base_url=base, timeout=600) as client:
            client.get(WARM_UP).raise_for_status()
            spy = None
            if args.profile and server.proc is not None:
                spy = subprocess.Popen([bin_path("py-spy"), "record", "-p", str(server.proc.pid),
                                        "-d", str(int(args.seconds)), "-r", "100", "-f", "raw",
                                        "-o", str(args.profile), "--nonblocking"])
            served, started = 0, time.monotonic()
            while time.monotonic() - started < args.seconds:
                for url in args.urls:
                    sender = f"10.9.{served // 250 % 250}.{served % 250}"
                    answer = client.get(url, headers={"X-Forwarded-For": sender})
                    if answer.status_code != 200:
                        raise SystemExit(f"{url}: {answer.status_code}")
                    served += 1
            elapsed = time.monotonic() - started
            if spy is not None:
                spy.wait()
    print(f"{served} requests in {elapsed:.1f} s: {served / elapsed:.1f} req/s")


if __name__ == "__main__":
    main()
