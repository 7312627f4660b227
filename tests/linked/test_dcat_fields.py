"""The data dictionary in the DCAT-AP description: each distribution's description lists the
fields' titles (Dutch and English) with their ids and units, once a steward described them;
the catalogue still validates against the DCAT-AP shapes, and a change shows at once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from belfort.catalog.field_dictionary import check_texts
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import describe_fields, ingest_file
from tests.helpers import add_organisations, counts_csv
from tests.linked.conftest import turtle, validate
from tests.linked.test_shapes import BASE, COMPLETE

DCT = Namespace("http://purl.org/dc/terms/")
CSV = URIRef(f"{BASE}/catalog/datasets/passanten-korenmarkt#distribution-csv")


def _descriptions(graph: Graph) -> dict[str, str]:
    return {str(d.language): str(d) for d in graph.objects(CSV, DCT.description)}  # type: ignore[attr-defined]


def test_distributions_list_the_described_fields(
    platform: Platform,
    tmp_path: Path,
    dcat_client: TestClient,
    core_shapes: Graph,
    recommended_shapes: Graph,
) -> None:
    add_organisations(platform, str(COMPLETE["organisation"]))  # on the catalogue's list
    ingest_file(
        platform, CLI_ADMIN, "passanten-korenmarkt", counts_csv(tmp_path), metadata=COMPLETE
    )
    before = _descriptions(
        turtle(dcat_client.get("/catalog/datasets/passanten-korenmarkt").content)
    )
    assert "Velden" not in before["nl"] and "Fields" not in before["en"]
    describe_fields(
        platform,
        CLI_ADMIN,
        "passanten-korenmarkt",
        {
            "aantal": check_texts(
                {"title_nl": "Aantal passanten", "title_en": "Passers-by", "unit": "personen"}
            ),
            "telpunt": check_texts(
                {"title_nl": "Telpunt <b>", "description_nl": "niet in de lijst"}
            ),
        },
    )
    for path in ("/catalog", "/catalog/datasets/passanten-korenmarkt"):
        graph = turtle(dcat_client.get(path).content)
        texts = _descriptions(graph)
        assert texts["nl"].endswith(
            " Velden: Telpunt <b> (telpunt); tijdstip; Aantal passanten (aantal, in "
            "personen); bezettingsgraad; open."
        ), texts["nl"]
        assert (
            "Fields: Telpunt <b> (telpunt); tijdstip; Passers-by (aantal, in personen);"
            in texts["en"]
        )
        assert "niet in de lijst" not in texts["nl"]
        assert validate(graph, core_shapes).violations == []
        assert validate(graph, recommended_shapes).violations == []
