"""A real Spark Connect server for the tests (``local[2]``, on a free port), started once
per test process by the modules that need it and stopped (with its JVM) at exit.

It is pyspark's own: ``spark-submit`` from the pip package (``SPARK_HOME`` = the pyspark
package directory, whose ``jars/`` hold the Connect server) with the class
``SparkConnectServer``; nothing is downloaded (``spark.jars.packages`` empty, no Ivy). The
server runs on this machine, so it reads the tests' Parquet files at their local paths.
Its log goes to a temporary file, shown when it does not start.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

START_SECONDS = 180  # a JVM on two shared cores under nice -n 19
CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"

_url: str | None = None
_session: Any = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """The server's process group (spark-submit's shell and the JVM): TERM, then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def start_server(port: int) -> tuple[subprocess.Popen[bytes], Path]:
    """Start a Spark Connect server on ``127.0.0.1:port`` and wait until it listens."""
    import pyspark

    home = Path(pyspark.__file__).resolve().parent
    log = Path(tempfile.mkstemp(prefix="spark-connect-", suffix=".log")[1])
    command = [
        str(home / "bin" / "spark-submit"),
        "--class", CLASS,
        "--name", "belfort-tests-connect",
        "--master", "local[2]",
        "--driver-memory", "1g",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.jars.packages=",
        "--conf", "spark.sql.shuffle.partitions=1",
    ]
    env = {**os.environ, "SPARK_HOME": str(home)}
    env.pop("SPARK_REMOTE", None)
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + START_SECONDS
    while not _listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            tail = log.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"the Spark Connect server did not start; its log {log}:\n{tail}")
        time.sleep(0.5)
    return process, log


def connect_url() -> str:
    """``sc://127.0.0.1:PORT`` of this process's test server (started on first call)."""
    global _url
    if _url is None:
        port = free_port()
        process, log = start_server(port)
        atexit.register(log.unlink, missing_ok=True)  # runs after the stop below
        atexit.register(_stop, process)
        _url = f"sc://127.0.0.1:{port}"
    return _url


def connect_session() -> Any:
    """The tests' Spark Connect session, made as Belfort makes it (``start_session``)."""
    global _session
    if _session is None:
        from belfort.query.spark import start_session

        _session = start_session(connect_url())
        # closed before the server stops (atexit runs last registered first): a channel left
        # to the interpreter's exit can wait forever to close once its server is gone
        atexit.register(_session.client.close)
    return _session
