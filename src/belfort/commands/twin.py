"""``belfort twin backtest|train|forecast|models``: the crowding twin's forecasts.

``backtest`` reads a ``sensor_id,timestamp,count`` CSV file, runs the rolling-origin backtest
of :mod:`belfort.twin.forecast.backtest` and prints its JSON report; ``train`` trains and
registers a model on the platform's own observations, ``forecast`` makes the forecasts now,
``models`` lists the registry (docs/twin-forecasts.md).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from belfort.commands.common import _fail, _platform, _settings, common_options
from belfort.errors import BelfortError, ForecastInputInvalid

MAX_EVENTS = 10_000


def _events(path: Path | None) -> frozenset[date]:
    """Event days from a CSV file with a ``date`` column (ISO dates; other columns ignored)."""
    if path is None:
        return frozenset()
    days: set[date] = set()
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle)):
                if n >= MAX_EVENTS:
                    raise ForecastInputInvalid(f"--events: more than {MAX_EVENTS} rows")
                text = (row.get("date") or "").strip()
                try:
                    days.add(date.fromisoformat(text))
                except ValueError:
                    raise ForecastInputInvalid(
                        f"--events: line {n + 2}: not an ISO date in the date column"
                    ) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ForecastInputInvalid("--events: not a readable UTF-8 CSV file") from exc
    return frozenset(days)


@click.group(name="twin")
def command() -> None:
    """The crowding twin's forecasts: backtest, train, forecast, models."""


@command.command(name="backtest")
@click.option("--input", "input_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV file with columns sensor_id,timestamp,count (hourly).")
@click.option("--horizon", type=int, default=24, show_default=True,
              help="Hours ahead to forecast from each origin (1-48).")
@click.option("--origins", type=int, default=56, show_default=True,
              help="Number of daily origins (local midnights) at the end of the file.")
@click.option("--timezone", default="Europe/Brussels", show_default=True,
              help="IANA time zone of the counts' local clock.")
@click.option("--country", type=click.Choice(["BE", "NZ"]), default="BE", show_default=True,
              help="Public and school holidays of this country.")
@click.option("--train-days", type=int, default=730, show_default=True,
              help="Days of history before the first origin the model trains on.")
@click.option("--events", "events_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV file with a date column: days with events (markets, festivals).")
@click.option("--mstl/--no-mstl", default=True, show_default=True,
              help="Also run the MSTL baseline (the slowest part).")
@click.option("--threads", type=int, default=1, show_default=True,
              help="LightGBM threads (1 is fastest on a machine whose cores are busy).")
@click.option("--last-origin", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Validation: the last origin is this day's midnight; later rows are "
                   "not read at all (choose settings here, keep the file's end for the test).")
@click.option("--save-model", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the trained model and its backtest report to this JSON file.")
def backtest(
    input_path: Path, horizon: int, origins: int, timezone: str, country: str,
    train_days: int, events_path: Path | None, mstl: bool, threads: int,
    save_model: Path | None, last_origin: datetime | None = None,
) -> None:
    """Rolling-origin backtest of Belfort's forecasts and the baselines; prints JSON."""
    from belfort.twin.forecast.backtest import Options, run

    try:
        options = Options(
            horizon=horizon, origins=origins, timezone=timezone, country=country,
            train_days=train_days, mstl=mstl, threads=threads,
            events=_events(events_path),
            last_origin=last_origin.date() if last_origin is not None else None,
        )
        report, model = run(input_path, options)
        if save_model is not None:
            model.save(save_model)
    except BelfortError as exc:
        _fail(exc)
        return
    sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _print(body: object) -> None:
    sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


@command.command(name="train")
@common_options
@click.option("--origins", type=click.IntRange(1, 28), default=3, show_default=True,
              help="Daily origins of the short backtest on the platform's observations.")
@click.option("--rounds", type=click.IntRange(1, 5000), default=None,
              help="Boosting rounds (default: the model's own; fewer is faster, rougher).")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="LightGBM threads.")
def train(data_dir: Path | None, database_url: str | None, origins: int,
          rounds: int | None, threads: int) -> None:
    """Train the forecast model on the platform's own observations, backtest it briefly
    and register it as the active version; prints the registered model as JSON."""
    from belfort.twin.forecasting.training import TrainOptions
    from belfort.twin.forecasting.training import train as run_training

    platform = _platform(_settings(data_dir, database_url))
    try:
        made = run_training(platform, TrainOptions(origins=origins, rounds=rounds,
                                                   threads=threads), actor="cli:twin-train")
    except BelfortError as exc:
        _fail(exc)
        return
    finally:
        platform.close()
    _print(made)


@command.command(name="forecast")
@common_options
def forecast(data_dir: Path | None, database_url: str | None) -> None:
    """Make every sensor's and zone's forecast now from the active model (what the server
    does every BELFORT_TWIN_FORECAST_REFRESH_SECONDS) and score the live accuracy."""
    from belfort.twin.forecasting.serving import refresh

    platform = _platform(_settings(data_dir, database_url))
    try:
        _print(refresh(platform))
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()


@command.command(name="models")
@common_options
def models(data_dir: Path | None, database_url: str | None) -> None:
    """The registered forecast models, newest first (JSON)."""
    from belfort.twin.forecasting import registry

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            _print({"models": [registry.model_dict(r) for r in registry.listing(session)]})
    finally:
        platform.close()
