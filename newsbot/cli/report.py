"""`newsbot report`: one self-contained HTML report (newsbot/report.py)."""

from __future__ import annotations

import argparse

from newsbot.cli.common import MAX_DAYS, UsageError, add_db_option, whole
from pipelines.export import ExportError
from pipelines.store import Store

NAME = "report"
HELP = "one self-contained HTML report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("-o", "--output", default="data/report.html", metavar="FILE")
    parser.add_argument("--days", type=whole(1, MAX_DAYS), default=30, help="days in the chart")


def run(args: argparse.Namespace) -> int:
    from newsbot.report import render_report
    from pipelines.export import atomic_output

    with Store.open_existing(args.db) as store:
        html = render_report(store, days=args.days)
    try:
        with atomic_output(args.output, "utf-8") as out:
            out.write(html)
    except ExportError as error:
        raise UsageError(str(error)) from error
    print(f"report: {args.output}")
    return 0
