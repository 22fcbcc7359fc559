"""Run a command and watch its whole process tree (worker processes included): wall
time, CPU seconds, and the peaks of the summed resident memory (RSS: a page that forked
processes share counts in each) and of the summed proportional memory (PSS: a shared
page divided among the processes that map it), sampled from /proc."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Usage:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _tree_of(session: int) -> dict[int, tuple[float, int]]:
    """pid -> (CPU seconds so far, resident bytes) for every process of a session."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) != session:  # field 6 of /proc/PID/stat: the session id
            continue
        cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
        found[int(entry.name)] = (cpu, int(statm.split()[1]) * _PAGE)
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_measured(command: list[str], interval: float = 0.2, **kwargs: object) -> Usage:
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,
    )  # type: ignore[call-overload]
    cpu: dict[int, float] = {}
    peak = peak_pss = 0
    while process.poll() is None:
        tree = _tree_of(process.pid)
        for pid, (seconds, _) in tree.items():
            cpu[pid] = max(cpu.get(pid, 0.0), seconds)
        peak = max(peak, sum(rss for _, rss in tree.values()))
        peak_pss = max(peak_pss, sum(_pss(pid) for pid in tree))
        time.sleep(interval)
    out, err = process.communicate()
    return Usage(
        time.perf_counter() - started,
        sum(cpu.values()),
        peak / 2**20,
        peak_pss / 2**20,
        process.returncode,
        out,
        err,
    )
