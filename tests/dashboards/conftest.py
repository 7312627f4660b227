"""Fixtures for the City Dashboard: the small demo catalogue on the test database (open,
internal and draft datasets), sensors with credentials, observations through the one
write path."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from belfort.platform import Platform
from belfort.streams.model import ObservationIn
from belfort.streams.sensors import Device, SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations

OPEN_DATASET = "telpunten-drukte-gent"  # open and published in the demo
INTERNAL_DATASET = "meldingen-openbaar-domein-intern"  # classification internal


@pytest.fixture
def demo(platform: Platform) -> Iterator[Platform]:
    from belfort.demo.loader import load_demo

    for _line in load_demo(platform, size="small"):
        pass
    yield platform


Sensors = Callable[..., Device]


@pytest.fixture
def sensor(platform: Platform) -> Sensors:
    """Register a sensor (``sensor("s1", dataset_id=…)``) and return its device."""

    def make(sensor_id: str, *, dataset_id: str = OPEN_DATASET, kind: str = "fietstelpaal",
             lon: float | None = 3.72, lat: float | None = 51.05) -> Device:
        with platform.db.session() as session:
            created = register_sensor(session, SensorSpec(
                id=sensor_id, name=f"Teller {sensor_id}", kind=kind, observed_property="count",
                unit="fietsers", longitude=lon, latitude=lat, dataset_id=dataset_id))
        return devices(platform).authenticate(created.credential, sensor_id, "test")

    return make


def observe(platform: Platform, device: Device, at_us: int, value: float) -> None:
    result = write_observations(platform, device, [ObservationIn(device.id, "count", at_us, value)])
    assert result.stored == 1, result.to_dict()
