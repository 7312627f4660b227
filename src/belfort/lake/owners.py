"""Which process a file in the data directory belongs to, and whether it still runs.

Every staging directory and every version file carries its writer's *owner tag* in its
name: ``o<host><boot>p<pid>t<start>`` — a hash of the machine's name, a hash of its boot id,
the process id and the process's start time (in clock ticks since boot, from
``/proc/<pid>/stat``). Together they name one process run: a process id reused after a
restart or a reboot has another start time or boot id, so it is not mistaken for the
owner.

:func:`owner_state` tells ``belfort gc`` what it may do with a leftover: a *dead* owner's
leftovers go at once, whatever their age; a *live* owner's stay (its ingest is still
running); and when it cannot tell — a name without a tag (written before tags existed), or a
tag of another machine sharing the data directory — the age rule decides.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

_TAG = re.compile(r"o([0-9a-f]{8})([0-9a-f]{8})p([0-9]{1,10})t([0-9]{1,20})")
_PROC = Path("/proc")
UNKNOWN_BOOT = "0" * 8


class OwnerState(Enum):
    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # no tag, or another machine's process: the age rule decides


@dataclass(frozen=True)
class Owner:
    host: str
    boot: str
    pid: int
    start: int

    @property
    def tag(self) -> str:
        return f"o{self.host}{self.boot}p{self.pid}t{self.start}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


@lru_cache(maxsize=1)
def _host() -> str:
    return _short_hash(socket.gethostname())


def _boot() -> str:
    try:
        boot_id = (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return UNKNOWN_BOOT
    return _short_hash(boot_id)


def _process(pid: int) -> tuple[int, str] | None:
    """(start time in clock ticks since boot, state letter) of a running process, or None
    when there is none. Without ``/proc``: (0, "?") when a signal could reach it."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return _signal_reaches(pid)
    fields = stat.rsplit(")", 1)[-1].split()  # after the command name, which may hold spaces
    return int(fields[19]), fields[0]  # field 22 (starttime) and field 3 (state)


def _signal_reaches(pid: int) -> tuple[int, str] | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # it exists, under another user
        pass
    return 0, "?"


def current() -> Owner:
    """This process's owner tag (read from /proc once per process: a fork gets its own)."""
    return _owner_of_process(os.getpid())


@lru_cache(maxsize=4)
def _owner_of_process(pid: int) -> Owner:
    found = _process(pid) if _PROC.joinpath("self").exists() else None
    return Owner(_host(), _boot(), pid, found[0] if found else 0)


def owner_of(name: str) -> Owner | None:
    """The owner tag in a file or directory name, if it has one."""
    match = _TAG.search(name)
    if match is None:
        return None
    host, boot, pid, start = match.groups()
    return Owner(host, boot, int(pid), int(start))


def owner_state(owner: Owner | None) -> OwnerState:
    if owner is None or owner.host != _host():
        return OwnerState.UNKNOWN
    boot = _boot()
    if owner.boot != boot and UNKNOWN_BOOT not in (owner.boot, boot):
        return OwnerState.DEAD  # this machine has rebooted since
    found = _process(owner.pid)
    if found is None:
        return OwnerState.DEAD
    start, state = found
    if state in ("Z", "X"):  # killed, not yet reaped by its parent
        return OwnerState.DEAD
    if owner.start and start and owner.start != start:
        return OwnerState.DEAD  # the process id was reused by another process
    return OwnerState.ALIVE
