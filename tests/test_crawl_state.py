"""Crawl state goes forward only: the writer's bookkeeping as plain functions on a real
store, the spider's history read through its one interface, one owner of a run for
`newsbot crawl` and `scrapy crawl <slug>`, and a SIGTERM at any moment of a crawl's
start recorded as an interrupted run, never a process killed with its run "running"."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy.settings import BaseSettings

from newsbot.demo.server import LocalSite
from pipelines.article import Article, SiteImprint
from pipelines.page import Page, PageResult
from pipelines.stages.imprint import Publisher
from pipelines.store import SqliteHistory, Store, open_database
from pipelines.writer import site_status, write_dropped, write_page, write_site_end
from tests.conftest import FETCHED_AT, ROOT
from tests.crawlsite import crawl_command, paged_site_pages, query, write_site_file

IMPRINT = SiteImprint(Publisher(editor_in_chief="Нурлан Абдиров"), [], [])


@pytest.fixture
def store() -> Store:
    return Store(open_database(":memory:"))


def article_page(number: int) -> Page:
    url = f"https://s.kz/news/{number}"
    article = Article(url=url, site="s", title=f"Новость {number}", body="Текст новости.")
    return Page(
        url=url,
        final_url=url,
        site="s",
        status=200,
        fetched_at=FETCHED_AT,
        result=PageResult(article, fingerprint=None),
    )


def editors(store: Store) -> list[str | None]:
    rows = store.db.execute("SELECT publisher FROM articles ORDER BY url").fetchall()
    return [json.loads(publisher)["editor_in_chief"] for (publisher,) in rows]


def test_the_imprint_reaches_articles_stored_before_and_after_it(store: Store):
    imprints: dict[str, SiteImprint] = {}
    assert write_page(store, article_page(1), 1, imprints) == "new"
    imprint_page = Page(
        url="https://s.kz/about",
        site="s",
        kind="imprint",
        status=200,
        fetched_at=FETCHED_AT,
        imprint=IMPRINT,
    )
    assert write_page(store, imprint_page, 1, imprints) is None
    assert write_page(store, article_page(2), 1, imprints) == "new"
    store.flush()
    assert editors(store) == ["Нурлан Абдиров", "Нурлан Абдиров"]
    assert query_publishers(store) == [("s", "Нурлан Абдиров", "https://s.kz/about")]


def query_publishers(store: Store) -> list[tuple[str, str, str]]:
    return store.db.execute("SELECT site, editor_in_chief, source_url FROM publishers").fetchall()


def test_a_dropped_page_is_logged_with_its_reason(store: Store):
    page = article_page(3)
    write_dropped(store, page, 7, "not an article: a listing")
    store.flush()
    rows = store.db.execute("SELECT url, drop_reason, run_id, article_id FROM pages").fetchall()
    assert rows == [("https://s.kz/news/3", "not an article: a listing", 7, None)]


@pytest.mark.parametrize(
    ("reason", "stats", "status", "cursor"),
    [
        ("finished", {"newsbot/cursor_url": "https://s.kz/news?page=3"}, "finished", None),
        ("finished", {"newsbot/limited": 1, "newsbot/cursor_url": "https://s.kz/p3"},
         "limited", "https://s.kz/p3"),
        ("shutdown", {"newsbot/cursor_url": "https://s.kz/p2"}, "interrupted", "https://s.kz/p2"),
        ("closespider_timeout", {}, "interrupted", None),
        ("some_error", {}, "failed", None),
    ],
)  # fmt: skip
def test_site_state_comes_from_the_close_reason_and_the_stats(
    store: Store, reason: str, stats: dict[str, object], status: str, cursor: str | None
):
    assert write_site_end(store, "s", 4, stats, reason, FETCHED_AT) == status
    history = store.fetch_history("s")
    assert (history.last_status, history.cursor_url) == (status, cursor)


def test_a_site_whose_spider_never_closed_failed():
    assert site_status({}) == "failed"
    assert site_status({"finish_reason": "finished", "newsbot/limited": 1}) == "limited"


def test_sqlite_history_before_the_first_run_knows_nothing(store: Store):
    history = store.fetch_history("s")
    assert (history.last_status, history.cursor_url) == (None, None)
    assert history.needs_fetch("https://s.kz/news/1", FETCHED_AT)


def every_url_known(settings: BaseSettings, site: str) -> SqliteHistory:
    """A FetchHistory backend for the test below (NEWSBOT_FETCH_HISTORY): every article
    was fetched a moment ago, and the last run finished."""

    class Known(SqliteHistory):
        def needs_fetch(self, url, now, changed_at=None):  # type: ignore[no-untyped-def]
            return False

    return Known({}, last_status="finished")


def scrapy_crawl(folder: Path, site: LocalSite, *settings: str) -> subprocess.CompletedProcess[str]:
    site_file = write_site_file(folder, site)
    options = [f"NEWSBOT_SITE_FILES={site_file}", f"NEWSBOT_DB={folder / 'news.db'}",
               "LOG_LEVEL=WARNING", *settings]  # fmt: skip
    command = [sys.executable, "-m", "scrapy", "crawl", "testsite"]
    for option in options:
        command += ["-s", option]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip


def test_scrapy_crawl_is_a_run_of_the_runner(tmp_path: Path):
    with LocalSite(paged_site_pages(6, 3)) as site:
        result = scrapy_crawl(tmp_path, site)
    assert result.returncode == 0, result.stderr
    assert "run 1: finished" in result.stdout  # the runner's summary
    db = tmp_path / "news.db"
    assert query(db, "SELECT id, status, new FROM runs") == [(1, "finished", 6)]
    assert query(db, "SELECT run_id, site, status FROM run_sites") == [(1, "testsite", "finished")]
    assert query(db, "SELECT last_run_id, last_status FROM site_state") == [(1, "finished")]


def test_the_spider_reads_its_past_only_through_its_fetch_history(tmp_path: Path):
    with LocalSite(paged_site_pages(6, 3)) as site:
        backend = "NEWSBOT_FETCH_HISTORY=tests.test_crawl_state.every_url_known"
        result = scrapy_crawl(tmp_path, site, backend)
        requests = list(site.requests)
    assert result.returncode in (0, 1), result.stderr
    assert "/news/" in requests, result.stdout + result.stderr  # the listing was read,
    assert [path for path in requests if path.endswith("-item.html")] == []  # none fetched
    # The last run "finished" and the first listing page holds only known articles.
    assert [path for path in requests if "page" in path] == []


def test_sigterm_at_any_moment_of_the_start_never_leaves_a_run_running(tmp_path: Path):
    """SIGTERM right after the process starts, once it holds the lock, once it opened
    its run row, and at moments after that, each crawl in its own process and database.
    Before the run row exists the process may die of the signal (nothing to record);
    from the lock on, it ends with exit 1 and its run recorded as interrupted."""
    moments = [("start", 0.0), ("lock", 0.0), ("run", 0.0), ("run", 0.3)]
    with LocalSite(paged_site_pages(30, 10, delay=0.3)) as site:
        crawls = []
        for number, (after, delay) in enumerate(moments):
            folder = tmp_path / str(number)
            folder.mkdir()
            db = folder / "news.db"
            site_file = write_site_file(folder, site, concurrency=2)
            # In-process extraction: four crawls starting at once on two cores, no pools.
            command = crawl_command(db, site_file, extra=("--workers", "0"))
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
            crawls.append({"db": db, "process": process, "after": after, "delay": delay,
                           "ready_at": None, "signalled": False})  # fmt: skip
        deadline = time.monotonic() + 120
        while not all(crawl["signalled"] for crawl in crawls) and time.monotonic() < deadline:
            for crawl in crawls:
                if crawl["signalled"]:
                    continue
                if crawl["ready_at"] is None and _reached(crawl["after"], crawl["db"]):
                    crawl["ready_at"] = time.monotonic()
                if crawl["ready_at"] is not None and (
                    time.monotonic() >= crawl["ready_at"] + crawl["delay"]
                ):
                    crawl["process"].send_signal(signal.SIGTERM)
                    crawl["signalled"] = True
            time.sleep(0.005)
        outcomes = []
        for crawl in crawls:
            _, stderr = crawl["process"].communicate(timeout=120)
            said = stderr.strip().splitlines()[-1:] if stderr else []
            runs = query(crawl["db"], "SELECT status FROM runs") if crawl["db"].exists() else []
            outcomes.append(
                (crawl["after"], crawl["delay"], crawl["process"].returncode, runs, said)
            )
    assert all(crawl["signalled"] for crawl in crawls), outcomes
    for after, delay, returncode, runs, said in outcomes:
        moment = f"SIGTERM at {after} + {delay} s: exit {returncode}, runs {runs}, {said}"
        if after == "start" and returncode == -signal.SIGTERM:
            assert runs == [], moment  # killed before it opened a run: nothing to record
        else:
            assert (returncode, runs) == (1, [("interrupted",)]), moment


def _reached(after: str, db: Path) -> bool:
    """Whether a starting crawl got to `after`: "start" (at once), "lock" (it holds the
    database's lock file), "run" (its run row is there)."""
    if after == "start":
        return True
    if after == "lock":
        return Path(str(db.resolve()) + ".lock").exists()
    try:
        return db.exists() and bool(query(db, "SELECT id FROM runs"))
    except Exception as error:  # the database is being made: not yet
        if "no such table" in str(error) or "locked" in str(error):
            return False
        raise


def test_a_spider_that_cannot_start_is_a_failed_site_not_a_crash(tmp_path: Path):
    with LocalSite(paged_site_pages(3, 3)) as site:
        result = scrapy_crawl(tmp_path, site, "NEWSBOT_FETCH_HISTORY=tests.nowhere.history")
        assert site.requests == []
    assert result.returncode == 1, result.stderr
    assert "No module named 'tests.nowhere'" in result.stderr
    db = tmp_path / "news.db"
    assert query(db, "SELECT status FROM runs") == [("failed",)]
    assert query(db, "SELECT site, status FROM run_sites") == [("testsite", "failed")]
