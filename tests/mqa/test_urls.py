"""HEAD checks of URLs outside Belfort (``belfort.mqa.urls``) against a real local HTTP server:
2xx answers, failures, redirects (each hop checked, at most three), internal addresses
refused unless allowed, answers remembered, checks turned off."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from belfort.mqa.urls import UrlChecker
from belfort.settings import Settings


class _Handler(BaseHTTPRequestHandler):
    heads: list[str] = []

    def do_HEAD(self) -> None:  # noqa: N802 (the stdlib's name)
        _Handler.heads.append(self.path)
        if self.path == "/ok":
            self.send_response(200)
        elif self.path.startswith("/hop"):
            n = int(self.path[4:] or 0)
            self.send_response(302)
            self.send_header("Location", "/ok" if n == 0 else f"/hop{n - 1}")
        elif self.path == "/elsewhere":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def _checker(tmp_path: Path, **settings: object) -> UrlChecker:
    return UrlChecker(Settings(data_dir=tmp_path, alerts_webhook_allow_hosts="127.0.0.1",
                               **settings))  # type: ignore[arg-type]


def test_answers_redirects_and_failures(server: str, tmp_path: Path) -> None:
    urls = _checker(tmp_path)
    assert urls.check(f"{server}/ok") is True
    assert urls.check(f"{server}/missing") is False
    assert urls.check(f"{server}/hop2") is True  # three redirects: allowed
    assert urls.check(f"{server}/hop3") is False  # four: too many
    assert urls.check(f"{server}/elsewhere") is False  # a redirect to an internal address


def test_internal_addresses_are_refused_without_a_request(server: str, tmp_path: Path) -> None:
    urls = UrlChecker(Settings(data_dir=tmp_path))  # 127.0.0.1 not allowed
    before = len(_Handler.heads)
    for url in (f"{server}/ok", "http://localhost/", "http://10.0.0.1/", "http://[::1]/",
                "file:///etc/passwd", "http://user:pw@example.org/", "not a url",
                "http://" + "a" * 3000):
        assert urls.check(url) is False, url
    assert len(_Handler.heads) == before


def test_answers_are_remembered_and_checks_can_be_turned_off(server: str, tmp_path: Path) -> None:
    urls = _checker(tmp_path)
    assert urls.check(f"{server}/ok") is True
    before = len(_Handler.heads)
    assert urls.check(f"{server}/ok") is True
    assert len(_Handler.heads) == before
    off = _checker(tmp_path, mqa_check_external_urls=False)
    assert off.check(f"{server}/ok") is None and len(_Handler.heads) == before
