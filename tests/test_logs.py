"""Log lines written by a thread of their own (belfort.logs.BackgroundStreamHandler)."""

from __future__ import annotations

import io
import logging
import os
import tempfile

from belfort.logs import BackgroundStreamHandler


def _logger(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_every_line_is_written_in_order_formatted_by_the_handler_s_formatter() -> None:
    stream = io.StringIO()
    handler = BackgroundStreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = _logger(handler, "belfort.test.background")
    for i in range(2000):
        logger.info("line %d of %s", i, "many")
    handler.close()  # what logging.shutdown does at exit: the queue is written first
    handler.close()  # twice is harmless
    lines = stream.getvalue().splitlines()
    assert lines == [f"INFO line {i} of many" for i in range(2000)]


def test_an_exception_is_written_with_its_traceback() -> None:
    stream = io.StringIO()
    handler = BackgroundStreamHandler(stream)
    logger = _logger(handler, "belfort.test.background.error")
    try:
        raise ValueError("broken")
    except ValueError:
        logger.exception("it failed")
    handler.close()
    text = stream.getvalue()
    assert text.startswith("it failed\nTraceback") and "ValueError: broken" in text


def test_a_forked_child_writes_its_own_lines() -> None:
    with tempfile.TemporaryFile("w+") as file:
        handler = BackgroundStreamHandler(file)
        logger = _logger(handler, "belfort.test.background.fork")
        logger.info("parent before")
        child = os.fork()
        if child == 0:
            logger.info("child")
            handler.close()
            os._exit(0)
        os.waitpid(child, 0)
        logger.info("parent after")
        handler.close()
        file.seek(0)
        lines = file.read().splitlines()
    assert sorted(lines) == ["child", "parent after", "parent before"]
    assert lines.count("parent before") == 1
