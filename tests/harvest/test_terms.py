"""Harvested metadata goes onto the controlled lists without refusing the record: what maps
is stored as the entry, what does not is kept (a theme as a keyword) and noted, in the
harvest's notes and the audit log; an unknown publisher is added as an organisation."""

from __future__ import annotations

from belfort.catalog.models import AuditEvent, Organisation
from belfort.harvest.ods import HARVESTER
from belfort.harvest.terms import harvested_organisation, mapped_terms, record_unmapped
from belfort.linked.vocabularies import CC_BY_4
from belfort.platform import Platform


def test_terms_map_and_what_does_not_is_kept() -> None:
    notes: list[str] = []
    out = mapped_terms({
        "title_nl": "X", "themes": ["Mobiliteit", "Gentse Feesten", "TRAN"], "keywords": ["feest"],
        "licence": "CC BY 4.0", "spatial": "Ergens ver weg", "frequency": "soms"}, notes)
    assert out["themes"] == ["TRAN"]
    assert out["keywords"] == ["feest", "Gentse Feesten"]
    assert out["licence"] == CC_BY_4.uri
    assert out["spatial"] is None and out["frequency"] == "unknown"
    assert notes == [
        "theme 'Gentse Feesten' is on no list: kept as a keyword",
        "spatial 'Ergens ver weg' is on no list: left out",
        "frequency 'soms' is on no list: left out",
    ]


def test_a_harvested_publisher_is_matched_or_added(platform: Platform) -> None:
    notes: list[str] = []
    assert harvested_organisation(platform, HARVESTER, "STAD GENT", notes) == "Stad Gent"
    assert notes == []
    assert harvested_organisation(platform, HARVESTER, "Dienst Feestelijkheden", notes) == (
        "Dienst Feestelijkheden")
    assert notes == ["organisation 'Dienst Feestelijkheden' added to the list (from the harvest)"]
    with platform.db.session() as session:
        org = session.get(Organisation, "dienst-feestelijkheden")
        assert org is not None and org.name_nl == "Dienst Feestelijkheden"
    assert harvested_organisation(platform, HARVESTER, "dienst feestelijkheden", []) == (
        "Dienst Feestelijkheden")


def test_unmapped_terms_are_kept_in_the_audit_log(platform: Platform) -> None:
    notes = ["theme 'Gentse Feesten' is on no list: kept as a keyword", "version 1"]
    record_unmapped(platform, HARVESTER, "feesten", notes)
    with platform.db.session() as session:
        events = session.query(AuditEvent).filter_by(action="harvest_unmapped_terms").all()
        assert [(e.dataset_id, e.detail["terms"]) for e in events] == [
            ("feesten", ["theme 'Gentse Feesten' is on no list: kept as a keyword"])]
