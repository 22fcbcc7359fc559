"""The `newsbot` command: a thin layer over the library (DESIGN.md, CLI contract).

One module per command, each with its `add_arguments(parser)` beside its `run(args)`;
`common.py` holds what they share (the one-line error, argument types, `--db`).

Exit codes: 0 success, 1 a crawl ran but failed its health checks, 2 bad usage or
input, with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from newsbot.cli import (
    add_site,
    browse,
    changes,
    check_site,
    crawl,
    cron,
    demo,
    export,
    extract,
    frontier,
    ingest,
    report,
    reprints,
    reprocess,
    runs,
    sites,
    stats,
    watch,
)
from newsbot.cli.common import Parser, UsageError
from newsbot.sites.config import ConfigError
from pipelines.store import StoreError, is_disk_full


class Command(Protocol):
    """What each command module defines: its name and one-line help, its options, and
    `run`, which returns the exit code."""

    NAME: str
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


# In the order `newsbot --help` lists them.
COMMANDS: list[Command] = [
    crawl,
    ingest,
    frontier,
    extract,
    export,
    demo,
    sites,
    add_site,
    check_site,
    runs,
    stats,
    cron,
    report,
    reprocess,
    reprints,
    changes,
    browse,
    watch,
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="newsbot",
        description="Scrape news from Kazakhstan's government and press sites into SQLite.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        sub = subparsers.add_parser(command.NAME, help=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args: argparse.Namespace | None = None
    try:
        args, extra = parser.parse_known_args(argv)
        # `cron install --at 02:30 SLUG`: argparse has taken the (empty) SLUG list before
        # the option; the sites after it are the user's, not mistakes.
        if args.command == "cron" and not any(word.startswith("-") for word in extra):
            args.slugs += extra
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return int(args.handler(args))
    except (UsageError, ConfigError, StoreError) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away: nothing left to say, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OSError, sqlite3.OperationalError) as error:
        if not is_disk_full(error):
            raise
        # Wherever it struck (a log line, a lock file, a cron note): one line.
        where = getattr(error, "filename", None) or getattr(args, "db", None) or "the disk"
        print(f"newsbot: no space left on {Path(where).resolve().parent}", file=sys.stderr)
        return 2
