"""`newsbot runs`: recent crawl runs, their counts and health."""

from __future__ import annotations

import argparse

from newsbot.cli.common import MAX_COUNT, add_db_option, whole
from pipelines.store import Store

NAME = "runs"
HELP = "recent crawl runs and their health"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--last", type=whole(1, MAX_COUNT), default=20)


def run(args: argparse.Namespace) -> int:
    with Store.open_existing(args.db) as store:
        runs = store.recent_runs(args.last)
    print(
        f"{'id':>5}  {'started (UTC)':<21}{'status':<13}{'req':>6}{'new':>6}{'upd':>6}"
        f"{'drop':>6}{'err':>6}{'browser':>9}  {'sites':<24}health"
    )
    for entry in runs:
        counts = "".join(
            f"{entry[k] or 0:>6}" for k in ("requests", "new", "updated", "dropped", "errors")
        )
        health = "; ".join(entry["health"]) or ("ok" if entry["status"] == "finished" else "-")
        # The peak memory of the browser the run started, if it needed one.
        browser = f"{entry['browser_mb']:.0f} MB" if entry["browser_mb"] else "-"
        print(
            f"{entry['id']:>5}  {entry['started_at']:<21}{entry['status']:<13}{counts}{browser:>9}  "
            f"{', '.join(entry['sites']):<24}{health}"
        )
    return 0
