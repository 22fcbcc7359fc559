"""Crawls that stop early (SIGKILL, SIGTERM, --limit), bad configs, dead servers,
Retry-After, and re-fetching what a sitemap says has changed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import (
    article_html,
    crawl_command,
    news_site_pages,
    paged_site_pages,
    query,
    run_crawl,
    write_site_file,
)


def wait_for_articles(
    db: Path, count: int, process: subprocess.Popen[str], limit: float = 60
) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if db.exists():
            try:
                if query(db, "SELECT count(*) FROM articles")[0][0] >= count:
                    return
            except Exception as error:
                if "no such table" not in str(error):
                    raise
        if process.poll() is not None:
            raise AssertionError(
                f"crawl ended early: {process.stdout.read() if process.stdout else ''}"
            )
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} articles after {limit} s")


def article_requests(site: LocalSite) -> list[str]:
    return [path for path in site.requests if path.endswith("-item.html")]


def start_slow_crawl(
    folder: Path, site: LocalSite, stored: int
) -> tuple[Path, Path, subprocess.Popen[str]]:
    """A crawl of 30 slow articles in a subprocess, once `stored` of them are stored."""
    site_file = write_site_file(folder, site, concurrency=2)
    db = folder / "news.db"
    process = subprocess.Popen(crawl_command(db, site_file), stdout=subprocess.PIPE, text=True)
    wait_for_articles(db, stored, process)
    return db, site_file, process


def test_sigkill_midway_then_rerun_gives_every_article_once(tmp_path: Path):
    with LocalSite(paged_site_pages(30, 10, delay=0.3)) as site:
        db, site_file, process = start_slow_crawl(tmp_path, site, stored=5)
        process.kill()
        process.wait(timeout=30)
        stored_before = {url.split("/", 3)[3] for (url,) in query(db, "SELECT url FROM articles")}
        fetched_before = {path.lstrip("/") for path in article_requests(site)}
        assert 5 <= len(stored_before) < 30
        in_flight = fetched_before - stored_before  # fetched, not yet stored: these are lost
        # Killed between storing an article and logging its page: fetched again, harmlessly.
        unlogged = {
            url.split("/", 3)[3]
            for (url,) in query(
                db,
                "SELECT url FROM articles WHERE id NOT IN (SELECT article_id FROM pages "
                "WHERE article_id IS NOT NULL)",
            )
        }

        site.requests.clear()
        result = run_crawl(db, site_file)
        # The rerun completes the work and tells cron that the run before it was killed.
        assert result.returncode == 1
        assert result.stderr.startswith("newsbot: testsite: run 1 (started ")
        assert result.stderr.rstrip().endswith("did not finish: it was killed")
        assert query(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(30, 30)]
        fetched_again = {path.lstrip("/") for path in article_requests(site)}
        expected = {f"news/{n}-item.html" for n in range(1, 31)} - stored_before
        assert expected <= fetched_again <= expected | unlogged
        assert in_flight <= fetched_again
        statuses = [row[0] for row in query(db, "SELECT status FROM runs ORDER BY id")]
        assert statuses == ["interrupted", "finished"]


def test_sigterm_ends_the_run_cleanly_as_interrupted(tmp_path: Path):
    with LocalSite(paged_site_pages(30, 10, delay=0.3)) as site:
        db, site_file, process = start_slow_crawl(tmp_path, site, stored=3)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 1
        assert "interrupted" in output
        assert query(db, "SELECT status FROM runs") == [("interrupted",)]
        (state,) = query(db, "SELECT last_status FROM site_state")
        assert state == ("interrupted",)

        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert query(db, "SELECT count(*) FROM articles") == [(30,)]


def test_limit_leaves_a_cursor_and_the_next_run_goes_deeper(tmp_path: Path):
    with LocalSite(paged_site_pages(12, 4)) as site:
        site_file = write_site_file(tmp_path, site)
        db = tmp_path / "news.db"
        result = run_crawl(db, site_file, extra=("--limit", "4"))
        assert result.returncode == 0, result.stderr
        assert query(db, "SELECT count(*) FROM articles") == [(4,)]
        ((status, cursor),) = query(db, "SELECT last_status, cursor_url FROM site_state")
        assert status == "limited" and cursor is not None

        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert query(db, "SELECT count(*) FROM articles") == [(12,)]
        assert query(db, "SELECT last_status, cursor_url FROM site_state") == [("finished", None)]


def test_bad_config_is_refused_before_any_request(tmp_path: Path):
    with LocalSite(news_site_pages()) as site:
        site_file = write_site_file(tmp_path, site)
        text = site_file.read_text().replace(
            'domains = ["127.0.0.1"]', f'domains = ["127.0.0.1:{site.port}"]'
        )
        site_file.write_text(text)
        result = run_crawl(tmp_path / "news.db", site_file)
        assert result.returncode == 2
        assert result.stderr == (
            f"newsbot: {site_file}: key 'domains': '127.0.0.1:{site.port}': "
            "host names only, no scheme, port or path\n"
        )
        assert site.requests == []


def test_a_dead_site_is_named_and_the_others_go_on(tmp_path: Path):
    with LocalSite({}) as dead:
        dead_port = dead.port  # free now, nothing listens once the server stops
    with LocalSite(news_site_pages()) as site:
        good = write_site_file(tmp_path, site, slug="good")
        bad = tmp_path / "dead.toml"
        bad.write_text(
            'slug = "dead"\nname = "Dead"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
            f'start_urls = ["http://127.0.0.1:{dead_port}/news/"]\narticle_url = "/news/"\n'
        )
        db = tmp_path / "news.db"
        result = run_crawl(db, good, bad)
        assert result.returncode == 1
        assert "newsbot: dead: failed: no page could be fetched" in result.stderr
        assert query(db, "SELECT count(*) FROM articles WHERE site = 'good'") == [(5,)]


def test_retry_after_is_honoured(tmp_path: Path):
    pages = paged_site_pages(1, 1)
    pages["/news/1-item.html"] = [
        Page(b"busy", status=503, headers={"Retry-After": "1"}),
        Page(article_html(1)),
    ]
    with LocalSite(pages) as site:
        db = tmp_path / "news.db"
        result = run_crawl(db, write_site_file(tmp_path, site))
        assert result.returncode == 0, result.stderr
        tries = [moment for moment, path in site.log if path == "/news/1-item.html"]
        assert len(tries) == 2
        assert tries[1] - tries[0] >= 1.0
        assert query(db, "SELECT count(*) FROM articles") == [(1,)]


def sitemap(entries: list[tuple[str, str, str | None]]) -> Page:
    urls = "".join(
        f"<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod>"
        + (
            f"<news:news><news:publication_date>{news}</news:publication_date></news:news>"
            if news
            else ""
        )
        + "</url>"
        for loc, lastmod, news in entries
    )
    return Page(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'.encode(),
        "application/xml",
    )


def test_sitemap_news_date_and_lastmod_driven_refetch(tmp_path: Path):
    # No date on the page, so only the sitemap dates it; og:type says it is an article
    # (a page with neither is not stored as one: pipelines/stages/classify.py).
    undated = article_html(1).replace(b'<div class="date">2.11.2024 10:01</div>', b"")
    undated = undated.replace(b"<title>", b'<meta property="og:type" content="article"><title>')
    assert undated != article_html(1)
    with LocalSite(
        {"/robots.txt": Page(b"", "text/plain"), "/news/1-item.html": Page(undated)}
    ) as site:
        base = site.base_url
        site.pages["/sitemap.xml"] = sitemap(
            [(f"{base}/news/1-item.html", "2026-11-01", "2026-11-01T09:30:00+05:00")]
        )
        site_file = tmp_path / "site.toml"
        site_file.write_text(
            'slug = "maps"\nname = "Maps"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
            f'sitemaps = ["{base}/sitemap.xml"]\narticle_url = "/news/\\\\d+-item"\n'
        )
        db = tmp_path / "news.db"
        assert run_crawl(db, site_file).returncode == 0
        assert query(db, "SELECT published_at FROM articles") == [("2026-11-01T09:30:00+05:00",)]

        # Unchanged lastmod: not fetched again.
        site.requests.clear()
        assert run_crawl(db, site_file).returncode == 0
        assert "/news/1-item.html" not in site.requests

        # A newer lastmod and a changed body: fetched, updated, the old body kept.
        later = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        site.pages["/sitemap.xml"] = sitemap([(f"{base}/news/1-item.html", later, None)])
        addition = "<p>Обновлено: добавлены новые сведения о ремонте сетей.</p></article>".encode()
        site.pages["/news/1-item.html"] = Page(undated.replace(b"</article>", addition))
        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert query(db, "SELECT count(*) FROM articles") == [(1,)]
        assert "добавлены новые сведения" in query(db, "SELECT body FROM articles")[0][0]
        assert query(db, "SELECT count(*) FROM article_versions") == [(1,)]
        assert query(db, "SELECT updated FROM runs ORDER BY id DESC LIMIT 1") == [(1,)]


def test_paging_after_an_unfinished_run_stops_at_articles_older_than_since(tmp_path: Path):
    with LocalSite(paged_site_pages(12, 4)) as site:
        site_file = write_site_file(tmp_path, site)
        db = tmp_path / "news.db"
        assert run_crawl(db, site_file).returncode == 0
        # As if the last run had been interrupted: paging may not stop on known pages...
        with sqlite3.connect(db) as connection:
            connection.execute("UPDATE site_state SET last_status = 'interrupted'")
        site.requests.clear()
        assert run_crawl(db, site_file).returncode == 0
        assert "/news/?page=3" in site.requests
        # ...unless everything on them is older than --since.
        with sqlite3.connect(db) as connection:
            connection.execute("UPDATE site_state SET last_status = 'interrupted'")
        site.requests.clear()
        assert run_crawl(db, site_file, extra=("--since", "2025-01-01")).returncode == 0
        assert [p for p in site.requests if p.startswith("/news/")] == ["/news/"]
