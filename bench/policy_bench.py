"""ODRL policy benchmark: what policies add to one request before the gate's answer.

Side by side, in one run: parsing a policy (the three worked examples of docs/access.md),
evaluating the policies of one dataset for one request (0, 1, 10 and 50 policies naming the
caller, with purpose, window and count constraints), and the two SQL questions the gate asks
(``candidate_datasets`` and ``policies_for``) on a catalogue of 2,000 policies over 500
datasets (SQLite, in a temporary directory under bench/out/, removed afterwards).

    .venv/bin/python bench/policy_bench.py            # 2,000 runs per row
    .venv/bin/python bench/policy_bench.py --quick    # 200 runs per row

Prints a Markdown table (median, p95, ratio to the cheapest row) and writes
bench/out/results-policy.json. Nothing is cached between runs of a row except what Belfort
itself keeps (parsed policies per text, which the gate would also keep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "src"))

from common import machine_info, percentile  # noqa: E402

from belfort.catalog.database import Database  # noqa: E402
from belfort.catalog.models import PolicyAssignment, PolicyRow  # noqa: E402
from belfort.policy.access import Action  # noqa: E402
from belfort.policy.evaluate import evaluate  # noqa: E402
from belfort.policy.odrl import parse_policy  # noqa: E402
from belfort.policy.policies import _assignments, candidate_datasets, policies_for  # noqa: E402
from belfort.policy.principals import Kind, Principal, Role  # noqa: E402

OUT = ROOT / "bench" / "out"
NOW = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
CALLER = Principal(role=Role.READ, kind=Kind.PERSON, subject="p1", organisation="ugent",
                   groups=frozenset({"onderzoekers"}))


def _examples() -> list[str]:
    text = (ROOT / "docs" / "access.md").read_text()
    return re.findall(r"```json\n(.*?)```", text[text.index("## Policies (ODRL)"):], re.S)


def _policy(i: int, dataset: str = "ds-0", party: str = "urn:belfort:group:onderzoekers"
            ) -> str:
    return json.dumps({
        "@context": "http://www.w3.org/ns/odrl.jsonld", "uid": f"urn:belfort:policy:b{i}",
        "permission": [{"target": dataset, "assignee": party, "action": ["read", "distribute"],
                        "constraint": [
                            {"leftOperand": "purpose", "operator": "isA",
                             "rightOperand": "dpv:ResearchAndDevelopment"},
                            {"leftOperand": "dateTime", "operator": "lt",
                             "rightOperand": "2028-01-01"},
                            {"leftOperand": "count", "operator": "lteq", "rightOperand": 1000},
                            {"leftOperand": "belfort:fields", "operator": "eq",
                             "rightOperand": [f"f{j}" for j in range(i % 7 + 1)]}]}],
        "prohibition": [{"target": dataset, "assignee": "urn:belfort:person:other",
                         "action": "distribute"}]})


def _time(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 200 if args.quick else 2000
    rows: list[tuple[str, list[float]]] = []

    examples = _examples()
    rows.append(("parse one policy (docs' examples, in turn)",
                 _time(lambda: [parse_policy(e) for e in examples], runs)))
    rows[-1] = (rows[-1][0], [s / len(examples) for s in rows[-1][1]])

    def counter(uid: str, period: dt.timedelta) -> int:
        return 3

    for n in (0, 1, 10, 50):
        parsed = [parse_policy(_policy(i)) for i in range(n)]
        rows.append((f"evaluate {n} policies for one request",
                     _time(lambda parsed=parsed: evaluate(  # type: ignore[misc]
                         parsed, CALLER, Action.READ, purpose="dpv:AcademicResearch", now=NOW,
                         counter=counter), runs)))

    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=OUT, prefix="policy-"))
    try:
        db = Database(f"sqlite:///{work / 'catalog.sqlite'}")
        parties = ["urn:belfort:group:onderzoekers", "urn:belfort:organisation:ugent",
                   "urn:belfort:organisation:kul", "urn:belfort:group:mobiliteit"]
        with db.session() as session:
            for i in range(2000):
                dataset = f"ds-{i % 500}"
                text = _policy(i, dataset, parties[i % len(parties)])
                policy = parse_policy(text)
                session.add(PolicyRow(uid=policy.uid, dataset_id=dataset, policy_type="Set",
                                      source=text, document=policy.document, enabled=True,
                                      expires_at=policy.expires_at, created_by="bench",
                                      updated_by="bench"))
                session.flush()
                session.add_all(_assignments(policy))
        caller = CALLER.parties
        with db.session() as session:
            found = len(list(session.scalars(candidate_datasets(caller, NOW))))
            rows.append((f"candidate_datasets (SQL; {found} of 500 datasets)", _time(
                lambda: list(session.scalars(candidate_datasets(caller, NOW))), runs // 4)))
            rows.append(("policies_for one dataset (SQL + parsed per text)", _time(
                lambda: policies_for(session, "ds-0", caller, NOW), runs // 4)))
            rows.append(("policies_for + evaluate (what the gate adds)", _time(
                lambda: evaluate(policies_for(session, "ds-0", caller, NOW), CALLER,
                                 Action.READ, purpose="dpv:AcademicResearch", now=NOW,
                                 counter=counter), runs // 4)))
        db.engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = min(statistics.median(s) for _, s in rows)
    print("| row | median µs | p95 µs | × cheapest |\n|---|---:|---:|---:|")
    results = []
    for label, samples in rows:
        med = statistics.median(samples)
        p95 = percentile(samples, 95)
        print(f"| {label} | {med * 1e6:,.1f} | {p95 * 1e6:,.1f} | {med / base:,.1f} |")
        results.append({"row": label, "median_us": med * 1e6, "p95_us": p95 * 1e6,
                        "runs": len(samples)})
    name = "results-policy-quick.json" if args.quick else "results-policy.json"
    (OUT / name).write_text(json.dumps({"machine": machine_info(), "rows": results}, indent=2))


if __name__ == "__main__":
    main()
