"""Request ids (``X-Request-ID``) and structured logs (``BELFORT_LOG_FORMAT=json``): a sane
incoming id is carried on, anything else replaced; the id is echoed and in the access log;
keys stay redacted in JSON lines too."""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from belfort.api.log_redaction import REDACTED, RedactKeys
from belfort.app import create_app
from belfort.logs import (
    REQUEST_ID,
    JsonFormatter,
    RequestIdFilter,
    new_request_id,
    uvicorn_log_config,
)
from belfort.platform import Platform
from belfort.settings import Settings

MADE = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module (request ids do not depend on the database)."""
    platform = Platform(Settings(data_dir=tmp_path_factory.mktemp("ids") / "data"))
    try:
        with TestClient(create_app(platform)) as client:
            yield client
    finally:
        platform.close()


def test_a_request_without_an_id_gets_one(client: TestClient) -> None:
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/api/belfort/v1/datasets").headers["x-request-id"]
    assert MADE.fullmatch(first) and MADE.fullmatch(second) and first != second
    assert MADE.fullmatch(client.get("/no-such-page").headers["x-request-id"])  # 404 too


@pytest.mark.parametrize("sent", ["abc", "4f0c2b1e-9a7d-4d2e-8f41-0d5c6e7f8a9b",
                                  "lb-01:1700000000.123/7", "x" * 128])
def test_a_sane_incoming_id_is_echoed(client: TestClient, sent: str) -> None:
    assert client.get("/health", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent


@pytest.mark.parametrize("sent", ["", "   ", "x" * 129, "has space", "<script>alert(1)</script>",
                                  "a\tb", "quote\"d", "ünïcode", "semi;colon", "new%0Aline"])
def test_an_insane_incoming_id_is_replaced(client: TestClient, sent: str) -> None:
    answer = client.get("/health", headers=[(b"X-Request-ID", sent.encode("utf-8"))])
    assert answer.status_code == 200
    echoed = answer.headers["x-request-id"]
    assert MADE.fullmatch(echoed) and echoed != sent


def test_two_incoming_ids_are_replaced(client: TestClient) -> None:
    answer = client.get("/health", headers=[("X-Request-ID", "one"), ("X-Request-ID", "two")])
    assert MADE.fullmatch(answer.headers["x-request-id"])


@contextmanager
def _logger(name: str, formatter: logging.Formatter
            ) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """``name`` writing to a string through ``formatter`` only; put back as it was after."""
    logger = logging.getLogger(name)
    before = logger.handlers, logger.propagate, logger.level
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    try:
        yield logger, stream
    finally:
        logger.handlers, logger.propagate = before[0], before[1]
        logger.setLevel(before[2])


def test_json_access_lines_carry_the_request_id_and_no_key() -> None:
    redact = RedactKeys()
    with _logger("uvicorn.access", JsonFormatter()) as (logger, stream):
        logger.addFilter(redact)
        token = REQUEST_ID.set("req-42")
        try:
            logger.info('%s - "%s %s HTTP/%s" %d', "10.0.0.7:5", "GET",
                        "/api/records/1.0/search/?dataset=x&apikey=bfk_topSecret", "1.1", 200)
        finally:
            REQUEST_ID.reset(token)
            logger.removeFilter(redact)
    line = json.loads(stream.getvalue())
    assert line["request_id"] == "req-42" and line["logger"] == "uvicorn.access"
    assert line["method"] == "GET" and line["status"] == 200 and line["client"] == "10.0.0.7:5"
    assert line["path"] == f"/api/records/1.0/search/?dataset=x&apikey={REDACTED}"
    assert "bfk_topSecret" not in stream.getvalue() and line["level"] == "info"
    assert line["time"].endswith("Z")


def test_json_lines_outside_a_request_and_with_an_error() -> None:
    with _logger("belfort.test-json", JsonFormatter()) as (logger, stream):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("it failed: %s", "<b>x</b>\n\"y\"")
    line = json.loads(stream.getvalue())  # one line: newlines in messages are escaped
    assert stream.getvalue().count("\n") == 1
    assert "request_id" not in line and line["message"] == "it failed: <b>x</b>\n\"y\""
    assert "RuntimeError: boom" in line["exception"] and line["level"] == "error"


def test_the_log_format_setting_is_checked() -> None:
    assert Settings(log_format="json").log_format == "json"
    for bad in ("JSON", "xml", "", "json\x00"):
        with pytest.raises(ValueError):
            Settings(log_format=bad)
    with pytest.raises(ValueError):
        uvicorn_log_config("yaml")
    text = uvicorn_log_config("text")["formatters"]["access"]["fmt"]
    assert "request_id=%(request_id)s" in text


def test_made_ids_are_distinct_and_a_forked_process_makes_its_own() -> None:
    made = {new_request_id() for _ in range(20_000)}
    assert len(made) == 20_000 and all(MADE.fullmatch(m) for m in made)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its next id, to the parent
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    childs = os.read(read, 64).decode()
    os.close(read)
    assert MADE.fullmatch(childs) and childs != new_request_id()
