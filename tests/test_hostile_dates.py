"""Edge-of-calendar dates from a hostile site: a feed item, sitemap lastmods (in an index
and in a urlset) and article pages dated 9999 or 0001. Each bad value is rejected with a
warning; the feed, the sitemaps and the articles around it go on."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite, Page
from pipelines.stages.dates import parse_date
from tests.crawlsite import article_html, query, run_crawl

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
EDGE = "9999-12-31T23:59:59Z"


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 31 Dec 9999 23:59:59 +0000",
        "Mon, 31 Dec 9999 23:59:59 -0900",
        EDGE,
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+05:00",
        "0001-01-01",
        "Sat, 1 Jan 0001 00:00:00 +0500",
        "0000-01-01",
        "31.12.0000",
        "31.12.9999",
        "2024-13-45T10:00:00Z",
        "2024-01-01T25:00:00Z",
        "99999999999-01-01",
        "99999999999999 дней назад",
        "1 января 99999",
    ],
)
def test_an_edge_date_is_rejected_with_a_warning(text: str):
    for timezone in ("Asia/Almaty", None):
        outcome = parse_date(text, now=NOW, timezone=timezone)
        assert outcome.value is None
        assert outcome.warning


def test_four_digit_years_are_not_read_as_two_digit_ones():
    # The email module and the short-year rule both turn year 1 into 2001.
    assert parse_date("Sat, 1 Jan 0001 00:00:00 +0500", now=NOW).value is None
    assert parse_date("31.12.0000", now=NOW).value is None
    assert parse_date("31.12.24", now=NOW).value.local_iso == "2024-12-31T00:00:00+05:00"
    good = parse_date("Tue, 19 Nov 2019 06:13:48 -0600", now=NOW).value
    assert good.utc_iso == "2019-11-19T12:13:48Z"


def undated(number: int, head: str = "", body: str = "") -> bytes:
    """An article page whose only date is the one given in `head` or `body`."""
    page = article_html(number)
    start = page.index(b'<div class="date">')
    page = page[:start] + page[page.index(b"</div>", start) + 6 :]
    return page.replace(b"</head>", head.encode() + b"</head>").replace(
        b"<article>", b"<article>" + body.encode()
    )


META_9999 = '<meta property="article:published_time" content="9999-12-31T23:59:59+00:00">'
TIME_9999 = '<time datetime="9999-12-31T23:59:59Z">31 декабря 9999</time>'
JSONLD_0001 = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",'
    ' "datePublished": "0001-01-01T00:00:00+05:00"}</script>'
)


def rss(items: list[tuple[str, str]]) -> Page:
    entries = "".join(
        f"<item><title>t</title><link>{link}</link><pubDate>{date}</pubDate></item>"
        for link, date in items
    )
    return Page(
        f'<?xml version="1.0"?><rss version="2.0"><channel>{entries}</channel></rss>'.encode(),
        "application/rss+xml",
    )


def urlset(entries: list[tuple[str, str]], tag: str = "urlset", inner: str = "url") -> Page:
    nodes = "".join(
        f"<{inner}><loc>{loc}</loc><lastmod>{mod}</lastmod></{inner}>" for loc, mod in entries
    )
    return Page(
        f'<?xml version="1.0"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{nodes}</{tag}>".encode(),
        "application/xml",
    )


@pytest.fixture(scope="module")
def edge_site(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("edge")
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/91-item.html": Page(undated(91, head=META_9999)),
        "/news/92-item.html": Page(undated(92, body=TIME_9999)),
        "/news/93-item.html": Page(undated(93, head=JSONLD_0001)),
    }
    for number in range(1, 10):
        pages[f"/news/{number}-item.html"] = Page(article_html(number))
    with LocalSite(pages) as site:
        base = site.base_url
        site.pages["/feed.xml"] = rss(
            [(f"{base}/news/91-item.html", "Fri, 31 Dec 9999 23:59:59 +0000")]
            + [(f"{base}/news/{n}-item.html", "Tue, 19 Nov 2024 06:13:48 +0500") for n in (1, 2, 3)]
        )
        site.pages["/sitemap.xml"] = urlset(
            [(f"{base}/news/92-item.html", EDGE)]
            + [(f"{base}/news/{n}-item.html", "2024-11-19") for n in (4, 5)],
        )
        site.pages["/index.xml"] = urlset(
            [(f"{base}/sitemap-a.xml", EDGE), (f"{base}/sitemap-b.xml", "2024-11-19")],
            tag="sitemapindex",
            inner="sitemap",
        )
        site.pages["/sitemap-a.xml"] = urlset(
            [(f"{base}/news/93-item.html", "0001-01-01T00:00:00Z")]
            + [(f"{base}/news/{n}-item.html", "2024-11-19") for n in (6, 7)]
        )
        site.pages["/sitemap-b.xml"] = urlset(
            [(f"{base}/news/{n}-item.html", "2024-11-19") for n in (8, 9)]
        )
        site_file = folder / "edge.toml"
        site_file.write_text(
            'slug = "edge"\nname = "Edge"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
            f'feeds = ["{base}/feed.xml"]\n'
            f'sitemaps = ["{base}/sitemap.xml", "{base}/index.xml"]\n'
            'article_url = "/news/\\\\d+-item\\\\.html$"\n'
        )
        db = folder / "news.db"
        first = run_crawl(db, site_file)
        site.requests.clear()
        second = run_crawl(db, site_file)
        yield db, first, second, list(site.requests), folder


def test_every_good_item_after_an_edge_date_is_stored(edge_site):
    db, first, _, _, _ = edge_site
    assert first.returncode == 0, first.stderr + first.stdout
    urls = [url.rsplit("/", 1)[1] for (url,) in query(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(f"{n}-item.html" for n in (*range(1, 10), 91, 92, 93))


def test_edge_dated_articles_are_stored_undated_with_a_warning(edge_site):
    db = edge_site[0]
    rows = query(
        db,
        "SELECT url, published_at, warnings FROM articles WHERE url LIKE '%/9_-item.html'",
    )
    assert len(rows) == 3
    for url, published_at, warnings in rows:
        assert published_at is None, url
        assert any("rejected" in warning for warning in json.loads(warnings)), url


def test_the_edge_dates_are_logged_as_warnings(edge_site):
    _, first, _, _, folder = edge_site
    log = first.stdout + first.stderr + (folder / "logs" / "newsbot.log").read_text()
    assert "OverflowError" not in log and "Traceback" not in log
    warnings = [line for line in log.splitlines() if "WARNING" in line and "rejected" in line]
    # the feed item, the sitemap entry, the index entry, the sitemap entry dated 0001
    assert any("91-item.html: date 9999-12-31T23:59:59+00:00 rejected" in w for w in warnings)
    assert any("92-item.html: date 9999-12-31T23:59:59+00:00 rejected" in w for w in warnings)
    assert any("sitemap-a.xml: date 9999-12-31T23:59:59+00:00 rejected" in w for w in warnings)
    assert any("93-item.html: date 0001-01-01" in w for w in warnings)


def test_edge_dated_articles_are_not_fetched_again(edge_site):
    _, _, second, requests, _ = edge_site
    assert second.returncode == 0, second.stderr
    assert not [path for path in requests if path.startswith("/news/")]


def test_extract_of_an_edge_dated_page_does_not_crash(edge_site, tmp_path: Path):
    for number, extra in (
        (91, {"head": META_9999}),
        (92, {"body": TIME_9999}),
        (93, {"head": JSONLD_0001}),
    ):
        page = tmp_path / f"{number}.html"
        page.write_bytes(undated(number, **extra))
        result = subprocess.run(
            [sys.executable, "-m", "newsbot.cli", "extract", str(page)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        record = json.loads(result.stdout)
        assert record["published_at"] is None
        assert any("rejected" in warning for warning in record["warnings"])
