"""The soak's moving parts (bench/soak.py): the open-loop load, the latency probe, the
memory sampler and the listener that SPARQL SERVICE calls must never reach.

Open loop: every request has an intended send time fixed in advance (each kind at its own
constant rate); it is sent at that time whether or not earlier answers have come back, and
its latency is counted from the intended time. A server that stalls therefore shows its
stall in the figures instead of slowing the client down (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from soak_mix import READ_OK, Mix, Req, in_intended_set

ATTACKER_ADDRESS = "198.51.100.7"  # every quota-bypass attempt comes from this one address
BODY_KEPT = 2 * 1024 * 1024  # bytes of an answer kept for the body checks
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
GIVE_UP_S = 10.0  # a generator this far behind its schedule stops sending (and says so)


def client_address(n: int, prefix: int = 10) -> str:
    """A different client address for every request (the server trusts X-Forwarded-For in the
    soak, so the per-address quota applies to the attacker and not to the public load)."""
    return f"{prefix}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@dataclass
class Result:
    kind: str
    label: str
    request: str
    intended_s: float  # intended send time, seconds since the soak's start
    latency_s: float  # from the intended send time to the end of the answer (or the error)
    status: int | None
    error: str | None
    failure: str | None
    attacker: bool
    sent_epoch: float


def judge(req: Req, status: int | None, error: str | None, body: bytes | None) -> str | None:
    """Why this answer is a failure, or None."""
    if error is not None:
        return None if error.startswith("cut off after") else error
    assert status is not None
    if not in_intended_set(status):
        return f"status {status} (outside 2xx/3xx/4xx/503)"
    if req.allowed is not None and status not in req.allowed:
        return f"status {status} (this request expects {_ranges(req.allowed)})"
    if req.body_must_not_match is not None and body and req.body_must_not_match.search(body):
        found = req.body_must_not_match.search(body)
        return (
            f"the answer links to the attacker's host: {found.group(0)[:120]!r}" if found else None
        )
    return None


def _ranges(allowed: frozenset[int]) -> str:
    if allowed == READ_OK:
        return "2xx/3xx/429/503"
    return ",".join(str(s) for s in sorted(allowed))


class Load:
    """Sends requests over one httpx client (many connections) and records every answer."""

    def __init__(self, base_url: str, *, max_connections: int = 512) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_connections = max_connections
        self.results: list[Result] = []
        self.address_counter = 0
        self.start_mono = 0.0
        self.start_epoch = 0.0
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Load:
        # idle connections are dropped before uvicorn's 5 s keep-alive ends, so the client
        # never reuses one the server is closing (that race is not the server's failure)
        limits = httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_connections,
            keepalive_expiry=1.0,
        )
        self._client = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(None))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _address(self, req: Req) -> str:
        if req.attacker:
            return ATTACKER_ADDRESS
        self.address_counter += 1
        return client_address(self.address_counter)

    async def send(self, req: Req, intended_mono: float) -> Result:
        assert self._client is not None
        url = req.url if req.url.startswith(("http://", "https://")) else self.base_url + req.url
        headers = {"X-Forwarded-For": self._address(req), **req.headers}
        status: int | None = None
        error: str | None = None
        body: bytearray | None = bytearray() if req.body_must_not_match is not None else None
        sent_epoch = time.time()
        try:
            async with asyncio.timeout(req.timeout_s):
                async with self._client.stream(
                    req.method, url, headers=headers, content=req.body
                ) as response:
                    status = response.status_code
                    got = 0
                    async for chunk in response.aiter_bytes():
                        got += len(chunk)
                        if body is not None and len(body) < BODY_KEPT:
                            body += chunk
                        if req.read_bytes is not None and got >= req.read_bytes:
                            break  # the client leaves: the connection is closed mid-answer
        except TimeoutError:
            status, error = None, f"no complete answer within {req.timeout_s:g} s (client timeout)"
        except httpx.HTTPError as exc:
            elapsed = time.monotonic() - intended_mono
            budget = req.cut_off_after_s
            if status is not None and budget is not None and elapsed >= budget:
                # an export over its time budget: the server cuts the transfer on purpose
                error = f"cut off after {elapsed:.0f} s (export budget {budget:g} s)"
            else:
                status = None
                error = f"connection error: {type(exc).__name__}: {str(exc)[:200]}"
        except asyncio.CancelledError:
            self.results.append(
                Result(
                    req.kind,
                    req.label,
                    req.describe(),
                    round(intended_mono - self.start_mono, 4),
                    round(time.monotonic() - intended_mono, 5),
                    status,
                    None,
                    "still unanswered when the drain after the soak ended",
                    req.attacker,
                    sent_epoch,
                )
            )
            raise
        done = time.monotonic()
        result = Result(
            kind=req.kind,
            label=req.label,
            request=req.describe(),
            intended_s=round(intended_mono - self.start_mono, 4),
            latency_s=round(done - intended_mono, 5),
            status=status,
            error=error,
            failure=judge(req, status, error, bytes(body) if body is not None else None),
            attacker=req.attacker,
            sent_epoch=sent_epoch,
        )
        self.results.append(result)
        return result

    async def open_loop(
        self,
        mix: Mix,
        rates: dict[str, float],
        duration_s: float,
        *,
        max_outstanding: int = 2000,
        drain_s: float = 60.0,
    ) -> dict[str, Any]:
        """Each kind at its own constant rate for ``duration_s``; returns the generator's
        own figures (how late requests left, how many could not be sent)."""
        schedule = build_schedule(rates, duration_s)
        self.start_mono = time.monotonic()
        self.start_epoch = time.time()
        pending: set[asyncio.Task[Result]] = set()
        counters = dict.fromkeys(rates, 0)
        lateness: list[float] = []
        backlog = 0
        behind = 0
        give_up = self.start_mono + duration_s + GIVE_UP_S
        for offset, kind in schedule:
            due = self.start_mono + offset
            now = time.monotonic()
            if now > give_up:  # the client itself cannot keep up: count, do not send
                behind += 1
                continue
            # always yield, also when late: the requests in flight must make progress
            await asyncio.sleep(max(due - now, 0))
            lateness.append(max(time.monotonic() - due, 0.0))
            req = mix.make(kind, counters[kind])
            counters[kind] += 1
            if len(pending) >= max_outstanding:
                backlog += 1
                self.results.append(
                    Result(
                        kind,
                        req.label,
                        req.describe(),
                        round(offset, 4),
                        0.0,
                        None,
                        None,
                        f"not sent: {max_outstanding} requests outstanding (client backlog)",
                        req.attacker,
                        time.time(),
                    )
                )
                continue
            task = asyncio.create_task(self.send(req, due))
            pending.add(task)
            task.add_done_callback(pending.discard)
        unfinished = 0
        if pending:
            _, still = await asyncio.wait(set(pending), timeout=drain_s)
            for task in still:
                task.cancel()
            unfinished = len(still)
            if still:
                await asyncio.wait(still, timeout=10)
        lateness.sort()
        return {
            "sent": sum(counters.values()) - backlog,
            "not_sent_backlog": backlog,
            "not_sent_generator_behind": behind,
            "unfinished_after_drain": unfinished,
            "per_kind": counters,
            "achieved_rate": round((sum(counters.values()) - backlog) / duration_s, 2),
            "late_p50_ms": round(_pct(lateness, 50) * 1000, 2),
            "late_p99_ms": round(_pct(lateness, 99) * 1000, 2),
            "late_max_ms": round((lateness[-1] if lateness else 0.0) * 1000, 2),
        }

    async def closed_loop(self, mix: Mix, kind: str, duration_s: float, concurrency: int) -> float:
        """Capacity: ``concurrency`` clients sending ``kind`` back to back; answers per second."""
        self.start_mono = time.monotonic()
        self.start_epoch = time.time()
        end = self.start_mono + duration_s
        count = [0]

        async def worker(w: int) -> None:
            i = w
            while time.monotonic() < end:
                await self.send(mix.make(kind, i), time.monotonic())
                count[0] += 1
                i += concurrency

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        return count[0] / (time.monotonic() - self.start_mono)


def build_schedule(rates: dict[str, float], duration_s: float) -> list[tuple[float, str]]:
    """(offset in seconds, kind) of every request: kind k's i-th request at (i + phase) / rate."""
    schedule: list[tuple[float, str]] = []
    for index, (kind, rate) in enumerate(sorted(rates.items())):
        if rate <= 0:
            continue
        phase = (index * 0.37) % 1.0  # kinds do not all fire at the same instants
        i = 0
        while (t := (i + phase) / rate) < duration_s:
            schedule.append((t, kind))
            i += 1
    schedule.sort()
    return schedule


def _pct(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the latency probe (a process of its own) ------------------------------------------


def probe_main(
    base_url: str,
    path: str,
    start_epoch: float,
    duration_s: float,
    interval_s: float,
    out_path: str,
) -> None:
    """One request every ``interval_s`` from ``start_epoch`` on, one connection, latency from
    the intended send time; writes [[intended_s, latency_s, status, error], ...] as JSON."""
    samples: list[list[Any]] = []
    mono_start = time.monotonic() + (start_epoch - time.time())
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        i = 0
        while (offset := i * interval_s) < duration_s:
            due = mono_start + offset
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            status: int | None = None
            error: str | None = None
            try:
                response = client.get(path, headers={"X-Forwarded-For": client_address(i, 172)})
                status = response.status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {str(exc)[:160]}"
            samples.append([round(offset, 3), round(time.monotonic() - due, 5), status, error])
            i += 1
    Path(out_path).write_text(json.dumps(samples))


# --- memory of the server's processes --------------------------------------------------


def group_memory(pgid: int) -> dict[str, Any]:
    """PSS and RSS (MiB) of every process in the process group ``pgid`` (the server and
    everything it forked: SPARQL workers share the store copy-on-write, so PSS is what they
    cost together; RSS would count shared pages once per process)."""
    pss = rss = 0
    biggest = 0
    processes = 0
    ticks = 0
    serving_ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            # utime + stime, and of children it reaped (SPARQL workers that ended)
            cpu_ticks = sum(int(f) for f in fields[11:15])
            if int(entry) == pgid or (int(fields[1]) == pgid and _is_serving_worker(entry)):
                # the serving process, or each of its workers (BELFORT_WORKERS): own CPU only
                serving_ticks += int(fields[11]) + int(fields[12])
            proc_pss = proc_rss = 0
            with open(f"/proc/{entry}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        proc_pss = int(line.split()[1])
                    elif line.startswith("Rss:"):
                        proc_rss = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we read it
        processes += 1
        ticks += cpu_ticks
        pss += proc_pss
        rss += proc_rss
        biggest = max(biggest, proc_rss)
    return {
        "pss_mb": round(pss / 1024, 1),
        "rss_mb": round(rss / 1024, 1),
        "processes": processes,
        "largest_rss_mb": round(biggest / 1024, 1),
        "cpu_s": round(ticks / CLOCK_TICKS, 2),
        "serving_cpu_s": round(serving_ticks / CLOCK_TICKS, 2),
    }


def _is_serving_worker(pid: str) -> bool:
    """A worker process uvicorn started (``BELFORT_WORKERS`` > 1) rather than the upkeep
    process; SPARQL workers are their children, not the server's."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"multiprocessing.spawn" in fh.read()
    except OSError:
        return False


class MemorySampler(threading.Thread):
    def __init__(self, pgid: int, interval_s: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pgid = pgid
        self.interval_s = interval_s
        self.samples: list[dict[str, Any]] = []
        self.start_mono = time.monotonic()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            sample = group_memory(self.pgid)
            sample["t_s"] = round(time.monotonic() - self.start_mono, 2)
            self.samples.append(sample)
            self._stop_event.wait(self.interval_s)

    def stop(self) -> list[dict[str, Any]]:
        self._stop_event.set()
        self.join(timeout=10)
        return self.samples


# --- the listener SPARQL SERVICE calls must never reach -----------------------------------


class Listener(threading.Thread):
    """Accepts (and counts) connections on a free local port."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.port: int = self.sock.getsockname()[1]
        self.connections: list[str] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                conn, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with contextlib.suppress(OSError):
                conn.settimeout(0.5)
                first = conn.recv(200)
                self.connections.append(f"{peer[0]}:{peer[1]} sent {first[:120]!r}")
                conn.close()

    def stop(self) -> list[str]:
        self._stop_event.set()
        self.join(timeout=5)
        self.sock.close()
        return self.connections


def results_as_dicts(results: list[Result]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
