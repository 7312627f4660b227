"""``belfort streams compact`` and ``belfort sensors add``'s live datasets."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from belfort.cli import main
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import devices
from belfort.streams.write import write_observations

HOUR = 3_600_000_000


def test_sensors_add_publishes_the_live_datasets_and_compact_moves_old_rows(
        tmp_path: Path, database_url: str) -> None:
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    added = runner.invoke(main, ["sensors", "add", "sint-pieters-1", "--name", "Sint-Pieters",
                                 "--kind", "fietstelpaal", "--dataset", "fietstellingen-live",
                                 *where], catch_exceptions=False)
    assert added.exit_code == 0, added.output
    credential = added.output.strip().splitlines()[-1]
    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=database_url))
    try:
        with platform.db.session() as session:
            from belfort.catalog.models import Dataset
            found = {d.id: d.state for d in session.query(Dataset)}
        assert found == {"fietstellingen-live": "published",
                         "fietstellingen-live-per-kwartier": "published",
                         "fietstellingen-live-per-uur": "published",
                         "fietstellingen-live-per-dag": "published"}
        device = devices(platform).authenticate(credential, "sint-pieters-1", "http")
        write_observations(platform, device, [
            ObservationIn("sint-pieters-1", "count", now_us() - (5 + i) * HOUR, float(i))
            for i in range(3)])
    finally:
        platform.close()
    report = runner.invoke(main, ["streams", "compact", "--json", *where],
                           catch_exceptions=False)
    assert report.exit_code == 0, report.output
    figures = json.loads(report.output)
    assert figures["compacted_rows"] >= 2 and figures["datasets"] == ["fietstellingen-live"]
    again = runner.invoke(main, ["streams", "compact", *where], catch_exceptions=False)
    assert again.exit_code == 0 and "observations moved into" in again.output
