"""`newsbot watch`: saved searches whose new matches go to a digest file, an e-mail
address and a webhook after each crawl (`watch run`, which the cron line runs)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from newsbot.cli.common import (
    UsageError,
    add_db_option,
    http_url,
    require_site,
    require_writable,
)
from newsbot.run.lock import CrawlLocked, crawl_lock
from newsbot.watch.delivery import DeliveryError, SmtpSettings
from newsbot.watch.run import run_watches, summary_line
from pipelines.export import ExportError
from pipelines.stages.search import QueryError
from pipelines.store import Store, Watch, WatchExists, utc_iso
from pipelines.store.watches import WEBHOOK_FORMATS

NAME = "watch"
HELP = "saved searches: new matches to a digest, by e-mail and to webhooks"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME = re.compile(r"^[\w.-]{1,60}$")


def _address(text: str) -> str:
    if not _EMAIL.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an e-mail address")
    return text


def _name(text: str) -> str:
    if not _NAME.match(text):
        raise argparse.ArgumentTypeError(f"{text!r}: a watch name is letters, digits, . _ -")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="watch_action", required=True)
    add = actions.add_parser(
        "add",
        help="save a search (the same query language as "
        'export --query: word forms, OR, NOT, "phrases")',
    )
    add.add_argument("name", type=_name)
    add.add_argument("query")
    add.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="SLUG",
        help="only articles of this site (repeatable)",
    )
    add.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="only articles crediting this source, e.g. Kazinform (repeatable)",
    )
    add.add_argument(
        "--email",
        type=_address,
        metavar="ADDRESS",
        help="mail new matches here (SMTP from NEWSBOT_SMTP_* variables)",
    )
    add.add_argument("--webhook", type=http_url, metavar="URL", help="POST new matches here")
    add.add_argument(
        "--webhook-format",
        choices=WEBHOOK_FORMATS,
        default="json",
        help="json (newsbot's), slack, or telegram (chat_id in the URL)",
    )
    add_db_option(add)
    listing = actions.add_parser("list", help="the saved searches")
    add_db_option(listing)
    remove = actions.add_parser("remove", help="forget a saved search")
    remove.add_argument("name", type=_name)
    add_db_option(remove)
    run = actions.add_parser("run", help="deliver each watch's new matches")
    run.add_argument("-o", "--output", metavar="FILE", help="write the HTML digest here")
    run.add_argument(
        "--cron",
        action="store_true",
        help="quiet unless a delivery failed (what the cron line runs)",
    )
    add_db_option(run)


def run(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():
        raise UsageError(f"{args.db}: no such database (run `newsbot crawl` first)")
    if args.watch_action == "list":
        with Store.open_existing(args.db) as store:
            for watch in store.watches():
                print(_describe(watch))
        return 0
    require_writable(args.db, f"watch {args.watch_action}")
    if args.watch_action == "run":
        return _run_locked(args)
    with Store.open(args.db) as store:
        if args.watch_action == "add":
            return _add(store, args)
        if not store.remove_watch(args.name):
            raise UsageError(f"no watch named {args.name!r} (see `newsbot watch list`)")
        print(f"newsbot: watch {args.name} removed", file=sys.stderr)
        return 0


def _run_locked(args: argparse.Namespace) -> int:
    """One `watch run` at a time per database: two would both send what neither has
    recorded yet. A scheduled run that finds another at work leaves it the work."""
    try:
        with crawl_lock(args.db, job="watch"), Store.open(args.db) as store:
            return _run(store, args)
    except CrawlLocked as error:
        if args.cron:
            return 0
        raise UsageError(str(error)) from None


def _add(store: Store, args: argparse.Namespace) -> int:
    watch = Watch(
        name=args.name,
        query=args.query,
        sites=tuple(args.site),
        sources=tuple(args.source),
        email=args.email,
        webhook=args.webhook,
        webhook_format=args.webhook_format,
        created_at=utc_iso(datetime.now(UTC)),
    )
    for slug in watch.sites:
        require_site(slug, store.known_sites())
    try:
        store.add_watch(watch)
    except QueryError as error:
        raise UsageError(str(error)) from error
    except WatchExists:
        raise UsageError(
            f"a watch named {watch.name!r} exists: `newsbot watch remove {watch.name}` first"
        ) from None
    print(f"newsbot: watch {watch.name} saved: {_describe(watch)}", file=sys.stderr)
    return 0


def _run(store: Store, args: argparse.Namespace) -> int:
    try:
        smtp = SmtpSettings.from_env()
    except DeliveryError as error:
        raise UsageError(str(error)) from error
    try:
        outcomes = run_watches(
            store, datetime.now(UTC), smtp, Path(args.output) if args.output else None
        )
    except ExportError as error:
        raise UsageError(str(error)) from error
    for outcome in outcomes:
        line = summary_line(outcome)
        if outcome.failed:
            print(f"newsbot: {line}", file=sys.stderr)
        elif not args.cron:
            print(f"newsbot: {line}")
    # A failed delivery is tried again next run; exit 1 so that cron mails about it.
    return 1 if any(outcome.failed for outcome in outcomes) else 0


def _describe(watch: Watch) -> str:
    parts = [watch.name, repr(watch.query)]
    if watch.sites:
        parts.append("sites " + ",".join(watch.sites))
    if watch.sources:
        parts.append("sources " + ",".join(watch.sources))
    if watch.email:
        parts.append(f"email {watch.email}")
    if watch.webhook:
        parts.append(f"webhook ({watch.webhook_format})")
    return "  ".join(parts)
