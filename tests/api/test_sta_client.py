"""The SensorThings API with its real client, PyPI ``frost-sta-client``, against Belfort
served by uvicorn on a free local port (on SQLite and PostgreSQL): a Thing with its
Location and Datastream created by deep insert, Observations posted by an admin and by the
device itself, and read back with the client's query API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import frost_sta_client as fsc
import pytest
import requests
from frost_sta_client.model.ext.unitofmeasurement import UnitOfMeasurement
from frost_sta_client.service.auth_handler import AuthHandler

from belfort.platform import Platform
from belfort.streams.read import sensor_observations
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.helpers import live_server

UTC = dt.timezone.utc


@pytest.fixture
def served(platform: Platform) -> Iterator[str]:
    with live_server(platform) as base:
        yield base


def _service(base: str, user: str, password: str) -> fsc.SensorThingsService:
    return fsc.SensorThingsService(f"{base}/sta/v1.1", auth_handler=AuthHandler(user, password))


def _thing_with_datastream() -> fsc.Thing:
    location = fsc.Location(name="Korenmarkt", description="plein",
                            encoding_type="application/geo+json",
                            location={"type": "Point", "coordinates": [3.7209, 51.0545]})
    datastream = fsc.Datastream(
        name="passanten Korenmarkt", description="voetgangers per kwartier",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation",
        unit_of_measurement=UnitOfMeasurement(name="count", symbol="#",
                                              definition="http://qudt.org/vocab/unit/NUM"),
        sensor=fsc.Sensor(name="teller", description="infrarood", encoding_type="text/plain",
                          metadata="https://example.invalid/teller"),
        observed_property=fsc.ObservedProperty(name="Pedestrian Count",
                                               definition="https://example.invalid/ped",
                                               description="passanten"))
    thing = fsc.Thing(name="Korenmarkt teller", description="telpaal",
                      properties={"zone": "centrum"})
    thing.locations = [location]
    thing.datastreams = [datastream]
    return thing


def test_a_full_client_session(served: str, platform: Platform, admin_key: str) -> None:
    admin = _service(served, "anyone", admin_key)
    thing = _thing_with_datastream()
    admin.create(thing)  # deep insert: Thing + Location + Datastream + Sensor + ObservedProperty
    assert isinstance(thing.id, int)

    datastreams = list(thing.get_datastreams().query().list())
    assert len(datastreams) == 1
    datastream = datastreams[0]
    assert datastream.name == "passanten Korenmarkt"
    assert datastream.unit_of_measurement.symbol == "#"
    sensor_id = datastream.properties["belfort:sensor"]
    assert sensor_id == f"sta-{datastream.id}"
    assert datastream.properties["belfort:property"] == "pedestrian_count"
    locations = list(thing.get_locations().query().list())
    assert [loc.location["coordinates"] for loc in locations] == [[3.7209, 51.0545]]

    start = (dt.datetime.now(UTC) - dt.timedelta(hours=3)).replace(minute=0, second=0,
                                                                   microsecond=0)
    one_hour = (start + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    for minutes, value in ((0, 12), (15, 30), (30, 7), (45, 51)):
        observation = fsc.Observation(result=value,
                                      phenomenon_time=start + dt.timedelta(minutes=minutes),
                                      datastream=fsc.Datastream(id=datastream.id))
        admin.create(observation)
        assert isinstance(observation.id, int)
    # an interval, with a result time
    interval = fsc.Observation(
        result=99, phenomenon_time=f"{(start + dt.timedelta(hours=1)).isoformat()}/"
                                   f"{(start + dt.timedelta(hours=1, minutes=15)).isoformat()}",
        result_time=(start + dt.timedelta(hours=1, minutes=16)).isoformat(),
        datastream=fsc.Datastream(id=datastream.id))
    admin.create(interval)

    # they went through the one write path: they are the sensor's observations
    stored = sensor_observations(platform, sensor_id)
    assert [o.value for o in stored] == [12, 30, 7, 51, 99]
    assert stored[-1].phenomenon_end_us is not None

    # the client's list API: filter, orderby, top, expand
    found = (datastream.get_observations().query()
             .filter(f"result gt 10 and phenomenonTime lt {one_hour}")
             .orderby("result", "DESC").top(2).expand("Datastream").list())
    assert [o.result for o in found.entities] == [51, 30]  # the first page: $top=2
    assert found.entities[0].datastream.name == "passanten Korenmarkt"
    assert [o.result for o in found] == [51, 30, 12]  # iterating follows @iot.nextLink

    everything = admin.observations().query().filter(
        f"Datastream/@iot.id eq {datastream.id}").orderby("phenomenonTime", "ASC").list()
    results = [o.result for o in everything]
    assert results == [12, 30, 7, 51, 99]
    last = everything.get(4)
    assert last.phenomenon_time.endswith("Z") and "/" in last.phenomenon_time
    result_time = (start + dt.timedelta(hours=1, minutes=16)).isoformat()[:19]
    assert last.result_time.startswith(result_time)

    # two levels of expansion, and the count
    things = admin.things().query().expand("Datastreams/Observations($top=1;"
                                           "$orderby=phenomenonTime desc)").count().list()
    assert things.count == 1
    expanded = things.get(0).datastreams.get(0)
    assert [o.result for o in expanded.observations.entities] == [99]
    # the expansion's next link keeps its own options (here: newest first)
    assert [o.result for o in expanded.observations] == [99, 51, 7, 30, 12]

    # find() of one entity
    assert admin.datastreams().find(datastream.id).name == "passanten Korenmarkt"

    # paging follows @iot.nextLink under the canonical base
    paged = admin.observations().query().orderby("phenomenonTime", "ASC").top(2).list()
    assert paged.next_link is not None and paged.next_link.startswith(served + "/sta/v1.1/")
    assert [o.result for o in paged] == [12, 30, 7, 51, 99]


def test_a_device_adds_observations_to_its_own_datastreams_only(
        served: str, platform: Platform, admin_key: str) -> None:
    with platform.db.session() as session:
        created = register_sensor(session, SensorSpec(
            id="fietstelpaal-1", name="Fietstelpaal", kind="fietstelpaal",
            observed_property="bikes"))
    admin = _service(served, "admin", admin_key)
    thing = fsc.Thing(name="Coupure", description="telpaal")
    admin.create(thing)
    mine = fsc.Datastream(
        name="fietsen", description="fietsers per uur",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        unit_of_measurement=UnitOfMeasurement(name="count", symbol="#", definition=""),
        thing=fsc.Thing(id=thing.id), sensor=fsc.Sensor(name="lus", description="inductielus",
                                                         encoding_type="text/plain", metadata=""),
        observed_property=fsc.ObservedProperty(name="bikes", definition="", description=""),
        properties={"belfort:sensor": "fietstelpaal-1"})
    admin.create(mine)
    other = fsc.Datastream(
        name="ander", description="van een ander",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        unit_of_measurement=UnitOfMeasurement(name="count", symbol="#", definition=""),
        thing=fsc.Thing(id=thing.id), sensor=fsc.Sensor(name="x", description="x",
                                                         encoding_type="text/plain", metadata=""),
        observed_property=fsc.ObservedProperty(name="cars", definition="", description=""))
    admin.create(other)

    device = _service(served, "fietstelpaal-1", created.credential)
    now = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    observation = fsc.Observation(result=17, phenomenon_time=now,
                                  datastream=fsc.Datastream(id=mine.id))
    device.create(observation)
    again = fsc.Observation(result=17, phenomenon_time=now, datastream=fsc.Datastream(id=mine.id))
    device.create(again)  # a resend: the same observation, not a second one
    assert again.id == observation.id
    assert [o.value for o in sensor_observations(platform, "fietstelpaal-1")] == [17]

    with pytest.raises(requests.HTTPError) as refused:
        device.create(fsc.Observation(result=1, phenomenon_time=now,
                                      datastream=fsc.Datastream(id=other.id)))
    assert refused.value.response.status_code == 403
    with pytest.raises(requests.HTTPError) as reading:
        list(device.things().query().list())
    assert reading.value.response.status_code == 403
    with pytest.raises(requests.HTTPError) as wrong:
        _service(served, "fietstelpaal-1", "bfd_wrong").create(
            fsc.Observation(result=1, phenomenon_time=now, datastream=fsc.Datastream(id=mine.id)))
    assert wrong.value.response.status_code == 401


def test_create_observations_with_a_data_array(served: str, platform: Platform,
                                               admin_key: str) -> None:
    from frost_sta_client.model.ext.data_array_document import DataArrayDocument
    from frost_sta_client.model.ext.data_array_value import DataArrayValue

    with platform.db.session() as session:
        created_sensor = register_sensor(session, SensorSpec(
            id="telpaal-9", name="Telpaal", kind="passantenteller",
            observed_property="pedestrian_count"))
    admin = _service(served, "admin", admin_key)
    thing = _thing_with_datastream()
    thing.datastreams.get(0).properties = {"belfort:sensor": "telpaal-9"}
    admin.create(thing)
    datastream = thing.get_datastreams().query().list().get(0)
    sensor_id = datastream.properties["belfort:sensor"]
    assert sensor_id == "telpaal-9"
    device = _service(served, sensor_id, created_sensor.credential)

    value = DataArrayValue()
    value.datastream = fsc.Datastream(id=datastream.id)
    value.components = {DataArrayValue.Property.PHENOMENON_TIME, DataArrayValue.Property.RESULT}
    start = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    for i in range(50):
        value.add_observation(fsc.Observation(
            phenomenon_time=start + dt.timedelta(minutes=i), result=i,
            datastream=fsc.Datastream(id=datastream.id)))
    document = DataArrayDocument()
    document.value = [value]
    created = device.observations().create(document)
    assert len(created) == 50
    assert all(o.self_link.startswith(served + "/sta/v1.1/Observations(") for o in created)
    assert [o.value for o in sensor_observations(platform, sensor_id)] == list(range(50))
    again = device.observations().create(document)  # a resend stores nothing new
    assert [o.self_link for o in again] == [o.self_link for o in created]
    assert len(sensor_observations(platform, sensor_id)) == 50
