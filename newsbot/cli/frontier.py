"""`newsbot frontier status`: what a shared Redis frontier holds now (the open run, each
site's queue, requests in flight per worker, done sites, lease holders, workers alive,
records waiting for the writer)."""

from __future__ import annotations

import argparse
import json

from newsbot.cli.common import UsageError
from newsbot.cli.ingest import redis_url

NAME = "frontier"
HELP = "what a distributed crawl's Redis frontier holds now"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="queues, in flight, workers, records waiting")
    status.add_argument(
        "--frontier",
        required=True,
        type=redis_url,
        metavar="URL",
        help="the frontier: redis://[user:password@]host:port/db",
    )
    status.add_argument("--json", action="store_true", help="as one JSON object")


def run(args: argparse.Namespace) -> int:
    import redis

    from newsbot.frontier.publish import connect, shown
    from newsbot.frontier.status import format_status, frontier_status

    try:
        status = frontier_status(connect(args.frontier))
    except redis.RedisError as error:
        raise UsageError(f"cannot read the frontier at {shown(args.frontier)}: {error}") from None
    if args.json:
        print(json.dumps(status.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_status(status))
    return 0
