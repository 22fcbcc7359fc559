"""`newsbot changes`: articles edited after publication (a figure corrected, a paragraph
removed), when the edit was found, and what changed, word by word."""

from __future__ import annotations

import argparse
import sys

from newsbot.cli.common import MAX_COUNT, add_db_option, parse_since, require_site, whole
from pipelines.store import ChangeFilter, Store, utc_iso
from pipelines.textdiff import as_text, changed, word_diff

NAME = "changes"
HELP = "articles edited after publication, with what changed word by word"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--since", metavar="DATE", help="edits found at or after")
    parser.add_argument("--site", metavar="SLUG")
    parser.add_argument(
        "--last",
        type=whole(1, MAX_COUNT),
        default=100,
        metavar="N",
        help="at most N edits, newest first (default 100)",
    )


def run(args: argparse.Namespace) -> int:
    since = parse_since(args.since)
    selection = ChangeFilter(site=args.site, since=utc_iso(since) if since else None)
    count = 0
    with Store.open_existing(args.db) as store:
        if args.site:
            require_site(args.site, store.known_sites())
        for change in store.changes(selection, limit=args.last):
            count += 1
            print(f"{change['changed_at']}  {change['site']}  {change['url']}")
            print(f"  {change['title_after'] or change['title_before'] or ''}")
            for name in ("title", "body"):
                ops = word_diff(change[f"{name}_before"], change[f"{name}_after"])
                if changed(ops):
                    print(f"  {name}: {as_text(ops)}")
            print()
    print(
        f"newsbot: {count} edits" + (f" since {args.since}" if args.since else ""), file=sys.stderr
    )
    return 0
