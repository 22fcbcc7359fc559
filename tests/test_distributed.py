"""A distributed crawl end to end, every part a real process: a redis-server on a free
loopback port, the demo site answering each page after a delay, crawl workers
(`newsbot crawl --frontier`) and the writer (`newsbot ingest`). What it stores is what a
single-process `newsbot crawl` of the same site stores; a stopped writer holds the
workers back, not the run; a Redis restarted empty ends the run interrupted, and the
next run completes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbot.demo.distributed import demo_site_file, slow_demo_site
from newsbot.demo.server import LocalSite
from newsbot.frontier import keys
from newsbot.frontier.publish import connect, current_run
from tests.support.frontier import start_worker, worker_env

ROOT = Path(__file__).resolve().parent.parent
DEMO_ARTICLES = 42
# Columns that say when or in which order a crawl wrote, not what it found.
WRITE_ORDER = {
    "articles": ("fetched_at", "first_seen_at", "run_id"),
    # hints: what the discovery that reached the URL first knew (a sitemap's lastmod, or
    # nothing from a listing): which came first depends on which answered first.
    "pages": ("fetched_at", "run_id", "hint_date", "hints"),
    # source_url: the first page that named the publisher, whichever was fetched first.
    "publishers": ("id", "first_seen_at", "last_seen_at", "source_url"),
    "registrations": ("id", "first_seen_at", "last_seen_at", "publisher_id"),
    "reprints": ("found_at",),
}


def stored(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What a crawl found: articles, the pages log, publishers, registrations, reprints."""
    connection = sqlite3.connect(db)
    try:
        rows = {}
        for table, skipped in WRITE_ORDER.items():
            cursor = connection.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            kept = [i for i, name in enumerate(names) if name not in skipped]
            rows[table] = sorted((tuple(r[i] for i in kept) for r in cursor), key=repr)
        return rows
    finally:
        connection.close()


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def newsbot(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsbot.cli", *args]


def env(**extra: str) -> dict[str, str]:
    return {**worker_env(heartbeat=2.0), "PYTHONPATH": str(ROOT), **extra}


def start_writer(url: str, db: Path, site_file: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        newsbot("ingest", "--from", url, "--db", str(db), "--site-file", str(site_file)),
        cwd=db.parent,
        env=env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_workers(
    url: str, folder: Path, count: int, **extra: str
) -> list[subprocess.Popen[bytes]]:
    return [
        start_worker(url, log=folder / f"worker-{n}.log", env=env(**extra)) for n in range(count)
    ]


def finish(writer: subprocess.Popen[str], workers: list[subprocess.Popen[bytes]]) -> str:
    """The writer's output once the run is over; the workers stopped with it."""
    try:
        stdout, stderr = writer.communicate(timeout=120)
        for worker in workers:
            worker.wait(60)
    finally:
        for process in (writer, *workers):
            if process.poll() is None:
                process.kill()
                process.wait()
    assert writer.returncode == 0, stdout + stderr
    assert [worker.returncode for worker in workers] == [0] * len(workers)
    return stdout


def article_requests(site: LocalSite, since: int = 0) -> list[str]:
    return [path for path in site.requests[since:] if path.endswith(".html") and "/news/" in path]


@pytest.fixture
def demo_site(tmp_path: Path) -> Iterator[tuple[LocalSite, Path]]:
    with slow_demo_site(0.1) as site:
        yield site, demo_site_file(tmp_path, site.port)


def test_three_workers_and_a_writer_store_what_one_crawl_stores(
    redis_server: Any, tmp_path: Path, demo_site: tuple[LocalSite, Path]
) -> None:
    site, site_file = demo_site
    single = tmp_path / "single.db"
    subprocess.run(
        newsbot("crawl", "--db", str(single), "--site-file", str(site_file), "--workers", "0"),
        cwd=tmp_path, env=env(), check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    site.requests.clear()

    db = tmp_path / "news.db"
    writer = start_writer(redis_server.url, db, site_file)
    out = finish(writer, start_workers(redis_server.url, tmp_path, 3))
    assert "run 1: finished" in out
    fetched = article_requests(site)
    assert len(fetched) == DEMO_ARTICLES
    assert len(set(fetched)) == DEMO_ARTICLES, "every article fetched exactly once"
    assert stored(db) == stored(single)

    # The next run fetches only what can have changed: listings, feeds, sitemaps, imprint
    # (one worker is enough to show it, and starts quicker than three).
    before = len(site.requests)
    writer = start_writer(redis_server.url, db, site_file)
    out = finish(writer, start_workers(redis_server.url, tmp_path, 1))
    assert "run 2: finished" in out
    assert article_requests(site, before) == []
    assert any(path.startswith("/news/") for path in site.requests[before:])


def test_a_stopped_writer_holds_the_workers_back_and_the_run_completes_when_it_goes_on(
    redis_server: Any, tmp_path: Path
) -> None:
    # Answers as fast as the other tests': each push reports the outbox's length, so a
    # worker pauses at the bound, not a heartbeat later.
    with slow_demo_site(0.1) as site:
        _run_with_the_writer_stopped(redis_server, tmp_path, demo_site_file(tmp_path, site.port))


def _run_with_the_writer_stopped(redis_server: Any, tmp_path: Path, site_file: Path) -> None:
    client = connect(redis_server.url)
    bound, workers_count = 8, 2
    db = tmp_path / "news.db"
    writer = start_writer(redis_server.url, db, site_file)
    wait_for(lambda: current_run(client), "the run to open")
    writer.send_signal(signal.SIGSTOP)
    workers = start_workers(
        redis_server.url, tmp_path, workers_count, NEWSBOT_OUTBOX_MAX=str(bound)
    )
    most = 0
    watching = True

    def watch() -> None:
        nonlocal most
        watcher = connect(redis_server.url)
        while watching:
            most = max(most, int(watcher.llen(keys.OUTBOX)))
            time.sleep(0.02)

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        wait_for(lambda: client.llen(keys.OUTBOX) >= bound, "records to pile up")
        time.sleep(6)  # several heartbeats of paused workers
        held = int(client.llen(keys.OUTBOX))
    finally:
        writer.send_signal(signal.SIGCONT)
    out = finish(writer, workers)
    watching = False
    thread.join()
    # Paused above the bound: at most what each worker had in hand (its concurrent
    # requests) comes on top of it.
    assert bound <= held and most <= bound + 16 * workers_count, (held, most)
    assert most < DEMO_ARTICLES, "the workers did not crawl the whole site meanwhile"
    assert "run 1: finished" in out
    count = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == DEMO_ARTICLES


def test_redis_restarted_empty_ends_the_run_interrupted_and_the_next_run_completes(
    redis_server: Any, tmp_path: Path, demo_site: tuple[LocalSite, Path]
) -> None:
    site, site_file = demo_site
    db = tmp_path / "news.db"
    writer = start_writer(redis_server.url, db, site_file)
    workers = start_workers(redis_server.url, tmp_path, 2)
    try:
        wait_for(lambda: len(article_requests(site)) >= 5, "the crawl to get going")
        redis_server.restart()
        _, stderr = writer.communicate(timeout=90)
        for worker in workers:
            worker.wait(90)
    finally:
        for process in (writer, *workers):
            if process.poll() is None:
                process.kill()
                process.wait()
    assert writer.returncode == 1
    assert "Traceback" not in stderr
    assert [line for line in stderr.splitlines() if "interrupted:" in line] == [
        f"newsbot: run 1 interrupted: run 1 vanished from {redis_server.url} "
        "(Redis restarted without persistence?)"
    ]
    status = sqlite3.connect(db).execute("SELECT status FROM runs WHERE id = 1").fetchone()[0]
    assert status == "interrupted"
    for n in range(2):
        log = (tmp_path / f"worker-{n}.log").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log

    writer = start_writer(redis_server.url, db, site_file)
    out = finish(writer, start_workers(redis_server.url, tmp_path, 2))
    assert "run 2: finished" in out
    count = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == DEMO_ARTICLES


def test_a_worker_killed_mid_run_loses_no_article(redis_server: Any, tmp_path: Path) -> None:
    # Slow answers (0.5 s): the worker is killed with most of the site still to fetch.
    with slow_demo_site(0.5) as site:
        _kill_a_worker_mid_run(redis_server, tmp_path, site, demo_site_file(tmp_path, site.port))


def _kill_a_worker_mid_run(
    redis_server: Any, tmp_path: Path, site: LocalSite, site_file: Path
) -> None:
    client = connect(redis_server.url)
    db = tmp_path / "news.db"
    writer = start_writer(redis_server.url, db, site_file)
    workers = start_workers(redis_server.url, tmp_path, 2)
    # The site's lease names the worker crawling it: "host:pid:random".
    holder = wait_for(lambda: client.get(keys.lease("demo")), "a worker to take the site")
    wait_for(lambda: len(article_requests(site)) >= 5, "the crawl to get going")
    victim = next(w for w in workers if w.pid == int(holder.decode().split(":")[1]))
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    assert len(set(article_requests(site))) < DEMO_ARTICLES, "killed mid-run"
    survivors = [w for w in workers if w is not victim]
    out = finish(writer, survivors)
    assert "run 1: finished" in out
    count = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == DEMO_ARTICLES
    fetched = article_requests(site)
    assert set(fetched) == {p for p in site.pages if p.endswith(".html") and "/news/" in p}
    # At most what the killed worker had in flight (16 requests at a time) came twice.
    assert len(fetched) - DEMO_ARTICLES <= 16
