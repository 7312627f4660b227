"""A pytest plugin (registered in tests/conftest.py): every log record of the whole test
run is kept, and at the end none may contain an API key secret (``bfk_`` + 20 or more
characters) or a signed JWT. A finding fails the run and names the logger and test.

The clients the tests themselves drive (``httpx``, ``httpcore``, ``urllib3``) are left out:
they log the URLs the test sent, which is the test's side, not the server's. Records are
read at whatever level the run emits (the root logger's), so tests that raise a logger to
DEBUG (``caplog.set_level``) are covered at DEBUG. Under xdist each worker collects its own
records and hands its findings to the controller, which reports them.
"""

from __future__ import annotations

import logging
import re

import pytest

SECRET = re.compile(r"bfk_[A-Za-z0-9_-]{20,}"
                    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
CLIENT_LOGGERS = ("httpx", "httpcore", "urllib3")
MAX_FINDINGS = 20


class SecretCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.test = "(collection)"
        self.findings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(CLIENT_LOGGERS) or len(self.findings) >= MAX_FINDINGS:
            return
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format: its raw parts
            text = f"{record.msg} {record.args}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]}"
        found = SECRET.search(text)
        if found:
            self.findings.append(f"{self.test}: logger {record.name!r} logged "
                                 f"{found.group()[:12]}… ({record.levelname})")


COLLECTOR = SecretCollector()


def pytest_sessionstart(session: pytest.Session) -> None:
    logging.getLogger().addHandler(COLLECTOR)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> object:
    COLLECTOR.test = item.nodeid
    yield


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist's controller: a worker ended; take the findings it sent."""
    output = getattr(node, "workeroutput", {})
    COLLECTOR.findings.extend(output.get("secret_findings", []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(COLLECTOR)
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: its findings go to the controller
        worker_output["secret_findings"] = COLLECTOR.findings
        return
    if COLLECTOR.findings:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["secrets in the logs of this run (tests/secret_log_check.py):",
                 *COLLECTOR.findings]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
