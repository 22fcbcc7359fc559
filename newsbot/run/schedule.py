"""`newsbot cron`: one crontab line per database, managed through `crontab -l` and
`crontab -` so every other line of the user's table stays as it was.

The line runs `newsbot crawl --cron`, which takes the database's crawl lock (an
overlapping run exits quietly), logs to data/logs/ and prints only health failures,
which is what cron mails.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The minute hourly-and-longer schedules start at: off the top of the hour, when every
# other cron job on the machine (and many crawlers on the sites) start.
START_MINUTE = 17
EVERY = {
    "15m": "*/15 * * * *",
    "30m": "*/30 * * * *",
    "1h": f"{START_MINUTE} * * * *",
    "2h": f"{START_MINUTE} */2 * * *",
    "3h": f"{START_MINUTE} */3 * * *",
    "4h": f"{START_MINUTE} */4 * * *",
    "6h": f"{START_MINUTE} */6 * * *",
    "12h": f"{START_MINUTE} */12 * * *",
}
DEFAULT_EVERY = "1h"
MARKER = "# newsbot-cron:"
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(Exception):
    """A schedule that cannot be written or installed: one line, exit code 2."""


@dataclass(frozen=True)
class Job:
    db: Path  # absolute
    project: Path  # absolute: the folder the job runs in
    python: str  # absolute: the interpreter that has newsbot installed
    slugs: tuple[str, ...] = ()
    every: str | None = None
    at: str | None = None
    export: Path | None = None
    excel: bool = False

    def timing(self) -> str:
        if self.at:
            match = _AT.match(self.at)
            if not match:
                raise ScheduleError(f"--at {self.at!r}: give a time as HH:MM, e.g. 02:30")
            return f"{int(match[2])} {int(match[1])} * * *"
        every = self.every or DEFAULT_EVERY
        if every not in EVERY:
            raise ScheduleError(f"--every {every!r}: one of {', '.join(EVERY)}")
        return EVERY[every]

    def tag(self) -> str:
        return f"{MARKER}{self.db}"

    def line(self) -> str:
        command = [self.python, "-m", "newsbot", "crawl", "--cron", "--db", str(self.db)]
        if self.export:
            command += ["--export", str(self.export)] + (["--excel"] if self.excel else [])
        command += list(self.slugs)
        # Then the watches' new matches, whatever the crawl's verdict (it stored what it
        # could): `;`, not `&&`. Quiet unless a delivery failed, like the crawl.
        watches = [self.python, "-m", "newsbot", "watch", "run", "--cron", "--db", str(self.db)]
        shell = (
            f"cd {shlex.quote(str(self.project))} && "
            f"{{ {shlex.join(command)}; {shlex.join(watches)}; }}"
        )
        # In a crontab, % ends the command unless escaped.
        shell = shell.replace("%", "\\%")
        return f"{self.timing()} {shell} {self.tag()}"


def job_for(
    db: str,
    slugs: Sequence[str] = (),
    *,
    every: str | None = None,
    at: str | None = None,
    export: str | None = None,
    excel: bool = False,
) -> Job:
    if every and at:
        raise ScheduleError("give --every or --at, not both")
    project = str(Path.cwd())
    python = os.path.abspath(sys.executable)
    for name, value in (("--db", db), ("--export", export or ""), ("the current folder", project),
                        ("the Python interpreter", python), *(("SLUG", s) for s in slugs)):  # fmt: skip
        refuse_control_characters(name, value)
    return Job(
        # Resolved: the line and its tag name the database's real path, so a symlink or
        # `a/../a/news.db` finds the line already there instead of adding a second one.
        db=Path(os.path.realpath(db)),
        project=Path(project),
        # Not resolved: a venv's python is a symlink, and resolving it leaves the venv.
        python=python,
        slugs=tuple(slugs),
        every=every,
        at=at,
        export=Path(os.path.abspath(export)) if export else None,
        excel=excel,
    )


def refuse_control_characters(name: str, value: str) -> None:
    """A newline in a path would end the crontab line and start one of the path's choosing;
    shlex quotes spaces and quotes, but not line ends, which cron reads before any shell."""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise ScheduleError(f"{name} {value!r}: control characters cannot go into a crontab line")


# --- the table: pure text in, text out --------------------------------------------------


def with_job(table: str, job: Job) -> str:
    """The table with this database's line put in (replacing an older one in place)."""
    lines = table.splitlines()
    mine = [i for i, line in enumerate(lines) if line.endswith(job.tag())]
    if mine:
        lines[mine[0]] = job.line()
        lines = [line for i, line in enumerate(lines) if i not in mine[1:]]
    else:
        lines.append(job.line())
    return "\n".join(lines) + "\n"


def without_job(table: str, job: Job) -> str:
    lines = [line for line in table.splitlines() if not line.endswith(job.tag())]
    return "\n".join(lines) + "\n" if lines else ""


def installed_line(table: str, job: Job) -> str | None:
    return next((line for line in table.splitlines() if line.endswith(job.tag())), None)


# --- the crontab program -----------------------------------------------------------------


def crontab_program() -> str | None:
    return shutil.which("crontab")


def read_crontab(program: str) -> str:
    result = subprocess.run([program, "-l"], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return result.stdout
    if "no crontab" in result.stderr.lower():
        return ""
    raise ScheduleError(f"crontab -l failed: {result.stderr.strip() or result.returncode}")


def write_crontab(program: str, table: str) -> None:
    result = subprocess.run(
        [program, "-"], input=table, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ScheduleError(f"crontab - failed: {result.stderr.strip() or result.returncode}")


def require_crontab() -> str:
    program = crontab_program()
    if program is None:
        raise ScheduleError(
            "no crontab program on PATH (Debian: apt-get install cron); "
            "`newsbot cron show` prints the line to add by other means"
        )
    return program
