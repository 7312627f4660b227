"""A dataset whose groups straddle k, and a principal limited to aggregates of it (issue 14,
item 3): shared by the tests of every place that shows counts or aggregates.

``wijk`` has groups Centrum 12, Noord 8, Zuid 6 and Oost 2 records (28 in all). Under k = 5
Oost is below k (primary suppression); Zuid, the smallest other group, must go too (secondary
suppression), or "total minus the released groups" would be Oost's 2. By month of ``datum``
April holds Oost's 2 records only; ``soort`` "lawaai" has 3 records (all in Centrum).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.publishing import ingest_file
from tests.helpers import write

DATASET = "wijkmeldingen"
K = 5
GROUPS = {"Centrum": 12, "Noord": 8, "Zuid": 6, "Oost": 2}
RELEASED = {"Centrum": 12, "Noord": 8}
TOTAL = sum(GROUPS.values())
PURPOSE = "dpv:ResearchAndDevelopment"
LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()


def straddle_csv(directory: Path) -> Path:
    lines = ["wijk;soort;datum;aantal"]
    n = 0
    for wijk, count in GROUPS.items():
        for i in range(count):
            n += 1
            # soort: "afval" for most, "lawaai" for 3 of Centrum's (a small group elsewhere)
            soort = "lawaai" if wijk == "Centrum" and i < 3 else "afval"
            month = 4 if wijk == "Oost" else 1 + n % 3  # April: Oost's 2 records only
            lines.append(f"{wijk};{soort};2024-0{month}-1{n % 9};{n}")
    return write(directory / "wijkmeldingen.csv", "\n".join(lines) + "\n")


def publish(platform: Platform, directory: Path) -> None:
    ingest_file(platform, CLI_ADMIN, DATASET, straddle_csv(directory), metadata={
        "title_nl": "Wijkmeldingen", "classification": "confidential",
        "restriction_reason": "privacy",
        "classification_reason": "meldingen van bewoners", "listed": True})


def aggregates_only(client: TestClient, platform: Platform, admin_headers: dict[str, str],
                    k: int = K) -> dict[str, str]:
    """Headers of a key whose approved access request allows aggregates only, with k."""
    with platform.db.session() as session:
        secret = create_key(session, "onderzoeker", Role.READ).secret
    headers = {"Authorization": f"Bearer {secret}"}
    r = client.post("/api/belfort/v1/access-requests", headers=headers, json={
        "dataset": DATASET, "purpose": PURPOSE,
        "reason": "Onderzoek naar de spreiding van meldingen per wijk."})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/belfort/v1/access-requests/{r.json()['id']}/decision",
                    headers=admin_headers,
                    json={"approve": True, "expires_at": LATER, "min_group_size": k})
    assert r.status_code == 200, r.text
    return {**headers, "X-Belfort-Purpose": PURPOSE}


def aggregates_only_session(client: TestClient, platform: Platform,
                            admin_headers: dict[str, str], k: int = K) -> str:
    """The portal's sign-in cookie of a key whose policy (no purpose asked: the portal sends
    none) allows aggregates only of the dataset, with k."""
    from belfort.policy.keys import authenticate
    from belfort.policy.sessions import start_session

    with platform.db.session() as session:
        created = create_key(session, "onderzoeker portaal", Role.READ)
    r = client.post("/api/belfort/v1/policies", headers=admin_headers, json={
        "@context": "http://www.w3.org/ns/odrl.jsonld", "@type": "Set",
        "uid": "urn:belfort:policy:drempel-portaal", "target": DATASET,
        "permission": [{"action": "aggregate", "assignee": f"urn:belfort:key:{created.id}",
                        "constraint": [{"leftOperand": "belfort:minGroupSize",
                                        "operator": "gteq", "rightOperand": k}]}]})
    assert r.status_code in (200, 201), r.text
    with platform.db.session() as session:
        principal = authenticate(session, created.secret)
        assert principal is not None
        return start_session(session, principal, 3600)
