"""robots.txt before anything: every request, start requests included and however many
wait on one robots.txt download, obeys it. The local server records every request it
got; none that robots.txt disallows may be among them."""

from __future__ import annotations

from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import article_html, listing, query, run_crawl


def _site_file(folder: Path, lines: list[str]) -> Path:
    path = folder / "robots.toml"
    path.write_text(
        'slug = "robots"\nname = "Robots"\nlanguage = "ru"\n'
        "article_url = '/news/\\d+-item\\.html$'\n" + "\n".join(lines) + "\n"
    )
    return path


def _sitemap(base: str, paths: list[str]) -> Page:
    urls = "".join(f"<url><loc>{base}{path}</loc></url>" for path in paths)
    return Page(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
        "application/xml",
    )


def _feed(base: str, paths: list[str]) -> Page:
    items = "".join(f"<item><link>{base}{path}</link></item>" for path in paths)
    return Page(
        f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), "application/rss+xml"
    )


def test_disallow_all_means_only_robots_txt_is_fetched(tmp_path: Path):
    articles = [f"/news/{n}-item.html" for n in range(1, 6)]
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /\n", "text/plain"),
        "/news/": listing(*articles),
        "/about/": Page(b"<html><body>about</body></html>"),
        **{path: Page(article_html(1)) for path in articles},
    }
    with LocalSite(pages) as site:
        base = site.base_url
        site.pages["/sitemap.xml"] = _sitemap(base, articles)
        site.pages["/rss.xml"] = _feed(base, articles)
        site_file = _site_file(
            tmp_path,
            [
                'domains = ["127.0.0.1"]',
                f'start_urls = ["{base}/news/", "{base}/news/?page=2"]',
                f'sitemaps = ["{base}/sitemap.xml"]',
                f'feeds = ["{base}/rss.xml"]',
                f'imprint_urls = ["{base}/about/"]',
            ],
        )
        result = run_crawl(tmp_path / "news.db", site_file)
        assert "Traceback" not in result.stderr
        assert site.requests == ["/robots.txt"]


def test_disallowed_articles_on_an_alias_host_are_not_fetched(tmp_path: Path):
    articles = [f"/news/{n}-item.html" for n in range(1, 9)]
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /news/\n", "text/plain"),
        **{path: Page(article_html(n)) for n, path in enumerate(articles, 1)},
    }
    with LocalSite(pages) as site:
        alias = f"http://localhost:{site.port}"
        # The listing is on 127.0.0.1; its articles on the alias host, whose robots.txt
        # every one of the eight waits for at once.
        site.pages["/list/"] = listing(*(alias + path for path in articles))
        site_file = _site_file(
            tmp_path,
            ['domains = ["127.0.0.1", "localhost"]', f'start_urls = ["{site.base_url}/list/"]'],
        )
        result = run_crawl(tmp_path / "news.db", site_file)
        assert "Traceback" not in result.stderr
        assert "/list/" in site.requests
        assert site.requests.count("/robots.txt") == 2  # one per host
        assert [path for path in site.requests if path.startswith("/news/")] == []


def test_disallowed_sitemap_and_listing_are_not_fetched(tmp_path: Path):
    allowed = [f"/news/{n}-item.html" for n in range(1, 4)]
    hidden = [f"/news/{n}-item.html" for n in range(4, 7)]
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/news/": listing(*allowed),
        "/private/list/": listing(*hidden),
        **{path: Page(article_html(n)) for n, path in enumerate(allowed + hidden, 1)},
    }
    with LocalSite(pages) as site:
        base = site.base_url
        site.pages["/private/sitemap.xml"] = _sitemap(base, hidden)
        site.pages["/rss.xml"] = _feed(base, allowed[:1])
        site.pages["/about/"] = Page(b"<html><body>about</body></html>")
        site_file = _site_file(
            tmp_path,
            [
                'domains = ["127.0.0.1"]',
                # Start requests ahead of the private ones: those wait on robots.txt
                # behind the first waiter.
                f'imprint_urls = ["{base}/about/"]',
                f'feeds = ["{base}/rss.xml"]',
                f'start_urls = ["{base}/private/list/", "{base}/news/"]',
                f'sitemaps = ["{base}/private/sitemap.xml"]',
            ],
        )
        db = tmp_path / "news.db"
        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert [path for path in site.requests if path.startswith("/private/")] == []
        assert sorted(url.split("/", 3)[3] for (url,) in query(db, "SELECT url FROM articles")) == [
            path.lstrip("/") for path in allowed
        ]
