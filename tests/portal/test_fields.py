"""The data dictionary on the portal: the staff page "Velden" (CSRF, every problem named in
the page's language, typed input kept) and the public "Velden / Fields" section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv
from tests.portal.test_staff import csrf_of

PAGE = "/staff/datasets/tellingen/fields"


@pytest.fixture
def staff(client: TestClient, staff_token: str) -> TestClient:
    client.cookies.set("belfort_staff", staff_token)
    return client


@pytest.fixture
def tellingen(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )
    return platform


def _form(html: str, **changes: str) -> dict[str, str]:
    """The form as the browser would send it, with some inputs changed."""
    data = {"csrf": csrf_of(html)}
    for name, value in re.findall(
        r'<input id="f-[^"]+" name="([^"]+)" type="text" maxlength="\d+" value="([^"]*)"', html
    ):
        data[name] = value
    for name, value in re.findall(
        r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', html
    ):
        data[name] = value
    assert len(data) == 1 + 5 * 5, sorted(data)
    data.update(changes)
    return data


def test_the_public_and_the_page_need_staff(client: TestClient, tellingen: Platform) -> None:
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, data={"csrf": "0" * 32, "title_nl:aantal": "x"}).status_code == 404


def test_a_steward_describes_every_field_in_one_form(
    staff: TestClient, tellingen: Platform
) -> None:
    page = staff.get(PAGE)
    assert page.status_code == 200 and "Velden van versie 1" in page.text
    saved = staff.post(
        PAGE,
        data=_form(
            page.text,
            **{
                "title_nl:aantal": "Aantal fietsers",
                "title_en:aantal": "Cyclists",
                "unit:aantal": "fietsers",
                "description_nl:telpunt": "Waar <script>alert(1)</script> geteld wordt",
                "description_en:telpunt": "Where counted",
            },
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == PAGE + "?saved=1"
    page = staff.get(saved.headers["location"])
    assert "De velden zijn opgeslagen." in page.text and 'value="Aantal fietsers"' in page.text
    staff.cookies.clear()
    public = staff.get("/datasets/tellingen")
    section = public.text[
        public.text.index('<section id="schema"') : public.text.index('<section id="versions"')
    ]
    assert '<h2 id="schema-title">Velden</h2>' in section
    assert re.search(
        r'<tr id="field-aantal"><th scope="row">Aantal fietsers</th><td><code>aantal</code></td>'
        r'<td>geheel getal <span class="term">integer</span></td><td>fietsers</td>',
        section,
    )
    assert "<script>alert(1)</script>" not in public.text
    assert "Waar &lt;script&gt;alert(1)&lt;/script&gt; geteld wordt" in section
    english = staff.get("/datasets/tellingen?lang=en").text
    assert '<th scope="row">Cyclists</th>' in english and "Where counted" in english
    # a field with a Dutch title only shows it in English too; one without any shows its id
    assert '<th scope="row">tijdstip</th>' in english


def test_the_form_needs_its_csrf_token(staff: TestClient, tellingen: Platform) -> None:
    form = _form(staff.get(PAGE).text, **{"title_nl:aantal": "x"})
    form["csrf"] = "0" * 32
    assert staff.post(PAGE, data=form).status_code == 403
    del form["csrf"]
    assert staff.post(PAGE, data=form).status_code == 403
    assert 'value="x"' not in staff.get(PAGE).text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "nl",
            "aantal — eenheid: maximaal 50 tekens; nu 60.",
        ),
        (
            "en",
            "aantal — unit: at most 50 characters; now 60.",
        ),
    ],
)
def test_a_refused_form_keeps_what_was_typed(
    staff: TestClient, tellingen: Platform, lang: str, expected: str
) -> None:
    page = staff.get(PAGE + f"?lang={lang}")
    refused = staff.post(
        PAGE,
        data=_form(
            page.text,
            **{
                "title_nl:aantal": "Aantal fietsers",
                "title_en:aantal": "Cyclists",
                "unit:aantal": "u" * 60,
                "title_nl:telpunt": "Tel\x00punt",
                "description_nl:open": "<b>open</b>",
            },
        ),
    )
    assert refused.status_code == 400
    text = refused.text
    assert expected in text
    assert "NUL" in text  # the control character is named
    assert 'value="Aantal fietsers"' in text and 'value="' + "u" * 60 + '"' in text
    assert "&lt;b&gt;open&lt;/b&gt;</textarea>" in text
    assert 'aria-invalid="true" aria-describedby="f-3-unit-problem"' in text
    assert '<a href="#f-3-unit">' in text
    assert "Aantal fietsers" not in staff.get(PAGE).text  # nothing was saved


def test_a_field_gone_from_the_newest_version_is_named(
    staff: TestClient, tellingen: Platform
) -> None:
    page = staff.get(PAGE)
    form = _form(page.text, **{"title_nl:verdwenen": "Weg"})
    refused = staff.post(PAGE, data=form)
    assert refused.status_code == 400 and "bestaat niet (meer)" in refused.text


def test_staff_dataset_page_links_to_the_fields(staff: TestClient, tellingen: Platform) -> None:
    assert f'href="{PAGE}"' in staff.get("/staff/datasets/tellingen").text


def test_the_table_headers_use_the_dictionary_titles(
    client: TestClient, tellingen: Platform
) -> None:
    from belfort.catalog.field_dictionary import FieldTexts
    from belfort.publishing import describe_fields

    def headers(lang: str) -> list[str]:
        html = client.get(f"/datasets/tellingen?lang={lang}").text
        table = html[html.index('id="preview"'):]
        return re.findall(r'<th[^>]*data-field="aantal"[^>]*>(.*?)</th>', table, flags=re.S)

    assert "Passanten geteld" not in headers("nl")[0]
    texts = FieldTexts(title_nl="Passanten geteld", title_en="Passers-by counted")
    describe_fields(tellingen, CLI_ADMIN, "tellingen", {"aantal": texts})
    assert "Passanten geteld" in headers("nl")[0]
    assert "Passers-by counted" in headers("en")[0]
    assert "aantal" in headers("en")[0]  # the id stays available


def test_the_chart_names_fields_by_their_dictionary_titles(
    client: TestClient, tellingen: Platform
) -> None:
    from belfort.catalog.field_dictionary import FieldTexts
    from belfort.publishing import describe_fields

    url = "/datasets/tellingen?chart_mark=bar&chart_x=telpunt&chart_y=aantal&chart_agg=sum"
    texts = FieldTexts(title_nl="Passanten geteld", title_en="Passers-by counted")
    describe_fields(tellingen, CLI_ADMIN, "tellingen", {"aantal": texts})
    page = client.get(url + "&lang=nl").text
    chart = page[page.index('id="chart"'):]
    assert "Passanten geteld (som)" in chart  # the axis title and the table header
    assert "aantal (som)" not in chart
    assert "Passers-by counted (sum)" in client.get(url + "&lang=en").text
