"""The fault suite: real crawls against a local server that misbehaves. Each case asserts
that the crawl went on, and that nothing was lost or stored twice.

One crawl serves the faults that cannot disturb each other (each on its own URL); the
ones about the crawl process or the database get crawls of their own.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite, Page
from pipelines.page import Page as FetchedPage
from pipelines.stages.chain import extract_page
from tests.conftest import FETCHED_AT
from tests.crawlsite import (
    article_html,
    crawl_command,
    listing,
    paged_site_pages,
    query,
    run_crawl,
    write_site_file,
)

CP1251_ARTICLE = (
    "<html><head><title>Погода</title></head><body><article><h1>Синоптики обещают "
    "снег в Астане</h1><div class='date'>14.11.2024 09:15</div><p>По данным Казгидромета, "
    "в столице ожидается снег и гололедица, температура опустится до минус десяти градусов.</p>"
    "<p>Водителей просят быть внимательнее на дорогах и не превышать скорость.</p>"
    "</article></body></html>"
).encode("cp1251")
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc>'
    b"</url></urlset>"
)
MALFORMED_RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Лента</title>'
    "<item><title>Из ленты</title><link>{base}/news/14-from-feed.html</link></item>"
    "<item><title>Оборвано<link>{base}/news/15-broken"
).encode()


def big_article_page() -> bytes:
    """About 5 MB: a state blob in the head (as script-built sites ship) around one article."""
    blob = b'<script>window.__STATE__ = "' + b"x" * 5_000_000 + b'";</script>'
    return article_html(13).replace(b"</head>", blob + b"</head>")


def misbehaving_pages(base: str) -> dict[str, Page | list[Page]]:
    links = [f"/news/{n}-item.html" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)]
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/": listing(*links),
        "/news/1-item.html": Page(article_html(1)),
        # 503, then 200: retried and stored once.
        "/news/2-item.html": [Page(b"busy", status=503), Page(article_html(2))],
        # 429 with Retry-After, then 200.
        "/news/3-item.html": [
            Page(b"slow down", status=429, headers={"Retry-After": "1"}),
            Page(article_html(3)),
        ],
        # Never answers within the timeout.
        "/news/4-item.html": Page(article_html(4), delay=2.5),
        # The connection drops halfway through the body, every time.
        "/news/5-item.html": Page(article_html(5), drop_after=200),
        # A redirect loop.
        "/news/6-item.html": Page(b"", status=302, headers={"Location": "/news/6-again.html"}),
        "/news/6-again.html": Page(b"", status=302, headers={"Location": "/news/6-item.html"}),
        # cp1251 declared nowhere, and cp1251 declared as UTF-8.
        "/news/7-item.html": Page(CP1251_ARTICLE, "text/html"),
        "/news/8-item.html": Page(CP1251_ARTICLE, "text/html; charset=utf-8"),
        # A gzip bomb: 25 MB of zeros in 25 KB, over the 20 MB download limit once unpacked.
        "/news/9-item.html": Page(
            gzip.compress(b"\0" * 25_000_000), headers={"Content-Encoding": "gzip"}
        ),
        # An oversized page, refused by its Content-Length.
        "/news/10-item.html": Page(b"<html>" + b" " * 21_000_000 + b"</html>"),
        # An empty answer and a page of binary junk.
        "/news/11-item.html": Page(b""),
        "/news/12-item.html": Page(bytes(range(256)) * 40),
        # 5 MB holding one article.
        "/news/13-item.html": Page(big_article_page()),
        "/sitemap.xml": Page(ENTITY_BOMB, "application/xml"),
        "/rss.xml": Page(MALFORMED_RSS.replace(b"{base}", base.encode()), "application/rss+xml"),
        "/news/14-from-feed.html": Page(article_html(14)),
    }
    return pages


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("faults")
    with LocalSite({}) as site:
        site.pages.update(misbehaving_pages(site.base_url))
        site_file = write_site_file(
            folder, site, sitemaps=f"{site.base_url}/sitemap.xml", feeds=f"{site.base_url}/rss.xml"
        )
        # write_site_file writes strings; sitemaps and feeds are lists.
        text = site_file.read_text()
        for key in ("sitemaps", "feeds"):
            text = text.replace(f'{key} = "', f'{key} = ["').replace('.xml"\n', '.xml"]\n')
        site_file.write_text(text)
        db = folder / "news.db"
        result = run_crawl(db, site_file)
        requests = list(site.requests)
    return db, result, requests


def stored(db: Path) -> dict[str, int]:
    """Article file name -> how many rows hold it."""
    counts: dict[str, int] = {}
    for (url,) in query(db, "SELECT url FROM articles"):
        name = url.rsplit("/", 1)[1]
        counts[name] = counts.get(name, 0) + 1
    return counts


def page_log(db: Path, name: str) -> tuple[int | None, str | None, str | None]:
    rows = query(db, "SELECT status, error, drop_reason FROM pages WHERE url LIKE ?", f"%/{name}")
    assert len(rows) == 1, f"{name}: {rows}"
    return rows[0]


def test_the_crawl_finished_and_stored_each_good_article_once(faulty_crawl):
    db, result, _ = faulty_crawl
    assert "finished" in result.stdout, result.stderr
    assert "Traceback" not in result.stderr
    assert stored(db) == {
        name: 1
        for name in (
            "1-item.html", "2-item.html", "3-item.html", "7-item.html", "8-item.html",
            "13-item.html", "14-from-feed.html",
        )
    }  # fmt: skip
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_503_then_200_is_retried(faulty_crawl):
    db, _, requests = faulty_crawl
    assert requests.count("/news/2-item.html") == 2
    assert page_log(db, "2-item.html")[0] == 200


def test_429_waits_for_retry_after(faulty_crawl):
    db, _, requests = faulty_crawl
    assert requests.count("/news/3-item.html") == 2
    assert page_log(db, "3-item.html")[0] == 200


def test_a_timeout_is_logged_for_the_next_run(faulty_crawl):
    status, error, _ = page_log(faulty_crawl[0], "4-item.html")
    assert status is None and error.startswith("timeout")


def test_a_connection_dropped_mid_body_is_logged(faulty_crawl):
    db, _, requests = faulty_crawl
    status, error, _ = page_log(db, "5-item.html")
    assert (status, error) == (None, "connection lost before the whole page arrived")
    assert requests.count("/news/5-item.html") >= 2  # retried before giving up


def test_a_redirect_loop_ends(faulty_crawl):
    db, _, requests = faulty_crawl
    assert requests.count("/news/6-item.html") <= 6
    assert "6-item.html" not in stored(db)
    assert page_log(db, "6-item.html")[1] == (
        "refused: a redirect loop, or more redirects than REDIRECT_MAX_TIMES"
    )


def test_missing_or_wrong_charset_still_gives_cyrillic(faulty_crawl):
    db = faulty_crawl[0]
    titles = query(
        db, "SELECT title FROM articles WHERE url LIKE '%/7-item.html' OR url LIKE '%/8-item.html'"
    )
    assert titles == [("Синоптики обещают снег в Астане",)] * 2


def test_gzip_bomb_and_oversized_page_are_refused_by_the_size_limit(faulty_crawl):
    db = faulty_crawl[0]
    for name in ("9-item.html", "10-item.html"):
        status, error, _ = page_log(db, name)
        assert error is not None and "size" in error.lower(), (name, status, error)
        assert name not in stored(db)


def test_empty_and_binary_pages_are_dropped_by_name(faulty_crawl):
    db = faulty_crawl[0]
    assert page_log(db, "11-item.html")[2] == "no title and no body"
    assert page_log(db, "12-item.html")[2] == "no title and no body"


def test_a_5_mb_page_gives_its_article(faulty_crawl):
    db = faulty_crawl[0]
    ((title, body),) = query(db, "SELECT title, body FROM articles WHERE url LIKE '%/13-item.html'")
    # The same article as the page without its 5 MB blob gives.
    small = extract_page(
        FetchedPage(
            url="http://127.0.0.1/news/13-item.html", body=article_html(13), fetched_at=FETCHED_AT
        )
    ).article
    assert (title, body) == (small.title, small.body)
    assert "Новость номер 13" in body


def test_an_entity_bomb_in_a_sitemap_is_not_expanded(faulty_crawl):
    db = faulty_crawl[0]
    assert query(db, "SELECT count(*) FROM pages WHERE kind = 'sitemap'") == [(1,)]
    assert query(db, "SELECT count(*) FROM pages WHERE url LIKE '%lol%'") == [(0,)]


def test_malformed_rss_gives_what_it_can(faulty_crawl):
    db = faulty_crawl[0]
    assert "14-from-feed.html" in stored(db)
    assert query(db, "SELECT count(*) FROM pages WHERE kind = 'feed'") == [(1,)]


def test_two_crawls_at_once_one_runs_the_other_exits_cleanly(tmp_path: Path):
    with LocalSite(paged_site_pages(8, 4, delay=0.2)) as site:
        site_file = write_site_file(tmp_path, site)
        db = tmp_path / "news.db"
        command = crawl_command(db, site_file)
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        second = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        results = [(p.wait(timeout=180), *p.communicate()) for p in (first, second)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, _, err in results if code == 2)
    assert refused.startswith("newsbot: another crawl (pid ")
    assert refused.endswith("; not starting a second\n")
    assert query(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(8, 8)]
    assert query(db, "SELECT status FROM runs") == [("finished",)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_an_unusable_database_path_is_a_clear_error(tmp_path: Path):
    with LocalSite(paged_site_pages(2, 2)) as site:
        site_file = write_site_file(tmp_path, site)
        not_a_folder = tmp_path / "file.txt"
        not_a_folder.write_text("x")
        result = run_crawl(not_a_folder / "news.db", site_file)
        assert (result.returncode, result.stderr) == (
            2,
            f"newsbot: database: {not_a_folder / 'news.db'}: cannot create its lock file "
            "(File exists)\n",
        )
        assert site.requests == []


def make_read_only(path: Path) -> list[str] | None:
    """Make a file read-only even for root (who ignores permissions): returns the
    command that undoes it, or None when this machine cannot."""
    path.chmod(0o444)
    if not os.access(path, os.W_OK):
        return ["chmod", "644", str(path)]
    path.chmod(0o644)
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode == 0:
        return [chattr, "-i", str(path)]
    return None


def test_a_read_only_database_is_a_clear_error(tmp_path: Path):
    with LocalSite(paged_site_pages(2, 2)) as site:
        site_file = write_site_file(tmp_path, site)
        db = tmp_path / "news.db"
        assert run_crawl(db, site_file).returncode == 0
        before = db.read_bytes()
        undo = make_read_only(db)
        if undo is None:
            pytest.skip("cannot make a file read-only for this user here")
        try:
            result = run_crawl(db, site_file)
        finally:
            subprocess.run(undo, check=True)
    assert (result.returncode, result.stderr) == (
        2,
        f"newsbot: database: {db}: attempt to write a readonly database\n",
    )
    assert db.read_bytes() == before


def test_a_killed_crawl_loses_nothing_on_rerun(tmp_path: Path):
    """SIGKILL midway is covered in depth by test_crawl_lifecycle; here: the database a
    killed crawl leaves is intact."""
    with LocalSite(paged_site_pages(20, 10, delay=0.2)) as site:
        site_file = write_site_file(tmp_path, site, concurrency=2)
        db = tmp_path / "news.db"
        process = subprocess.Popen(
            crawl_command(db, site_file), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    if query(db, "SELECT count(*) FROM articles")[0][0] >= 3:
                        break
                except sqlite3.OperationalError:
                    pass
            time.sleep(0.1)
        process.kill()
        process.wait(timeout=30)
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        run_crawl(db, site_file)
    assert query(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(20, 20)]
