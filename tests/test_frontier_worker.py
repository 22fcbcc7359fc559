"""Crawl workers on a shared Redis frontier (newsbot/frontier/): the reliable queue, the
URL-key duplicate filter and JSON requests against a real redis-server, and real
`newsbot crawl --frontier` subprocesses crawling a local site that answers slowly.

The writer's side (`newsbot ingest`) is not run here: the tests publish the run as it
does (tests/support/frontier.py) and read the outbox back themselves.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import scrapy

from newsbot.cli import main
from newsbot.demo.server import LocalSite, Page
from newsbot.frontier import keys, serializer
from newsbot.frontier.budgets import SharedBudgets
from newsbot.frontier.coordinator import PARENT, Frontier, HandOn, report_stats
from newsbot.frontier.dupefilter import UrlKeyDupeFilter, url_key
from newsbot.frontier.history import read_history
from newsbot.frontier.queue import FRONTIER_ID, ReliableQueue
from tests.crawlsite import paged_site_pages, write_site_file
from tests.support.frontier import drain, publish_run, start_worker, worker_env

SITE = "testsite"
ARTICLE = re.compile(r"^/news/\d+-item\.html$")


class QueueSpider(scrapy.Spider):
    name = SITE

    def parse(self, response: Any) -> None:  # the callback requests name
        pass


def wait_for(condition: Callable[[], Any], seconds: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture
def client(redis_server: Any) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_server.url)
    yield connection
    connection.close()


def queue_of(connection: redis.Redis, worker: str) -> ReliableQueue:
    return ReliableQueue(connection, QueueSpider(), keys.QUEUE_PATTERN, serializer, worker=worker)


# --- units, real Redis ---------------------------------------------------------------------


class Planted:
    """What a pickle in the queue would run if a worker unpickled it."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self) -> Any:
        return (Path.write_text, (self.path, "executed"))


def test_a_pickle_in_the_queue_is_refused_not_executed(client: redis.Redis, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    client.zadd(keys.queue(SITE), {pickle.dumps(Planted(marker)): -100})
    queue = queue_of(client, "w1")
    queue.push(scrapy.Request("http://127.0.0.1/news/1-a.html", callback=QueueSpider().parse))
    request = queue.pop()
    # The pickle came first (a higher priority) and was dropped unread.
    assert request is not None and request.url == "http://127.0.0.1/news/1-a.html"
    assert request.callback.__name__ == "parse"
    assert not marker.exists()
    assert queue.refused == 1
    # JSON naming a class to import and build is refused too: only Scrapy's requests.
    forged = {"url": "http://127.0.0.1/", "_class": "subprocess.Popen", "args": ["true"]}
    with pytest.raises(serializer.NotARequest):
        serializer.loads(json.dumps({"format": serializer.FORMAT, "request": forged}))
    assert client.hlen(keys.inflight(SITE, "w1")) == 1  # only the real request
    assert client.zcard(keys.queue(SITE)) == 0
    # What the queue holds is JSON, never a pickle.
    queue.push(scrapy.Request("http://127.0.0.1/b", body=b"\x00\xff", method="POST"))
    (raw,) = client.zrange(keys.queue(SITE), 0, 0)
    assert raw.startswith(b"{") and b"newsbot-request/1" in raw
    back = queue.pop()
    assert back is not None and back.body == b"\x00\xff" and back.method == "POST"


def test_pop_moves_to_in_flight_ack_removes_and_a_dead_workers_go_back(
    client: redis.Redis,
) -> None:
    first, second = queue_of(client, "w1"), queue_of(client, "w2")
    for number in range(3):
        first.push(scrapy.Request(f"http://127.0.0.1/news/{number}-a.html", priority=number))
    popped = [first.pop(), first.pop()]
    assert [r.url for r in popped if r] == [  # highest priority first
        "http://127.0.0.1/news/2-a.html",
        "http://127.0.0.1/news/1-a.html",
    ]
    assert client.zcard(keys.queue(SITE)) == 1
    assert client.hlen(keys.inflight(SITE, "w1")) == 2
    assert popped[0] is not None
    first.ack(popped[0].meta[FRONTIER_ID])
    assert client.hlen(keys.inflight(SITE, "w1")) == 1
    # w1 still beats: nothing of it moves.
    client.set(keys.heartbeat("w1"), "1", ex=30)
    assert second.requeue_dead() == 0
    assert second.any_in_flight()
    # Its heartbeat gone: its one unacked request goes back, with its priority.
    client.delete(keys.heartbeat("w1"))
    assert second.requeue_dead() == 1
    assert not client.exists(keys.inflight(SITE, "w1"))
    assert not second.any_in_flight()
    again = second.pop()
    assert again is not None and again.url == "http://127.0.0.1/news/1-a.html"
    assert again.priority == 1


def test_duplicates_are_one_url_key_for_every_worker(
    client: redis.Redis, redis_server: Any
) -> None:
    mine = UrlKeyDupeFilter.for_site(client, SITE, 7)
    # Another worker: its own connection.
    theirs = UrlKeyDupeFilter.for_site(redis.Redis.from_url(redis_server.url), SITE, 7)
    assert not mine.request_seen(scrapy.Request("http://127.0.0.1/news/1-a.html?utm_source=tg"))
    # Another worker finds the same article without the tracking parameter, with a slash.
    assert theirs.request_seen(scrapy.Request("http://127.0.0.1/news/1-a.html/"))
    assert not theirs.request_seen(scrapy.Request("http://127.0.0.1/news/2-a.html"))
    # A redirect continues a request already let through: it is not dropped silently.
    redirected = scrapy.Request(
        "http://127.0.0.1/news/2-a.html", meta={"redirect_urls": ["http://127.0.0.1/x"]}
    )
    assert not mine.request_seen(redirected)
    # The scheduler filters and queues in one step, with the same keys.
    first, second = queue_of(client, "w1"), queue_of(client, "w2")
    article = "http://127.0.0.1/news/3-a.html"
    assert first.push_unseen(
        scrapy.Request(article), mine.key, url_key(scrapy.Request(article)), 60
    )
    again = scrapy.Request(article + "?utm_source=x")
    assert not second.push_unseen(again, mine.key, url_key(again), 60)
    assert client.zcard(keys.queue(SITE)) == 1
    # Run-scoped, expiring: the next run starts clean.
    assert client.ttl(keys.seen(SITE, 7)) > 0
    assert not UrlKeyDupeFilter.for_site(client, SITE, 8).request_seen(
        scrapy.Request("http://127.0.0.1/news/1-a.html")
    )


def test_the_history_the_writer_published_decides_what_a_worker_fetches(
    client: redis.Redis, redis_server: Any
) -> None:
    known, dead = "http://127.0.0.1/news/1-a.html", "http://127.0.0.1/news/2-a.html"
    publish_run(
        redis_server.url,
        1,
        {},
        history={
            SITE: {
                known: [200, "2026-11-20T10:00:00+00:00", None, "article", None],
                dead: [404, "2026-11-25T10:00:00+00:00", None, "article", None],
            }
        },
    )
    client.hset(keys.site_state(SITE), mapping={"last_status": "limited", "cursor_url": dead})
    history = read_history(client, SITE)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert not history.needs_fetch(known + "?utm_source=tg", now)  # by its URL key
    assert history.needs_fetch(known, now, changed_at=datetime(2026, 11, 21, tzinfo=UTC))
    assert not history.needs_fetch(dead, now)  # a dead link rests a week
    assert history.needs_fetch("http://127.0.0.1/news/3-a.html", now)
    assert (history.last_status, history.cursor_url) == ("limited", dead)


def test_the_limit_is_shared_by_the_sites_workers(redis_server: Any) -> None:
    frontiers = [Frontier(redis_server.url, {"id": 1}, worker) for worker in ("w1", "w2")]
    try:
        budgets = [SharedBudgets(frontier.worker, SITE) for frontier in frontiers]
        granted = [budgets[number % 2].take("articles", 1, 3) for number in range(5)]
        assert granted == [1, 1, 1, 0, 0]
        assert budgets[0].take("sitemap_urls", 10, 4) == 4
        assert budgets[1].take("sitemap_urls", 10, 4) == 0
    finally:
        for frontier in frontiers:
            frontier.stop()


def test_stats_sent_again_after_a_lost_reply_are_counted_once(client: redis.Redis) -> None:
    # A report whose reply the connection lost is sent again, with the totals of then or
    # later: the site's sum holds each worker's latest totals, never one counted twice.
    report_stats(client, 1, SITE, "w1", {"downloader/response_count": 10, "item_scraped_count": 4})
    report_stats(client, 1, SITE, "w1", {"downloader/response_count": 10, "item_scraped_count": 4})
    report_stats(client, 1, SITE, "w2", {"downloader/response_count": 7})
    report_stats(client, 1, SITE, "w1", {"downloader/response_count": 15})
    report_stats(client, 1, SITE, "w1", {"downloader/response_count": 15})
    assert client.hgetall(keys.stats(1, SITE)) == {
        b"downloader/response_count": b"22",
        b"item_scraped_count": b"4",
    }


# --- workers crawling a local site ---------------------------------------------------------


def site_toml(folder: Path, site: LocalSite, slug: str = SITE, **options: Any) -> str:
    """The site's config as the writer sends it. Its download_timeout is the crawl
    tests' 10 s, not 1 s: the test site's listen backlog is small, and on a loaded
    machine a connection attempt may wait past a second (a timeout is no lost article)."""
    text = write_site_file(folder, site, slug, **options).read_text(encoding="utf-8")
    return text.replace("download_timeout = 1\n", "download_timeout = 10\n")


class Crawl:
    """A local site, its run published, and worker subprocesses on it."""

    def __init__(self, folder: Path, server: Any, site: LocalSite, **site_options: Any):
        self.folder = folder
        self.server = server
        self.site = site
        self.client = redis.Redis.from_url(server.url)
        publish_run(server.url, 1, {SITE: site_toml(folder, site, **site_options)})
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, extra: tuple[str, ...] = (), **env: str) -> subprocess.Popen[bytes]:
        log = self.folder / f"worker{len(self.workers)}.log"
        process = start_worker(self.server.url, log=log, extra=extra, env=worker_env(**env))
        self.workers.append(process)
        self.logs.append(log)
        return process

    def wait(self, seconds: float = 120.0) -> list[int]:
        deadline = time.monotonic() + seconds
        for process in self.workers:
            process.wait(max(1.0, deadline - time.monotonic()))
        return [process.returncode for process in self.workers]

    def articles(self) -> Counter[str]:
        return Counter(path for path in self.site.requests if ARTICLE.match(path))

    def log_text(self, number: int) -> str:
        return self.logs[number].read_text(encoding="utf-8", errors="replace")

    def clean_logs(self) -> None:
        """No traceback, no deprecation warning, no pickle in any worker's log."""
        for number in range(len(self.logs)):
            text = self.log_text(number)
            assert "Traceback" not in text, text[-3000:]
            assert "DeprecationWarning" not in text, text[-3000:]
            assert "pickle" not in text.lower()

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        self.client.close()


@pytest.fixture
def crawl(tmp_path: Path, redis_server: Any) -> Iterator[Callable[..., Crawl]]:
    made: list[Crawl] = []
    sites: list[LocalSite] = []

    def make(count: int = 60, delay: float = 0.2, **site_options: Any) -> Crawl:
        site = LocalSite(paged_site_pages(count, 10, delay=delay)).start()
        sites.append(site)
        made.append(Crawl(tmp_path, redis_server, site, **site_options))
        return made[-1]

    yield make
    for one in made:
        one.stop()
    for site in sites:
        site.stop()


def article_records(records: list[Any]) -> set[str]:
    """The paths of the articles whose records arrived."""
    return {urlsplit(r.page.url).path for r in records if r.page.kind == "article"}


def test_three_workers_fetch_every_article_once_and_send_every_record(
    crawl: Callable[..., Crawl],
) -> None:
    run = crawl(count=60, delay=0.2)
    for _ in range(3):
        run.start()
    assert run.wait() == [0, 0, 0]
    fetched = run.articles()
    assert len(fetched) == 60
    assert set(fetched.values()) == {1}, [p for p, n in fetched.items() if n > 1]
    records = drain(run.server.url)
    assert len(article_records(records)) == 60
    assert sum(r.page.kind == "listing" for r in records) == 6
    assert run.client.hget(keys.done(1), SITE) == b"finished"
    stats = run.client.hgetall(keys.stats(1, SITE))
    assert int(stats[b"downloader/response_count"]) >= 66
    assert stats[b"newsbot/cursor_url"].endswith(b"/news/?page=6")
    assert not list(run.client.scan_iter(match=keys.inflight_pattern(SITE)))
    run.clean_logs()
    assert all("records" in run.log_text(n) for n in range(3))  # the summary


def test_sites_spread_over_the_workers(tmp_path: Path, redis_server: Any) -> None:
    slugs = ("site_a", "site_b", "site_c")
    # Slow enough (about 8 s a site) that the sites are still crawling when the
    # workers that start last on a loaded machine come up.
    sites = [LocalSite(paged_site_pages(40, 10, delay=0.3)).start() for _ in slugs]
    try:
        publish_run(
            redis_server.url,
            1,
            {
                slug: site_toml(tmp_path, site, slug, concurrency=2)
                for slug, site in zip(slugs, sites, strict=True)
            },
        )
        logs = [tmp_path / f"worker{number}.log" for number in range(3)]
        workers = [start_worker(redis_server.url, log=log) for log in logs]
        assert [worker.wait(120) for worker in workers] == [0, 0, 0]
        for site in sites:
            fetched = Counter(path for path in site.requests if ARTICLE.match(path))
            assert len(fetched) == 40 and set(fetched.values()) == {1}
        # Each worker crawled some site: one does not hold them all.
        texts = [log.read_text(encoding="utf-8") for log in logs]
        busy = [re.search(r"site_\w\s+[1-9]\d*\s", text) for text in texts]
        assert sum(bool(found) for found in busy) >= 2, [t[-600:] for t in texts]
        assert len(drain(redis_server.url)) == 3 * 44
    finally:
        for site in sites:
            site.stop()


def _holder_pid(run: Crawl) -> int:
    holder = wait_for(lambda: run.client.get(keys.lease(SITE)), what="a worker takes the site")
    return int(holder.decode().split(":")[1])


@pytest.mark.parametrize(
    ("stop", "restart"),
    [(signal.SIGKILL, False), (signal.SIGKILL, True), (signal.SIGTERM, False)],
    ids=["killed", "killed-restarted", "terminated"],
)
def test_a_worker_stopped_mid_run_loses_no_article(
    crawl: Callable[..., Crawl], stop: signal.Signals, restart: bool
) -> None:
    run = crawl(count=100, delay=0.3, concurrency=4)
    for _ in range(2):
        run.start()
    wait_for(lambda: run.client.llen(keys.OUTBOX) >= 20, what="20 records sent")
    holder = _holder_pid(run)
    os.kill(holder, stop)
    stopped = next(p for p in run.workers if p.pid == holder)
    stopped.wait(30)
    if restart:
        run.start()
    codes = run.wait()
    others = [c for p, c in zip(run.workers, codes, strict=True) if p is not stopped]
    assert others == [0] * len(others)
    if stop == signal.SIGTERM:  # its sites interrupted, said in its exit code
        assert stopped.returncode == 1
        assert "Received SIGTERM" in run.log_text(run.workers.index(stopped))
    fetched = run.articles()
    assert len(fetched) == 100  # none lost
    twice = sum(count - 1 for count in fetched.values())
    assert twice <= 16  # at most what the stopped worker had popped (CONCURRENT_REQUESTS)
    assert len(article_records(drain(run.server.url))) == 100
    assert run.client.hget(keys.done(1), SITE) == b"finished"


def _gaps(run: Crawl, robots: bool = False) -> list[float]:
    """Seconds between requests the site saw (its robots.txt too, if `robots`: each
    worker asks for it once, through the same token when the site is shared)."""
    times = sorted(moment for moment, path in run.site.log if robots or path != "/robots.txt")
    return [later - earlier for earlier, later in pairwise(times)]


@pytest.mark.parametrize("share", [False, True])
def test_politeness_holds_across_three_workers(crawl: Callable[..., Crawl], share: bool) -> None:
    # Shared, enough pages for every worker to take some; leased, one worker has them all.
    count = 20 if share else 10
    run = crawl(count=count, delay=0.0, download_delay=0.5)
    for _ in range(3):
        run.start(extra=("--share-site",) if share else ())
    assert run.wait() == [0, 0, 0]
    assert len(run.articles()) == count
    gaps = _gaps(run, robots=share)
    # Shared: tokens are the delay apart, exactly; what the site sees also carries each
    # request's way from its token to the site's log, which a loaded machine stretches
    # or shortens by a tenth of a second (three workers with no token between them
    # would come within milliseconds). Leased: one worker's Scrapy delay, which Scrapy
    # varies by ±50% (DOWNLOAD_DELAY_JITTER).
    assert min(gaps) >= (0.35 if share else 0.2), sorted(gaps)[:5]
    if share:
        assert sum(gaps) / len(gaps) >= 0.48, gaps
    if share:
        # Several workers fetched: the site was shared, not leased (a worker that starts
        # late on a busy machine may find it done).
        fetched = [re.search(r"testsite\s+[1-9]\d*\s", run.log_text(n)) for n in range(3)]
        assert sum(bool(found) for found in fetched) >= 2
    run.clean_logs()


def test_workers_pause_while_the_outbox_is_full_and_resume_when_it_drains(
    crawl: Callable[..., Crawl],
) -> None:
    run = crawl(count=40, delay=0.1)
    run.start(NEWSBOT_OUTBOX_MAX="10")
    log = run.logs[0]
    wait_for(lambda: "pausing until" in log.read_text(), what="the worker pauses")
    held = run.client.llen(keys.OUTBOX)
    time.sleep(3)
    # Paused: what was in flight lands, nothing more is fetched.
    assert run.client.llen(keys.OUTBOX) <= held + 16
    records = drain(run.server.url)
    wait_for(lambda: "crawling again" in log.read_text(), what="the worker resumes")
    while run.workers[0].poll() is None:
        records += drain(run.server.url)
        time.sleep(0.2)
    records += drain(run.server.url)
    assert run.workers[0].returncode == 0
    assert len(article_records(records)) == 40
    run.clean_logs()


def test_redis_restarted_mid_run_ends_the_workers_as_interrupted(
    crawl: Callable[..., Crawl],
) -> None:
    run = crawl(count=100, delay=0.3, concurrency=4)
    for _ in range(2):
        run.start()
    wait_for(lambda: run.client.llen(keys.OUTBOX) >= 10, what="10 records sent")
    run.server.restart(down_for=2.0)
    assert run.wait(90) == [1, 1]
    for number in range(2):
        text = run.log_text(number)
        assert "Traceback" not in text, text[-3000:]
        lost = [line for line in text.splitlines() if "coordinator] ERROR" in line]
        # The outage said once, and the verdict (the run is gone): not a line per request.
        assert 1 <= len(lost) <= 2, lost
        assert "interrupted" in text


def test_redis_away_past_the_deadline_ends_the_worker_as_interrupted(
    crawl: Callable[..., Crawl],
) -> None:
    run = crawl(count=100, delay=0.3, concurrency=4)
    run.start(NEWSBOT_REDIS_DOWN_DEADLINE="3")
    wait_for(lambda: run.client.llen(keys.OUTBOX) >= 10, what="10 records sent")
    run.server.stop()
    assert run.wait(60) == [1]
    text = run.log_text(0)
    assert "Traceback" not in text, text[-3000:]
    lost = [line for line in text.splitlines() if "coordinator] ERROR" in line]
    assert len(lost) == 2, lost  # the outage, then the verdict
    assert "unreachable for 3 s" in lost[1]
    assert "run 1: interrupted" in text  # the summary


def _closed_by_the_writer_mid_run(crawl: Callable[..., Crawl], status: str) -> Crawl:
    """A worker crawling, and the run closed as the writer closes it (newsbot ingest):
    its status, then no run."""
    run = crawl(count=100, delay=0.3, concurrency=4)
    run.start()
    wait_for(lambda: run.client.llen(keys.OUTBOX) >= 5, what="5 records sent")
    run.client.set(keys.closed(1), status)
    run.client.delete(keys.RUN)
    return run


def test_a_worker_whose_run_the_writer_closed_ends_as_the_run_did(
    crawl: Callable[..., Crawl],
) -> None:
    run = _closed_by_the_writer_mid_run(crawl, "finished")
    assert run.wait(60) == [0]
    text = run.log_text(0)
    assert "run 1 closed by the writer (finished)" in text
    assert "frontier_lost" not in text and "Traceback" not in text


def test_a_worker_whose_run_the_writer_stopped_ends_as_interrupted(
    crawl: Callable[..., Crawl],
) -> None:
    # The writer stopped (SIGTERM, --max-time) before the run ended.
    run = _closed_by_the_writer_mid_run(crawl, "interrupted")
    assert run.wait(60) == [1]
    text = run.log_text(0)
    assert "run 1 closed by the writer (interrupted)" in text
    assert "run 1: interrupted" in text  # the summary
    assert "Traceback" not in text


def test_a_redis_refusing_writes_loses_no_record_and_the_worker_carries_on(
    crawl: Callable[..., Crawl],
) -> None:
    run = crawl(count=40, delay=0.1, concurrency=4)
    run.start()
    wait_for(lambda: run.client.llen(keys.OUTBOX) >= 5, what="5 records sent")
    # maxmemory with noeviction (what the README recommends), reached: every write is
    # refused with OOM while reads still answer.
    run.client.config_set("maxmemory-policy", "noeviction")
    run.client.config_set("maxmemory", "1")
    try:
        wait_for(lambda: "refusing commands" in run.log_text(0), 60, "the worker notices")
        time.sleep(1.0)
    finally:
        run.client.config_set("maxmemory", "0")
    records: list[Any] = []
    while run.workers[0].poll() is None:
        records += drain(run.server.url)
        time.sleep(0.2)
    records += drain(run.server.url)
    assert run.workers[0].returncode == 0
    text = run.log_text(0)
    assert "Traceback" not in text, text[-3000:]
    refused = [line for line in text.splitlines() if "coordinator] ERROR" in line]
    assert len(refused) == 1, refused  # one line for it, none per request
    assert "maxmemory" in refused[0]
    assert "Redis is back after" in text
    assert len(run.articles()) == 40
    assert len(article_records(records)) == 40


def test_a_frontier_worker_refuses_the_runs_own_options_and_waits_for_a_run(
    redis_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crawl", "--frontier", redis_server.url, "--limit", "3"]) == 2
    assert "--limit: the run's, given to `newsbot ingest`" in capsys.readouterr().err
    assert main(["crawl", "--share-site"]) == 2
    assert "--share-site is for a --frontier worker" in capsys.readouterr().err
    # No run opened: it says so once, waits, and gives up with a usage error.
    assert main(["crawl", "--frontier", redis_server.url, "--wait", "2s"]) == 2
    err = capsys.readouterr().err
    assert err.count("no run is open yet") == 2  # the wait announced, then the verdict
    assert "waited 2 s" in err


def test_a_worker_waits_out_a_hung_redis_and_carries_on(crawl: Callable[..., Crawl]) -> None:
    run = crawl(count=60, delay=0.3, concurrency=4)
    run.start()
    wait_for(lambda: run.client.llen(keys.OUTBOX) >= 10, what="10 records sent")
    assert run.server.process is not None
    # Stopped, not gone: its data is intact when it answers again (a network outage).
    run.server.process.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: "crawling paused" in run.log_text(0), 60, "the worker notices")
    finally:
        run.server.process.send_signal(signal.SIGCONT)
    assert run.wait(90) == [0]
    text = run.log_text(0)
    assert "Traceback" not in text, text[-3000:]
    lost = [line for line in text.splitlines() if "coordinator] ERROR" in line]
    assert len(lost) == 1, lost  # one line for the outage, none per request
    assert "Redis is back after" in text
    assert len(run.articles()) == 60
    assert len(article_records(drain(run.server.url))) == 60


def test_a_worker_whose_done_marker_the_writer_cleared_at_once_still_ends_done(
    crawl: Callable[..., Crawl],
) -> None:
    """The writer closes the run as soon as every site is done and nothing waits, and
    deletes the done markers with it: that may land between the worker marking its site
    done and writing its summary. The worker must still say done (exit 0), not
    interrupted. Redis's keyspace notifications delete the marker the moment it is
    written, before the worker's spider has even closed."""
    run = crawl(count=6, delay=0.0)
    run.client.config_set("notify-keyspace-events", "Kh")
    events = run.client.pubsub()
    events.subscribe(f"__keyspace@0__:{keys.done(1)}")
    cleared = []

    def clear_on_write() -> None:
        for message in events.listen():
            if message["type"] == "message":
                run.client.delete(keys.done(1))
                cleared.append(message["data"])
                return

    watcher = threading.Thread(target=clear_on_write, daemon=True)
    watcher.start()
    run.start()
    assert run.wait(60) == [0]
    watcher.join(10)
    events.close()
    assert cleared == [b"hsetnx"] or cleared == [b"hset"], cleared
    assert run.client.hget(keys.done(1), SITE) is None  # gone before the summary
    text = run.log_text(0)
    assert "run 1: done" in text
    assert re.search(r"testsite\s+\d+\s+\d+\s+finished", text), text[-800:]
    run.clean_logs()


def test_redirects_are_followed_past_the_shared_filter_and_a_loop_is_recorded(
    crawl: Callable[..., Crawl],
) -> None:
    run = crawl(count=12, delay=0.0)
    moved = Page(b"", status=301, headers={"Location": "/news/1-item-moved.html"})
    run.site.pages["/news/1-item.html"] = moved
    run.site.pages["/news/1-item-moved.html"] = run.site.pages["/news/3-item.html"]
    # A loop back to a URL the filter has seen: it must end in an error, not vanish.
    run.site.pages["/news/2-item.html"] = Page(
        b"", status=302, headers={"Location": "/news/2-item.html?step=1"}
    )
    run.site.pages["/news/2-item.html?step=1"] = Page(
        b"", status=302, headers={"Location": "/news/2-item.html"}
    )
    run.start()
    assert run.wait() == [0]
    records = {urlsplit(r.page.url).path: r for r in drain(run.server.url)}
    assert records["/news/1-item.html"].page.final_url.endswith("/news/1-item-moved.html")
    assert records["/news/1-item.html"].page.status == 200
    looped = records["/news/2-item.html"].page
    assert looped.status is None and "redirect loop" in (looped.error or "")
    assert len([r for r in records.values() if r.page.kind == "article"]) == 12
    run.clean_logs()


def test_a_request_is_acked_only_when_all_its_callback_gave_is_handed_on() -> None:
    acked: list[str] = []

    class Acks:
        def ack(self, frontier_id: str) -> None:
            acked.append(frontier_id)

    hand_on = HandOn(Acks())  # type: ignore[arg-type]
    hand_on.output_started("listing")
    for _ in range(3):  # its page item and two article requests
        hand_on.entry_started("listing")
    # Scrapy read the output to the end ahead of handling it: the requests still wait.
    hand_on.output_finished("listing")
    hand_on.entry_finished("listing")  # the page's record pushed
    first = scrapy.Request("http://127.0.0.1/news/1-a.html", meta={PARENT: "listing"})
    hand_on.request_handled(first)
    assert acked == []
    hand_on.request_handled(scrapy.Request("http://127.0.0.1/x", meta={PARENT: "listing"}))
    assert acked == ["listing"]
    hand_on.request_handled(first)  # counted once: the mark went with the first count
    assert acked == ["listing"]
    # An errback's one page (no spider middleware counted it) is acked when written.
    hand_on.entry_finished("failed")
    assert acked == ["listing", "failed"]


@pytest.mark.parametrize("refused", ["hscan", "zadd"])
def test_redis_refusing_the_workers_start_is_one_line_and_exit_2(
    tmp_path: Path, redis_server: Any, refused: str
) -> None:
    # A user that may read the run but not the site's history (HSCAN), or not register
    # (ZADD): NOPERM, a ResponseError, not a lost connection.
    client = redis.Redis.from_url(redis_server.url)
    client.acl_setuser(
        "worker", enabled=True, passwords=["+secret"], keys=["*"],
        commands=["+@all", f"-{refused}"],
    )  # fmt: skip
    client.close()
    site = LocalSite(paged_site_pages(2, 1)).start()
    try:
        publish_run(redis_server.url, 1, {SITE: site_toml(tmp_path, site)})
    finally:
        site.stop()  # never fetched
    url = redis_server.url.replace("redis://", "redis://worker:secret@")
    log = tmp_path / "worker.log"
    process = start_worker(url, log=log)
    assert process.wait(60) == 2
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[-3000:]
    said = [line for line in text.splitlines() if line.startswith("newsbot:")]
    assert len(said) == 1, said
    assert "Redis at redis://***@127.0.0.1" in said[0], said
    assert "secret" not in text
