"""The `newsbot` command: a thin layer over the library (DESIGN.md, CLI contract).

Exit codes: 0 success, 1 a crawl ran but failed its health checks, 2 bad usage or
input, with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newsbot.siteconfig import ConfigError, SiteConfig, bundled_configs
from pipelines.store import StoreError

DEFAULT_DB = "data/news.db"
DEMO_PORT = 8765


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit code 2."""


def _site_for(slug: str | None, url: str | None) -> SiteConfig | None:
    configs = bundled_configs()
    if slug:
        if slug not in configs:
            raise UsageError(f"unknown site {slug!r} (see `newsbot sites`)")
        return configs[slug]
    if url:
        from urllib.parse import urlsplit

        host = (urlsplit(url).hostname or "").removeprefix("www.")
        for config in configs.values():
            if host in config.domains and config.article_url.search(url):
                return config
    return None


def command_extract(args: argparse.Namespace) -> int:
    from pipelines.chain import RawPage, process_page

    if args.page == "-":
        body = sys.stdin.buffer.read()
    else:
        path = Path(args.page)
        if not path.is_file():
            raise UsageError(f"{args.page}: no such file")
        body = path.read_bytes()
    url = args.url or (Path(args.page).resolve().as_uri() if args.page != "-" else "stdin:")
    site = _site_for(args.site, args.url)
    page = RawPage(url=url, body=body, fetched_at=datetime.now(UTC), site=args.site)
    record = process_page(page, site)
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _since(text: str | None) -> datetime | None:
    """A date given on the command line: ISO (`2026-11-01`, `2026-11-01T09:00`) or any
    form `newsbot` reads on pages ("вчера", "1 ноября 2026"); Asia/Almaty unless an
    offset is given."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        from pipelines.dates import parse_date

        outcome = parse_date(text, now=datetime.now(UTC), timezone="Asia/Almaty")
        if outcome.value is None:
            raise UsageError(f"--since/--until: {text!r} is not a date (try 2026-11-01)") from None
        return outcome.value.moment
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Asia/Almaty"))


def _selected_sites(args: argparse.Namespace) -> list[SiteConfig]:
    from newsbot.siteconfig import load_config

    configs = bundled_configs()
    chosen: list[SiteConfig] = []
    for slug in args.slugs:
        if slug not in configs:
            raise UsageError(f"unknown site {slug!r} (see `newsbot sites`)")
        chosen.append(configs[slug])
    chosen += [load_config(path) for path in args.site_file or []]
    if args.all or not chosen:
        chosen += [c for c in configs.values() if c.enabled and c not in chosen]
    return chosen


def _log_file(db_path: str) -> str:
    return str(Path(db_path).resolve().parent / "logs" / "newsbot.log")


def command_crawl(args: argparse.Namespace) -> int:
    from newsbot.crawl import format_summary, run_crawl
    from pipelines.store import StoreError

    configs = _selected_sites(args)
    if args.limit is not None and args.limit <= 0:
        raise UsageError("--limit must be a positive number of articles")
    try:
        report = run_crawl(
            configs,
            args.db,
            since=_since(args.since),
            limit=args.limit,
            refresh=args.refresh,
            log_file=_log_file(args.db),
            settings_overrides={"NEWSBOT_WORKERS": args.workers}
            if args.workers is not None
            else None,
        )
    except StoreError as error:
        raise UsageError(f"database: {error}") from error
    print(format_summary(report))
    for site in report.sites:
        if not site.healthy:
            print(
                f"newsbot: {site.slug}: {site.status}: {site.reason or 'see the log'}",
                file=sys.stderr,
            )
    return 0 if report.healthy else 1


def command_demo(args: argparse.Namespace) -> int:
    from newsbot.crawl import format_summary, run_crawl
    from newsbot.demo.server import LocalSite
    from newsbot.demo.site import demo_config, demo_pages
    from pipelines.export import ArticleFilter, select_articles, write_csv
    from pipelines.store import open_database

    try:
        server = LocalSite(demo_pages(args.port), port=args.port).start()
    except OSError as error:
        raise UsageError(
            f"port {args.port} on 127.0.0.1 is taken ({error.strerror}); pass --port"
        ) from error
    try:
        config = demo_config(server.port)
        report = run_crawl([config], args.db, log_file=_log_file(args.db))
    finally:
        server.stop()
    print(format_summary(report))
    db = open_database(args.db)
    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    with open(args.csv, "w", encoding="utf-8-sig", newline="") as out:
        rows = write_csv(select_articles(db, ArticleFilter(site=config.slug)), out)
    publishers = db.execute(
        "SELECT count(*) FROM publishers WHERE site = ?", [config.slug]
    ).fetchone()[0]
    registrations = db.execute(
        "SELECT count(*) FROM registrations WHERE site = ?", [config.slug]
    ).fetchone()[0]
    print(
        f"{rows} articles in {args.db}, {publishers} publisher imprints, {registrations} registrations"
    )
    print(f"CSV: {args.csv}")
    return 0 if report.healthy else 1


def command_sites(args: argparse.Namespace) -> int:
    print(f"{'slug':<22}{'lang':<6}{'on':<4}{'checked':<9}{'discovery':<26}name")
    for config in bundled_configs().values():
        ways = [w for w, urls in (("listing", config.start_urls), ("sitemap", config.sitemaps),
                                  ("feed", config.feeds)) if urls]  # fmt: skip
        discovery = "UNSUPPORTED" if config.unsupported else "+".join(ways)
        print(
            f"{config.slug:<22}{config.language:<6}{'yes' if config.enabled else 'no':<4}"
            f"{'yes' if config.verified else 'no':<9}{discovery:<26}{config.name}"
        )
    return 0


def command_check_site(args: argparse.Namespace) -> int:
    """Fetch a few pages of one site (into a throw-away database) and print how many of
    its articles gave each field: the live check for configs written without access."""
    import tempfile

    from newsbot.crawl import run_crawl
    from newsbot.siteconfig import load_config
    from pipelines.store import open_database

    if not args.slug and not args.site_file:
        raise UsageError("check-site needs a SLUG or --site-file")

    if args.site_file:
        config = load_config(args.site_file)
    else:
        configs = bundled_configs()
        if args.slug not in configs:
            raise UsageError(f"unknown site {args.slug!r} (see `newsbot sites`)")
        config = configs[args.slug]
    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "check.db")
        report = run_crawl(
            [config],
            db_path,
            limit=args.pages,
            refresh=True,
            log_file=str(Path(folder) / "check.log"),
        )
        (site,) = report.sites
        print(f"{config.slug}: {site.status}; {site.responses} pages fetched, {site.new} articles")
        if site.reason:
            print(f"  problem: {site.reason}")
        db = open_database(db_path)
        total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        fields = ("title", "lead", "body", "author", "published_at", "source_name", "image_url")
        for name in fields:
            filled = db.execute(f"SELECT count({name}) FROM articles").fetchone()[0]
            print(f"  {name:<16}{filled}/{total}")
        imprint = db.execute("SELECT count(*) FROM publishers").fetchone()[0]
        regs = [row[0] for row in db.execute("SELECT number FROM registrations")]
        print(f"  {'imprints':<16}{imprint}")
        print(f"  {'registrations':<16}{', '.join(regs) or '-'}")
        db.conn.close()
    return 0 if site.healthy and total else 1


def _existing_database(path: str) -> Any:
    from pipelines.store import open_database

    if path != ":memory:" and not Path(path).exists():
        raise UsageError(f"{path}: no such database (run `newsbot crawl` first)")
    return open_database(path)


def command_runs(args: argparse.Namespace) -> int:
    db = _existing_database(args.db)
    print(
        f"{'id':>5}  {'started (UTC)':<21}{'status':<13}{'req':>6}{'new':>6}{'upd':>6}{'drop':>6}{'err':>6}  sites"
    )
    for row in db.execute(
        "SELECT id, started_at, status, requests, new, updated, dropped, errors, sites "
        "FROM runs ORDER BY id DESC LIMIT ?",
        [args.last],
    ):
        sites = ", ".join(json.loads(row[8] or "[]"))
        print(
            f"{row[0]:>5}  {row[1]:<21}{row[2]:<13}"
            + "".join(f"{v or 0:>6}" for v in row[3:8])
            + f"  {sites}"
        )
    return 0


def command_stats(args: argparse.Namespace) -> int:
    db = _existing_database(args.db)
    print(f"{'site':<22}{'articles':>9}{'no date':>9}{'imprints':>9}{'regs':>6}  newest (UTC)")
    for row in db.execute(
        "SELECT site, count(*), sum(published_at_utc IS NULL), max(published_at_utc) "
        "FROM articles GROUP BY site ORDER BY site"
    ):
        imprints = db.execute(
            "SELECT count(*) FROM publishers WHERE site = ?", [row[0]]
        ).fetchone()[0]
        regs = db.execute("SELECT count(*) FROM registrations WHERE site = ?", [row[0]]).fetchone()[
            0
        ]
        print(f"{row[0]:<22}{row[1]:>9}{row[2]:>9}{imprints:>9}{regs:>6}  {row[3] or '-'}")
    pages = db.execute(
        "SELECT count(*), sum(status >= 400 OR status IS NULL) FROM pages"
    ).fetchone()
    print(f"pages fetched: {pages[0]} ({pages[1] or 0} errors)")
    return 0


def command_export(args: argparse.Namespace) -> int:
    from pipelines.export import ArticleFilter, select_articles, write_csv, write_jsonl

    since, until = _since(args.since), _since(args.until)
    selection = ArticleFilter(
        site=args.site,
        since=since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if since else None,
        until=until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if until else None,
        query=args.query,
    )
    db = _existing_database(args.db)
    try:
        articles = select_articles(db, selection)
    except sqlite3.OperationalError as error:
        raise UsageError(f"--query {args.query!r}: {error} (SQLite full-text syntax)") from error
    encoding = "utf-8-sig" if args.excel else "utf-8"
    with contextlib.ExitStack() as stack:
        out = sys.stdout
        if args.output != "-":
            out = stack.enter_context(open(args.output, "w", encoding=encoding, newline=""))
        if args.format == "jsonl":
            count = write_jsonl(articles, out)
        else:
            count = write_csv(articles, out, excel=args.excel)
    print(f"newsbot: {count} articles exported", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Scrape news from Kazakhstan's government and press sites into SQLite.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    crawl = commands.add_parser("crawl", help="crawl sites into the database")
    crawl.add_argument(
        "slugs", nargs="*", metavar="SLUG", help="bundled sites (default: every enabled one)"
    )
    crawl.add_argument("--all", action="store_true", help="every enabled bundled site")
    crawl.add_argument(
        "--site-file", action="append", metavar="FILE.toml", help="a site config file"
    )
    crawl.add_argument("--db", default=DEFAULT_DB, help=f"database (default {DEFAULT_DB})")
    crawl.add_argument("--since", metavar="DATE", help="skip articles dated before this")
    crawl.add_argument("--limit", type=int, metavar="N", help="at most N articles per site")
    crawl.add_argument("--refresh", action="store_true", help="fetch known articles again")
    crawl.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="extraction processes (default 0: in the crawl process)",
    )
    crawl.set_defaults(handler=command_crawl)

    extract = commands.add_parser("extract", help="print the article record of one saved page")
    extract.add_argument("page", help="HTML file, or - for standard input")
    extract.add_argument("--url", help="the URL the page was fetched from")
    extract.add_argument("--site", help="site slug whose config applies")
    extract.set_defaults(handler=command_extract)

    export = commands.add_parser("export", help="articles as CSV or JSON lines")
    export.add_argument("--db", default=DEFAULT_DB)
    export.add_argument("--site")
    export.add_argument("--since", metavar="DATE")
    export.add_argument("--until", metavar="DATE")
    export.add_argument("--query", metavar="TEXT", help="full-text search (SQLite FTS syntax)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--excel", action="store_true", help="CSV for Excel: BOM, ';', safe cells")
    export.add_argument("-o", "--output", default="-", metavar="FILE", help="file, or - for stdout")
    export.set_defaults(handler=command_export)

    demo = commands.add_parser("demo", help="crawl the bundled offline demo site")
    demo.add_argument("--db", default="data/demo.db")
    demo.add_argument("--csv", default="data/demo.csv")
    demo.add_argument(
        "--port", type=int, default=DEMO_PORT, help="port on 127.0.0.1 for the demo site"
    )
    demo.set_defaults(handler=command_demo)

    sites = commands.add_parser("sites", help="list the bundled site configs")
    sites.set_defaults(handler=command_sites)

    check = commands.add_parser("check-site", help="live check of one site (needs internet)")
    check.add_argument("slug", nargs="?", help="a bundled site")
    check.add_argument("--site-file", metavar="FILE.toml", help="or a site config file")
    check.add_argument("--pages", type=int, default=5, help="articles to fetch")
    check.set_defaults(handler=command_check_site)

    runs = commands.add_parser("runs", help="recent crawl runs")
    runs.add_argument("--db", default=DEFAULT_DB)
    runs.add_argument("--last", type=int, default=20)
    runs.set_defaults(handler=command_runs)

    stats = commands.add_parser("stats", help="what the database holds, per site")
    stats.add_argument("--db", default=DEFAULT_DB)
    stats.set_defaults(handler=command_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
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


if __name__ == "__main__":
    sys.exit(main())
