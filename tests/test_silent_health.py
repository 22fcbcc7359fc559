"""No silent "healthy": a site that gives no article link, or whose robots.txt closes
every configured URL, fails its health check with a line naming why, under cron too."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import paged_site_pages, run_crawl, write_site_file


def test_robots_txt_closing_every_configured_url_fails_the_run(tmp_path: Path):
    pages = paged_site_pages(5, 5)
    pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /\n", "text/plain")
    with LocalSite(pages) as site:
        result = run_crawl(tmp_path / "news.db", write_site_file(tmp_path, site), extra=("--cron",))
        requested = list(site.requests)
    assert result.returncode == 1
    assert result.stderr == (
        "newsbot: testsite: failed: robots.txt disallows every configured URL (1 refused)\n"
    )
    assert requested == ["/robots.txt"]


def test_a_regex_that_matches_no_link_fails_the_run(tmp_path: Path):
    with LocalSite(paged_site_pages(5, 5)) as site:
        site_file = write_site_file(tmp_path, site, slug="wrongre")
        text = site_file.read_text(encoding="utf-8").replace(
            "article_url = '/(?:news|private)/\\d+-[\\w-]+\\.html$'", "article_url = '/stati/'"
        )
        site_file.write_text(text, encoding="utf-8")
        result = run_crawl(tmp_path / "news.db", site_file, extra=("--cron",))
    assert result.returncode == 1
    assert result.stderr == (
        "newsbot: wrongre: failed: no article links in 1 discovery pages (feeds, sitemaps, "
        "listings): check article_url and start_urls\n"
    )


ROBOTS = Page(b"User-agent: *\n", "text/plain")


@pytest.mark.parametrize(
    ("pages", "answered"),
    [
        ({"/news/": Page(b"<html>Internal error</html>", status=500)}, "HTTP 500 x3"),
        ({"/news/": Page(b"<html>late</html>", delay=3.0)}, "DownloadTimeoutError x3"),
        ({"/sitemap.xml": Page(b"<html><body>Page not found</body></html>")}, "HTTP 200 x1"),
    ],
    ids=["listing-500", "listing-timeout", "sitemap-is-html"],
)
def test_a_site_that_never_gave_an_article_fails_the_run(
    tmp_path: Path, pages: dict[str, Page], answered: str
):
    with LocalSite({"/robots.txt": ROBOTS, **pages}) as site:
        site_file = write_site_file(tmp_path, site)
        if "/sitemap.xml" in pages:
            text = site_file.read_text(encoding="utf-8").replace(
                "start_urls =", f'sitemaps = ["{site.base_url}/sitemap.xml"]\n# start_urls ='
            )
            site_file.write_text(text, encoding="utf-8")
        result = run_crawl(tmp_path / "news.db", site_file, extra=("--cron",))
        requests = len(site.requests)
    assert result.returncode == 1
    assert result.stderr == (
        f"newsbot: testsite: no article in any run yet: 0 articles from {requests} requests "
        f"({answered}; 0 discovery pages read)\n"
    )
