"""No silent "healthy": a site that gives no article link, or whose robots.txt closes
every configured URL, fails its health check with a line naming why, under cron too."""

from __future__ import annotations

from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import paged_site_pages, run_crawl, write_site_file


def test_robots_txt_closing_every_configured_url_fails_the_run(tmp_path: Path):
    pages = paged_site_pages(5, 5)
    pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /\n", "text/plain")
    with LocalSite(pages) as site:
        result = run_crawl(tmp_path / "news.db", write_site_file(tmp_path, site),
                           extra=("--cron",))  # fmt: skip
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
