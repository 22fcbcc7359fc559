"""End-to-end crawls of a local site: real Scrapy, real SQLite, a real HTTP server on
127.0.0.1, the CLI in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite
from tests.crawlsite import news_site_pages, query, run_crawl, write_site_file


@pytest.fixture(scope="module")
def site():
    with LocalSite(news_site_pages()) as server:
        yield server


def _crawl_fresh(folder: Path, site: LocalSite):
    site_file = write_site_file(folder, site)
    db = folder / "news.db"
    site.requests.clear()
    result = run_crawl(db, site_file)
    return db, site_file, result


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, site: LocalSite):
    """One crawl that the read-only tests below share."""
    result = _crawl_fresh(tmp_path_factory.mktemp("crawl"), site)
    return (*result, list(site.requests))


@pytest.fixture
def crawled_here(tmp_path: Path, site: LocalSite):
    """A crawl of its own, for tests that crawl again."""
    return _crawl_fresh(tmp_path, site)


def article_paths(db: Path) -> list[str]:
    return sorted(url.split("/", 3)[3] for (url,) in query(db, "SELECT url FROM articles"))


def test_stores_the_articles_and_only_the_articles(crawled):
    db, _, result, _ = crawled
    assert result.returncode == 0, result.stderr
    assert article_paths(db) == [
        "news/1-primeminister.html",
        "news/2-nur.html",
        "news/3-egemen.html",
        "news/5-zakon.html",
        "news/9-english.html",
    ]


def test_fields_of_stored_articles(crawled):
    db, _, _, _ = crawled
    rows = {
        url.rsplit("/", 1)[1]: (title, published_at, language, site)
        for url, title, published_at, language, site in query(
            db, "SELECT url, title, published_at, language, site FROM articles"
        )
    }
    assert rows["1-primeminister.html"] == (
        "Правительство одобрило план развития транзитного потенциала до 2030 года",
        "2024-11-19T11:05:00+05:00",
        "ru",
        "testsite",
    )
    assert rows["3-egemen.html"][1:3] == ("2025-11-18T09:30:00+05:00", "kk")
    assert rows["9-english.html"][2] == "en"
    (registrations,) = query(db, "SELECT registrations FROM articles WHERE url LIKE '%2-nur.html'")[
        0
    ]
    assert [r["number"] for r in json.loads(registrations)] == ["15988-ИА", "KZ26VPY00075900"]
    assert query(db, "SELECT number FROM registrations ORDER BY number") == [
        ("15988-ИА",),
        ("KZ12VPY00034127",),
        ("KZ26VPY00075900",),
    ]


def test_cp1251_page_is_stored_as_correct_cyrillic(crawled):
    db, _, _, _ = crawled
    ((title, body),) = query(db, "SELECT title, body FROM articles WHERE url LIKE '%5-zakon.html'")
    assert title == "Минздрав: заболеваемость гриппом в Алматы выросла на 12%"
    assert body.startswith("В Алматы за неделю зарегистрировано 4,8 тыс. случаев ОРВИ и гриппа")


def test_robots_disallow_is_honoured(crawled):
    requests = crawled[3]
    assert "/robots.txt" in requests
    assert "/news/1-primeminister.html" in requests
    assert not any(path.startswith("/private/") for path in requests)


def test_errors_do_not_stop_the_crawl_and_are_logged(crawled):
    db, _, result, _ = crawled
    pages = dict(
        (url.rsplit("/", 1)[1], (status, error))
        for url, status, error in query(
            db, "SELECT url, status, error FROM pages WHERE kind = 'article'"
        )
    )
    assert pages["6-missing.html"] == (404, "HTTP 404")
    assert pages["7-broken.html"] == (500, "HTTP 500")
    assert pages["8-slow.html"][0] is None and pages["8-slow.html"][1].startswith("timeout")
    assert "testsite" in result.stdout and "finished" in result.stdout


def test_listing_and_tag_pages_are_logged_not_stored(crawled):
    db, _, _, _ = crawled
    kinds = query(db, "SELECT kind, count(*) FROM pages GROUP BY kind ORDER BY kind")
    assert ("listing", 2) in kinds
    assert query(db, "SELECT count(*) FROM articles WHERE url LIKE '%/tag/%'") == [(0,)]


def test_run_row_has_the_counts(crawled):
    db, _, _, _ = crawled
    ((status, new, errors),) = query(db, "SELECT status, new, errors FROM runs")
    assert (status, new) == ("finished", 5)
    assert errors == 3  # the 404, the 500 and the timeout


def test_second_run_adds_nothing_and_fetches_fewer_pages(crawled_here, site: LocalSite):
    db, site_file, _ = crawled_here
    first_requests = len(site.requests)
    rows_before = query(db, "SELECT id, fetched_at FROM articles ORDER BY id")
    site.requests.clear()
    result = run_crawl(db, site_file)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT id, fetched_at FROM articles ORDER BY id") == rows_before
    assert len(site.requests) < first_requests
    fetched_again = {p for p in site.requests if p.startswith("/news/") and p.endswith(".html")}
    # Stored articles and the 404 rest; the 500 and the timeout are tried again.
    assert fetched_again == {"/news/7-broken.html", "/news/8-slow.html"}


def test_refresh_fetches_known_articles_again(crawled_here, site: LocalSite):
    db, site_file, _ = crawled_here
    site.requests.clear()
    result = run_crawl(db, site_file, extra=("--refresh",))
    assert result.returncode == 0, result.stderr
    assert "/news/2-nur.html" in site.requests
    assert query(db, "SELECT count(*) FROM articles") == [(5,)]
    assert query(db, "SELECT sum(unchanged) FROM runs") == [(5,)]


def test_check_site_prints_field_coverage(tmp_path: Path, site: LocalSite):
    import subprocess
    import sys

    site_file = write_site_file(tmp_path, site)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsbot.cli",
            "check-site",
            "--site-file",
            str(site_file),
            "--pages",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("testsite: works (0 broken parts;")
    assert any(line.startswith("  ok      articles: 3 stored; title 3/3,") for line in lines)
    assert any("published_at 3/3" in line for line in lines)
