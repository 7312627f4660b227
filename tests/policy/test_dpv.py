"""The vendored DPV purposes: names resolve, the hierarchy holds, unknown ones are 422."""

from __future__ import annotations

import pytest

from belfort.errors import UnknownPurpose
from belfort.policy.dpv import DPV_NS, PURPOSES, is_a, purpose_iri, require_purpose


@pytest.mark.parametrize("name", [
    "https://w3id.org/dpv#AcademicResearch", "dpv:AcademicResearch", "AcademicResearch",
    "Academic Research", "academic research",
])
def test_names_resolve(name: str) -> None:
    assert purpose_iri(name) == DPV_NS + "AcademicResearch"
    assert require_purpose(name) == DPV_NS + "AcademicResearch"


def test_hierarchy() -> None:
    assert is_a(DPV_NS + "AcademicResearch", DPV_NS + "ResearchAndDevelopment")
    assert is_a(DPV_NS + "AcademicResearch", DPV_NS + "Purpose")
    assert not is_a(DPV_NS + "ResearchAndDevelopment", DPV_NS + "AcademicResearch")
    for purpose in PURPOSES.values():  # every broader term is on the list
        assert purpose.broader is None or purpose.broader in PURPOSES


@pytest.mark.parametrize("name", ["", "dpv:Nope", "<script>", "x" * 1000, "\x00"])
def test_unknown_purposes_are_422(name: str) -> None:
    with pytest.raises(UnknownPurpose) as caught:
        require_purpose(name)
    assert caught.value.http_status == 422 and len(caught.value.message) < 300
