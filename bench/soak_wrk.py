"""The soak's public reads at a fixed arrival rate, sent by wrk (bench/soak.py).

The harness's own Python client costs about one core per ~300 requests/s: on a two-core
machine it cannot apply 80 % of the server's capacity and leave the server its share. wrk
(C, Debian's /usr/bin/wrk) costs a few percent of a core for the same rate. wrk itself is a
closed loop; the Lua script below turns it into an open one: before each request a
connection takes the next slot of a fixed schedule (``start + n / rate``, on the same
monotonic clock as Python's ``time.monotonic``) and waits for it, so with enough
connections the requests leave on schedule whatever the answers' latency. A request that
leaves after its slot counts as late (all connections were busy): the report shows how late.

Every answer's status is counted (``response`` hook); the report lists statuses, wrk's
socket errors (connect, read, write, timeout) and wrk's latency percentiles (from the
moment the request left).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

WRK = "/usr/bin/wrk"
RESULT_MARK = "BELFORT-WRK-RESULT "
KEEP_ALIVE_SAFE_S = 1.5

# The requests of both scripts: ``paths`` in turn, each simulated client from its own
# address (X-Forwarded-For, which the soak's server trusts), optionally a new connection each.
_REQUEST = r"""
local paths = __PATHS__
local close = __CLOSE__
local n = 0
function request()
  n = n + 1
  local h = {}
  h["X-Forwarded-For"] = "10." .. (n % 250) .. "." .. (math.floor(n / 250) % 250) ..
    "." .. (1 + math.floor(n / 62500) % 250)
  if close then h["Connection"] = "close" end
  return wrk.format("GET", paths[(n % #paths) + 1], h)
end
"""

_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } belfort_timespec;
int clock_gettime(int clk_id, belfort_timespec *tp);
]]
local ts = ffi.new("belfort_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC, as Python's time.monotonic()
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local start_ms = __START_MS__
local interval_ms = __INTERVAL_MS__
local last_slot = __LAST_SLOT__
local slot = 0
statuses = {}
late_max_ms = 0
late_over_100ms = 0

function delay()
  if slot >= last_slot then return 100000000 end  -- the schedule is over: wait for -d's end
  local due = start_ms + slot * interval_ms
  slot = slot + 1
  local wait = due - now_ms()
  if wait < 0 then
    if -wait > late_max_ms then late_max_ms = -wait end
    if -wait > 100 then late_over_100ms = late_over_100ms + 1 end
    return 0
  end
  return math.floor(wait)
end

__REQUEST__
function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local all = {}
  local late = 0
  local late100 = 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do all[k] = (all[k] or 0) + v end
    local m = t:get("late_max_ms")
    if m > late then late = m end
    late100 = late100 + t:get("late_over_100ms")
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, '"' .. k .. '":' .. v) end
  local e = summary.errors
  io.write("__MARK__" .. string.format(
    '{"requests":%d,"duration_us":%d,"statuses":{%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_ms":{"p50":%.2f,"p99":%.2f,"max":%.2f},' ..
    '"late_max_ms":%.1f,"late_over_100ms":%d}\n',
    summary.requests, summary.duration, table.concat(parts, ","),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    late, late100))
end
"""


def lua_script(
    paths: list[str], start_ms: float, rate: float, duration_s: float, *, close: bool = False
) -> str:
    """wrk's script: ``paths`` in turn, one request every ``1000 / rate`` ms from ``start_ms``
    (monotonic clock) for ``duration_s``; ``close``: a new connection for every request (so
    that the server's worker processes share the requests as they accept connections)."""
    if rate <= 0 or not paths:
        raise ValueError("a positive rate and at least one path")
    interval_ms = 1000.0 / rate
    return (
        _LUA.replace("__REQUEST__", request_script(paths, close=close))
        .replace("__START_MS__", f"{start_ms:.3f}")
        .replace("__INTERVAL_MS__", f"{interval_ms:.6f}")
        .replace("__LAST_SLOT__", str(int(duration_s * rate)))
        .replace("__MARK__", RESULT_MARK)
    )


def request_script(paths: list[str], *, close: bool = False) -> str:
    """wrk's ``request()`` alone: a closed loop over ``paths`` (the capacity run)."""
    return _REQUEST.replace(
        "__PATHS__", "{" + ",".join(json.dumps(p) for p in paths) + "}"
    ).replace("__CLOSE__", "true" if close else "false")


class WrkReads:
    """One wrk run of GET requests at a fixed rate; ``await start()``, then ``await result()``."""

    def __init__(
        self,
        base_url: str,
        paths: list[str],
        rate: float,
        duration_s: float,
        work: Path,
        *,
        connections: int = 64,
        timeout_s: float = 10.0,
        close: bool = False,
    ) -> None:
        self.close = close
        self.base_url = base_url
        self.paths = paths
        self.rate = rate
        self.duration_s = duration_s
        self.work = work
        # a connection waits connections / rate seconds between its requests: keep that
        # under the server's keep-alive time-out (uvicorn's 5 s), or the server closes idle
        # connections and wrk counts each as a read error
        self.connections = max(1, min(connections, int(rate * KEEP_ALIVE_SAFE_S)))
        self.timeout_s = timeout_s
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self, start_monotonic: float) -> None:
        script = self.work / "public-reads.lua"
        script.write_text(
            lua_script(
                self.paths, start_monotonic * 1000, self.rate, self.duration_s, close=self.close
            )
        )
        # -d: the schedule's length plus the wait before its start and time for the last
        # answers; the schedule, not -d, decides how many requests leave.
        self._proc = await asyncio.create_subprocess_exec(
            WRK,
            "-t1",
            f"-c{self.connections}",
            f"-d{int(self.duration_s + 2)}s",
            "--timeout",
            f"{int(self.timeout_s)}s",
            "-s",
            str(script),
            self.base_url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    async def result(self) -> dict[str, Any]:
        assert self._proc is not None, "start() first"
        out, err = await self._proc.communicate()
        text = out.decode(errors="replace")
        line = next((x for x in text.splitlines() if x.startswith(RESULT_MARK)), None)
        if self._proc.returncode != 0 or line is None:
            raise RuntimeError(
                f"wrk failed ({self._proc.returncode}): {text[-1500:]} "
                f"{err.decode(errors='replace')[-1500:]}"
            )
        found = json.loads(line[len(RESULT_MARK) :])
        found["intended"] = int(self.duration_s * self.rate)
        found["achieved_rate"] = round(found["requests"] / self.duration_s, 2)
        found["connections"] = self.connections
        return found
