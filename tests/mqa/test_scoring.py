"""The MQA scorer against hand-computed examples (../shared/design/mqa.md)."""

from __future__ import annotations

import pytest

from belfort.linked.dcat import DatasetRow, DcatBuilder
from belfort.linked.rdf import IRI, Document, Lit
from belfort.linked.vocabularies import DCAT, DCT, RDF
from belfort.mqa import method as m
from belfort.mqa.scoring import own_url_ok, score_description

D = "http://x.test/catalog/datasets/d"
FT = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
EVERY_URL_ANSWERS = lambda url: True  # noqa: E731


def test_the_method_adds_up_to_405_in_its_five_dimensions() -> None:
    assert m.MAX_POINTS == 405 == sum(d.max_points for d in m.DIMENSIONS)
    for d in m.DIMENSIONS:
        assert sum(i.points for i in m.INDICATORS if i.dimension == d.key) == d.max_points
    assert [d.max_points for d in m.DIMENSIONS] == [100, 100, 110, 75, 20]


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (405, "excellent"),
        (351, "excellent"),
        (350.5, "good"),
        (350, "good"),
        (221, "good"),
        (220, "sufficient"),
        (120, "sufficient"),
        (119, "bad"),
        (0, "bad"),
    ],
)
def test_bands(points: float, band: str) -> None:
    assert m.band_of(points).key == band


def _dataset(doc: Document, **props: list[object]) -> None:
    doc.add(D, RDF + "type", IRI(DCAT + "Dataset"))
    for name, values in props.items():
        for value in values:
            doc.add(D, name, value)  # type: ignore[arg-type]


def _distribution(doc: Document, name: str, props: list[tuple[str, object]]) -> str:
    uri = f"{D}#{name}"
    doc.add(D, DCAT + "distribution", IRI(uri))
    for predicate, value in props:
        doc.add(uri, predicate, value)  # type: ignore[arg-type]
    return uri


def test_a_dataset_with_nothing_scores_0() -> None:
    doc = Document()
    _dataset(doc)
    score = score_description(doc, D, EVERY_URL_ANSWERS, False)
    assert score.total == 0 and score.band.key == "bad" and score.best_distribution is None
    assert [s.points for s in score.to_add()] == sorted(
        (i.points for i in m.INDICATORS), reverse=True
    )
    assert score.to_add()[0].indicator == "accessUrlStatusCode"  # 50 points first


def test_a_description_without_distributions_as_belfort_writes_it() -> None:
    """No version yet, no keywords, dates, coverage or licence: Belfort still states the
    catalogue's publisher and contact point and the access rights. By hand: accessRights 10 +
    its vocabulary 5 + contact point 20 + publisher 10 + DCAT-AP compliance 30 = 75."""
    row = DatasetRow(id="d", title_nl="Leeg")
    builder = DcatBuilder("http://x.test")
    score = score_description(builder.dataset_document(row), D, EVERY_URL_ANSWERS, True)
    assert score.distributions == 0
    assert {i.key for i in score.indicators if i.met} == {
        "accessRightsAvailability",
        "accessRightsVocabularyAlignment",
        "contactPointAvailability",
        "publisherAvailability",
        "dcatApCompliance",
    }
    assert score.total == 75 and score.band.key == "bad"
    assert score.dimension_points() == {
        "findability": 0,
        "accessibility": 0,
        "interoperability": 30,
        "reusability": 45,
        "contextuality": 0,
    }


def _everything(doc: Document) -> None:
    _dataset(
        doc,
        **{
            DCAT + "keyword": [Lit("parkeren", "nl")],
            DCAT + "theme": [
                IRI("http://publications.europa.eu/resource/authority/data-theme/TRAN")
            ],
            DCT + "spatial": [IRI("https://data.vlaanderen.be/id/gemeente/44021")],
            DCT + "temporal": [IRI(D + "#temporal")],
            DCT + "accessRights": [
                IRI("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
            ],
            DCAT + "contactPoint": [IRI(D + "#contact")],
            DCT + "publisher": [IRI("http://x.test/org")],
        },
    )
    _distribution(
        doc,
        "csv",
        [
            (DCAT + "accessURL", IRI("http://x.test/a.csv")),
            (DCAT + "downloadURL", IRI("http://x.test/a.csv")),
            (DCT + "format", IRI(FT + "CSV")),
            (DCAT + "mediaType", IRI(IANA + "text/csv")),
            (DCT + "license", IRI("http://publications.europa.eu/resource/authority/licence/CC0")),
            (DCT + "rights", IRI(D + "#rights")),
            (DCAT + "byteSize", Lit("1024")),
            (DCT + "issued", Lit("2024-01-01")),
            (DCT + "modified", Lit("2024-02-01")),
        ],
    )


def test_a_dataset_with_everything_scores_405() -> None:
    doc = Document()
    _everything(doc)
    score = score_description(doc, D, EVERY_URL_ANSWERS, True)
    assert score.total == 405 and score.band.key == "excellent" and score.to_add() == []
    assert score.best_distribution == D + "#csv"


def test_urls_that_do_not_answer_or_were_not_checked_score_0() -> None:
    doc = Document()
    _everything(doc)
    failing = score_description(doc, D, lambda url: False, True)
    assert failing.total == 405 - 50 - 30
    unchecked = score_description(doc, D, lambda url: None, None)
    assert unchecked.total == 405 - 50 - 30 - 30
    assert {s.indicator for s in unchecked.to_add() if not s.checked} == {
        "accessUrlStatusCode",
        "downloadUrlStatusCode",
        "dcatApCompliance",
    }
    assert unchecked.to_add()[0].en.startswith("Not checked: ")


def test_only_the_best_distribution_counts_and_a_tie_keeps_the_first() -> None:
    doc = Document()
    _dataset(doc)
    good = [
        (DCAT + "accessURL", IRI("http://x.test/a")),
        (DCAT + "downloadURL", IRI("http://x.test/a")),
        (DCT + "license", IRI("https://creativecommons.org/licenses/by/4.0/")),
    ]  # 50+20+30+20+10
    formats = [
        (DCAT + "accessURL", IRI("http://x.test/b")),
        (DCT + "format", IRI(FT + "XLSX")),
        (
            DCAT + "mediaType",
            IRI(IANA + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ]  # 50+20+10+10+0+20
    first = _distribution(doc, "first", good)
    _distribution(doc, "formats", formats)
    _distribution(doc, "second", good)
    score = score_description(doc, D, EVERY_URL_ANSWERS, None)
    assert score.best_distribution == first
    assert score.total == 130 and score.distributions == 3  # not averaged, not summed
    assert not score.indicator("formatAvailability").met  # the XLSX distribution did not count


def test_a_distributions_own_dates_count_in_choosing_it() -> None:
    doc = Document()
    _dataset(doc)
    url = [(DCAT + "accessURL", IRI("http://x.test/a"))]
    _distribution(doc, "plain", url)
    dated = _distribution(doc, "dated", [*url, (DCT + "modified", Lit("2024-01-01"))])
    score = score_description(doc, D, EVERY_URL_ANSWERS, None)
    assert score.best_distribution == dated and score.total == 55
    assert score.indicator("dateModifiedAvailability").on == dated


def test_the_datasets_dates_count_only_where_the_distribution_has_none() -> None:
    doc = Document()
    _dataset(doc, **{DCT + "issued": [Lit("2024-01-01")], DCT + "modified": [Lit("2024-03-01")]})
    dist = _distribution(doc, "csv", [(DCT + "modified", Lit("2024-02-01"))])
    score = score_description(doc, D, EVERY_URL_ANSWERS, None)
    issued, modified = (
        score.indicator("dateIssuedAvailability"),
        score.indicator("dateModifiedAvailability"),
    )
    assert (issued.points, issued.on) == (5, None)  # from the dataset
    assert (modified.points, modified.on) == (5, dist)  # the distribution's, not twice
    assert score.total == 10


def test_a_dataset_without_distributions_may_still_earn_its_dates() -> None:
    doc = Document()
    _dataset(doc, **{DCT + "issued": [Lit("2024-01-01")]})
    score = score_description(doc, D, EVERY_URL_ANSWERS, None)
    assert score.total == 5 and score.best_distribution is None


def test_formats_as_literals_and_media_types_without_the_iana_prefix() -> None:
    doc = Document()
    _dataset(doc)
    _distribution(
        doc, "x", [(DCT + "format", Lit("GeoJSON")), (DCAT + "mediaType", Lit("text/csv"))]
    )
    score = score_description(doc, D, EVERY_URL_ANSWERS, None)
    met = {i.key for i in score.indicators if i.met}
    # a literal format is no EU vocabulary term: no alignment; but it is open and machine-readable
    assert met == {
        "formatAvailability",
        "mediaTypeAvailability",
        "formatMediaTypeNonProprietary",
        "formatMediaTypeMachineInterpretable",
    }


def test_unknown_licences_and_access_rights_outside_the_eu_list() -> None:
    doc = Document()
    _dataset(doc, **{DCT + "accessRights": [IRI("http://x.test/rights/open")]})
    _distribution(doc, "x", [(DCT + "license", IRI("http://x.test/licence"))])
    score = score_description(doc, D, EVERY_URL_ANSWERS, None)
    assert {i.key for i in score.indicators if i.met} == {
        "licenceAvailability",
        "accessRightsAvailability",
    }


def test_belforts_own_urls_answer_when_the_dataset_is_public() -> None:
    base = "https://data.example"
    export = f"{base}/api/explore/v2.1/catalog/datasets/d/exports/csv"
    assert own_url_ok(export, base, "d", True) is True
    assert own_url_ok(export, base, "d", False) is False
    assert (
        own_url_ok(f"{base}/api/explore/v2.1/catalog/datasets/d/exports/docx", base, "d", True)
        is False
    )
    assert own_url_ok(f"{base}/datasets/d", base + "/", "d", True) is True
    assert own_url_ok("https://elsewhere.example/d.csv", base, "d", True) is None
    assert (
        own_url_ok(f"{base}.evil/api/explore/v2.1/catalog/datasets/d/exports/csv", base, "d", True)
        is None
    )
