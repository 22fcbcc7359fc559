"""A crawl that would never end ends at --max-time, and a crawl stuck past it is
reported by the next cron run instead of silencing every one after it."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from newsbot.demo.server import LocalSite
from newsbot.run.lock import lock_path
from tests.crawlsite import paged_site_pages, query, run_crawl, write_site_file


def test_a_crawl_ends_at_its_maximum_run_time_as_interrupted(tmp_path: Path):
    # 200 articles at half a second each, one at a time: over a minute and a half of work.
    with LocalSite(paged_site_pages(200, 50, delay=0.5)) as site:
        site_file = write_site_file(tmp_path, site, concurrency=1)
        db = tmp_path / "news.db"
        started = time.monotonic()
        result = run_crawl(db, site_file, extra=("--max-time", "3s"))
        took = time.monotonic() - started
    assert result.returncode == 1
    assert "testsite: the run did not finish (interrupted)" in result.stderr
    assert took < 40  # not the 100 s the whole site would take
    ((status, note),) = query(db, "SELECT status, note FROM runs")
    assert (status, note) == ("interrupted", "stopped at the maximum run time: testsite")
    ((cursor,),) = query(db, "SELECT cursor_url FROM site_state WHERE site = 'testsite'")
    assert cursor and cursor.startswith(site.base_url + "/news/")
    assert 0 < query(db, "SELECT count(*) FROM articles")[0][0] < 200


def hold_lock(db: Path, started: float):
    """Hold the database's crawl lock as a crawl started at `started` would."""
    handle = open(lock_path(str(db)), "w", encoding="ascii")  # noqa: SIM115
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    handle.write(f"{os.getpid()} {started:.0f}")
    handle.flush()
    return handle


def test_cron_reports_a_crawl_stuck_past_its_maximum_run_time(tmp_path: Path):
    db = tmp_path / "news.db"
    with LocalSite(paged_site_pages(3, 3)) as site:
        site_file = write_site_file(tmp_path, site)
        with hold_lock(db, int(time.time()) - 4 * 3600):
            stuck = run_crawl(db, site_file, extra=("--cron", "--max-time", "3h"))
        with hold_lock(db, time.time() - 600):
            running = run_crawl(db, site_file, extra=("--cron", "--max-time", "3h"))
    assert stuck.returncode == 1
    assert stuck.stderr == (
        f"newsbot: another crawl (pid {os.getpid()}) is running on {db}; not starting a "
        "second; it has run for 4h 00m, longer than --max-time 3h 00m: is it stuck?\n"
    )
    assert (running.returncode, running.stdout, running.stderr) == (0, "", "")


def test_a_bad_maximum_run_time_is_one_line(capsys):
    from newsbot.cli import main

    assert main(["crawl", "--max-time", "forever"]) == 2
    assert capsys.readouterr().err == (
        "newsbot: argument --max-time: 'forever' is not a duration (like 3h, 90m, 45s) "
        "(see `newsbot crawl --help`)\n"
    )
