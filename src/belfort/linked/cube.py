"""Rows as W3C Data Cube observations: the ``cube`` key of a dataset's RDF mapping.

For a long-format table of statistics (a row per measure, area and period — Gent in Cijfers'
``gent-in-cijfers``), each row becomes a ``qb:Observation`` in the ``qb:DataSet`` named by
one of its fields, and each data set gets a ``qb:DataStructureDefinition``: the dimensions
``sdmx-dimension:refArea`` and ``sdmx-dimension:refPeriod``, the data set's own measure
property, and the attributes ``sdmx-attribute:unitMeasure`` and ``sdmx-attribute:obsStatus``::

    "cube": {
      "dataset": "indicator",              # field: which qb:DataSet a row belongs to
      "label": "indicator_naam",           # field (optional): the data set's rdfs:label
      "area": "{_base}/id/gebied/{geoniveau}/{geo_code}",   # URI template of the area
      "area_label": "geo_naam",            # field (optional): the area's rdfs:label
      "period": "periode",                 # field: the period (a year is an xsd:gYear)
      "measure": "waarde",                 # field: the number (null: no measure triple)
      "unit": "eenheid",                   # field (optional): sdmx-attribute:unitMeasure
      "status": "status",                  # field (optional): sdmx-attribute:obsStatus
      "dimension": "dimensie",             # field (optional): a further dimension's code
      "member": "dimensie_lid",            # field (with dimension): the row's member of it
      "member_label": "dimensie_lid_naam"  # field (optional): the member's rdfs:label
    }

URIs: the data set ``{base}/id/{dataset}/cube/{value}``, its structure ``…/structure``, its
measure ``{base}/def/{dataset}/cube#{value}``. A row with a ``dimension`` (a breakdown:
instrument type, age group, …) has it as a ``qb:DimensionProperty``
``{base}/def/{dataset}/cube/dimension#{code}`` whose value is the member
``{base}/id/{dataset}/cube/dimension/{code}/{member}``; it is added to the structure of
the data set the row belongs to (the rows of its totals name the member ``totaal``).

A row whose measure is null (a value hidden to protect small numbers, or a missing code) is
still an observation, with its status and no measure: what is published says that the value
exists and why it is not shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from belfort.linked.rdf import IRI, RDF_TYPE, Document, Lit, text
from belfort.linked.templates import (
    QB,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    Template,
    fail,
)
from belfort.linked.vocabularies import RDFS, XSD

KEYS = {
    "dataset", "label", "area", "area_label", "period", "measure", "unit", "status",
    "dimension", "member", "member_label",
}
REQUIRED = ("dataset", "area", "period", "measure")
FIELD_KEYS = KEYS - {"area"}
_YEAR = re.compile(r"\d{4}")

REF_AREA = SDMX_DIMENSION + "refArea"
REF_PERIOD = SDMX_DIMENSION + "refPeriod"
UNIT = SDMX_ATTRIBUTE + "unitMeasure"
STATUS = SDMX_ATTRIBUTE + "obsStatus"
_OBSERVATION = (RDF_TYPE, IRI(QB + "Observation"))


def validate(spec: Any, types: Mapping[str, str] | None) -> dict[str, Any]:
    """The ``cube`` key checked (fields named must exist when the schema is known)."""
    if not isinstance(spec, dict):
        raise fail("cube", "expected an object")
    unknown = sorted(str(k) for k in set(spec) - KEYS)
    if unknown:
        raise fail(f"cube.{unknown[0][:50]}", f"unknown key; expected one of {sorted(KEYS)}")
    for key in REQUIRED:
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise fail(f"cube.{key}", "required")
    for key in FIELD_KEYS & set(spec):
        name = spec[key]
        if not isinstance(name, str) or (types is not None and name not in types):
            raise fail(f"cube.{key}", "names no field of the dataset")
    if types is not None and types.get(spec["measure"]) not in ("integer", "number"):
        raise fail("cube.measure", "must name a number field")
    Template(spec["area"], "cube.area", fields=set(types) if types is not None else None,
             allow_value=False)
    return dict(spec)


def namespaces() -> set[str]:
    return {QB, SDMX_DIMENSION, SDMX_ATTRIBUTE, RDFS, XSD}


class CubeWriter:
    """Writes a row's observation, and its data set and structure the first time."""

    def __init__(self, spec: Mapping[str, Any], *, fields: set[str], base: str,
                 dataset_id: str) -> None:
        self.spec = spec
        self.area = Template(spec["area"], "cube.area", fields=fields, allow_value=False)
        quoted = quote(dataset_id, safe="")
        self._datasets = f"{base}/id/{quoted}/cube/"
        self._measures = f"{base}/def/{quoted}/cube#"
        self._dimensions = f"{base}/def/{quoted}/cube/dimension#"
        self._members = f"{base}/id/{quoted}/cube/dimension/"

    def dataset_uri(self, value: str) -> str:
        return self._datasets + quote(value, safe="")

    def add(self, document: Document, subject: str, row: Mapping[str, Any], *, base: str,
            dataset_id: str, record_id: str) -> None:
        spec = self.spec
        name = row.get(spec["dataset"])
        area = self.area.render(row, base=base, dataset_id=dataset_id, record_id=record_id)
        period = row.get(spec["period"])
        if name is None or area is None or period is None:
            return
        name = str(name)
        dataset = self.dataset_uri(name)
        measure = self._measures + quote(name, safe="")
        if not document.has(dataset):
            self._describe(document, dataset, measure, row)
        if not document.has(area):
            area_props = document.props(area)
            label = row.get(spec["area_label"]) if spec.get("area_label") else None
            if label is not None:
                area_props.append((RDFS + "label", text(str(label), "nl")))
        props = document.props(subject)
        props.append(_OBSERVATION)
        props.append((QB + "dataSet", IRI(dataset)))
        props.append((REF_AREA, IRI(area)))
        period_text = str(period)
        props.append((REF_PERIOD, Lit(period_text, None, XSD + "gYear")
                      if _YEAR.fullmatch(period_text) else Lit(period_text, None, None)))
        value = row.get(spec["measure"])
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            props.append((measure, Lit(repr(float(value)), None, XSD + "double")))
        for key, predicate in (("unit", UNIT), ("status", STATUS)):
            found = row.get(spec[key]) if spec.get(key) else None
            if found not in (None, ""):
                props.append((predicate, Lit(str(found), None, None)))
        code = row.get(spec["dimension"]) if spec.get("dimension") else None
        member = row.get(spec["member"]) if spec.get("member") else None
        if code not in (None, "") and member not in (None, ""):
            prop, node = self._dimension(document, dataset, str(code), str(member), row)
            props.append((prop, IRI(node)))

    def _dimension(self, document: Document, dataset: str, code: str, member: str,
                   row: Mapping[str, Any]) -> tuple[str, str]:
        """The dimension property (in the data set's structure) and the member's URI."""
        prop = self._dimensions + quote(code, safe="")
        node = self._members + quote(code, safe="") + "/" + quote(member, safe="")
        if not document.has(prop):
            document.props(prop).extend((
                (RDF_TYPE, IRI(QB + "DimensionProperty")),
                (RDFS + "label", text(code, "nl")),
            ))
        component = f"{dataset}/structure#dimension-{quote(code, safe='')}"
        if not document.has(component):
            document.props(dataset + "/structure").append((QB + "component", IRI(component)))
            document.props(component).extend((
                (RDF_TYPE, IRI(QB + "ComponentSpecification")),
                (QB + "dimension", IRI(prop)),
                (QB + "order", Lit("3", None, XSD + "integer")),
            ))
        if not document.has(node):
            label = row.get(self.spec["member_label"]) if self.spec.get("member_label") else None
            document.props(node).append((RDFS + "label", text(str(label or member), "nl")))
        return prop, node

    def _describe(self, document: Document, dataset: str, measure: str,
                  row: Mapping[str, Any]) -> None:
        spec = self.spec
        structure = dataset + "/structure"
        label = row.get(spec["label"]) if spec.get("label") else None
        props = document.props(dataset)
        props.append((RDF_TYPE, IRI(QB + "DataSet")))
        props.append((QB + "structure", IRI(structure)))
        if label is not None:
            props.append((RDFS + "label", text(str(label), "nl")))
        document.props(measure).extend((
            (RDF_TYPE, IRI(QB + "MeasureProperty")),
            (RDFS + "subPropertyOf", IRI(SDMX_MEASURE + "obsValue")),
            (RDFS + "range", IRI(XSD + "double")),
        ) + (((RDFS + "label", text(str(label), "nl")),) if label is not None else ()))
        components = [("dimension", REF_AREA, 1), ("dimension", REF_PERIOD, 2),
                      ("measure", measure, None)]
        components += [("attribute", predicate, None)
                       for key, predicate in (("unit", UNIT), ("status", STATUS)) if spec.get(key)]
        structure_props = document.props(structure)
        structure_props.append((RDF_TYPE, IRI(QB + "DataStructureDefinition")))
        for kind, prop, order in components:
            node = f"{structure}#{prop.rsplit('#', 1)[-1] if kind != 'measure' else 'measure'}"
            structure_props.append((QB + "component", IRI(node)))
            node_props = document.props(node)
            node_props.append((RDF_TYPE, IRI(QB + "ComponentSpecification")))
            node_props.append((QB + kind, IRI(prop)))
            if order is not None:
                node_props.append((QB + "order", Lit(str(order), None, XSD + "integer")))
            if kind == "attribute":
                node_props.append((QB + "componentRequired", Lit("false", None, XSD + "boolean")))
        for prop in (REF_AREA, REF_PERIOD):
            if not document.has(prop):
                document.props(prop).append((RDF_TYPE, IRI(QB + "DimensionProperty")))
        for prop in (UNIT, STATUS):
            if spec.get("unit" if prop == UNIT else "status") and not document.has(prop):
                document.props(prop).append((RDF_TYPE, IRI(QB + "AttributeProperty")))
