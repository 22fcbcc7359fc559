"""Where a crawl's memory goes: `newsbot crawl` of the local mirror, each process of its
tree sampled from /proc (resident, proportional and private memory), its peak printed
by role (the crawl, the extraction workers, the fork server, the resource tracker).

    .venv/bin/python bench/memory_breakdown.py [--pages N] [-- extra crawl arguments]

RSS counts a page shared by forked processes once in each of them (what
bench/proctree.py sums); PSS divides it among them; USS is what each process alone holds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_bench import Mirror

PYTHON = sys.executable


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def role(pid: int) -> str:
    command = command_of(pid)
    if not command:
        return "gone"
    if "forkserver" in command:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return "gone"
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        # Workers are forked from the server: their command line is its own.
        return "worker" if "forkserver" in command_of(parent) else "fork server"
    if "resource_tracker" in command:
        return "resource tracker"
    if "spawn_main" in command:
        return "worker (spawned)"
    if "newsbot.cli" in command:
        return "crawl"
    return "worker"


def memory(pid: int) -> tuple[int, int, int] | None:
    """(RSS, PSS, USS) in bytes."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    fields = {}
    for line in rollup.splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) * 1024
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields.get("Rss", 0), fields.get("Pss", 0), private


def tree(session: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[3]) == session:
                pids.append(int(entry.name))
    return pids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("extra", nargs="*", help="more `newsbot crawl` arguments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        mirror = Mirror(Path(folder) / "site", args.pages)
        try:
            command = [PYTHON, "-m", "newsbot.cli", "crawl", "--site-file",
                       str(mirror.site_file), "--db", str(Path(folder) / "news.db"),
                       *args.extra]  # fmt: skip
            started = time.perf_counter()
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            peaks: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
            tree_peak = [0, 0, 0]
            while process.poll() is None:
                total = [0, 0, 0]
                for pid in tree(process.pid):
                    sample = memory(pid)
                    if sample is None:
                        continue
                    key = (role(pid), pid)
                    peaks[key] = [max(a, b) for a, b in zip(peaks[key], sample, strict=True)]
                    total = [a + b for a, b in zip(total, sample, strict=True)]
                tree_peak = [max(a, b) for a, b in zip(tree_peak, total, strict=True)]
                time.sleep(0.2)
            seconds = time.perf_counter() - started
        finally:
            mirror.close()
    mb = 2**20
    print(f"{args.pages} pages in {seconds:.1f} s; peak per process (MB):")
    print(f"  {'process':<22}{'RSS':>8}{'PSS':>8}{'USS':>8}")
    for (name, pid), (rss, pss, uss) in sorted(peaks.items()):
        print(f"  {name + ' ' + str(pid):<22}{rss / mb:8.0f}{pss / mb:8.0f}{uss / mb:8.0f}")
    rss, pss, uss = tree_peak
    print(f"  {'whole tree (peak)':<22}{rss / mb:8.0f}{pss / mb:8.0f}{uss / mb:8.0f}")


if __name__ == "__main__":
    main()
