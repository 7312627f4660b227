"""CPU cost of each soak kind in the serving process, one kind at a time (issue 11).

    .venv/bin/python bench/lane_costs.py [--repeat 2] [--small] [--server-env BELFORT_X=V]

Loads the demo (as bench/soak.py does), starts ``belfort serve`` with the soak's settings,
sends every variant of each kind once (warm-up, not counted), then ``--repeat`` rounds of
every variant one after the other, and reads the CPU time (user + system, from
``/proc/PID/stat``) of the serving process and, separately, of its other processes (SPARQL
workers, export workers, upkeep) before and after each kind. Prints CPU ms per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, bin_path, free_port  # noqa: E402
from soak import OUT, SERVER_ENV, prepare_instance  # noqa: E402
from soak_load import Listener, Load  # noqa: E402
from soak_mix import Mix, MixConfig  # noqa: E402

VARIANTS = {
    "public": 20,
    "export": 5,
    "sparql": 3,
    "sparql_hostile": 5,
    "quota_bypass": 2,
    "overflow": 10,
    "link_injection": 5,
    "upload": 2,
}
TICK = os.sysconf("SC_CLK_TCK")
PER_VARIANT = {"export", "sparql_hostile", "upload"}  # each variant on its own too


def cpu_s(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU seconds of ``pid``; ``reaped``: plus its ended children's."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = int(fields[11]) + int(fields[12])
    return (own + (int(fields[13]) + int(fields[14]) if reaped else 0)) / TICK


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def others_s(pgid: int, serving: int, seen: dict[int, float]) -> float:
    """CPU of the group's other processes (SPARQL workers, the export fork server and its
    export processes, upkeep), ended ones included: the serving process's reaped children
    and the fork server's, and the last reading of any other that ended."""
    for pid in group_pids(pgid):
        if pid != serving:
            seen[pid] = cpu_s(pid, reaped=True)
    return sum(seen.values()) + cpu_s(serving, reaped=True) - cpu_s(serving)


async def main_async(
    args: argparse.Namespace, base: str, mix: Mix, pgid: int
) -> list[tuple[str, int, float, float, float]]:
    rows = []
    seen: dict[int, float] = {}
    # the server warms up in the background after its start (the SPARQL store): wait until
    # it is idle, so that only the requests' own work is counted
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        before = cpu_s(pgid)
        await asyncio.sleep(2)
        if cpu_s(pgid) - before < 0.05:
            break
    async with Load(base) as load:
        for kind, variants in VARIANTS.items():
            for n in range(variants):
                await load.send(mix.make(kind, n), time.monotonic())
            await asyncio.sleep(1)  # work left over from the warm-up requests
            if kind in PER_VARIANT:
                for n in range(variants):
                    req = mix.make(kind, n)
                    s0, o0 = cpu_s(pgid), others_s(pgid, pgid, seen)
                    for _ in range(args.repeat):
                        await load.send(mix.make(kind, n), time.monotonic())
                    await asyncio.sleep(0.5)
                    serving_ms = (cpu_s(pgid) - s0) / args.repeat * 1000
                    others_ms = (others_s(pgid, pgid, seen) - o0) / args.repeat * 1000
                    print(
                        f"  {kind} {req.label[:50]:50} serving {serving_ms:8.1f} "
                        f"others {others_ms:8.1f} ms/req",
                        flush=True,
                    )
            s0, o0, t0 = cpu_s(pgid), others_s(pgid, pgid, seen), time.monotonic()
            count = 0
            for _ in range(args.repeat):
                for n in range(variants):
                    await load.send(mix.make(kind, n), time.monotonic())
                    count += 1
            rows.append(
                (
                    kind,
                    count,
                    (cpu_s(pgid) - s0) / count * 1000,
                    (others_s(pgid, pgid, seen) - o0) / count * 1000,
                    (time.monotonic() - t0) / count * 1000,
                )
            )
            print(
                f"{kind:15} n={count:3} serving {rows[-1][2]:8.1f} ms/req  "
                f"others {rows[-1][3]:8.1f} ms/req  wall {rows[-1][4]:8.1f} ms/req",
                flush=True,
            )
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--small", action="store_true")
    p.add_argument("--server-env", action="append", default=[])
    args = p.parse_args()
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="lanes-", dir=OUT))
    listener = Listener()
    listener.start()
    try:
        key = prepare_instance(work / "data", args.small)
        port = free_port()
        env = dict(SERVER_ENV) | dict(item.split("=", 1) for item in args.server_env)
        cmd = [
            bin_path("belfort"),
            "serve",
            "--data-dir",
            str(work / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        mix = Mix(
            MixConfig(
                admin_key=key,
                service_port=listener.port,
                wide_columns=100_000,
                extra=[],
                export_budget_s=float(env["BELFORT_EXPORT_TIMEOUT_SECONDS"]),
            )
        )
        with Server(cmd, f"http://127.0.0.1:{port}/health", work / "server.log", env=env) as server:
            assert server.proc is not None
            asyncio.run(main_async(args, f"http://127.0.0.1:{port}", mix, server.proc.pid))
    finally:
        listener.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
