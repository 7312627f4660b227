"""The one SparkSession of a test run (``local[2]``), shared by every module that needs one:
starting a JVM costs seconds, so it is started once per process and stopped at exit."""

from __future__ import annotations

import atexit
from typing import Any

_session: Any = None


def spark_session() -> Any:
    global _session
    if _session is None:
        from belfort.query.spark import start_session

        _session = start_session("local[2]", app_name="belfort-tests", shuffle_partitions=1)
        atexit.register(_session.stop)
    return _session
