"""The rolling-origin backtest on small synthetic files (tiny models: the suite stays fast)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from belfort.errors import ForecastInputInvalid
from belfort.twin.forecast import features, metrics
from belfort.twin.forecast import model as model_module
from belfort.twin.forecast.backtest import Options, _outage_margins, run
from belfort.twin.forecast.calendar import Calendar, CalendarFile
from belfort.twin.forecast.model import ForecastModel
from tests.twin.forecast import synthetic

DAYS = 60
TINY = Options(horizon=24, origins=3, mstl=False, rounds=20)


def _file(tmp_path: Path) -> Path:
    """Three sensors: sensor-0 has an outage in the test window, sensor-2 starts late."""
    last_day = DAYS - 1

    def value(s: int, wall: datetime, i: int) -> float | None:
        if s == 0 and (last_day - 1) * 24 + 3 <= i < (last_day - 1) * 24 + 40:
            return 0
        if s == 2 and i < (DAYS - 20) * 24:
            return None
        return round(synthetic.level(s, wall))

    return synthetic.write(tmp_path / "c.csv", sensors=3, days=DAYS, value=value)


def test_report_has_every_model_per_sensor_and_what_was_left_out(tmp_path: Path) -> None:
    report, model = run(_file(tmp_path), TINY)
    assert set(report["models"]) == {"belfort", "seasonal_naive_daily", "seasonal_naive_weekly"}
    assert report["origins"]["count"] == 3
    assert report["origins"]["last"].endswith("T00:00:00")
    assert report["sensors_scored"] == ["sensor-0", "sensor-1"]
    assert report["withheld_sensors"][0]["sensor_id"] == "sensor-2"
    assert "too little history" in report["withheld_sensors"][0]["reason"]
    assert report["input"]["sensors"]["sensor-0"]["outage_hours"] == 37
    scoring = report["scoring"]
    assert scoring["hours_not_scored_not_observed"] == 37
    assert scoring["hours_scored"] == 2 * 3 * 24 - 37
    for result in report["models"].values():
        assert result["hours_scored"] == scoring["hours_scored"]
        assert set(result["per_sensor"]) == {"sensor-0", "sensor-1"}
        assert 0 <= result["coverage"] <= 1
        assert result["mase"] >= 0
    assert model.train_last_hour < report["origins"]["first"]
    assert model.backtest is not None and model.backtest["models"] == report["models"]


def test_belfort_learns_the_pattern(tmp_path: Path) -> None:
    """On a clean daily and weekly pattern even a small model beats the daily naive rule."""
    path = synthetic.write(tmp_path / "c.csv", sensors=2, days=DAYS)
    report, _ = run(path, Options(horizon=24, origins=3, mstl=False, rounds=60))
    models = report["models"]
    assert models["seasonal_naive_weekly"]["mae"] == 0  # the pattern repeats weekly
    assert models["belfort"]["mase"] < models["seasonal_naive_daily"]["mase"]


def test_mstl_baseline_runs(tmp_path: Path) -> None:
    path = synthetic.write(tmp_path / "c.csv", sensors=1, days=50)
    report, _ = run(path, Options(horizon=6, origins=1, mstl=True, rounds=5))
    assert report["models"]["mstl"]["hours_scored"] == 6
    assert report["models"]["mstl"]["mase"] < 5


def test_forecasts_without_a_recent_observation_are_withheld(tmp_path: Path) -> None:
    def value(s: int, wall: datetime, i: int) -> float | None:
        if s == 1 and i >= (DAYS - 12) * 24:
            return None  # sensor-1 stops reporting twelve days before the end
        return round(synthetic.level(s, wall))

    path = synthetic.write(tmp_path / "c.csv", sensors=2, days=DAYS, value=value)
    report, _ = run(path, TINY)
    held = report["withheld_forecasts"]
    assert {h["sensor_id"] for h in held} == {"sensor-1"}
    assert all(h["reason"] == "no observation in the week before the origin" for h in held)
    assert "sensor-1" not in report["models"]["belfort"]["per_sensor"]


def test_a_file_too_short_is_refused_with_what_it_needs(tmp_path: Path) -> None:
    path = synthetic.write(tmp_path / "c.csv", sensors=1, days=20)
    with pytest.raises(ForecastInputInvalid, match="too short"):
        run(path, TINY)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (Options(horizon=0), "horizon"),
        (Options(horizon=49), "horizon"),
        (Options(origins=0), "origins"),
        (Options(train_days=3), "train-days"),
        (Options(country="XX"), "unknown country"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, options: Options, message: str) -> None:
    with pytest.raises(ForecastInputInvalid, match=message):
        run(synthetic.write(tmp_path / "c.csv", sensors=1, days=2), options)


def test_features_never_see_the_origin_or_later() -> None:
    rng = np.random.default_rng(1)
    hours = features.NEEDED_HISTORY + 200
    logged = rng.random((2, hours))
    imputed = np.zeros_like(logged, dtype=bool)
    origin = np.array([features.NEEDED_HISTORY + 24])
    days = features.day_table(datetime(2025, 1, 1), hours, Calendar("BE"))
    sensors = np.array([0, 1])
    before, _ = features.build(logged, imputed, sensors, origin, 48, 0, days)
    logged[:, int(origin[0]):] = 1e6
    imputed[:, int(origin[0]):] = True
    after, _ = features.build(logged, imputed, sensors, origin, 48, 0, days)
    assert np.array_equal(before, after, equal_nan=True)  # year inputs: missing


def test_mase_and_coverage_by_hand() -> None:
    values = np.array([[1.0, 2.0, 4.0, 3.0, np.nan, 5.0]])
    scale = metrics.naive_scale(values, 6, season=1)  # |1|, |2|, |1|, (nan), (nan)
    assert scale[0] == pytest.approx(4 / 3)
    truth = np.array([[[10.0, 20.0]]])
    forecast = {"point": np.array([[[12.0, 20.0]]]), "lower": np.array([[[11.0, 15.0]]]),
                "upper": np.array([[[13.0, 25.0]]])}
    result = metrics.score(truth, forecast, np.ones_like(truth, dtype=bool), scale, ["a"])
    assert result["mae"] == 1.0
    assert result["mase"] == pytest.approx(0.75)
    assert result["coverage"] == 0.5


def test_model_is_saved_and_loaded_with_its_report(tmp_path: Path) -> None:
    report, model = run(synthetic.write(tmp_path / "c.csv", sensors=2, days=50), TINY)
    path = tmp_path / "model.json"
    model.save(path)
    loaded = ForecastModel.load(path)
    assert loaded.train_first_hour == model.train_first_hour
    assert loaded.features == list(features.FEATURES)
    assert loaded.backtest == model.backtest
    matrix = np.random.default_rng(2).random((5, len(features.FEATURES))).astype(np.float32)
    matrix[:, 0] = 0
    assert np.allclose(loaded.predict(matrix)["point"], model.predict(matrix)["point"])


def test_school_holidays() -> None:
    nz, be = Calendar("NZ"), Calendar("BE")
    assert nz.school_holiday(datetime(2025, 12, 24).date())
    assert not nz.school_holiday(datetime(2025, 11, 12).date())
    assert nz.public_holiday(datetime(2025, 1, 27).date())  # Auckland Anniversary Day
    assert be.school_holiday(datetime(2025, 7, 15).date())
    assert not be.school_holiday(datetime(2025, 11, 12).date())


def test_outage_margins_before_only_from_the_past_and_after_always() -> None:
    outage = np.zeros((1, 23), dtype=bool)
    outage[0, 10:13] = True
    before, after = _outage_margins(outage, 11, 2)
    assert np.flatnonzero(before[0]).tolist() == [8, 9]
    assert np.flatnonzero(after[0]).tolist() == [13, 14]
    before, after = _outage_margins(outage, 10, 2)  # the outage starts at the first origin
    assert not before.any()  # what comes later is never used to judge the past
    assert np.flatnonzero(after[0]).tolist() == [13, 14]
    assert not any(m.any() for m in _outage_margins(outage, 23, 0))


def _after_outage_file(tmp_path: Path, name: str, wild: bool) -> Path:
    """sensor-0: an outage of 48 zero hours ending a day before the first origin (local
    midnight 27 February), then a day of counts three times too high (a sensor coming back
    from a failure) or of normal counts."""
    first = (31 + 26) * 24 - 1  # the grid starts at 01:00 local

    def value(s: int, wall: datetime, i: int) -> float:
        normal = round(synthetic.level(s, wall))
        if s == 0 and first - 72 <= i < first - 24:
            return 0
        if s == 0 and first - 24 <= i < first and wild:
            return 3 * normal
        return normal

    return synthetic.write(tmp_path / name, sensors=2, days=DAYS, value=value)


def test_hours_next_to_an_outage_are_neither_learnt_from_nor_predicted_from(
    tmp_path: Path,
) -> None:
    normal = _after_outage_file(tmp_path, "normal.csv", wild=False)
    wild = _after_outage_file(tmp_path, "wild.csv", wild=True)
    options = Options(horizon=24, origins=3, mstl=False, rounds=30)
    guarded = [run(path, options)[0] for path in (normal, wild)]
    assert guarded[0]["origins"]["first"] == "2025-02-27T00:00:00"
    ours = [r["models"]["belfort"]["per_sensor"]["sensor-0"]["mae"] for r in guarded]
    assert ours[0] == ours[1]
    unguarded = [
        run(path, replace(options, outage_margin=0))[0] for path in (normal, wild)
    ]
    assert (unguarded[0]["models"]["belfort"]["per_sensor"]["sensor-0"]["mae"]
            != unguarded[1]["models"]["belfort"]["per_sensor"]["sensor-0"]["mae"])
    # The evaluation protocol is unchanged: the same hours are scored, the baselines alike.
    assert guarded[1]["scoring"] == unguarded[1]["scoring"]
    for name in ("seasonal_naive_daily", "seasonal_naive_weekly"):
        assert guarded[1]["models"][name] == unguarded[1]["models"][name]
    # 24 observed hours before the outage and 24 after it are no training targets.
    rows = [r["model"]["training_rows"] for r in (guarded[1], unguarded[1])]
    assert rows[1] - rows[0] == 48


def test_level_and_lag_day_features() -> None:
    hours = features.NEEDED_HISTORY + 200
    logged = np.zeros((1, hours))
    origin = 40 * 24  # Monday 10 February 2025, the grid starting on 1 January at 00:00
    logged[0, origin - 24:origin] = 1.0  # the last day before the origin is busier
    extra = CalendarFile(days={
        "public_holiday": frozenset({date(2025, 2, 3)}),
        "event": frozenset({date(2025, 1, 27)}),
        "school_holiday": frozenset({date(2025, 2, 3)}),
    })
    days = features.day_table(datetime(2025, 1, 1), hours, Calendar("BE", extra))
    matrix, _ = features.build(
        logged, np.zeros_like(logged, dtype=bool), np.array([0]), np.array([origin]), 24, 0,
        days,
    )
    column = {name: matrix[:, j] for j, name in enumerate(features.FEATURES)}
    assert np.allclose(column["day_vs_usual"], 1.0)
    assert np.allclose(column["week_vs_usual"], 24 / 168)
    assert np.all(column["special_days_in_week_lags"] == 2)  # 3 Feb and 27 Jan
    assert np.all(column["school_holiday_week_before"] == 1)
    assert np.all(column["event"] == 0) and np.all(column["imputed_share_day"] == 0)
    assert np.all(column["days_from_christmas"] == 14)  # 47 days after: clipped


@pytest.mark.parametrize(
    ("day", "distance"),
    [(date(2025, 12, 20), -5), (date(2025, 12, 25), 0), (date(2025, 12, 31), 6),
     (date(2026, 1, 5), 11), (date(2025, 8, 1), -40), (date(2025, 11, 1), -40)],
)
def test_days_from_christmas(day: date, distance: int) -> None:
    assert features._from_christmas(day) == distance


def test_last_year_inputs_compare_that_day_with_its_week_before() -> None:
    hours = features.YEAR_HOURS + 2000
    logged = np.zeros((1, hours))
    origin = features.YEAR_HOURS + 1000
    back = origin - features.YEAR_HOURS
    logged[0, back:back + 24] = 2.0  # a year earlier, that day was busier than its week
    days = features.day_table(datetime(2024, 1, 1), hours, Calendar("BE"))
    imputed = np.zeros_like(logged, dtype=bool)

    def build() -> dict[str, np.ndarray]:
        matrix, _ = features.build(
            logged, imputed, np.array([0]), np.array([origin, features.NEEDED_HISTORY]), 24,
            0, days,
        )
        return {name: matrix[:, j] for j, name in enumerate(features.FEATURES)}

    column = build()
    assert np.allclose(column["last_year_day_change"][:24], 2.0)
    assert np.allclose(column["last_year_same_hour_change"][:24], 2.0)
    # Without a year of history before the origin: missing, not made up.
    assert np.isnan(column["last_year_day_change"][24:]).all()
    assert np.isnan(column["last_year_same_hour_change"][24:]).all()
    logged[0, origin:] = 1e6  # what follows the origin is never seen
    assert all(np.array_equal(column[k], v, equal_nan=True) for k, v in build().items())


def test_the_model_put_to_use_guards_outages_as_the_backtest_does(tmp_path: Path) -> None:
    """``fit_all`` (the registry's training on all the hours) neither learns from nor builds
    inputs from the hours after an outage: a day of wild counts there changes nothing."""
    from belfort.twin.forecast.backtest import fit_all
    from belfort.twin.forecast.series import read_counts

    options = Options(horizon=24, origins=3, mstl=False, rounds=30)
    paths = [_after_outage_file(tmp_path, f"{n}.csv", wild) for n, wild in (("n", False),
                                                                            ("w", True))]

    def trees(opts: Options) -> list[dict[str, str]]:
        models = [fit_all(read_counts(p, opts.timezone), opts)[0] for p in paths]
        return [{k: b.model_to_string() for k, b in m.boosters.items()} for m in models]

    guarded = trees(options)
    assert guarded[0] == guarded[1]
    unguarded = trees(replace(options, outage_margin=0))
    assert unguarded[0] != unguarded[1]


def test_eight_week_median_leaves_out_weeks_before_the_grid() -> None:
    hours = features.NEEDED_HISTORY + 9 * 168
    days = features.day_table(datetime(2025, 1, 1), hours, Calendar("BE"))

    def median8(origin: int) -> np.ndarray:
        logged = np.zeros((1, hours))
        for w in range(1, 9):
            if origin - 168 * w >= 0:
                logged[0, origin - 168 * w:origin - 168 * w + 24] = float(w)  # week w back
        matrix, _ = features.build(logged, np.zeros_like(logged, dtype=bool), np.array([0]),
                                   np.array([origin]), 24, 0, days)
        return matrix[:, features.FEATURES.index("same_hour_week_median8")]

    assert np.allclose(median8(features.NEEDED_HISTORY + 8 * 168), 4.5)  # median of 1..8
    assert np.allclose(median8(6 * 168), 3.5)  # six weeks before the origin: 1..6


def test_the_point_forecast_averages_three_models(tmp_path: Path) -> None:
    _, fitted = run(synthetic.write(tmp_path / "c.csv", sensors=2, days=50), TINY)
    assert set(fitted.boosters) == {*model_module.POINT_MODELS, "lower", "upper"}
    assert len(model_module.POINT_MODELS) == 3
    names = {k: b.feature_name() for k, b in fitted.boosters.items()}
    assert "same_hour_week_median8" not in names["point"]
    assert names["point_seed8"] == names["point"]
    assert names["point_median8"] == list(features.FEATURES)
    # the third member is the first with another seed: same inputs, other trees
    assert fitted.boosters["point_seed8"].params["seed"] == 8
    assert fitted.boosters["point"].params["seed"] == 7
    assert (fitted.boosters["point_seed8"].model_to_string().split("feature_importances")[0]
            != fitted.boosters["point"].model_to_string().split("feature_importances")[0])
    # the quantile models keep their learning rate; the point models learn faster
    assert fitted.boosters["lower"].params["learning_rate"] == 0.08
    assert fitted.boosters["point"].params["learning_rate"] == 0.12
    matrix = np.random.default_rng(3).random((6, len(features.FEATURES))).astype(np.float32)
    matrix[:, 0] = 0
    median8 = matrix[:, features.FEATURES.index("same_hour_week_median8")]

    def plain(name: str) -> np.ndarray:
        booster = fitted.boosters[name]
        return np.asarray(np.clip(np.expm1(booster.predict(
            model_module._columns(matrix, booster))), 0, None))

    members = [  # the second learns the log count's distance from the 8-week median
        plain("point"),
        np.clip(np.expm1(fitted.boosters["point_median8"].predict(matrix) + median8), 0, None),
        plain("point_seed8"),
    ]
    assert np.allclose(fitted.predict(matrix)["point"], np.mean(members, axis=0))
    # a model saved with two members (session 13) still averages its two
    pair = replace(fitted, boosters={k: fitted.boosters[k] for k in ("point", "point_median8")})
    assert np.allclose(pair.predict(matrix)["point"], np.mean(members[:2], axis=0))
    # a model saved before an input existed still reads a matrix of every input
    old = replace(fitted, boosters={"point": fitted.boosters["point"]})
    assert old.predict(matrix)["point"].shape == (6,)
