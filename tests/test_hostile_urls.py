"""One article, one row: a site that links one article under five spellings (trailing
slash, tracking and session parameters, %-escapes), and one whose content is chosen by a
query parameter (`keep_params`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite, Page
from newsbot.sites.config import ConfigError, parse_config
from pipelines.stages.urls import clean_url, normalize_url, without_host_dot
from pipelines.store import article_id
from pipelines.store import normalize_url as store_key
from tests.crawlsite import article_html, listing, query, run_crawl

SPELLINGS = [
    "/news/1-a.html",
    "/news/1-a.html/",
    "/news/1-a.html?utm_source=x&utm_medium=tg",
    "/news/1-a.html?sid=5f2c9a",
    "/news/1-%61.html",
    "/news/1-a.html?PHPSESSID=abc&fbclid=IwAR0",
    "/news/1-a.html;jsessionid=0A1B2C",
    "/news/1-a.html#comments",
]


@pytest.mark.parametrize("path", SPELLINGS)
def test_every_spelling_has_one_key(path: str):
    assert normalize_url("http://127.0.0.1:8080" + path) == "http://127.0.0.1:8080/news/1-a.html"
    assert store_key("http://127.0.0.1:8080" + path) == "http://127.0.0.1:8080/news/1-a.html"


def test_the_key_keeps_what_selects_content():
    assert normalize_url("https://Example.kz:443/a?b=2&a=1") == "https://example.kz/a?a=1&b=2"
    assert normalize_url("https://example.kz/read.php?id=5&sid=x") == (
        "https://example.kz/read.php?id=5"
    )
    assert normalize_url("https://example.kz/") == "https://example.kz/"
    # The request keeps the site's own trailing slash: no redirect per article.
    assert clean_url("https://example.kz/news/x-1/?utm_source=a") == "https://example.kz/news/x-1/"
    assert article_id("https://example.kz/news/x-1/", None) == article_id(
        "https://example.kz/news/x-1?gclid=1", None
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://tengrinews.kz./kazakhstan_news/aral-364674/",
        "https://tengrinews.kz.:443/kazakhstan_news/aral-364674/?utm_source=tg",
        "https://TengriNews.kz./kazakhstan_news/aral-364674",
    ],
)
def test_a_host_with_a_trailing_dot_is_one_article_with_the_plain_host(url: str):
    plain = "https://tengrinews.kz/kazakhstan_news/aral-364674"
    assert normalize_url(url) == store_key(url) == plain
    assert clean_url(url).startswith("https://tengrinews.kz/kazakhstan_news/")
    assert article_id(url, None) == article_id(plain + "/", None)


def test_a_trailing_dot_goes_from_the_host_only():
    assert without_host_dot("http://user:pw@zakon.kz.:8080/a./b.") == (
        "http://user:pw@zakon.kz:8080/a./b."
    )
    # Nothing but dots is no host to shorten.
    assert without_host_dot("https://./a") == "https://./a"
    assert without_host_dot("http://[::1/a") == "http://[::1/a"


def test_keep_params_drops_every_other_parameter():
    url = "https://example.kz/read.php?from=main&id=5&ref=tg&utm_source=x"
    assert clean_url(url, ["id"]) == "https://example.kz/read.php?id=5"
    assert clean_url(url) == "https://example.kz/read.php?from=main&id=5&ref=tg"


def test_unreadable_urls_come_back_as_they_are():
    assert normalize_url("http://[::1/a") == "http://[::1/a"
    assert normalize_url("http://x:99999/a/") == "http://x:99999/a"


def test_keep_params_naming_a_session_parameter_is_refused():
    data = {
        "slug": "x",
        "name": "X",
        "domains": ["example.kz"],
        "language": "ru",
        "article_url": "/news/",
        "start_urls": ["https://example.kz/"],
        "keep_params": ["id", "PHPSESSID"],
    }
    with pytest.raises(ConfigError, match=r"'keep_params'.*'PHPSESSID' is a tracking or session"):
        parse_config(data, "x.toml")
    data["keep_params"] = ["id"]
    assert parse_config(data, "x.toml").keep_params == ("id",)


def _site_file(folder: Path, site: LocalSite, slug: str, article_url: str, extra: str = "") -> Path:
    path = folder / f"{slug}.toml"
    path.write_text(
        f'slug = "{slug}"\nname = "Dup"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
        f'start_urls = ["{site.base_url}/news/"]\n'
        f"article_url = '{article_url}'\n{extra}"
    )
    return path


def test_one_article_under_five_spellings_is_stored_once(tmp_path: Path):
    page = Page(article_html(1))
    # The server answers every spelling, as a lenient real one does.
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/": listing(*SPELLINGS[:4], next_url="/news/?page=2"),
        "/news/?page=2": listing(*SPELLINGS[4:]),
        "/news/1-a.html/": page,
        "/news/1-a.html?utm_medium=tg&utm_source=x": page,
        "/news/1-a.html?sid=5f2c9a": page,
        "/news/1-a.html?PHPSESSID=abc&fbclid=IwAR0": page,
        "/news/1-a.html;jsessionid=0A1B2C": page,
        "/news/1-a.html": page,
    }
    with LocalSite(pages) as site:
        site_file = _site_file(tmp_path, site, "dup", r"/news/\d+-\w+\.html/?$")
        db = tmp_path / "news.db"
        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert query(db, "SELECT url FROM articles") == [(f"{site.base_url}/news/1-a.html",)]
        assert [path for path in site.requests if path.startswith("/news/1-")] == ["/news/1-a.html"]


def test_a_link_to_a_host_with_a_trailing_dot_is_the_same_article(tmp_path: Path):
    robots = Page(b"User-agent: *\n", "text/plain")
    articles = {"/news/1-a.html": Page(article_html(1)), "/news/2-b.html": Page(article_html(2))}
    with LocalSite({"/robots.txt": robots, **articles}) as site:
        port = site.base_url.rsplit(":", 1)[1]
        # Article 1 is linked only with the host fully qualified; article 2 both ways.
        site.pages["/news/"] = listing(
            f"http://localhost.:{port}/news/1-a.html",
            f"http://localhost.:{port}/news/2-b.html",
            f"http://localhost:{port}/news/2-b.html",
        )
        site_file = _site_file(tmp_path, site, "dot", r"/news/\d+-\w+\.html$")
        text = site_file.read_text(encoding="utf-8")
        site_file.write_text(text.replace('["127.0.0.1"]', '["127.0.0.1", "localhost"]'))
        db = tmp_path / "news.db"
        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert query(db, "SELECT url FROM articles ORDER BY url") == [
            (f"http://localhost:{port}/news/1-a.html",),
            (f"http://localhost:{port}/news/2-b.html",),
        ]
        fetched = sorted(path for path in site.requests if path.startswith("/news/"))
        assert fetched == ["/news/", "/news/1-a.html", "/news/2-b.html"]


def test_a_content_parameter_keeps_articles_apart(tmp_path: Path):
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/": listing(
            "/read.php?id=1&from=main",
            "/read.php?id=2&ref=tg&utm_source=x",
            "/read.php?from=rss&id=1",
        ),
        "/read.php?id=1": Page(article_html(1)),
        "/read.php?id=2": Page(article_html(2)),
    }
    with LocalSite(pages) as site:
        site_file = _site_file(
            tmp_path, site, "param", r"/read\.php\?id=\d+$", 'keep_params = ["id"]\n'
        )
        db = tmp_path / "news.db"
        result = run_crawl(db, site_file)
        assert result.returncode == 0, result.stderr
        assert sorted(url for (url,) in query(db, "SELECT url FROM articles")) == [
            f"{site.base_url}/read.php?id=1",
            f"{site.base_url}/read.php?id=2",
        ]
        assert sorted(path for path in site.requests if path.startswith("/read")) == [
            "/read.php?id=1",
            "/read.php?id=2",
        ]
