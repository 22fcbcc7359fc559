"""`newsbot reprints`: originals with their reach (outlets, copies, first and median
delay) and their copies; `--rebuild` indexes the whole database again."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from newsbot.cli.common import (
    UsageError,
    add_db_option,
    parse_since,
    require_site,
    require_writable,
)
from newsbot.run.progress import Counter
from pipelines.store import Original, ReprintFilter, Store, utc_iso

NAME = "reprints"
HELP = "who reprints whom: originals, their reach and their copies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--site", metavar="SLUG", help="originals or copies of this site")
    parser.add_argument("--since", metavar="DATE", help="originals published at or after")
    parser.add_argument(
        "--uncredited",
        action="store_true",
        help="only copies that do not name the original's outlet",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="index every stored article again first"
    )


def run(args: argparse.Namespace) -> int:
    from newsbot.run.lock import CrawlLocked, crawl_lock

    since = parse_since(args.since)
    with Store.open_existing(args.db) as store:
        if args.site:
            require_site(args.site, store.known_sites())
        selection = ReprintFilter(
            site=args.site, since=utc_iso(since) if since else None, uncredited=args.uncredited
        )
        if not args.rebuild:
            return run_reprints(store, selection, rebuild=False)
    require_writable(args.db, "reprints --rebuild")
    progress = Counter("articles indexed", every=1000)
    try:
        with crawl_lock(args.db), Store.open(args.db) as store:
            return run_reprints(store, selection, rebuild=True, progress=progress)
    except CrawlLocked as locked:
        raise UsageError(f"{locked}; rebuild after it ends") from locked
    finally:
        progress.done()


def spoken_delay(seconds: float | None) -> str:
    """+3h 20m, +2d 4h, -15m (a copy dated before its credited original)."""
    if seconds is None:
        return "?"
    sign = "-" if seconds < 0 else "+"
    minutes = int(abs(seconds)) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def format_original(original: Original, out: TextIO) -> None:
    when = (original.published_at_utc or "undated").replace("T", " ").replace("Z", " UTC")
    out.write(f"{when}  {original.site}  {original.title or '(no title)'}\n")
    out.write(f"  {original.url}\n")
    out.write(
        f"  reach: {_plural(original.outlets, 'outlet', 'outlets')}, "
        f"{_plural(len(original.copies), 'copy', 'copies')}; first "
        f"{spoken_delay(original.first_delay)}, median {spoken_delay(original.median_delay)}\n"
    )
    for copy in original.copies:
        if copy["same_site"]:
            mark = "same site"  # a re-post: no credit to give
        else:
            mark = "credited" if copy["credited"] else "UNCREDITED"
        out.write(
            f"  {spoken_delay(copy['delay_seconds']):>9}  {copy['site']:<16} "
            f"{mark:<11} containment {copy['containment']:.2f}  {copy['url']}\n"
        )


def run_reprints(
    store: Store,
    selection: ReprintFilter,
    *,
    rebuild: bool,
    progress: Callable[[int], None] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    if rebuild:
        articles, links = store.rebuild_reprints(on_article=progress)
        err.write(f"newsbot: {articles} articles indexed, {links} reprints linked\n")
    else:
        missing = store.unindexed_articles()
        if missing:
            err.write(
                f"newsbot: {missing} articles stored before the reprint index (or its "
                "furniture counts) are not compared yet: run `newsbot reprints --rebuild`\n"
            )
    originals = store.originals(selection)
    for original in originals:
        format_original(original, out)
        out.write("\n")
    copies = sum(len(o.copies) for o in originals)
    uncredited = sum(not (c["credited"] or c["same_site"]) for o in originals for c in o.copies)
    out.write(
        f"{_plural(len(originals), 'original', 'originals')}, "
        f"{_plural(copies, 'copy', 'copies')} ({uncredited} uncredited)\n"
    )
    return 0
