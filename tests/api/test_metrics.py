"""``GET /metrics``: Prometheus text for the metrics token and admin keys only; requests by
route family and status class, latency histograms, cache look-ups, ingests and observations;
no label ever carries a dataset id, a path or a key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from belfort import metrics
from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import COUNTS_CSV, counts_csv

TOKEN = "scrape-token-0123456789abcdef"
SECRET_ID = "geheime-stakingsplannen-qx7"


@pytest.fixture
def scraped(tmp_path: Path) -> Iterator[tuple[TestClient, Platform]]:
    """An app on SQLite: the figures do not depend on the database (PostgreSQL's readiness
    is tests/api/test_readiness.py's)."""
    platform = Platform(Settings(data_dir=tmp_path / "data", metrics_token=TOKEN))
    try:
        with TestClient(create_app(platform)) as client:
            yield client, platform
    finally:
        platform.close()


def figures(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    out = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(seen: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return seen.get((name, tuple(sorted(labels.items()))), 0.0)


def test_who_may_read_the_metrics(scraped: tuple[TestClient, Platform]) -> None:
    client, platform = scraped
    with platform.db.session() as session:
        admin = create_key(session, "admin").secret
        reader = create_key(session, "reader", Role.READ).secret
    assert client.get("/metrics").status_code == 401  # nobody
    assert client.get("/metrics", headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    for bad in ("Bearer wrong-token-0123456789", f"Bearer {TOKEN}x", f"Basic {TOKEN}",
                "Bearer <script>alert(1)</script>", "Bearer " + "x" * 20_000, "Bearer "):
        answer = client.get("/metrics", headers={"Authorization": bad})
        assert answer.status_code == 401, (bad[:40], answer.status_code)
        assert answer.headers["content-type"].startswith("application/json")
    assert client.get(f"/metrics?apikey={TOKEN}").status_code in (400, 401)  # header only
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")
    assert "belfort_http_requests_total" in ok.text
    assert client.get("/metrics", headers={"Authorization": f"Bearer {admin}"}).status_code == 200


def test_the_metrics_token_setting_is_checked() -> None:
    for bad in ("short", "has space in it 0123456789", "x" * 257, "nul\x00byte0123456789abc"):
        with pytest.raises(ValueError):
            Settings(metrics_token=bad)
    assert Settings(metrics_token="").metrics_token is None


def test_requests_latency_cache_and_ingest_are_counted(
        scraped: tuple[TestClient, Platform]) -> None:
    client, platform = scraped
    before = figures(client)
    with platform.db.session() as session:
        admin = create_key(session, "admin").secret
    answer = client.post("/api/belfort/v1/datasets/tellingen/ingest", content=COUNTS_CSV,
                         params={"title": "Tellingen"},
                         headers={"Authorization": f"Bearer {admin}", "Content-Type": "text/csv"})
    assert answer.status_code == 201, answer.text
    for _ in range(3):
        assert client.get("/api/records/1.0/search/?dataset=tellingen").status_code == 200
    assert client.get("/api/belfort/v1/datasets/no-such-thing").status_code == 404
    after = figures(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("belfort_http_requests_total", family="ods_v1", method="GET", status="2xx") == 3
    assert grew("belfort_http_requests_total", family="native", method="GET", status="4xx") == 1
    assert grew("belfort_http_requests_total", family="native", method="POST", status="2xx") == 1
    assert grew("belfort_http_request_duration_seconds_count", family="ods_v1") == 3
    assert grew("belfort_http_request_duration_seconds_bucket", family="ods_v1", le="+Inf") == 3
    assert grew("belfort_cache_lookups_total", store="belfort-answers", result="miss") == 1
    assert grew("belfort_cache_lookups_total", store="belfort-answers", result="hit") == 2
    assert grew("belfort_ingest_versions_total", published="yes") == 1
    assert grew("belfort_ingest_rows_total") == 5
    assert value(after, "belfort_http_requests_in_flight") >= 1  # the scrape itself
    assert ("belfort_queue_depth", (("queue", "audit_writer"),)) in after


def test_observations_are_counted_by_outcome(scraped: tuple[TestClient, Platform]) -> None:
    client, platform = scraped
    with platform.db.session() as session:
        admin = create_key(session, "admin").secret
    sensor = {"id": "teller-1", "name": "Teller", "kind": "passantenteller",
              "observed_property": "count", "longitude": 3.72, "latitude": 51.05}
    made = client.post("/api/belfort/v1/sensors", json=sensor,
                       headers={"Authorization": f"Bearer {admin}"})
    assert made.status_code == 201, made.text
    device = {"Authorization": f"Bearer {made.json()['credential']}"}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamps = [(now - dt.timedelta(minutes=i)).isoformat().replace("+00:00", "Z")
              for i in range(4)]
    batch = [{"phenomenon_time": stamp, "value": i} for i, stamp in enumerate(stamps)]
    before = figures(client)
    url = "/api/belfort/v1/observations"
    assert client.post(url, json=batch, headers=device).status_code == 200
    again = batch[:2] + [{"phenomenon_time": "2999-01-01T00:00:00Z", "value": 1}]
    assert client.post(url, json=again, headers=device).status_code == 207  # one refused
    after = figures(client)
    for outcome, count in (("stored", 4), ("duplicate", 2), ("refused", 1)):
        grown = value(after, "belfort_observations_total", outcome=outcome) \
            - value(before, "belfort_observations_total", outcome=outcome)
        assert grown == count, outcome


ALLOWED = {
    "family": metrics.FAMILIES,
    "method": metrics.METHODS | {"other"},
    "status": {"1xx", "2xx", "3xx", "4xx", "5xx", "other"},
    "store": {"belfort-answers", "belfort-results", "belfort-sparql", "belfort-pages"},
    "result": {"hit", "miss"},
    "published": {"yes", "no"},
    "outcome": {"stored", "duplicate", "refused"},
    "queue": {"audit_writer", "mqtt_inbox"},
}


def test_no_label_carries_a_dataset_id_path_or_key(scraped: tuple[TestClient, Platform],
                                                   tmp_path: Path) -> None:
    """The leak test: a confidential dataset asked for by name, with a key, by hostile paths;
    the figures never name it, nor any path or key, and every label value is from a fixed set."""
    client, platform = scraped
    ingest_file(platform, CLI_ADMIN, SECRET_ID, counts_csv(tmp_path),
                metadata={"title_nl": "Geheime plannen", "classification": "confidential",
                          "restriction_reason": "privacy", "classification_reason": "intern"})
    with platform.db.session() as session:
        admin = create_key(session, "admin").secret
    asked = [f"/api/belfort/v1/datasets/{SECRET_ID}",
             f"/api/belfort/v1/datasets/{SECRET_ID}/records",
             f"/api/records/1.0/search/?dataset={SECRET_ID}",
             f"/api/explore/v2.1/catalog/datasets/{SECRET_ID}/records",
             f"/explore/dataset/{SECRET_ID}/", f"/ldes/{SECRET_ID}",
             f"/{SECRET_ID}/<script>alert(1)</script>", f"/api/{SECRET_ID}%00x",
             "/" + "a" * 5000]
    for path in asked:
        client.get(path)
        client.get(path, headers={"Authorization": f"Bearer {admin}"})
        client.request("BREW", path)
    client.get(f"/api/belfort/v1/datasets?apikey={admin}")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert SECRET_ID not in text and "geheim" not in text and admin not in text
    assert "script" not in text and "aaaa" not in text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            for label, label_value in sample.labels.items():
                if label in ("le", "quantile"):
                    continue
                assert label in ALLOWED, (sample.name, label)
                assert label_value in ALLOWED[label], (sample.name, label, label_value)


@pytest.mark.parametrize(("path", "family"), [
    ("/api/records/1.0/search/", "ods_v1"), ("/api/explore/v2.1/catalog/datasets", "ods_v2_1"),
    ("/api/belfort/v1/datasets/x/records", "native"), ("/api/belfort/v1/observations", "sensors"),
    ("/iot/json", "sensors"), ("/sta/v1.1/Things", "sensorthings"), ("/sparql", "sparql"),
    ("/catalog.ttl", "dcat"), ("/ldes/x", "ldes"), ("/dashboards/gent/events", "events"),
    ("/ready", "operations"), ("/", "portal"), ("/datasets/x", "portal"), ("/api/", "api"),
    ("", "portal"), ("//..//etc/passwd", "portal"), ("/static/app.css", "static"),
])
def test_route_families(path: str, family: str) -> None:
    assert metrics.family_of(path) == family
    assert family in metrics.FAMILIES
