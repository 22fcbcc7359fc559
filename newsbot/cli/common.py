"""What every command shares: the one-line error, the argument types with their ranges,
the `--db` option, site slugs, dates typed on the command line, the crawl log."""

from __future__ import annotations

import argparse
import math
import os
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

from newsbot.sites.config import bundled_configs
from pipelines.export import ExportError, ExportRequest, export
from pipelines.store import Store, read_only_mode

DEFAULT_DB = "data/news.db"
# Upper bounds of the numeric arguments: far above any real use, low enough that a typo
# (--days 1000000) gets an answer instead of a traceback or an hour of work.
MAX_DAYS = 3650
MAX_COUNT = 1_000_000
MAX_WORKERS = 64
MAX_RUN_TIME = 7 * 24 * 3600


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse whose mistakes are one line like every other bad input (its own answer is
    the whole usage text), raised for `main` to print rather than exiting the process."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def add_db_option(
    parser: argparse.ArgumentParser,
    default: str = DEFAULT_DB,
    parse: Callable[[str], str] = str,
) -> None:
    """`--db`, declared once for every command that opens a database."""
    parser.add_argument("--db", default=default, type=parse, help=f"database (default {default})")


def add_run_options(parser: argparse.ArgumentParser, what: str) -> None:
    """The options of a run, for the commands that open one: `newsbot crawl` and a
    distributed crawl's writer, `newsbot ingest` (`what` names it in the help)."""
    parser.add_argument(
        "slugs", nargs="*", metavar="SLUG", help="bundled sites (default: every enabled one)"
    )
    parser.add_argument("--all", action="store_true", help="every enabled bundled site")
    parser.add_argument(
        "--site-file", action="append", metavar="FILE.toml", help="a site config file"
    )
    add_db_option(parser)
    parser.add_argument("--since", metavar="DATE", help="skip articles dated before this")
    parser.add_argument(
        "--limit", type=whole(1, MAX_COUNT), metavar="N", help="at most N articles per site"
    )
    parser.add_argument("--refresh", action="store_true", help="fetch known articles again")
    parser.add_argument(
        "--cron",
        action="store_true",
        help="as run from cron: no summary, only health failures on stderr, "
        "and a quiet exit when another crawl holds the database",
    )
    parser.add_argument(
        "--max-time",
        type=duration,
        default=3 * 3600.0,
        metavar="DURATION",
        help=f"end the {what} after this long, as interrupted, keeping each site's place "
        "for the next run (3h, 90m...; 0: no limit; default 3h)",
    )
    parser.add_argument(
        "--idle-runs",
        type=whole(1, 1000),
        default=6,
        metavar="N",
        help="a site with no new article in N runs in a row fails (default 6)",
    )
    parser.add_argument(
        "--max-error-rate",
        type=share,
        default=0.2,
        metavar="SHARE",
        help="a site whose failed requests exceed this share fails (default 0.2)",
    )


def whole(least: int, most: int) -> Callable[[str], int]:
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


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


def duration(text: str) -> float:
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


def spoken(seconds: float) -> str:
    """3h 05m, 45m, 30s: a duration for a message."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m" if minutes else f"{secs}s"


def share(text: str) -> float:
    """An argparse type: a share from 0 to 1 (nan and inf are not shares)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1")
    return value


def http_url(text: str) -> str:
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


def slug(text: str) -> str:
    """An argparse type: a slug as site configs spell them."""
    if not re.match(r"^[a-z0-9_]{1,60}$", text):
        raise argparse.ArgumentTypeError(f"{text!r}: a slug is lower-case letters, digits and _")
    return text


def crontab_safe(text: str) -> str:
    """An argparse type for what `cron` writes into the crontab line, refused before any
    folder is made for it."""
    from newsbot.run.schedule import ScheduleError, refuse_control_characters

    try:
        refuse_control_characters("", text)
    except ScheduleError as error:
        raise argparse.ArgumentTypeError(str(error).strip()) from None
    return text


def require_site(slug: str, known: Iterable[str] | None = None) -> str:
    """A site slug the user typed: bundled (or in `known`), or a one-line error."""
    if slug not in set(bundled_configs()) | set(known or ()):
        raise UsageError(f"unknown site {slug!r} (see `newsbot sites`)")
    return slug


def parse_since(text: str | None) -> datetime | None:
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


def require_writable(db_path: str, command: str) -> None:
    """A command that writes the database, refused on read-only media before it starts
    (SQLite's own answer there is "unable to open database file")."""
    if read_only_mode(db_path):
        raise UsageError(
            f"{db_path}: is read-only, and {command} writes to it: copy it somewhere writable"
        )


def log_file(db_path: str) -> str:
    """The crawl log beside the database."""
    return str(Path(db_path).resolve().parent / "logs" / "newsbot.log")


def log_to_file(db_path: str, message: str) -> None:
    """One line in the crawl log, for what happens before a crawl has its logging."""
    path = Path(log_file(db_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"{stamp} [newsbot] INFO: {message}\n")


def export_all(db_path: str, request: ExportRequest, output: str) -> int:
    """Every article into `output` (the export after a crawl, and the demo's CSV)."""
    with Store.open_existing(db_path) as store:
        try:
            return export(store, request, output)
        except ExportError as error:
            raise UsageError(str(error)) from error


def check_output_path(path: str) -> None:
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
