"""The status indicators of URLs outside Belfort: does an HTTP ``HEAD`` answer 2xx?

Belfort's own URLs are never fetched (``belfort.mqa.scoring.own_url_ok`` decides them from
the catalogue). Any other URL is checked the way alert webhooks are
(``belfort.twin.alerts.webhook.check_webhook_url``): http(s) only, no credentials in the
URL, public addresses only (hosts named in ``BELFORT_ALERTS_WEBHOOK_ALLOW_HOSTS`` excepted) —
and again at every redirect, at most ``MAX_REDIRECTS`` of them; a ``HEAD`` has no body to
read. Answers are remembered for ``BELFORT_MQA_URL_CACHE_SECONDS``;
``BELFORT_MQA_CHECK_EXTERNAL_URLS=false`` turns the checks off (the indicators are then
"not checked").
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from urllib.parse import urljoin

import httpx

from belfort.errors import WebhookRefused
from belfort.settings import Settings
from belfort.twin.alerts.webhook import check_webhook_url

MAX_REDIRECTS = 3
MAX_URL_LENGTH = 2000
MAX_REMEMBERED = 10_000


class UrlChecker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._answers: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, url: str) -> bool | None:
        """True when ``url`` answers ``HEAD`` with 2xx; None when checks are off."""
        if not self.settings.mqa_check_external_urls:
            return None
        if len(url) > MAX_URL_LENGTH:
            return False
        now = time.monotonic()
        with self._lock:
            found = self._answers.get(url)
            if found is not None and now - found[0] < self.settings.mqa_url_cache_seconds:
                return found[1]
        answer = self._head(url)
        with self._lock:
            self._answers[url] = (now, answer)
            self._answers.move_to_end(url)
            while len(self._answers) > MAX_REMEMBERED:
                self._answers.popitem(last=False)
        return answer

    def _head(self, url: str) -> bool:
        timeout = self.settings.mqa_url_timeout_seconds
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
                for _ in range(MAX_REDIRECTS + 1):
                    check_webhook_url(url, self.settings)
                    response = client.head(url, headers={"User-Agent": "Belfort metadata quality"})
                    location = response.headers.get("location")
                    if response.is_redirect and location:
                        url = urljoin(url, location)
                        continue
                    return 200 <= response.status_code < 300
        except (WebhookRefused, httpx.HTTPError, ValueError):
            return False
        return False  # too many redirects
