"""Issue 14, item 4: the leak matrix. Every GET route of the application (the APIs, linked
data, the portal, the staff pages, SensorThings, dashboards) × every restricted dataset ×
every kind of principal: nothing of a dataset a principal may not read — no value, no title,
no field name, no count — appears in any answer, and a dataset it may not see answers
exactly as one that does not exist. A route the matrix does not know fails
``test_every_get_route_is_in_the_matrix``.

Every restricted thing carries markers that occur nowhere else, not even in a URL the test
asks for: ``t<id>`` in a dataset's title, ``v<id>`` in its rows, ``r<id>`` in the reason it
is not open, and ``qzvgeheimveld`` as the name of a confidential field in an open dataset
(its values ``qzvgeheimwaarde``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.policies import store_policy
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.publishing import classify_field, ingest_file, update_dataset_metadata
from belfort.quality import hook as quality_hook
from belfort.settings import Settings
from belfort.streams import live_catalog
from belfort.streams.live_schema import live_datasets_of
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations
from tests.conftest import TEST_BASE
from tests.helpers import write
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, mock_provider
from tests.policy.test_gate_endpoints import CALLS

# dataset id → (classification, draft); each is restricted for somebody
RESTRICTED = {
    "qzvintern": ("internal", False),
    "qzvvertrouwelijk": ("confidential", False),
    "qzvstrikt": ("strictly-confidential", False),
    "qzvontwerp": ("open", True),
    # the aggregates-only principal's dataset: groups above and below k (``AGGREGATE_ROWS``)
    "qzvaggregaat": ("confidential", False),
}
SECRET_FIELD = "qzvgeheimveld"
# a sensor feeding a confidential live dataset (and its rollups): its name carries
# ``s<tag>``, the reason ``r<tag>``, its observations the value 0.987654 (a number whose
# digits survive any formatting: ``987654``)
SENSOR = "qzv-teller"
LIVE = "qzvvertrouwelijk-live"
LIVE_TAG = "qzvlive"
LIVE_VALUE = 0.987654
LIVE_MARKERS = {f"s{LIVE_TAG}", f"r{LIVE_TAG}", "987654"}
SECRET_VALUE = "qzvgeheimwaarde"


def markers(dataset_id: str) -> set[str]:
    """The markers of a restricted dataset (a reason only where it is not open)."""
    reason = {f"r{dataset_id}"} if RESTRICTED[dataset_id][0] != "open" else set()
    small = SMALL_GROUP_FIGURES if dataset_id == AGGREGATED else set()
    return {f"t{dataset_id}", f"v{dataset_id}"} | field_markers(dataset_id) | reason | small


def field_markers(dataset_id: str) -> set[str]:
    """A field of its own (``f<id>``) with values ``x<id>``: what a policy's field subset
    holds back (the granted principal below)."""
    return {f"f{dataset_id}", f"x{dataset_id}"}


# The aggregates-only principal's dataset: a policy grants it ``aggregate`` with k = 10.
# Groups of ``telpunt``: three of at least k (their names occur in every dataset, so they are
# no markers) and two below k, whose names carry ``v<id>`` and whose ``aantal`` values and
# sums are numbers that occur nowhere else (``SMALL_GROUP_FIGURES``). ``f<id>`` is distinct
# per row (groups of one). Secondary suppression withholds ``Graslei`` too (the smallest
# group of at least k), so that the total minus the released groups is not one small group.
AGGREGATED = "qzvaggregaat"
K = 10
AGGREGATE_ROWS = [("Korenmarkt", 15, 100), ("Veldstraat", 12, 200), ("Graslei", 11, 300),
                  (f"Klein v{AGGREGATED}", 3, 23905), (f"Mini v{AGGREGATED}", 2, 41414)]
# each small group's values (the first row one less) and sums: 23904+23905+23905, 41413+41414
SMALL_GROUP_FIGURES = {"23904", "71714", "41413", "82827"}


def aggregate_csv() -> str:
    lines = [f"telpunt;tijdstip;aantal;f{AGGREGATED}"]
    for place, count, value in AGGREGATE_ROWS:
        for i in range(count):
            amount = value - 1 if i == 0 and value > 1000 else value
            lines.append(f"{place};2024-03-{1 + i:02d} 10:00:00;{amount};x{AGGREGATED}{len(lines)}")
    return "\n".join(lines) + "\n"


def rows_csv(dataset_id: str, secret: bool = False) -> str:
    if dataset_id == AGGREGATED:
        return aggregate_csv()
    head = f"telpunt;tijdstip;aantal;f{dataset_id}" + (f";{SECRET_FIELD}" if secret else "")
    lines = [head]
    for i, place in enumerate(("Korenmarkt", "Veldstraat", "Graslei")):
        line = f"{place} v{dataset_id};2024-03-01 1{i}:00:00;{100 + i};x{dataset_id}{i}"
        lines.append(line + (f";{SECRET_VALUE}{i}" if secret else ""))
    return "\n".join(lines) + "\n"


# Routes that name no dataset: how to call them (several URLs where a parameter matters).
WIDE: dict[str, list[str]] = {
    "/": ["/"], "/about": ["/about"], "/api": ["/api"], "/api/console": ["/api/console"],
    "/api/": ["/api/"], "/health": ["/health"], "/openapi.json": ["/openapi.json"],
    "/ready": ["/ready"], "/metrics": ["/metrics"],
    "/security": ["/security"], "/.well-known/security.txt": ["/.well-known/security.txt"],
    "/datasets": ["/datasets", "/datasets?q=qzv", "/datasets?q=geheimveld",
                  "/datasets?q=Korenmarkt"],
    "/explore": ["/explore"], "/explore/": ["/explore/?q=qzv"],
    "/organisations": ["/organisations"], "/organisations/{key}": ["/organisations/stad-gent"],
    "/transparantie": ["/transparantie"], "/maps/base.geojson": ["/maps/base.geojson"],
    "/api/belfort/v1/metadata-quality": ["/api/belfort/v1/metadata-quality"],
    # data-quality KPIs and their dashboards: over what the caller may see (belfort.quality.kpis)
    "/api/belfort/v1/quality": ["/api/belfort/v1/quality",
                                "/api/belfort/v1/quality?organisation=stad-gent&days=366"],
    "/datakwaliteit": ["/datakwaliteit"],
    "/organisations/{key}/datakwaliteit": ["/organisations/stad-gent/datakwaliteit"],
    # Gent in Cijfers: indicators are computed from open data only (belfort.cijfers)
    "/api/belfort/v1/indicators": ["/api/belfort/v1/indicators"],
    "/api/belfort/v1/indicators/{code}": ["/api/belfort/v1/indicators/bestaat_niet"],
    "/jive/selectiontableasjson.ashx": [
        "/jive/selectiontableasjson.ashx?var=bestaat_niet&geolevel=wijk&periodlevel=year&period=mrp"],
    "/jiveservices/odata/{resource:path}": ["/jiveservices/odata/Variables",
                                            "/jiveservices/odata/GeoLevels('wijk')/GeoItems"],
    "/viewerservices/odata/{resource:path}": ["/viewerservices/odata/Variables?$skip=0"],
    "/cijfers": ["/cijfers"], "/cijfers/wijken/{code}": ["/cijfers/wijken/1"],
    "/cijfers/wijken/{code}/cijfers.csv": ["/cijfers/wijken/1/cijfers.csv"],
    "/cijfers/vergelijk": ["/cijfers/vergelijk?wijk=1&wijk=2&wijk=3&wijk=4"],
    "/cijfers/indicatoren/{code}": ["/cijfers/indicatoren/bestaat_niet"],
    "/cijfers/indicatoren/{code}/waarden.csv": ["/cijfers/indicatoren/bestaat_niet/waarden.csv"],
    "/toegangsaanvragen": ["/toegangsaanvragen"],
    "/verwerkingsregister": ["/verwerkingsregister"],
    "/verwerkingsregister/{activity_id}": ["/verwerkingsregister/bestaat-niet"],
    "/dashboards": ["/dashboards"], "/dashboards/{dashboard_id}": ["/dashboards/gent"],
    "/dashboards/{dashboard_id}/tiles/{tile_id}": ["/dashboards/gent/tiles/drukte"],
    "/api/belfort/v1/datasets": ["/api/belfort/v1/datasets?limit=100",
                                 "/api/belfort/v1/datasets?q=qzv"],
    "/api/belfort/v1/organisations": ["/api/belfort/v1/organisations"],
    "/api/belfort/v1/organisations/{slug}": ["/api/belfort/v1/organisations/stad-gent"],
    # governance: an organisation's roles name no dataset; the worklist is for stewards
    "/api/belfort/v1/organisations/{slug}/roles": ["/api/belfort/v1/organisations/stad-gent/roles"],
    "/api/belfort/v1/governance/worklist": ["/api/belfort/v1/governance/worklist"],
    "/api/belfort/v1/processing-activities": ["/api/belfort/v1/processing-activities"],
    "/api/belfort/v1/processing-activities/{activity_id}":
        ["/api/belfort/v1/processing-activities/bestaat-niet"],
    "/api/belfort/v1/transparency": ["/api/belfort/v1/transparency"],
    "/api/belfort/v1/access-requests": ["/api/belfort/v1/access-requests"],
    "/api/belfort/v1/access-requests/{request_id}":
        ["/api/belfort/v1/access-requests/0123456789abcdef"],
    "/api/belfort/v1/audit": ["/api/belfort/v1/audit"],
    "/api/belfort/v1/audit/public-key": ["/api/belfort/v1/audit/public-key"],
    "/api/belfort/v1/sensors": ["/api/belfort/v1/sensors"],
    "/api/belfort/v1/sensors/{sensor_id}": ["/api/belfort/v1/sensors/qzv-teller"],
    "/api/belfort/v1/sensors/{sensor_id}/observations":
        ["/api/belfort/v1/sensors/qzv-teller/observations"],
    # forecasts: a sensor's as readable as its observations; zones' and the registry public
    "/api/belfort/v1/sensors/{sensor_id}/forecast":
        ["/api/belfort/v1/sensors/qzv-teller/forecast",
         "/api/belfort/v1/sensors/qzv-teller/forecast?hours=1"],
    "/api/belfort/v1/zones/{zone_id}/forecast": ["/api/belfort/v1/zones/korenmarkt/forecast"],
    "/api/belfort/v1/forecast-models": ["/api/belfort/v1/forecast-models"],
    "/api/belfort/v1/forecast-models/{version}":
        ["/api/belfort/v1/forecast-models/gbm-20261206T220000Z-abcd"],
    "/api/belfort/v1/zones": ["/api/belfort/v1/zones"],
    "/api/belfort/v1/zones/{zone_id}": ["/api/belfort/v1/zones/korenmarkt"],
    "/api/belfort/v1/zones/{zone_id}/crowding": ["/api/belfort/v1/zones/korenmarkt/crowding"],
    "/api/belfort/v1/crowding": ["/api/belfort/v1/crowding"],
    "/api/belfort/v1/alert-rules": ["/api/belfort/v1/alert-rules"],
    "/api/belfort/v1/alerts": ["/api/belfort/v1/alerts", "/api/belfort/v1/alerts?state=all"],
    "/api/belfort/v1/alerts/{alert_id}": ["/api/belfort/v1/alerts/1"],
    "/api/belfort/v1/zones/{zone_id}/advice": ["/api/belfort/v1/zones/korenmarkt/advice"],
    "/api/belfort/v1/zone-links": ["/api/belfort/v1/zone-links"],
    "/api/belfort/v1/scenarios": ["/api/belfort/v1/scenarios"],
    "/api/belfort/v1/scenarios/{scenario_id}": ["/api/belfort/v1/scenarios/0123456789abcdef"],
    "/api/belfort/v1/scenarios/{scenario_id}/export":
        ["/api/belfort/v1/scenarios/0123456789abcdef/export?format=json"],
    "/scenarios": ["/scenarios", "/scenarios?a=0123456789abcdef"],
    "/voorspellingen": ["/voorspellingen"],
    "/voorspellingen/modellen/{version}": ["/voorspellingen/modellen/gbm-20261206T220000Z-abcd"],
    "/api/belfort/v1/dashboards": ["/api/belfort/v1/dashboards"],
    "/api/belfort/v1/dashboards/{dashboard_id}": ["/api/belfort/v1/dashboards/gent"],
    # ODRL policies: admins and stewards only (401/403 here, before any look-up)
    "/api/belfort/v1/policies": ["/api/belfort/v1/policies",
                                 "/api/belfort/v1/policies?dataset=qzvvertrouwelijk"],
    "/api/belfort/v1/policies/purposes": ["/api/belfort/v1/policies/purposes"],
    "/api/belfort/v1/policies/{uid:path}": ["/api/belfort/v1/policies/urn:belfort:policy:qzv"],
    "/api/datasets/1.0/search/": ["/api/datasets/1.0/search/?rows=100",
                                  "/api/datasets/1.0/search/?q=qzv",
                                  "/api/datasets/1.0/search/?facet=theme"],
    "/api/explore/v2.1/catalog/datasets": ["/api/explore/v2.1/catalog/datasets?limit=100",
                                           "/api/explore/v2.1/catalog/datasets?where=%22qzv%22"],
    "/api/explore/v2.1/catalog/exports/{format}": ["/api/explore/v2.1/catalog/exports/json",
                                                   "/api/explore/v2.1/catalog/exports/csv"],
    "/api/explore/v2.1/catalog/facets": ["/api/explore/v2.1/catalog/facets"],
    "/catalog": ["/catalog"], "/catalog.{extension}": ["/catalog.ttl", "/catalog.jsonld"],
    "/catalog/organisations/{slug}": ["/catalog/organisations/stad-gent"],
    "/catalog/organisations/{slug}.{extension}": ["/catalog/organisations/stad-gent.ttl"],
    "/catalog/services/{service_name}": ["/catalog/services/sparql"],
    "/catalog/services/{service_name}.{extension}": ["/catalog/services/sparql.ttl"],
    "/sparql": ["/sparql?query=SELECT%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
                "/sparql?query=SELECT%20*%20WHERE%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20%3Fp"
                "%20%3Fo%20%7D%20%7D%20LIMIT%20100000"],
    "/sta/v1.1": ["/sta/v1.1"], "/sta/v1.1/": ["/sta/v1.1/"],
    "/sta/v1.1/{resource:path}": ["/sta/v1.1/Things", "/sta/v1.1/Datastreams",
                                  "/sta/v1.1/Observations"],
}
# Portal routes that name a dataset: like CALLS, one URL template per route.
PORTAL_CALLS: dict[str, str] = {
    "/datasets/{dataset_id}": "/datasets/{id}",
    "/datasets/{dataset_id}/map.geojson": "/datasets/{id}/map.geojson",
    "/datasets/{dataset_id}/map.svg": "/datasets/{id}/map.svg",
    "/explore/dataset/{dataset_id}": "/explore/dataset/{id}",
    "/toegangsaanvragen/nieuw/{dataset_id}": "/toegangsaanvragen/nieuw/{id}",
    "/explore/dataset/{dataset_id}/": "/explore/dataset/{id}/",
    "/explore/dataset/{dataset_id}/download": "/explore/dataset/{id}/download?format=csv",
    "/explore/dataset/{dataset_id}/{tab}": "/explore/dataset/{id}/table",
    "/explore/dataset/{dataset_id}/{tab}/": "/explore/dataset/{id}/export/",
}
# Aggregates of every dataset, beside CALLS' own (v1 analyze, v2.1 facets): grouped by
# ``telpunt`` with counts, sums and averages, a total, and a filter selecting one small group.
AGGREGATE_CALLS: list[str] = [
    "/api/explore/v2.1/catalog/datasets/{id}/records?select=telpunt,count(*)%20as%20n,"
    "sum(aantal)%20as%20s,avg(aantal)%20as%20a&group_by=telpunt&limit=100",
    "/api/explore/v2.1/catalog/datasets/{id}/records?select=count(*)%20as%20n,"
    "sum(aantal)%20as%20s&group_by=tijdstip&limit=100",
    "/api/explore/v2.1/catalog/datasets/{id}/records?select=count(*)%20as%20n,"
    "sum(aantal)%20as%20s",
    "/api/explore/v2.1/catalog/datasets/{id}/records?select=count(*)%20as%20n,"
    "sum(aantal)%20as%20s&where=telpunt%20like%20%22Klein*%22",
    "/api/belfort/v1/datasets/{id}/records?select=telpunt,count(*),sum(aantal),avg(aantal)"
    "&group_by=telpunt",
    "/api/belfort/v1/datasets/{id}/records?select=sum(aantal),count(*)&telpunt__startswith=Mini",
    "/api/records/1.0/analyze/?dataset={id}&x=telpunt&y.s.func=SUM&y.s.expr=aantal"
    "&y.a.func=AVG&y.a.expr=aantal",
    "/api/records/1.0/search/?dataset={id}&rows=0&facet=telpunt",
    "/api/explore/v2.1/catalog/datasets/{id}/facets?facet=telpunt&facet=aantal",
]
# Live pushes (Server-Sent Events) that stream until the client leaves: read over real HTTP
# for a bounded time by tests/policy/test_leak_matrix_live.py, while the restricted sensor's
# observations change.
STREAMS: dict[str, str] = {
    "/dashboards/{dashboard_id}/events": "/dashboards/{id}/events",
    "/api/belfort/v1/dashboards/{dashboard_id}/events": "/api/belfort/v1/dashboards/{id}/events",
}
# Routes left out, and why (none today).
EXEMPT: set[str] = set()
STAFF_PREFIX = "/staff"  # every staff page: the principals here are no staff (checked below)


def all_get_routes() -> set[str]:
    """The path of every GET route, including those left out of the OpenAPI document."""
    app = create_app(platform=None)
    paths: set[str] = set()
    for route in app.routes:
        included = getattr(route, "original_router", None)
        for r in included.routes if included is not None else [route]:
            methods = getattr(r, "methods", None) or set()
            if "GET" in methods and hasattr(r, "path"):
                paths.add(r.path)
    return paths


def test_every_get_route_is_in_the_matrix() -> None:
    known = ({p for m, p in CALLS if m == "GET"} | set(WIDE) | set(PORTAL_CALLS) | set(STREAMS)
             | EXEMPT)
    missing = sorted(p for p in all_get_routes() - known if not p.startswith(STAFF_PREFIX))
    assert not missing, f"add these GET routes to the leak matrix in {__file__}: {missing}"


@pytest.fixture(scope="module")
def idp() -> Iterator[MockProvider]:
    """A real local OpenID Connect provider (as tests/api/test_oidc_tokens.py): a person in
    no group, and one in a group a policy names."""
    with mock_provider() as found:
        found.set_user("qzv-burger", name="Burger")
        found.set_user("qzv-analist", name="Analist", groups=[PERSON_GROUP])
        yield found


PERSON_GROUP = "qzv-analisten"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, idp: MockProvider) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    oidc_issuer=idp.issuer, oidc_client_id=CLIENT_ID,
                    oidc_client_secret=CLIENT_SECRET)


@pytest.fixture
def sensor_credential(platform: Platform) -> str:
    """The restricted sensor, registered: its device credential."""
    with platform.db.session() as session:
        return register_sensor(session, SensorSpec(
            SENSOR, f"Teller s{LIVE_TAG}", "passanten", "count", dataset_id=LIVE)).credential


@pytest.fixture
def restricted(platform: Platform, tmp_path: Path, sensor_credential: str) -> Platform:
    ingest_file(platform, CLI_ADMIN, "open-data", write(tmp_path / "o.csv", rows_csv("open", True)),
                metadata={"title_nl": "Open tellingen", "licence": "CC0-1.0"})
    classify_field(platform, CLI_ADMIN, "open-data", SECRET_FIELD, "confidential")
    for dataset_id, (level, draft) in RESTRICTED.items():
        # an RDF mapping: SPARQL loads the records of mapped datasets only (on every database)
        metadata = {"title_nl": f"T{dataset_id} titel", "classification": level,
                    "restriction_reason": "privacy",
                    "classification_reason": f"r{dataset_id}" if level != "open" else None,
                    "rdf_mapping": {"other_fields": "default"}}
        ingest_file(platform, CLI_ADMIN, dataset_id,
                    write(tmp_path / f"{dataset_id}.csv", rows_csv(dataset_id)),
                    metadata={k: v for k, v in metadata.items() if v is not None}, draft=draft)
    # a live dataset is open when it appears: the steward classifies it and its rollups
    live_catalog.sync(platform, force=True)
    for dataset in live_datasets_of(LIVE):
        update_dataset_metadata(platform, CLI_ADMIN, dataset.id, {
            "classification": "confidential", "restriction_reason": "privacy",
                                              "classification_reason": f"r{LIVE_TAG}"})
    observe(platform, sensor_credential, LIVE_VALUE)
    quality_hook.wait(platform)  # every version's quality report is there to be asked for
    return platform


def observe(platform: Platform, credential: str, value: float) -> None:
    """An observation of the restricted sensor, through the one write path."""
    device = devices(platform).authenticate(credential, SENSOR, "test")
    result = write_observations(platform, device, [ObservationIn(SENSOR, "count", now_us(),
                                                                 value)])
    assert result.stored == 1, result.to_dict()


@pytest.fixture
def principals(restricted: Platform, idp: MockProvider
               ) -> Iterator[dict[str, tuple[dict[str, str], set[str]]]]:
    """principal → (its headers, the markers it must never see)."""
    with restricted.db.session() as session:
        reader = create_key(session, "lezer", Role.READ).secret
        granted = create_key(session, "onderzoeker", Role.READ)
        # a policy grants this key two fields of the confidential dataset, for research
        store_policy(session, json.dumps({
            "@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:belfort:policy:qzv",
            "target": "qzvvertrouwelijk", "assignee": f"urn:belfort:key:{granted.id}",
            "permission": [{"action": "read", "constraint": [
                {"leftOperand": "purpose", "operator": "eq",
                 "rightOperand": "dpv:ResearchAndDevelopment"},
                {"leftOperand": "belfort:fields", "operator": "isAnyOf",
                 "rightOperand": ["telpunt", "aantal"]}]}]}), actor="test")
        # a policy grants this key only aggregates of qzvaggregaat, groups of k or more
        aggregator = create_key(session, "statisticus", Role.READ)
        store_policy(session, json.dumps({
            "@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:belfort:policy:qzvagg",
            "target": AGGREGATED, "assignee": f"urn:belfort:key:{aggregator.id}",
            "permission": [{"action": "aggregate", "constraint": [
                {"leftOperand": "belfort:minGroupSize", "operator": "gteq",
                 "rightOperand": K}]}]}), actor="test")
        # people signed in through OpenID Connect: the group of one of them (a claim) may
        # read the strictly confidential dataset
        store_policy(session, json.dumps({
            "@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:belfort:policy:qzvgroep",
            "target": "qzvstrikt", "assignee": f"urn:belfort:group:{PERSON_GROUP}",
            "permission": [{"action": "read"}]}), actor="test")
    restricted.generation.bump()
    everything = {m for d in RESTRICTED for m in markers(d)} | LIVE_MARKERS
    beyond_reader = everything - markers("qzvintern")
    yield {
        "anonymous": ({}, everything | {SECRET_FIELD, SECRET_VALUE}),
        "reader": ({"Authorization": f"Bearer {reader}"},
                   beyond_reader | {SECRET_FIELD, SECRET_VALUE}),
        # a device's credential reads nothing: refused, and nothing else said
        "device": ({"Authorization": "Bearer bfd_qzvnietgeldig"},
                   everything | {SECRET_FIELD, SECRET_VALUE}),
        # a reader granted two fields of qzvvertrouwelijk: it sees that dataset's title,
        # reason and the values of those fields, never its other field
        "granted": ({"Authorization": f"Bearer {granted.secret}",
                     "X-Belfort-Purpose": "dpv:ResearchAndDevelopment"},
                    (beyond_reader - markers("qzvvertrouwelijk"))
                    | field_markers("qzvvertrouwelijk") | {SECRET_FIELD, SECRET_VALUE}),
        # aggregates only of qzvaggregaat: its title, reason and field names, and groups of
        # at least k — never a row's value, a small group's name or one of its figures
        "aggregates": ({"Authorization": f"Bearer {aggregator.secret}"},
                       beyond_reader - {f"t{AGGREGATED}", f"r{AGGREGATED}", f"f{AGGREGATED}"}
                       | {SECRET_FIELD, SECRET_VALUE}),
        # a person without any grant (no role, no group a policy names)
        "person": ({"Authorization": f"Bearer {idp.id_token('qzv-burger')}"},
                   beyond_reader | {SECRET_FIELD, SECRET_VALUE}),
        # a person whose group (from the token's claims) a policy names: qzvstrikt whole
        "group": ({"Authorization": f"Bearer {idp.id_token('qzv-analist')}"},
                  beyond_reader - markers("qzvstrikt") | {SECRET_FIELD, SECRET_VALUE}),
    }


WHO = ["anonymous", "reader", "device", "granted", "aggregates", "person", "group"]


def _leaks(text: str, markers: set[str]) -> list[str]:
    """The markers ``text`` shows, each with the text around it (so that a failure can be
    judged). A numeric marker counts only as a whole number: ``23904`` inside a timestamp's
    microseconds (``…:00.239041``) or a byte size is a coincidence, not a small group's sum."""
    lowered = text.lower()
    shown = []
    for marker in sorted(markers):
        pattern = (rf"(?<![0-9]){marker}(?![0-9])" if marker.isdigit()
                   else re.escape(marker.lower()))
        found = re.search(pattern, lowered)
        if found:
            around = text[max(0, found.start() - 60):found.end() + 60]
            shown.append(f"{marker} in …{around}…")
    return shown


def _urls() -> list[str]:
    urls = [u for urls in WIDE.values() for u in urls]
    for dataset_id in [*RESTRICTED, "open-data", *(d.id for d in live_datasets_of(LIVE))]:
        urls += [t.format(id=dataset_id) for (m, t) in CALLS.items() if m[0] == "GET"]
        urls += [t.format(id=dataset_id) for t in PORTAL_CALLS.values()]
        urls += [t.format(id=dataset_id) for t in AGGREGATE_CALLS]
    return urls


@pytest.mark.parametrize("who", WHO)
def test_nothing_restricted_leaks_anywhere(
        restricted: Platform, principals: dict[str, tuple[dict[str, str], set[str]]],
        who: str) -> None:
    headers, hidden_markers = principals[who]
    problems: list[str] = []
    with TestClient(create_app(restricted)) as client:
        for url in _urls():
            r = client.get(url, headers=headers)
            if r.status_code >= 500:
                problems.append(f"{url}: {r.status_code}")
            leaked = _leaks(r.text, hidden_markers)
            if leaked:
                problems.append(f"{url}: {r.status_code} shows {leaked}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", WHO)
def test_a_hidden_dataset_answers_as_one_that_does_not_exist(
        restricted: Platform, principals: dict[str, tuple[dict[str, str], set[str]]],
        who: str) -> None:
    headers, hidden_markers = principals[who]
    hidden = [d for d in RESTRICTED if markers(d) <= hidden_markers]
    templates = [t for (m, t) in CALLS.items() if m[0] == "GET"] + list(PORTAL_CALLS.values())
    problems = []
    with TestClient(create_app(restricted)) as client:
        for template in templates:
            absent = client.get(template.format(id="qzvbestaatniet"), headers=headers)
            for dataset_id in hidden:
                r = client.get(template.format(id=dataset_id), headers=headers)
                if r.status_code != absent.status_code:
                    problems.append(f"{template} {dataset_id}: {r.status_code} but "
                                    f"{absent.status_code} for a dataset that does not exist")
    assert not problems, "\n".join(problems)


def test_the_matrix_would_see_a_leak(restricted: Platform, admin_headers: dict[str, str]) -> None:
    """The control: an admin reads everything, so the same requests show every marker — the
    requests above do reach the data they must not show."""
    seen = ""
    with TestClient(create_app(restricted)) as client:
        for url in _urls():
            seen += client.get(url, headers=admin_headers).text.lower()
    everything = ({m for d in RESTRICTED for m in markers(d)} | LIVE_MARKERS
                  | {SECRET_FIELD, SECRET_VALUE})
    assert not [m for m in everything if m.lower() not in seen]


def test_an_aggregates_only_principal_sees_large_groups_and_no_row(
        restricted: Platform, principals: dict[str, tuple[dict[str, str], set[str]]],
        admin_headers: dict[str, str]) -> None:
    """The aggregates row's other half: what it may see, it sees (groups of k or more), so
    the matrix above does reach the aggregates; what reads rows is refused."""
    headers, _ = principals["aggregates"]
    base = f"/api/explore/v2.1/catalog/datasets/{AGGREGATED}"
    grouped = AGGREGATE_CALLS[0].format(id=AGGREGATED)
    with TestClient(create_app(restricted)) as client:
        mine = client.get(grouped, headers=headers)
        full = client.get(grouped, headers=admin_headers)
        assert mine.status_code == full.status_code == 200, mine.text
        counts = {row["telpunt"]: row["n"] for row in mine.json()["results"]}
        assert counts == {"Korenmarkt": 15, "Veldstraat": 12}  # Graslei: secondary
        assert {row["n"] for row in full.json()["results"]} == {15, 12, 11, 3, 2}
        v1 = client.get(f"/api/records/1.0/search/?dataset={AGGREGATED}&rows=1",
                        headers=admin_headers).json()
        record_id = v1["records"][0]["recordid"]
        rows = [f"{base}/records", f"{base}/records?limit=1&select=telpunt",
                f"{base}/exports/csv", f"{base}/exports/json",
                f"/api/belfort/v1/datasets/{AGGREGATED}/records",
                f"/api/belfort/v1/datasets/{AGGREGATED}/exports/csv",
                f"/api/records/1.0/search/?dataset={AGGREGATED}",
                f"/api/records/1.0/download/?dataset={AGGREGATED}",
                f"/explore/dataset/{AGGREGATED}/download?format=csv",
                f"/id/{AGGREGATED}/{record_id}", f"{base}/records/{record_id}",
                f"/ldes/{AGGREGATED}", f"/ldes/{AGGREGATED}/pages/1"]
        for url in rows:
            answer = client.get(url, headers=headers)
            assert answer.status_code in (403, 404), f"{url}: {answer.status_code}"
            if url.startswith("/ldes/"):  # refused as every other row read is
                assert answer.json()["error"] == "aggregates_only", answer.text
            assert client.get(url, headers=admin_headers).status_code in (200, 302, 303), url
        sparql = ("/sparql?query=SELECT%20*%20WHERE%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20%3Fp"
                  "%20%3Fo%20%7D%20%7D%20LIMIT%20100000")
        # no triple of its records (the control: an admin's answer has them)
        assert f"/id/{AGGREGATED}/" not in client.get(sparql, headers=headers).text
        assert f"/id/{AGGREGATED}/" in client.get(sparql, headers=admin_headers).text


def test_a_group_from_the_claims_reads_what_its_policy_grants(
        restricted: Platform, principals: dict[str, tuple[dict[str, str], set[str]]]) -> None:
    """The group row's other half: the person in the group reads qzvstrikt's rows (so the
    token is accepted and its claims reach the gate), the person without one does not."""
    url = "/api/explore/v2.1/catalog/datasets/qzvstrikt/records"
    with TestClient(create_app(restricted)) as client:
        member = client.get(url, headers=principals["group"][0])
        assert member.status_code == 200 and "vqzvstrikt" in member.text, member.text
        assert client.get(url, headers=principals["person"][0]).status_code == 404
