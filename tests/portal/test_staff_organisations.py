"""The staff page "Organisaties": staff only, CSRF protected, add and change through the one
write path (audited, a new Dutch name carried to the datasets), every problem named next to
its field in the page's language with the typed input kept."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.catalog.models import AuditEvent, Dataset, Organisation
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import add_organisations, counts_csv
from tests.portal.test_staff import csrf_of

LIST = "/staff/organisations"


@pytest.fixture
def staff(client: TestClient, staff_token: str) -> TestClient:
    client.cookies.set("belfort_staff", staff_token)
    return client


@pytest.fixture
def mobiliteit(platform: Platform, tmp_path: Path) -> Platform:
    add_organisations(platform, "Mobiliteitsbedrijf")
    for name in ("tellingen", "tellingen-2"):
        ingest_file(
            platform,
            CLI_ADMIN,
            name,
            counts_csv(tmp_path),
            metadata={"title_nl": "Tellingen", "organisation": "Mobiliteitsbedrijf"},
        )
    return platform


def _values(html: str) -> dict[str, str]:
    """The organisation form's texts as the page shows them."""
    found = {
        n: htmllib.unescape(v)
        for n, v in re.findall(r'<input id="org-[^"]+" name="([^"]+)"[^>]* value="([^"]*)"', html)
    }
    for name, value in re.findall(r'<textarea id="org-[^"]+" name="([^"]+)"[^>]*>([^<]*)<', html):
        found[name] = htmllib.unescape(value)
    return found


def _form(page: str, **values: str) -> dict[str, str]:
    return {"csrf": csrf_of(page), **values}


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert found, "no error summary"
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


def test_the_public_gets_not_found(client: TestClient, mobiliteit: Platform) -> None:
    for path in (LIST, LIST + "/mobiliteitsbedrijf"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"csrf": "0" * 32, "name_nl": "x"}).status_code == 404
    with mobiliteit.db.session() as session:
        assert session.get(Organisation, "mobiliteitsbedrijf").name_nl == "Mobiliteitsbedrijf"


def test_the_dashboard_and_the_metadata_form_link_to_the_page(
    staff: TestClient, mobiliteit: Platform
) -> None:
    assert f'href="{LIST}"' in staff.get("/staff").text
    assert f'href="{LIST}"' in staff.get("/staff/datasets/tellingen").text


def test_the_list_shows_every_organisation_with_its_dataset_count(
    staff: TestClient, mobiliteit: Platform
) -> None:
    add_organisations(mobiliteit, "Dienst Milieu")
    page = staff.get(LIST)
    assert page.status_code == 200 and page.headers["cache-control"].startswith("private")
    rows = re.findall(r"<tr><td><a href=\"/staff/organisations/([^\"]+)\">([^<]+)</a>.*?"
                      r"<td>(\d+)</td>", page.text)
    assert rows == [("dienst-milieu", "Dienst Milieu", "0"),
                    ("mobiliteitsbedrijf", "Mobiliteitsbedrijf", "2"),
                    ("stad-gent", "Stad Gent", "0")]  # the catalogue's own publisher


def test_a_form_without_its_csrf_token_is_refused(
    staff: TestClient, mobiliteit: Platform
) -> None:
    staff.get(LIST)
    for path, data in ((LIST, {"slug": "x", "name_nl": "X"}),
                       (LIST + "/mobiliteitsbedrijf", {"name_nl": "Gewijzigd"})):
        assert staff.post(path, data=data).status_code == 403
        assert staff.post(path, data={"csrf": "f" * 32, **data}).status_code == 403
    with mobiliteit.db.session() as session:
        assert session.get(Organisation, "x") is None
        assert session.get(Organisation, "mobiliteitsbedrijf").name_nl == "Mobiliteitsbedrijf"


def test_a_steward_adds_an_organisation_audited(staff: TestClient, platform: Platform) -> None:
    page = staff.get(LIST)
    assert page.status_code == 200 and "dienst-milieu" not in page.text
    added = staff.post(
        LIST,
        data=_form(page.text, slug="dienst-milieu", name_nl="Dienst  Milieu",
                   name_en="Environment Service", description_nl="Lucht & <b>water</b>",
                   description_en="", contact_email="milieu@stad.gent",
                   homepage="https://stad.gent/milieu"),
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == LIST + "?added=dienst-milieu"
    page = staff.get(added.headers["location"])
    assert "De organisatie dienst-milieu is toegevoegd." in page.text
    assert "&lt;b&gt;" not in page.text  # the description is not on the list page at all
    api = staff.get("/api/belfort/v1/organisations/dienst-milieu").json()
    assert api == {"slug": "dienst-milieu", "name_nl": "Dienst Milieu",
                   "name_en": "Environment Service", "description_nl": "Lucht & <b>water</b>",
                   "description_en": None, "contact_email": "milieu@stad.gent",
                   "homepage": "https://stad.gent/milieu", "datasets": 0}
    with platform.db.session() as session:
        events = session.query(AuditEvent).filter_by(action="add_organisation").all()
        assert [e.detail["organisation"] for e in events] == ["dienst-milieu"]
        assert events[0].actor != "anonymous"


def test_a_rename_carries_to_the_datasets_as_the_api_does(
    staff: TestClient, mobiliteit: Platform
) -> None:
    path = LIST + "/mobiliteitsbedrijf"
    page = staff.get(path)
    assert page.status_code == 200 and "Datasets van deze organisatie: 2" in page.text
    values = _values(page.text)
    assert values["name_nl"] == "Mobiliteitsbedrijf" and "slug" not in values
    values.update(name_nl="Mobiliteitsbedrijf Gent", homepage="https://stad.gent/mobiliteit")
    saved = staff.post(path, data=_form(page.text, **values), follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == path + "?saved=1"
    page = staff.get(saved.headers["location"])
    assert "De wijzigingen zijn opgeslagen." in page.text
    assert 'href="/organisations/mobiliteitsbedrijf"' in page.text
    assert _values(page.text)["homepage"] == "https://stad.gent/mobiliteit"
    with mobiliteit.db.session() as session:
        names = {d.id: d.organisation for d in session.query(Dataset)}
        assert names == {"tellingen": "Mobiliteitsbedrijf Gent",
                         "tellingen-2": "Mobiliteitsbedrijf Gent"}
        events = session.query(AuditEvent).filter_by(action="set_organisation").all()
        assert [e.detail["organisation"] for e in events] == ["mobiliteitsbedrijf"]
    assert "(2 " in staff.get("/organisations").text


def test_an_emptied_field_is_cleared(staff: TestClient, mobiliteit: Platform) -> None:
    path = LIST + "/mobiliteitsbedrijf"
    page = staff.get(path)
    staff.post(path, data=_form(page.text, name_nl="Mobiliteitsbedrijf",
                                contact_email="mob@stad.gent"))
    with mobiliteit.db.session() as session:
        assert session.get(Organisation, "mobiliteitsbedrijf").contact_email == "mob@stad.gent"
    page = staff.get(path)
    staff.post(path, data=_form(page.text, name_nl="Mobiliteitsbedrijf", contact_email=" "))
    with mobiliteit.db.session() as session:
        assert session.get(Organisation, "mobiliteitsbedrijf").contact_email is None


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_problem_is_named_by_its_field_and_the_input_kept(
    staff: TestClient, platform: Platform, lang: str
) -> None:
    page = staff.get(f"{LIST}?lang={lang}")
    typed = {"slug": "Dienst Milieu!", "name_nl": "Dienst <script>alert(1)</script>",
             "name_en": "x" * 201, "description_nl": "d" * 6000,
             "contact_email": "milieu at stad.gent", "homepage": "stad.gent"}
    refused = staff.post(f"{LIST}?lang={lang}", data=_form(page.text, **typed))
    assert refused.status_code == 400
    summary = _summary(refused.text)
    expected = {
        "nl": ["Code mag alleen kleine letters", "Naam (Engels) mag hoogstens 200 tekens",
               "Beschrijving (Nederlands) mag hoogstens 5.000 tekens",
               "Contact: e-mailadres is geen e-mailadres", "Website is geen webadres"],
        "en": ["Code may only contain lowercase", "Name (English) must be 200 characters",
               "Description (Dutch) must be 5,000 characters",
               "Contact: email address is not an email address",
               "Website is not a web address"],
    }[lang]
    for sentence in expected:
        assert sentence in summary, (sentence, summary)
    for id_ in ("org-slug", "org-name_en", "org-description_nl", "org-contact_email",
                "org-homepage"):
        assert f'href="#{id_}"' in refused.text and f'id="{id_}-error"' in refused.text
    assert "<script>alert(1)</script>" not in refused.text
    assert "Value error" not in refused.text and "string_too_long" not in refused.text
    assert _values(refused.text) == {**typed, "description_en": ""}
    with platform.db.session() as session:
        assert session.query(Organisation).count() == 1  # Stad Gent, the default publisher


def test_a_missing_name_and_a_taken_code_or_name_are_refused(
    staff: TestClient, mobiliteit: Platform
) -> None:
    page = staff.get(LIST)
    empty = staff.post(LIST, data=_form(page.text, slug="", name_nl="  "))
    assert empty.status_code == 400
    assert "Vul Code in." in _summary(empty.text) and "Vul Naam (Nederlands) in." in _summary(
        empty.text
    )
    taken = staff.post(LIST, data=_form(page.text, slug="mobiliteitsbedrijf", name_nl="Ander"))
    assert taken.status_code == 400
    assert "Er is al een organisatie met deze code." in _summary(taken.text)
    assert _values(taken.text)["name_nl"] == "Ander"
    same_name = staff.post(LIST, data=_form(page.text, slug="mob", name_nl="mobiliteitsbedrijf"))
    assert same_name.status_code == 400
    assert "Er is al een organisatie met deze naam." in _summary(same_name.text)
    add_organisations(mobiliteit, "Dienst Milieu")
    path = LIST + "/dienst-milieu"
    page = staff.get(path)
    clash = staff.post(path, data=_form(page.text, name_nl="Mobiliteitsbedrijf"))
    assert clash.status_code == 400 and 'id="org-name_nl-error"' in clash.text
    with mobiliteit.db.session() as session:
        assert session.query(Organisation).count() == 3
        assert session.get(Organisation, "dienst-milieu").name_nl == "Dienst Milieu"
        assert {d.organisation for d in session.query(Dataset)} == {"Mobiliteitsbedrijf"}


def test_nul_bytes_and_a_multiline_name_are_refused(
    staff: TestClient, mobiliteit: Platform
) -> None:
    path = LIST + "/mobiliteitsbedrijf"
    page = staff.get(f"{path}?lang=en")
    refused = staff.post(
        f"{path}?lang=en",
        data=_form(page.text, name_nl="Mobiliteit\x00bedrijf", name_en="Mobility\nCompany",
                   description_en="a\x00b"),
    )
    assert refused.status_code == 400 and "\x00" not in refused.text
    summary = _summary(refused.text)
    assert "Name (Dutch) contains an invalid character (NUL)" in summary
    assert "Description (English) contains an invalid character" in summary
    assert "Name (English) must be on one line." in summary
    assert _values(refused.text)["name_nl"] == "Mobiliteitbedrijf"
    with mobiliteit.db.session() as session:
        assert session.get(Organisation, "mobiliteitsbedrijf").name_nl == "Mobiliteitsbedrijf"


def test_an_unknown_organisation_and_an_oversized_form(
    staff: TestClient, mobiliteit: Platform
) -> None:
    page = staff.get(LIST)
    assert staff.get(LIST + "/bestaat-niet").status_code == 404
    assert staff.get(LIST + "/..%2F..%2Fetc").status_code == 404
    assert staff.post(LIST + "/bestaat-niet", data=_form(page.text, name_nl="X")).status_code == 404
    many = {f"extra{i}": "x" for i in range(200)}
    assert staff.post(LIST, data=_form(page.text, slug="a", name_nl="A", **many)).status_code == 400
    huge = staff.post(LIST, data=_form(page.text, slug="big", name_nl="B" * 3_000_000))
    assert huge.status_code in (400, 413)
    with mobiliteit.db.session() as session:
        assert session.query(Organisation).count() == 2
