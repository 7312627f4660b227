"""An indicator's breakdown: one dimension (age group, sex, instrument type, …) over a column
of its source dataset, with its members in a fixed order and names in Dutch and English.

In a definition::

    breakdown: {field, code, name_nl, name_en,
                members: [{code, value, name_nl, name_en}, ...],
                other: {code, name_nl, name_en}}

``value``: the field's value that belongs to the member (default: its ``code``). Records
whose value is none of the members' (or empty) count in the ``other`` member (default
``overig``, "Overige"/"Other"), which is always the last member: the members of an area and
period add up to its total, which is what their protection relies on. A breakdown is for
``count``, ``sum``, ``mean`` and ``share`` (a rate would need inhabitants per member).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MEMBER_CODE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$")
MAX_MEMBERS = 50
MEASURES = ("count", "sum", "mean", "share")
BREAKDOWN_KEYS = {"field", "code", "name_nl", "name_en", "members", "other"}
MEMBER_KEYS = {"code", "value", "name_nl", "name_en"}
OTHER = {"code": "overig", "name_nl": "Overige", "name_en": "Other"}


@dataclass(frozen=True)
class Member:
    code: str
    name_nl: str
    name_en: str
    value: str | int | None = None

    def name(self, lang: str) -> str:
        return self.name_nl if lang == "nl" else self.name_en


@dataclass(frozen=True)
class Breakdown:
    field: str
    code: str
    name_nl: str
    name_en: str
    members: tuple[Member, ...]  # the other member last

    def name(self, lang: str) -> str:
        return self.name_nl if lang == "nl" else self.name_en

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.members)

    def member_of(self, raw: Any) -> str:
        """The member a record with this field value counts in (the other member if none)."""
        for member in self.members[:-1]:
            if raw is not None and str(raw) == str(member.value):
                return member.code
        return self.members[-1].code

    def member(self, code: str) -> Member | None:
        return next((m for m in self.members if m.code == code), None)


def breakdown_of(definition: dict[str, Any] | None) -> Breakdown | None:
    """The breakdown of a stored (checked) definition, if it has one."""
    data = (definition or {}).get("breakdown")
    if not isinstance(data, dict):
        return None
    members = tuple(
        Member(m["code"], m["name_nl"], m["name_en"], m.get("value")) for m in data["members"]
    )
    other = data["other"]
    return Breakdown(
        data["field"],
        data["code"],
        data["name_nl"],
        data["name_en"],
        (*members, Member(other["code"], other["name_nl"], other["name_en"])),
    )


def _texts(data: dict[str, Any], what: str, problems: list[str]) -> dict[str, str]:
    found = {}
    for key in ("code", "name_nl", "name_en"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            problems.append(f"{what}.{key}: text of 1 to 200 characters")
            continue
        found[key] = value.strip()
    code = found.get("code")
    if code is not None and not MEMBER_CODE.match(code):
        problems.append(f"{what}.code: lower-case letters, digits, '_' and '-' (at most 40)")
    return found


def breakdown_shape(data: Any, measure: str, problems: list[str]) -> dict[str, Any] | None:
    """Check a breakdown's shape; the normalised form (``other`` filled in) or None."""
    if not isinstance(data, dict):
        problems.append("definition.breakdown: a JSON object")
        return None
    problems.extend(
        f"definition.breakdown: unknown key {str(k)[:40]!r}"
        for k in data
        if k not in BREAKDOWN_KEYS
    )
    if measure not in MEASURES:
        problems.append(f"definition.breakdown: only for {', '.join(MEASURES)}")
    found: dict[str, Any] = dict(_texts(data, "definition.breakdown", problems))
    field = data.get("field")
    if not isinstance(field, str) or not 0 < len(field) <= 200:
        problems.append("definition.breakdown.field: the name of a field")
    else:
        found["field"] = field
    members = data.get("members")
    if not isinstance(members, list) or not 1 <= len(members) <= MAX_MEMBERS:
        problems.append(f"definition.breakdown.members: a list of 1 to {MAX_MEMBERS} members")
        members = []
    checked = []
    for number, member in enumerate(members, start=1):
        what = f"definition.breakdown.members[{number}]"
        if not isinstance(member, dict):
            problems.append(f"{what}: a JSON object")
            continue
        problems.extend(
            f"{what}: unknown key {str(k)[:40]!r}" for k in member if k not in MEMBER_KEYS
        )
        texts = _texts(member, what, problems)
        value = member.get("value", texts.get("code"))
        if isinstance(value, bool) or not isinstance(value, str | int) or len(str(value)) > 200:
            problems.append(f"{what}.value: text or a whole number")
            continue
        checked.append({**texts, "value": value})
    other_data = data.get("other", OTHER)
    other = _texts(other_data, "definition.breakdown.other", problems) if isinstance(
        other_data, dict
    ) else {}
    if not isinstance(other_data, dict):
        problems.append("definition.breakdown.other: {code, name_nl, name_en}")
    codes = [m.get("code") for m in checked] + [other.get("code")]
    if "totaal" in codes:
        problems.append("definition.breakdown: 'totaal' names the total; not a member's code")
    if len(set(codes)) != len(codes):
        problems.append("definition.breakdown: member codes must differ (the other member too)")
    values = [str(m["value"]) for m in checked]
    if len(set(values)) != len(values):
        problems.append("definition.breakdown: member values must differ")
    found["members"] = checked
    found["other"] = other
    return found
