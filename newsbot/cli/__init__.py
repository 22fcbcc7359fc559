"""The `newsbot` command: a thin layer over the library (DESIGN.md, CLI contract).

Exit codes: 0 success, 1 a crawl ran but failed its health checks, 2 bad usage or
input, with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NoReturn
from zoneinfo import ZoneInfo

from newsbot.run.progress import Counter
from newsbot.sites.config import ConfigError, SiteConfig, bundled_configs, config_for_url
from pipelines.export import ExportError, ExportRequest, export
from pipelines.store import ArticleFilter, DiskFull, Store, StoreError, is_disk_full, utc_iso

DEFAULT_DB = "data/news.db"
DEMO_PORT = 8765
# Upper bounds of the numeric arguments: far above any real use, low enough that a typo
# (--days 1000000) gets an answer instead of a traceback or an hour of work.
MAX_DAYS = 3650
MAX_COUNT = 1_000_000
MAX_WORKERS = 64


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse whose mistakes are one line like every other bad input (its own answer is
    the whole usage text), raised for `main` to print rather than exiting the process."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _whole(least: int, most: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [least, most]; outside it, one line naming both."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not least <= value <= most:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number from {least} to {most}"
            )
        return value

    return parse


def _crontab_safe(text: str) -> str:
    """An argparse type for what `cron` writes into the crontab line, refused before any
    folder is made for it."""
    from newsbot.run.schedule import ScheduleError, refuse_control_characters

    try:
        refuse_control_characters("", text)
    except ScheduleError as error:
        raise argparse.ArgumentTypeError(str(error).strip()) from None
    return text


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")
MAX_RUN_TIME = 7 * 24 * 3600


def _duration(text: str) -> float:
    """An argparse type: a run time such as 3h, 90m, 2h30m, 45s or plain seconds; 0 for
    none. At most a week."""
    match = _DURATION.match(text.strip().lower())
    if not match or not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (like 3h, 90m, 45s)")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total > MAX_RUN_TIME:
        raise argparse.ArgumentTypeError(f"{text!r} is longer than a week")
    return float(total)


def _spoken(seconds: float) -> str:
    """3h 05m, 45m, 30s: a duration for a message."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m" if minutes else f"{secs}s"


def _share(text: str) -> float:
    """An argparse type: a share from 0 to 1 (nan and inf are not shares)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1")
    return value


def _http_url(text: str) -> str:
    """An argparse type: an absolute http(s) URL with a host, on one line."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL with a host")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise argparse.ArgumentTypeError(f"{text!r}: spaces and control characters in a URL")
    return text


def _slug(text: str) -> str:
    if not re.match(r"^[a-z0-9_]{1,60}$", text):
        raise argparse.ArgumentTypeError(f"{text!r}: a slug is lower-case letters, digits and _")
    return text


def require_site(slug: str, known: Iterable[str] | None = None) -> str:
    """A site slug the user typed: bundled (or in `known`), or a one-line error."""
    if slug not in set(bundled_configs()) | set(known or ()):
        raise UsageError(f"unknown site {slug!r} (see `newsbot sites`)")
    return slug


def _read_page(stream: BinaryIO, name: str) -> bytes:
    """A page from a stream, read up to the size the crawl fetches (DOWNLOAD_MAXSIZE) and
    refused beyond it: `/dev/zero` on stdin must not grow until memory runs out."""
    from newsbot.crawling.settings import DOWNLOAD_MAXSIZE

    body = stream.read(DOWNLOAD_MAXSIZE + 1)
    if len(body) > DOWNLOAD_MAXSIZE:
        raise UsageError(
            f"{name}: larger than {DOWNLOAD_MAXSIZE // (1024 * 1024)} MB, the most a crawl "
            "fetches of one page; not read"
        )
    return body


def command_extract(args: argparse.Namespace) -> int:
    from pipelines.page import Page
    from pipelines.stages.chain import process_page

    if args.page == "-":
        body = _read_page(sys.stdin.buffer, "standard input")
    else:
        path = Path(args.page)
        if not path.is_file():
            raise UsageError(f"{args.page}: no such file")
        try:
            body = path.read_bytes()  # a file's size is known: a saved huge page is still read
        except OSError as error:
            raise UsageError(f"{args.page}: cannot read it ({error.strerror})") from error
    url = args.url or (Path(args.page).resolve().as_uri() if args.page != "-" else "stdin:")
    configs = bundled_configs()
    site: SiteConfig | None
    if args.site:
        site = configs[require_site(args.site)]
    else:
        site = config_for_url(configs.values(), args.url) if args.url else None
    page = Page(url=url, body=body, fetched_at=datetime.now(UTC), site=args.site)
    article = process_page(page, site.chain_options() if site else None)
    json.dump(article.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
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
        from pipelines.stages.dates import parse_date

        outcome = parse_date(text, now=datetime.now(UTC), timezone="Asia/Almaty")
        if outcome.value is None:
            raise UsageError(f"--since/--until: {text!r} is not a date (try 2026-11-01)") from None
        return outcome.value.moment
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Asia/Almaty"))


def _selected_sites(args: argparse.Namespace) -> list[SiteConfig]:
    from newsbot.sites.config import load_config

    configs = bundled_configs()
    chosen = [configs[require_site(slug)] for slug in args.slugs]
    chosen += [load_config(path) for path in args.site_file or []]
    if args.all or not chosen:
        chosen += [c for c in configs.values() if c.enabled and c not in chosen]
    return chosen


def _log_file(db_path: str) -> str:
    return str(Path(db_path).resolve().parent / "logs" / "newsbot.log")


def _log_to_file(db_path: str, message: str) -> None:
    """One line in the crawl log, for what happens before a crawl has its logging."""
    path = Path(_log_file(db_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"{stamp} [newsbot] INFO: {message}\n")


def _export_request(args: argparse.Namespace, output: str) -> ExportRequest:
    fmt = "jsonl" if output.endswith(".jsonl") else "csv"
    return ExportRequest(format=fmt, excel=args.excel and fmt == "csv")


def _export_all(db_path: str, request: ExportRequest, output: str) -> int:
    """Every article into `output` (the export after a crawl, and the demo's CSV)."""
    with Store.open_existing(db_path) as store:
        try:
            return export(store, request, output)
        except ExportError as error:
            raise UsageError(str(error)) from error


def _check_output_path(path: str) -> None:
    """The export file a scheduled crawl will write: its folder is made now (like the
    database's), so a typo shows at install time, not in tonight's cron mail."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--export {path}: is a folder, not a file")
    try:
        target.resolve().parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--export {path}: cannot make its folder ({error.strerror})") from error
    if not os.access(target.resolve().parent, os.W_OK):
        raise UsageError(f"--export {path}: cannot write in {str(target.resolve().parent)!r}")


def command_crawl(args: argparse.Namespace) -> int:
    from newsbot.run.health import HealthLimits
    from newsbot.run.lock import CrawlLocked
    from newsbot.run.runner import format_summary, run_crawl

    configs = _selected_sites(args)
    if args.export:
        _check_output_path(args.export)
    limits = HealthLimits(idle_runs=args.idle_runs, max_error_rate=args.max_error_rate)
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
            limits=limits,
            max_time=args.max_time or None,
        )
    except DiskFull as error:
        raise UsageError(str(error)) from error
    except StoreError as error:
        raise UsageError(f"database: {error}") from error
    except CrawlLocked as locked:
        stuck = args.max_time and locked.held_for and locked.held_for > args.max_time + 60
        if stuck:
            # A crawl past its own maximum run time is stuck (or from an older newsbot
            # without one): cron must hear of it, or every run after it stays silent.
            print(f"newsbot: {locked}; it has run for {_spoken(locked.held_for or 0)}, longer "
                  f"than --max-time {_spoken(args.max_time)}: is it stuck?",
                  file=sys.stderr)  # fmt: skip
            return 1
        if args.cron:  # the previous scheduled run is still going: normal, not news
            _log_to_file(args.db, f"skipped: {locked}")
            return 0
        raise UsageError(str(locked)) from locked
    if not args.cron:
        print(format_summary(report))
    for site in report.sites:
        for problem in site.problems:
            print(f"newsbot: {problem}", file=sys.stderr)
    if args.export:
        count = _export_all(args.db, _export_request(args, args.export), args.export)
        if not args.cron:
            print(f"{count} articles exported to {args.export}")
    return 0 if report.healthy else 1


def command_demo(args: argparse.Namespace) -> int:
    from newsbot.demo.server import LocalSite
    from newsbot.demo.site import demo_config, demo_pages
    from newsbot.run.runner import format_summary, run_crawl

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
    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    request = ExportRequest(selection=ArticleFilter(site=config.slug))
    rows = _export_all(args.db, request, args.csv)
    with Store.open_existing(args.db) as store:
        publishers, registrations = store.imprint_counts(config.slug)
    print(
        f"{rows} articles in {args.db}, {publishers} publisher imprints, "
        f"{len(registrations)} registrations"
    )
    print(f"CSV: {args.csv}")
    return 0 if report.healthy else 1


def command_sites(args: argparse.Namespace) -> int:
    if args.which is not None:
        # The spider's and `extract --url`'s rule: one function decides.
        config = config_for_url(bundled_configs().values(), args.which)
        print(config.slug if config else "none")
        return 0
    print(f"{'slug':<22}{'lang':<6}{'on':<4}{'checked':<9}{'discovery':<26}name")
    for config in bundled_configs().values():
        ways = [w for w, urls in (("listing", config.start_urls), ("sitemap", config.sitemaps),
                                  ("feed", config.feeds), ("api", config.api)) if urls]  # fmt: skip
        discovery = "UNSUPPORTED" if config.unsupported else "+".join(ways)
        if config.needs_browser:
            discovery += " (browser)"
        print(
            f"{config.slug:<22}{config.language:<6}{'yes' if config.enabled else 'no':<4}"
            f"{'yes' if config.verified else 'no':<9}{discovery:<26}{config.name}"
        )
    return 0


def command_add_site(args: argparse.Namespace) -> int:
    from newsbot.sites.addsite import ProbeError, add_site

    try:
        written = add_site(args.url, Path(args.output), args.slug, args.max_requests)
    except ProbeError as error:
        raise UsageError(str(error)) from None
    return 0 if written else 1


def command_check_site(args: argparse.Namespace) -> int:
    """A verdict per part of one site's config, from the live site (needs internet)."""
    from newsbot.sites.checksite import check_site
    from newsbot.sites.config import load_config

    if not args.slug and not args.site_file:
        raise UsageError("check-site needs a SLUG or --site-file")
    if args.site_file:
        config = load_config(args.site_file)
    else:
        config = bundled_configs()[require_site(args.slug)]
    fixtures = Path(args.fixture_root) if args.save_fixture else None
    return check_site(config, args.pages, fixtures)


def command_runs(args: argparse.Namespace) -> int:
    with Store.open_existing(args.db) as store:
        runs = store.recent_runs(args.last)
    print(
        f"{'id':>5}  {'started (UTC)':<21}{'status':<13}{'req':>6}{'new':>6}{'upd':>6}"
        f"{'drop':>6}{'err':>6}{'browser':>9}  {'sites':<24}health"
    )
    for run in runs:
        counts = "".join(f"{run[k] or 0:>6}" for k in ("requests", "new", "updated", "dropped",
                                                       "errors"))  # fmt: skip
        health = "; ".join(run["health"]) or ("ok" if run["status"] == "finished" else "-")
        # The peak memory of the browser the run started, if it needed one.
        browser = f"{run['browser_mb']:.0f} MB" if run["browser_mb"] else "-"
        print(
            f"{run['id']:>5}  {run['started_at']:<21}{run['status']:<13}{counts}{browser:>9}  "
            f"{', '.join(run['sites']):<24}{health}"
        )
    return 0


def command_stats(args: argparse.Namespace) -> int:
    with Store.open_existing(args.db) as store:
        summaries = store.site_summaries()
        span, counts = store.articles_per_day(args.days)
        pages, failed = store.page_counts()
    print(
        f"{'site':<22}{'articles':>9}{'title':>7}{'body':>7}{'date':>7}{'imprints':>9}"
        f"{'regs':>6}  {'last success (UTC)':<22}last run"
    )
    for s in summaries:
        cover = "".join(f"{s.coverage.get(k, 0):>7.0%}" for k in ("title", "body", "published_at"))
        last = "-" if s.last_run is None else f"{s.last_run} {s.last_status}"
        if s.last_problems:
            last += ": " + "; ".join(p.split(": ", 1)[-1] for p in s.last_problems)
        print(
            f"{s.site:<22}{s.articles:>9}{cover}{s.publishers:>9}{s.registrations:>6}  "
            f"{s.last_success or '-':<22}{last}"
        )
    if span:
        print(f"\narticles per publication day (site's own calendar), {span[0]} to {span[-1]}")
        print(f"{'site':<22}" + "".join(f"{d:%d.%m}".rjust(6) for d in span))
        for site, series in counts.items():
            print(f"{site:<22}" + "".join(f"{n or '.':>6}" for n in series))
    print(f"\npages fetched: {pages} ({failed} failed)")
    return 0


def command_export(args: argparse.Namespace) -> int:
    from pipelines.export import count_rows, parse_columns

    since, until = _since(args.since), _since(args.until)
    if since and until and since >= until:
        raise UsageError("--since must be before --until")
    if args.table != "articles" and (since or until or args.query):
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


def command_cron(args: argparse.Namespace) -> int:
    from newsbot.run import schedule

    for slug in args.slugs:
        require_site(slug)
    if args.export:
        _check_output_path(args.export)
    try:
        job = schedule.job_for(args.db, args.slugs, every=args.every, at=args.at,
                               export=args.export, excel=args.excel)  # fmt: skip
        line = job.line()
        if args.action == "show":
            print(line)
            program = schedule.crontab_program()
            if program:
                current = schedule.installed_line(schedule.read_crontab(program), job)
                state = "not installed" if current is None else (
                    "installed" if current == line else f"installed differently: {current}")  # fmt: skip
                print(f"# {state}")
            else:
                print("# no crontab program on this machine")
            return 0
        program = schedule.require_crontab()
        table = schedule.read_crontab(program)
        if args.action == "install":
            schedule.write_crontab(program, schedule.with_job(table, job))
            print(f"installed: {line}")
        else:
            if schedule.installed_line(table, job) is None:
                print(f"no newsbot line for {job.db} in the crontab; nothing removed")
                return 0
            schedule.write_crontab(program, schedule.without_job(table, job))
            print(f"removed the newsbot line for {job.db}")
    except schedule.ScheduleError as error:
        raise UsageError(str(error)) from error
    return 0


def command_report(args: argparse.Namespace) -> int:
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


def command_reprocess(args: argparse.Namespace) -> int:
    from newsbot.run.lock import CrawlLocked, crawl_lock
    from newsbot.run.reprocess import ReprocessReport, reprocess
    from newsbot.sites.config import load_config

    configs = dict(bundled_configs())
    for path in args.site_file or []:
        config = load_config(path)
        configs[config.slug] = config
    Store.open_existing(args.db).close()  # a missing file: a clear error
    store = Store.open(args.db)  # a read-only one too
    if args.site:
        require_site(args.site, set(configs) | store.known_sites())

    stored = store.sites_with_pages("article")
    for slug in sorted(stored - set(configs)):
        if not args.site or args.site == slug:
            print(f"newsbot: no config for site {slug} (pass --site-file): read with defaults",
                  file=sys.stderr)  # fmt: skip

    progress = Counter("pages", every=50)

    def on_page(report: ReprocessReport) -> None:
        progress(report.pages, f", {report.changed} changed")

    try:
        with crawl_lock(args.db):
            result = reprocess(store, configs, site=args.site, workers=args.workers,
                               on_page=on_page)  # fmt: skip
    except CrawlLocked as locked:
        raise UsageError(f"{locked}; reprocess after it ends") from locked
    finally:
        progress.done()
        store.close()
    print(
        f"{result.pages} pages reprocessed: {result.changed} articles changed, "
        f"{result.unchanged} unchanged, {result.failed} failed"
    )
    if result.first_failure:
        print(f"newsbot: first failure: {result.first_failure}", file=sys.stderr)
    return 0 if not result.failed else 1


def command_reprints(args: argparse.Namespace) -> int:
    from newsbot.cli.reprints import run_reprints
    from newsbot.run.lock import CrawlLocked, crawl_lock
    from pipelines.store import ReprintFilter

    since = _since(args.since)
    with Store.open_existing(args.db) as store:
        if args.site:
            require_site(args.site, store.known_sites())
        selection = ReprintFilter(site=args.site, since=utc_iso(since) if since else None,
                                  uncredited=args.uncredited)  # fmt: skip
        if not args.rebuild:
            return run_reprints(store, selection, rebuild=False)
    progress = Counter("articles indexed", every=1000)
    try:
        with crawl_lock(args.db), Store.open(args.db) as store:
            return run_reprints(store, selection, rebuild=True, progress=progress)
    except CrawlLocked as locked:
        raise UsageError(f"{locked}; rebuild after it ends") from locked
    finally:
        progress.done()


def command_browse(args: argparse.Namespace) -> int:
    from newsbot.browse.server import BrowseError, serve

    try:
        return serve(args.db, host=args.host, port=args.port)
    except BrowseError as error:
        raise UsageError(str(error)) from error


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    crawl.add_argument(
        "--limit", type=_whole(1, MAX_COUNT), metavar="N", help="at most N articles per site"
    )
    crawl.add_argument("--refresh", action="store_true", help="fetch known articles again")
    crawl.add_argument(
        "--workers",
        type=_whole(0, MAX_WORKERS),
        metavar="N",
        help="extraction processes (0: in the crawl process; default 2)",
    )
    crawl.add_argument(
        "--cron",
        action="store_true",
        help="as run from cron: no summary, only health failures on stderr, "
        "and a quiet exit when another crawl holds the database",
    )
    crawl.add_argument("--export", metavar="FILE", help="after the crawl, export all articles "
                       "(.jsonl: JSON lines; otherwise CSV)")  # fmt: skip
    crawl.add_argument("--excel", action="store_true", help="the --export CSV for Excel")
    crawl.add_argument("--max-time", type=_duration, default=3 * 3600.0, metavar="DURATION",
                       help="end the crawl after this long, as interrupted, keeping its place "
                       "for the next run (3h, 90m...; 0: no limit; default 3h)")  # fmt: skip
    crawl.add_argument("--idle-runs", type=_whole(1, 1000), default=6, metavar="N",
                       help="a site with no new article in N runs in a row fails (default 6)")  # fmt: skip
    crawl.add_argument("--max-error-rate", type=_share, default=0.2, metavar="SHARE",
                       help="a site whose failed requests exceed this share fails (default 0.2)")  # fmt: skip
    crawl.set_defaults(handler=command_crawl)

    extract = commands.add_parser("extract", help="print the article record of one saved page")
    extract.add_argument("page", help="HTML file, or - for standard input")
    extract.add_argument("--url", help="the URL the page was fetched from")
    extract.add_argument("--site", help="site slug whose config applies")
    extract.set_defaults(handler=command_extract)

    export = commands.add_parser("export", help="articles (or imprints) as CSV or JSON lines")
    export.add_argument("--db", default=DEFAULT_DB)
    export.add_argument("--table", choices=("articles", "publishers", "registrations", "reprints"),
                        default="articles")  # fmt: skip
    export.add_argument("--site", metavar="SLUG")
    export.add_argument("--since", metavar="DATE", help="published at or after (Asia/Almaty "
                        "unless an offset is given)")  # fmt: skip
    export.add_argument("--until", metavar="DATE", help="published before")
    export.add_argument("--query", metavar="TEXT", help='full-text search over title, lead and '
                        'body; finds word forms ("налог" finds "налогов"); OR, NOT, "phrases"')  # fmt: skip
    export.add_argument("--columns", metavar="A,B,...", help="only these columns, in this order")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--excel", action="store_true",
                        help="CSV for Excel: BOM, ';', formula-safe cells, cut long cells")  # fmt: skip
    export.add_argument("--delimiter", metavar="CHAR", help="CSV delimiter (default ',', "
                        "with --excel ';')")  # fmt: skip
    export.add_argument("-o", "--output", default="-", metavar="FILE", help="file, or - for stdout")
    export.set_defaults(handler=command_export)

    demo = commands.add_parser("demo", help="crawl the bundled offline demo site")
    demo.add_argument("--db", default="data/demo.db")
    demo.add_argument("--csv", default="data/demo.csv")
    demo.add_argument(
        "--port",
        type=_whole(1, 65535),
        default=DEMO_PORT,
        help="port on 127.0.0.1 for the demo site",
    )
    demo.set_defaults(handler=command_demo)

    sites = commands.add_parser("sites", help="list the bundled site configs")
    sites.add_argument(
        "--which", metavar="URL", type=_http_url, help="the edition that takes URL as an article"
    )
    sites.set_defaults(handler=command_sites)

    add = commands.add_parser("add-site", help="write site configs from a home page")
    add.add_argument("url", type=_http_url, help="the site's home page")
    add.add_argument("-o", "--output", default=".", metavar="DIR", help="where to write")
    add.add_argument("--slug", type=_slug, help="slug (an edition suffix is added)")
    add.add_argument("--max-requests", type=_whole(5, 1000), default=60)
    add.set_defaults(handler=command_add_site)

    check = commands.add_parser("check-site", help="live check of one site (needs internet)")
    check.add_argument("slug", nargs="?", help="a bundled site")
    check.add_argument("--site-file", metavar="FILE.toml", help="or a site config file")
    check.add_argument("--pages", type=_whole(1, 1000), default=5, help="articles to fetch")
    check.add_argument(
        "--save-fixture", action="store_true", help="save the sampled pages as test fixtures"
    )
    check.add_argument(
        "--fixture-root",
        default="tests/fixtures",
        metavar="DIR",
        help="where --save-fixture writes",
    )
    check.set_defaults(handler=command_check_site)

    runs = commands.add_parser("runs", help="recent crawl runs and their health")
    runs.add_argument("--db", default=DEFAULT_DB)
    runs.add_argument("--last", type=_whole(1, MAX_COUNT), default=20)
    runs.set_defaults(handler=command_runs)

    stats = commands.add_parser("stats", help="per site: articles, coverage, last success")
    stats.add_argument("--db", default=DEFAULT_DB)
    stats.add_argument(
        "--days", type=_whole(1, MAX_DAYS), default=14, help="days of the per-day table"
    )
    stats.set_defaults(handler=command_stats)

    cron = commands.add_parser("cron", help="show, install or remove the crontab line")
    cron.add_argument("action", choices=("show", "install", "remove"))
    cron.add_argument("slugs", nargs="*", metavar="SLUG", help="sites (default: every enabled)")
    cron.add_argument("--db", default=DEFAULT_DB, type=_crontab_safe)
    timing = cron.add_mutually_exclusive_group()
    timing.add_argument("--every", help="15m, 30m, 1h, 2h, 3h, 4h, 6h or 12h (default 1h)")
    timing.add_argument("--at", metavar="HH:MM", help="once a day at this time (machine's clock)")
    cron.add_argument("--export", metavar="FILE", type=_crontab_safe,
                      help="export all articles after each crawl")  # fmt: skip
    cron.add_argument("--excel", action="store_true", help="the export as CSV for Excel")
    cron.set_defaults(handler=command_cron)

    report = commands.add_parser("report", help="one self-contained HTML report")
    report.add_argument("--db", default=DEFAULT_DB)
    report.add_argument("-o", "--output", default="data/report.html", metavar="FILE")
    report.add_argument("--days", type=_whole(1, MAX_DAYS), default=30, help="days in the chart")
    report.set_defaults(handler=command_report)

    reprocess = commands.add_parser(
        "reprocess", help="extract stored pages again (no fetching), on every core"
    )
    reprocess.add_argument("--db", default=DEFAULT_DB)
    reprocess.add_argument("--site", metavar="SLUG")
    reprocess.add_argument("--site-file", action="append", metavar="FILE.toml",
                           help="config of a site not bundled (its selectors)")  # fmt: skip
    reprocess.add_argument(
        "--workers", type=_whole(1, MAX_WORKERS), metavar="N", help="processes (default: cores)"
    )
    reprocess.set_defaults(handler=command_reprocess)

    reprints = commands.add_parser("reprints", help="who reprints whom: originals, their "
                                   "reach and their copies")  # fmt: skip
    reprints.add_argument("--db", default=DEFAULT_DB)
    reprints.add_argument("--site", metavar="SLUG", help="originals or copies of this site")
    reprints.add_argument("--since", metavar="DATE", help="originals published at or after")
    reprints.add_argument("--uncredited", action="store_true",
                          help="only copies that do not name the original's outlet")  # fmt: skip
    reprints.add_argument("--rebuild", action="store_true",
                          help="index every stored article again first")  # fmt: skip
    reprints.set_defaults(handler=command_reprints)

    browse = commands.add_parser("browse", help="search and filter the database in Datasette "
                                 "(read-only)")  # fmt: skip
    browse.add_argument("--db", default=DEFAULT_DB)
    browse.add_argument("--host", default="127.0.0.1", help="address to listen on "
                        "(default 127.0.0.1: this machine only)")  # fmt: skip
    browse.add_argument("--port", type=_whole(1, 65535), default=8001)
    browse.set_defaults(handler=command_browse)
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

