"""A process holding a Spark Connect session (gRPC) forks SPARQL workers
(``belfort.linked.sparql``): a worker must start with no gRPC thread of its own. With gRPC's
fork support on, its poller threads were restarted in every forked worker and aborted it
once the worker closed the descriptors it inherited (``epoll_wait error: Bad file
descriptor``), which the SPARQL pool reported as "out of memory"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spark_connect import connect_url

pytest.importorskip("pyspark", reason="the spark extra is part of the test extra")

ROOT = Path(__file__).resolve().parents[2]

# in a fresh interpreter: a session as the server makes it, one statement over gRPC, then
# three forks; each child isolates itself as a SPARQL worker does, waits, and exits with
# its number of threads (1: only its own)
CHILD = """
import multiprocessing, os, sys, time
from belfort.linked.sparql import _isolate
from belfort.query.spark import start_session

session = start_session(sys.argv[1])
assert session.sql("SELECT 1 AS a").collect()[0][0] == 1
for _ in range(3):
    ours, theirs = multiprocessing.Pipe()
    pid = os.fork()
    if pid == 0:
        _isolate(theirs)
        time.sleep(1.0)  # a restarted gRPC poller would abort the worker meanwhile
        os._exit(len(os.listdir("/proc/self/task")))
    _, status = os.waitpid(pid, 0)
    print("signal" if os.WIFSIGNALED(status) else os.WEXITSTATUS(status), flush=True)
os._exit(0)
"""


def test_a_worker_forked_beside_a_spark_connect_session_runs_no_grpc_thread() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GRPC_ENABLE_FORK_SUPPORT"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT),
                                                      env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", CHILD, connect_url()], env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["1", "1", "1"], done.stderr[-3000:]
