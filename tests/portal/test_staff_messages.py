"""The staff pages' messages through real uploads (issue 12 item 5): plain sentences in the
page's language, examples as a table, values escaped and cut, what the steward typed and
chose kept after a failed check, nothing destructive pre-selected or done unconfirmed, and a
publish that says what happened."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.catalog.models import Dataset
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import COUNTS_CSV, add_organisations, counts_csv
from tests.portal.test_staff import csrf_of, staff, upload  # noqa: F401  (the fixture)

BAD_COUNTS = "telpaal;aantal\nFT01;10\nFT02;20\nFT03;30\n"
FORBIDDEN = ("Value error", "contact_point", "not a valid", "{'row'", "[{", "&lt;&lt;")


def _plain(text: str) -> None:
    for developer in FORBIDDEN:
        assert developer not in text, developer


def _state(platform: Platform, dataset_id: str) -> str:
    with platform.db.session() as session:
        dataset = session.get(Dataset, dataset_id)
        assert dataset is not None
        return str(dataset.state)


@pytest.mark.parametrize(
    "lang,sentence,header",
    [
        (
            "nl",
            "Rij 1, kolom telpaal: &#39;FT01&#39; is geen geheel getal — "
            "kies &#39;tekst&#39; als soort",
            '<th scope="col">Rij</th><th scope="col">Kolom</th><th scope="col">Waarde</th>',
        ),
        (
            "en",
            "Row 1, column telpaal: &#39;FT01&#39; is not a whole number — "
            "choose &#39;text&#39; as its type",
            '<th scope="col">Row</th><th scope="col">Column</th><th scope="col">Value</th>',
        ),
    ],
)
def test_a_bad_integer_column_is_said_plainly_and_keeps_the_choices(
    staff: TestClient, platform: Platform, lang: str, sentence: str, header: str  # noqa: F811
) -> None:  # noqa: F811
    add_organisations(platform, "Mobiliteitsbedrijf")  # on the catalogue's list (docs/metadata.md)
    review_url = upload(staff, "tellingen", "tellingen.csv", BAD_COUNTS.encode())
    review = staff.get(review_url, params={"lang": lang}).text
    refused = staff.post(
        review_url,
        data={
            "csrf": csrf_of(review),
            "title_nl": "Fietstellingen",
            "organisation": "Mobiliteitsbedrijf",
            "type:telpaal": "integer",
            "type:aantal": "number",
            "keywords": "fiets, telling",
        },
    )
    assert refused.status_code == 422
    page = refused.text
    assert sentence in page and header in page
    assert "<td>3</td><td>telpaal</td><td>FT03</td>" in page  # the examples as a table
    _plain(page)
    # what was chosen and typed is still there
    assert re.search(r'name="type:telpaal">.*?<option value="integer" selected>', page, re.S)
    assert re.search(r'name="type:aantal">.*?<option value="number" selected>', page, re.S)
    assert 'value="Fietstellingen"' in page and 'value="Mobiliteitsbedrijf"' in page
    assert 'value="fiets, telling"' in page
    with platform.db.session() as session:
        assert session.get(Dataset, "tellingen") is None


def test_hostile_and_long_values_are_escaped_and_cut(staff: TestClient) -> None:  # noqa: F811
    long = "y" * 500
    content = f"naam;aantal\n<script>alert(1)</script>;1\n{long};2\nok;3\n".encode()
    review_url = upload(staff, "vijandig", "vijandig.csv", content)
    refused = staff.post(
        review_url,
        data={
            "csrf": csrf_of(staff.get(review_url).text),
            "title_nl": "<b>T</b>",
            "type:naam": "integer",
        },
    )
    assert refused.status_code == 422
    page = refused.text
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert long not in page and "y" * 59 + "…" in page
    assert 'value="&lt;b&gt;T&lt;/b&gt;"' in page


@pytest.mark.parametrize(
    "lang,email,order",
    [
        (
            "nl",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@stad.gent.",
            "De einddatum ligt voor de begindatum.",
        ),
        (
            "en",
            "Enter a valid e-mail address, for example name@stad.gent.",
            "The end date is before the start date.",
        ),
    ],
)
def test_bad_metadata_is_shown_next_to_its_field_with_a_summary(
    staff: TestClient, platform: Platform, lang: str, email: str, order: str  # noqa: F811
) -> None:  # noqa: F811
    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    review = staff.get(review_url, params={"lang": lang}).text
    data = {
        "csrf": csrf_of(review),
        "title_nl": "Tellingen",
        "contact_name": "Dienst Data",
        "contact_email": "niet-een-adres",
        "type:aantal": "number",
    }
    refused = staff.post(review_url, data=data)
    assert refused.status_code == 400
    page = refused.text
    assert f'<a href="#contact_email">{email}</a>' in page  # the summary links to the field
    assert re.search(
        r'<p id="contact_email-error" class="field-error">.*?' + re.escape(email), page
    )
    assert (
        'id="contact_email" name="contact_email" aria-invalid="true" '
        'aria-describedby="contact_email-error"'
        in page
    )
    assert 'value="niet-een-adres"' in page and 'value="Dienst Data"' in page
    assert re.search(r'name="type:aantal">.*?<option value="number" selected>', page, re.S)
    _plain(page)
    data.update(
        contact_email="data@stad.gent", temporal_start="2024-05-01", temporal_end="2024-01-01"
    )
    refused = staff.post(review_url, data=data)
    assert refused.status_code == 400 and f'<a href="#temporal_end">{order}</a>' in refused.text
    assert 'value="2024-05-01"' in refused.text and 'value="2024-01-01"' in refused.text
    _plain(refused.text)
    with platform.db.session() as session:
        assert session.get(Dataset, "tellingen") is None


def test_a_refused_upload_keeps_the_identifier_and_says_to_choose_the_file_again(
    staff: TestClient, platform: Platform  # noqa: F811
) -> None:  # noqa: F811
    token = csrf_of(staff.get("/staff").text)
    refused = staff.post(
        "/staff/uploads",
        data={"csrf": token, "dataset": "Fiets Tellingen<script>"},
        files={"file": ("t.csv", COUNTS_CSV.encode(), "text/csv")},
    )
    assert refused.status_code == 400
    page = refused.text
    assert (
        'value="Fiets Tellingen&lt;script&gt;"' in page and "<script>" not in page.split("<main")[1]
    )
    assert '<a href="#dataset">Gebruik kleine letters' in page
    assert '<a href="#file">Kies het bestand opnieuw' in page
    assert not any(platform.lake.uploads_dir.glob("*/t.csv"))
    nothing = staff.post("/staff/uploads", data={"csrf": token, "dataset": "tellingen"})
    assert (
        nothing.status_code == 400
        and '<a href="#file">Kies een bestand om op te laden.</a>' in nothing.text
    )
    assert 'value="tellingen"' in nothing.text
    empty = staff.post(
        "/staff/uploads",
        data={"csrf": token, "dataset": "tellingen"},
        files={"file": ("leeg.csv", b"", "text/csv")},
    )
    assert empty.status_code == 400 and "Het gekozen bestand is leeg." in empty.text


def test_the_state_menu_opens_on_the_current_state(
    staff: TestClient,  # noqa: F811
    platform: Platform,  # noqa: F811
    tmp_path: Path,
) -> None:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )
    page = staff.get("/staff/datasets/tellingen").text
    menu = re.search(r'<select id="state" name="state">(.*?)</select>', page, re.S)
    assert menu is not None
    options = re.findall(r'<option value="([a-z]+)"( selected)?>', menu.group(1))
    assert options[0] == ("published", " selected") and [o for o, s in options if s] == [
        "published"
    ]
    assert {o for o, _ in options} == {"published", "deprecated", "archived"}
    assert 'name="confirm" type="checkbox" value="yes"' in page


@pytest.mark.parametrize("target", ["archived", "deprecated"])
def test_archiving_and_deprecating_need_confirmation(
    staff: TestClient,  # noqa: F811
    platform: Platform,  # noqa: F811
    tmp_path: Path,
    target: str,
) -> None:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )
    page = staff.get("/staff/datasets/tellingen").text
    refused = staff.post(
        "/staff/datasets/tellingen",
        data={"csrf": csrf_of(page), "action": "state", "state": target},
    )
    assert refused.status_code == 400 and "niets is gewijzigd" in refused.text
    assert _state(platform, "tellingen") == "published"
    wrong = staff.post(
        "/staff/datasets/tellingen",
        data={"csrf": csrf_of(page), "action": "state", "state": target, "confirm": "on<script>"},
    )
    assert wrong.status_code == 400 and _state(platform, "tellingen") == "published"
    forged = staff.post(
        "/staff/datasets/tellingen",
        data={"csrf": "0" * 32, "action": "state", "state": target, "confirm": "yes"},
    )
    assert forged.status_code == 403 and _state(platform, "tellingen") == "published"
    done = staff.post(
        "/staff/datasets/tellingen",
        data={"csrf": csrf_of(page), "action": "state", "state": target, "confirm": "yes"},
    )
    assert done.status_code == 200 and _state(platform, "tellingen") == target
    same = staff.post(
        "/staff/datasets/tellingen",
        data={"csrf": csrf_of(page), "action": "state", "state": target},
    )
    assert same.status_code == 200 and "je koos de huidige status" in same.text
    unknown = staff.post(
        "/staff/datasets/tellingen",
        data={"csrf": csrf_of(page), "action": "state", "state": "<script>"},
    )
    assert unknown.status_code == 400 and "Kies een status uit de lijst." in unknown.text
    assert _state(platform, "tellingen") == target


def test_an_illegal_move_is_said_in_the_page_s_words(
    staff: TestClient,  # noqa: F811
    platform: Platform,  # noqa: F811
    tmp_path: Path,
) -> None:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )
    page = staff.get("/staff/datasets/tellingen").text
    refused = staff.post(
        "/staff/datasets/tellingen",
        data={"csrf": csrf_of(page), "action": "state", "state": "draft"},
    )
    assert refused.status_code == 409
    assert (
        "De status kan niet van &#39;gepubliceerd&#39; naar &#39;ontwerp&#39; gaan." in refused.text
    )
    assert "cannot go from" not in refused.text


@pytest.mark.parametrize(
    "lang,message,link",
    [
        (
            "nl",
            "Versie 1 van Fietstellingen is gepubliceerd: 5 rijen.",
            "Bekijk de publieke pagina",
        ),
        ("en", "Version 1 of Fietstellingen is published: 5 rows.", "View the public page"),
    ],
)
def test_publishing_says_what_happened_and_links_to_the_public_page(
    staff: TestClient, lang: str, message: str, link: str  # noqa: F811
) -> None:  # noqa: F811
    review_url = upload(staff, "fietstellingen", "tellingen.csv", COUNTS_CSV.encode())
    checked = staff.post(
        review_url, data={"csrf": csrf_of(staff.get(review_url).text), "title_nl": "Fietstellingen"}
    )
    staff.get("/staff", params={"lang": lang})  # the language cookie
    published = staff.post(
        "/staff/datasets/fietstellingen",
        data={"csrf": csrf_of(checked.text), "action": "publish", "version": "1"},
    )
    assert published.status_code == 200
    assert f'{message} <a href="/datasets/fietstellingen">{link}</a>' in published.text
    nothing = staff.post(
        "/staff/datasets/fietstellingen",
        data={"csrf": csrf_of(checked.text), "action": "publish", "version": "een"},
    )
    choose = {"nl": "Kies een versie om te publiceren.", "en": "Choose a version to publish."}[lang]
    assert nothing.status_code == 400 and choose in nothing.text


def test_the_review_page_says_whether_it_read_the_whole_file(staff: TestClient) -> None:  # noqa: F811
    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    page = staff.get(review_url).text
    assert "soorten afgeleid uit alle 5 rijen" in page
    assert '<option value="string">tekst</option>' in page and ">integer<" not in page


def test_error_pages_speak_the_visitor_s_language(client: TestClient) -> None:
    dutch = client.get("/datasets/bestaat-niet")
    assert dutch.status_code == 404 and "Pagina niet gevonden" in dutch.text
    english = client.get("/datasets/bestaat-niet", params={"lang": "en"})
    assert english.status_code == 404 and "Page not found" in english.text
    expired = client.post(
        "/staff/sign-in", data={"csrf": "0" * 32, "key": "x"}
    )  # the cookie says English
    assert expired.status_code == 403 and "This form has expired. Reload the page" in expired.text
    client.get("/", params={"lang": "nl"})
    expired = client.post("/staff/sign-in", data={"csrf": "0" * 32, "key": "x"})
    assert expired.status_code == 403 and "Dit formulier is verlopen" in expired.text
    assert "expired" not in expired.text


@pytest.mark.parametrize(
    "lang,message",
    [
        ("nl", "Dit filter kan niet worden gelezen vanaf teken 10."),
        ("en", "This filter cannot be read from character 10 on."),
    ],
)
def test_table_filter_errors_on_the_dataset_page_speak_its_language(
    client: TestClient, platform: Platform, tmp_path: Path, lang: str, message: str
) -> None:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )
    page = client.get("/datasets/tellingen", params={"lang": lang, "p_q": "aantal > abc"})
    assert page.status_code == 200 and message in page.text and "is not a number" not in page.text


def test_an_upload_that_is_gone_says_to_upload_it_again(staff: TestClient) -> None:  # noqa: F811
    gone = staff.get("/staff/uploads/" + "0" * 32)
    assert gone.status_code == 404 and "Laad het opnieuw op." in gone.text
