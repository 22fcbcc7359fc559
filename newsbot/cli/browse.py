"""`newsbot browse`: Datasette on the database, read-only (newsbot/browse/server.py)."""

from __future__ import annotations

import argparse

from newsbot.cli.common import UsageError, add_db_option, whole

NAME = "browse"
HELP = "search and filter the database in Datasette (read-only)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--port", type=whole(1, 65535), default=8001)
    parser.add_argument(
        "--public",
        action="store_true",
        help="meant to be reached from other "
        "machines: no warning for a --host other than this machine's",
    )


def run(args: argparse.Namespace) -> int:
    from newsbot.browse.server import BrowseError, serve

    try:
        return serve(args.db, host=args.host, port=args.port, public=args.public)
    except BrowseError as error:
        raise UsageError(str(error)) from error
