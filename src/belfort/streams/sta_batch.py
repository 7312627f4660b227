"""``POST /sta/v1.1/CreateObservations``: many Observations in one request, in the
SensorThings dataArray form, written by ``write_many`` in one durable transaction.

The body is a list of ``{"Datastream": {"@iot.id": n}, "components": [...],
"dataArray": [[...], ...]}``; the answer lists, per row in order, the new (or already
stored) Observation's selfLink, or ``"error: <code>: <message>"`` for a row that was
refused, as FROST-Server answers (``frost-sta-client``'s ``DataArrayDocument``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from belfort.catalog.models import Observation, Sensor, StaDatastream
from belfort.errors import (
    BatchTooLarge,
    Conflict,
    Forbidden,
    SensorThingsInvalid,
    SensorThingsNotFound,
)
from belfort.platform import Platform
from belfort.streams.model import ItemInvalid, ItemProblem, ObservationIn, parse_time, parse_value
from belfort.streams.sensors import Device, record_refusal
from belfort.streams.write import Item, write_many

COMPONENTS = ("phenomenonTime", "result", "resultTime", "resultQuality", "validTime",
              "parameters")
KEPT_NOT = ("resultQuality", "validTime", "parameters")  # accepted, not stored


def _item(row: Any, components: list[str], datastream: StaDatastream, index: int) -> Item:
    if not isinstance(row, list) or len(row) != len(components):
        return ItemProblem(index, "bad_row", f"a row holds one value per component "
                                             f"({len(components)})")
    values = dict(zip(components, row, strict=True))
    try:
        value = parse_value(values.get("result"), "result")
        phenomenon = values.get("phenomenonTime")
        if phenomenon is None:
            raise ItemInvalid("bad_time", "phenomenonTime is required")
        end = None
        if isinstance(phenomenon, str) and "/" in phenomenon:
            first, _, last = phenomenon.partition("/")
            start = parse_time(first, "phenomenonTime")
            end = parse_time(last, "phenomenonTime's end")
        else:
            start = parse_time(phenomenon, "phenomenonTime")
        result_time = values.get("resultTime")
        result_us = None if result_time is None else parse_time(result_time, "resultTime")
    except ItemInvalid as exc:
        return ItemProblem(index, exc.code, exc.message)
    return ObservationIn(sensor_id=datastream.belfort_sensor_id, property=datastream.property,
                         phenomenon_us=start, value=value, phenomenon_end_us=end,
                         result_us=result_us)


def create_observations(platform: Platform, body: Any, device: Device | None, base: str
                        ) -> list[str]:
    """Store every row of a dataArray body; per row, a selfLink or an error text."""
    if not isinstance(body, list) or not body:
        raise SensorThingsInvalid("CreateObservations takes a list of "
                                  "{Datastream, components, dataArray}")
    total = sum(len(g.get("dataArray") or []) if isinstance(g, dict) else 0 for g in body)
    if total > platform.settings.stream_max_batch:
        raise BatchTooLarge(f"{total} Observations in one request; at most "
                            f"{platform.settings.stream_max_batch}")
    groups: list[tuple[Device, list[Item], StaDatastream]] = []
    with platform.db.session() as session:
        for number, group in enumerate(body):
            what = f"CreateObservations[{number}]"
            if not isinstance(group, dict) or set(group) - {"Datastream", "components",
                                                            "dataArray"}:
                raise SensorThingsInvalid(f"{what}: an object of Datastream, components and "
                                          "dataArray")
            reference = group.get("Datastream")
            ident = reference.get("@iot.id") if isinstance(reference, dict) else None
            if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident < 2**31:
                raise SensorThingsInvalid(f"{what}: Datastream must be {{\"@iot.id\": n}}")
            datastream = session.get(StaDatastream, ident)
            if datastream is None:
                raise SensorThingsNotFound(f"{what}: no Datastreams({ident})")
            components = group.get("components")
            if (not isinstance(components, list) or not components
                    or any(c not in COMPONENTS for c in components)
                    or len(set(components)) != len(components)
                    or "result" not in components or "phenomenonTime" not in components):
                raise SensorThingsInvalid(
                    f"{what}: components must name phenomenonTime and result, and only "
                    f"{', '.join(COMPONENTS)}")
            rows = group.get("dataArray")
            if not isinstance(rows, list):
                raise SensorThingsInvalid(f"{what}: dataArray must be a list of rows")
            owner = _owner(platform, session.get(Sensor, datastream.belfort_sensor_id),
                           datastream, device)
            items = [_item(row, components, datastream, i) for i, row in enumerate(rows)]
            groups.append((owner, items, datastream))
    results = write_many(platform, [(owner, items) for owner, items, _ in groups])
    answer: list[str] = []
    for (_, items, datastream), result in zip(groups, results, strict=True):
        problems = {p.index: p for p in result.problems}
        ids = _ids(platform, datastream, [i for i in items if isinstance(i, ObservationIn)])
        for index, item in enumerate(items):
            problem = problems.get(index)
            if problem is not None or not isinstance(item, ObservationIn):
                code = problem.code if problem else "refused"
                message = problem.message if problem else ""
                answer.append(f"error: {code}: {message}")
            elif item.phenomenon_us in ids:
                answer.append(f"{base}/sta/v1.1/Observations({ids[item.phenomenon_us]})")
            else:  # stored, then removed by someone else before we looked
                answer.append("error: gone: the observation is no longer stored")
    return answer


def _owner(platform: Platform, sensor: Sensor | None, datastream: StaDatastream,
           device: Device | None) -> Device:
    if device is not None:
        if device.id != datastream.belfort_sensor_id:
            record_refusal(platform, device.id, "sta", "other_datastream")
            raise Forbidden(f"the credential of {device.id!r} may not add Observations to "
                            f"Datastreams({datastream.id})")
        return device
    if sensor is None or not sensor.active:
        raise Conflict(f"the Belfort sensor {datastream.belfort_sensor_id!r} of "
                       f"Datastreams({datastream.id}) is revoked")
    return Device(sensor.id, sensor.dataset_id, sensor.observed_property, sensor.min_value,
                  sensor.max_value)


def _ids(platform: Platform, datastream: StaDatastream, items: Sequence[ObservationIn]
         ) -> dict[int, int]:
    """Phenomenon time → observation id, for these items of one Datastream."""
    if not items:
        return {}
    times = [item.phenomenon_us for item in items]
    out: dict[int, int] = {}
    with platform.db.session() as session:
        for start in range(0, len(times), 500):
            chunk = times[start:start + 500]
            out.update((int(t), int(i)) for i, t in session.execute(
                select(Observation.id, Observation.phenomenon_us).where(
                    Observation.sensor_id == datastream.belfort_sensor_id,
                    Observation.property == datastream.property,
                    Observation.phenomenon_us.in_(chunk))))
    return out
