"""The soak's checks and its Markdown summary (bench/soak.py)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from common import percentile as pct  # bench/ is on sys.path for every bench script
from soak_mix import READ_OK

ATTACKER_LINK = "the answer links to the attacker's host"


def probe_minutes(probe: list[list[Any]]) -> list[dict[str, Any]]:
    """Per minute of the soak: the probe's latency percentiles (ms) and its non-200 answers."""
    by_minute: dict[int, list[list[Any]]] = defaultdict(list)
    for sample in probe:
        by_minute[int(sample[0] // 60)].append(sample)
    rows = []
    for minute in sorted(by_minute):
        samples = by_minute[minute]
        ms = [s[1] * 1000 for s in samples]
        bad = [s for s in samples if s[2] != 200]
        rows.append(
            {
                "minute": minute + 1,
                "n": len(samples),
                "p50_ms": round(pct(ms, 50), 1),
                "p95_ms": round(pct(ms, 95), 1),
                "p99_ms": round(pct(ms, 99), 1),
                "max_ms": round(max(ms), 1),
                "not_200": len(bad),
                "not_200_examples": [s[2] if s[3] is None else s[3] for s in bad[:3]],
            }
        )
    return rows


def memory_minutes(samples: list[dict[str, Any]], soak_start_s: float) -> list[dict[str, Any]]:
    by_minute: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in samples:
        by_minute[int(max(s["t_s"] - soak_start_s, 0) // 60)].append(s)
    return [
        {
            "minute": m + 1,
            "pss_max_mb": max(s["pss_mb"] for s in by_minute[m]),
            "rss_max_mb": max(s["rss_mb"] for s in by_minute[m]),
            "processes_max": max(s["processes"] for s in by_minute[m]),
        }
        for m in sorted(by_minute)
    ]


def check_memory(
    samples: list[dict[str, Any]], soak_start_s: float, allowance_mb: float, slack_mb: float
) -> dict[str, Any]:
    """Growth of the server's memory (PSS) above its level when the soak started: the peak
    and the end (median of the last five samples) may not exceed the configured caches +
    slack."""
    if not samples:
        return {"name": "memory", "passed": False, "detail": "no memory samples (server gone?)"}
    before = [s["pss_mb"] for s in samples if s["t_s"] <= soak_start_s] or [samples[0]["pss_mb"]]
    baseline = before[-1]
    peak = max(s["pss_mb"] for s in samples)
    end = statistics.median(s["pss_mb"] for s in samples[-5:])
    allowed = allowance_mb + slack_mb
    passed = peak - baseline <= allowed and end - baseline <= allowed
    return {
        "name": "memory",
        "passed": passed,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "end_mb": end,
        "allowed_growth_mb": allowed,
        "detail": f"PSS of the server's processes: {baseline:,.0f} MB at the start, peak "
        f"{peak:,.0f} MB (+{peak - baseline:,.0f}), end {end:,.0f} MB "
        f"(+{end - baseline:,.0f}); allowed growth {allowed:,.0f} MB (configured "
        f"caches {allowance_mb:,.0f} + slack {slack_mb:,.0f})",
    }


def check_quota(results: list[dict[str, Any]], quota: int, window_s: int) -> dict[str, Any]:
    attempts = [r for r in results if r["attacker"] and r["status"] is not None]
    if not attempts:
        return {"name": "quota bypass", "passed": True, "detail": "no bypass attempts in the mix"}
    windows = {int(r["sent_epoch"] // window_s) for r in attempts}
    served = sum(1 for r in attempts if 200 <= r["status"] < 300)
    limit = quota * len(windows)
    statuses = Counter(r["status"] for r in attempts)
    return {
        "name": "quota bypass",
        "passed": served <= limit,
        "served_2xx": served,
        "limit": limit,
        "detail": f"{len(attempts)} attempts from one address over {len(windows)} quota "
        f"window(s): {served} served 2xx, the per-address quota allows {limit} "
        f"({quota} per {window_s} s); statuses {dict(sorted(statuses.items()))}",
    }


def check_probe(rows: list[dict[str, Any]], limit_ms: float) -> dict[str, Any]:
    if not rows:
        return {"name": "probe p99", "passed": False, "detail": "no probe samples"}
    slow = [r for r in rows if r["p99_ms"] >= limit_ms]
    not_200 = sum(r["not_200"] for r in rows)
    worst = max(r["p99_ms"] for r in rows)
    return {
        "name": "probe p99",
        "passed": not slow and not_200 == 0,
        "detail": f"GET /api/belfort/v1/datasets every 100 ms: worst minute p99 {worst:.1f} ms "
        f"(limit {limit_ms:g} ms); minutes at or over the limit: "
        f"{[r['minute'] for r in slow]}; answers other than 200: {not_200}",
    }


def check_generator(gen: dict[str, Any], wrk: dict[str, Any] | None = None) -> dict[str, Any]:
    """The load was applied: the Python client did not fall more than GIVE_UP_S behind its
    schedule, and wrk (when it sent the public reads) answered at least 99 % of its
    schedule's requests, less than 1 % of them leaving over 100 ms late."""
    behind = gen.get("not_sent_generator_behind", 0)
    passed = behind == 0
    detail = (
        f"Python client: {gen.get('sent')} requests sent ({gen.get('achieved_rate')}/s); "
        f"{behind} not sent because the client fell behind its schedule"
    )
    if wrk is not None:
        intended = wrk["intended"]
        passed = passed and wrk["requests"] >= 0.99 * intended
        passed = passed and wrk["late_over_100ms"] <= 0.01 * intended
        detail += (
            f"; wrk (public reads): {wrk['requests']} answered of {intended} scheduled "
            f"({wrk['achieved_rate']}/s), {wrk['late_over_100ms']} left over 100 ms late "
            f"(latest {wrk['late_max_ms']:.0f} ms)"
        )
    return {"name": "load applied", "passed": passed, "detail": detail}


def check_public_wrk(wrk: dict[str, Any]) -> dict[str, Any]:
    """wrk's public reads: only the statuses a public read may have, no socket errors."""
    bad = {k: v for k, v in wrk["statuses"].items() if int(k) not in READ_OK}
    bad.update({f"{k} error": v for k, v in wrk["errors"].items() if v})
    return {
        "name": "public reads (wrk)",
        "passed": not bad,
        "detail": f"{wrk['requests']} answers, statuses {dict(sorted(wrk['statuses'].items()))}; "
        f"outside 2xx/3xx/429/503 or socket errors: {bad or 'none'}; latency p50 "
        f"{wrk['latency_ms']['p50']} ms, p99 {wrk['latency_ms']['p99']} ms",
    }


def group_failures(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        if r["failure"]:
            groups[(r["kind"], r["label"], r["failure"][:160])].append(r)
    return [
        {"kind": k[0], "label": k[1], "failure": k[2], "count": len(v), "example": v[0]["request"]}
        for k, v in sorted(groups.items(), key=lambda item: -len(item[1]))
    ]


def check_all(
    summary: dict[str, Any],
    allowance: dict[str, Any],
    p99_limit_ms: float,
    slack_mb: float,
    quota: int,
    window_s: int,
) -> dict[str, Any]:
    results = summary["results"]
    answers = [r for r in results if r["failure"] and not r["failure"].startswith(ATTACKER_LINK)]
    links = [r for r in results if r["failure"] and r["failure"].startswith(ATTACKER_LINK)]
    probe_rows = probe_minutes(summary["probe"])
    soak_start = summary.get("memory_soak_start_s", 0.0)
    connections = summary.get("service_listener_connections", [])
    checks = [
        {
            "name": "answers",
            "passed": not answers,
            "detail": f"{len(results)} requests; {len(answers)} failed (500s, connection errors, "
            f"timeouts, unexpected statuses)",
        },
        {
            "name": "link injection",
            "passed": not links,
            "detail": f"{len(links)} answers linked to the attacker's host",
        },
        check_quota(results, quota, window_s),
        {
            "name": "SPARQL SERVICE",
            "passed": not connections,
            "detail": f"{len(connections)} connections reached the SERVICE target listener"
            + (f": {connections[:3]}" if connections else ""),
        },
        check_memory(
            summary.get("memory_samples", []), soak_start, allowance["total_mb"], slack_mb
        ),
        check_probe(probe_rows, p99_limit_ms),
        check_generator(summary.get("generator", {}), summary.get("public_wrk")),
    ]
    if "public_wrk" in summary:
        checks.insert(1, check_public_wrk(summary["public_wrk"]))
    return {
        "passed": all(c["passed"] for c in checks),
        "list": checks,
        "probe_minutes": probe_rows,
        "memory_minutes": memory_minutes(summary.get("memory_samples", []), soak_start),
        "failure_groups": group_failures(results),
        "kinds": kind_table(results),
    }


def _status_name(result: dict[str, Any]) -> str:
    if result["status"] is None:
        return "error"
    if (result["error"] or "").startswith("cut off after"):
        return f"{result['status']} cut off (export budget)"
    return str(result["status"])


def kind_table(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_kind[r["kind"]].append(r)
    rows = []
    for kind, rs in sorted(by_kind.items()):
        ms = [r["latency_s"] * 1000 for r in rs if r["status"] is not None]
        statuses = Counter(_status_name(r) for r in rs)
        rows.append(
            {
                "kind": kind,
                "n": len(rs),
                "failures": sum(1 for r in rs if r["failure"]),
                "p50_ms": round(pct(ms, 50), 1) if ms else None,
                "p99_ms": round(pct(ms, 99), 1) if ms else None,
                "statuses": dict(sorted(statuses.items())),
            }
        )
    return rows


def _contention_note(gen: dict[str, Any]) -> list[str]:
    late = gen.get("late_p99_ms") or 0
    if late <= 50:
        return []
    return [
        "",
        f"**Note:** the load generator itself sent requests late (p99 {late} ms, max "
        f"{gen.get('late_max_ms')} ms): this machine was short of CPU for the client too, so "
        "latencies include the machine's own contention, not only the server's.",
    ]


def _capacity_steps(summary: dict[str, Any]) -> list[str]:
    steps = summary.get("capacity_steps") or []
    if not steps:
        return []
    lines = [
        "",
        f"Sustained capacity: wrk's closed loop answered "
        f"{summary.get('closed_loop_requests_per_s')}/s (rounds {summary.get('capacity_rounds')});"
        " the search's steps (public reads at a fixed rate):",
        "",
        "| rate /s | kept up | p50 ms | p99 ms | left > 100 ms late | server cores "
        "| serving process cores |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for st in steps:
        lines.append(
            f"| {st['rate']} | {'yes' if st['kept_up'] else 'no'} | {st['latency_ms']['p50']} | "
            f"{st['latency_ms']['p99']} | {st['late_over_100ms']} | {st['server_cores']} | "
            f"{st['serving_process_cores']} |"
        )
    return lines


def markdown(summary: dict[str, Any]) -> str:
    checks = summary["checks"]
    gen = summary.get("generator", {})
    lines = [
        f"## Soak {summary['started_utc']} UTC: {'PASSED' if checks['passed'] else 'FAILED'}",
        "",
        f"Command: `{summary['command']}`; {summary['duration_s']:g} s; capacity "
        f"{summary.get('capacity')}; total {summary.get('total_rate')} requests/s: "
        f"{summary.get('rates')}.",
        f"Generator: {gen.get('sent')} sent ({gen.get('achieved_rate')}/s), late p50 "
        f"{gen.get('late_p50_ms')} ms / p99 {gen.get('late_p99_ms')} ms / max "
        f"{gen.get('late_max_ms')} ms, not sent (backlog) {gen.get('not_sent_backlog')}, "
        f"unanswered after the drain {gen.get('unfinished_after_drain')}. Machine: "
        f"{summary['machine'].get('nproc')} CPUs, {summary['machine'].get('ram')}; CPU used "
        f"(cores): {summary.get('cpu')}.",
        *_contention_note(gen),
        *_capacity_steps(summary),
        "",
        "| check | result | detail |",
        "|---|---|---|",
    ]
    for c in checks["list"]:
        lines.append(f"| {c['name']} | {'pass' if c['passed'] else '**FAIL**'} | {c['detail']} |")
    lines += [
        "",
        "`GET /api/belfort/v1/datasets` (probe), per minute:",
        "",
        "| minute | n | p50 ms | p95 ms | p99 ms | max ms | not 200 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in checks["probe_minutes"]:
        lines.append(
            f"| {r['minute']} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['not_200']} |"
        )
    lines += [
        "",
        "Server memory (all its processes), per minute:",
        "",
        "| minute | PSS max MB | RSS sum max MB | processes |",
        "|---:|---:|---:|---:|",
    ]
    for r in checks["memory_minutes"]:
        lines.append(
            f"| {r['minute']} | {r['pss_max_mb']:,.0f} | {r['rss_max_mb']:,.0f} | "
            f"{r['processes_max']} |"
        )
    lines += [
        "",
        "| kind | requests | failures | p50 ms | p99 ms | statuses |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in checks["kinds"]:
        lines.append(
            f"| {r['kind']} | {r['n']} | {r['failures']} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['statuses']} |"
        )
    groups = checks["failure_groups"]
    if groups:
        lines += [
            "",
            "Failures (grouped; every one is in the JSON):",
            "",
            "| kind | what | failure | count | example request |",
            "|---|---|---|---:|---|",
        ]
        for g in groups[:40]:
            example = g["example"].replace("|", "\\|")[:200]
            lines.append(
                f"| {g['kind']} | {g['label']} | {g['failure']} | {g['count']} | `{example}` |"
            )
    return "\n".join(lines) + "\n"
