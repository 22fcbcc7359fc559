"""`newsbot export`: articles (or imprints, or reprints) as CSV or JSON lines."""

from __future__ import annotations

import argparse
import sys

from newsbot.cli.common import UsageError, add_db_option, parse_since, require_site
from newsbot.run.progress import Counter
from pipelines.export import ExportError, ExportRequest, export
from pipelines.store import ArticleFilter, Store, utc_iso

NAME = "export"
HELP = "articles (or imprints) as CSV or JSON lines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument(
        "--table",
        default="articles",
        choices=("articles", "publishers", "registrations", "reprints", "versions"),
        help="versions: edits after publication, with word-level differences",
    )
    parser.add_argument("--site", metavar="SLUG")
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="published at or after (Asia/Almaty unless an offset is given)",
    )
    parser.add_argument("--until", metavar="DATE", help="published before")
    parser.add_argument(
        "--query",
        metavar="TEXT",
        help="full-text search over title, lead and "
        'body; finds word forms ("налог" finds "налогов"); OR, NOT, "phrases"',
    )
    parser.add_argument("--columns", metavar="A,B,...", help="only these columns, in this order")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument(
        "--excel",
        action="store_true",
        help="CSV for Excel: BOM, ';', formula-safe cells, cut long cells",
    )
    parser.add_argument(
        "--delimiter", metavar="CHAR", help="CSV delimiter (default ',', with --excel ';')"
    )
    parser.add_argument("-o", "--output", default="-", metavar="FILE", help="file, or - for stdout")


def run(args: argparse.Namespace) -> int:
    from pipelines.export import count_rows, parse_columns

    since, until = parse_since(args.since), parse_since(args.until)
    if since and until and since >= until:
        raise UsageError("--since must be before --until")
    if args.table == "versions" and (until or args.query):
        raise UsageError(
            "--until and --query apply to articles; versions take --since (when "
            "the edit was found) and --site"
        )
    if args.table not in ("articles", "versions") and (since or until or args.query):
        raise UsageError(f"--since, --until and --query apply to articles, not {args.table}")
    if args.delimiter is not None and len(args.delimiter) != 1:
        raise UsageError("--delimiter must be one character")
    try:
        request = ExportRequest(
            table=args.table,
            format=args.format,
            excel=args.excel,
            columns=parse_columns(args.columns, args.table, args.format),
            selection=ArticleFilter(
                site=args.site,
                since=utc_iso(since) if since else None,
                until=utc_iso(until) if until else None,
                query=args.query,
            ),
            delimiter=args.delimiter,
        )
        with Store.open_existing(args.db) as store:
            if args.site:
                require_site(args.site, store.known_sites())
            progress = Counter(args.table, count_rows(store, request))
            try:
                count = export(store, request, args.output, on_row=progress)
            finally:
                progress.done()
    except ExportError as error:
        raise UsageError(str(error)) from error
    print(f"newsbot: {count} {args.table} exported", file=sys.stderr)
    return 0
