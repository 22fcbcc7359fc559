import gzip
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newsbot.crawling.discovery import listing_links, next_page_url, parse_feed, parse_sitemap
from newsbot.crawling.retry import retry_after_seconds
from newsbot.crawling.spiderloader import SiteSpiderLoader
from newsbot.sites.config import ConfigError, bundled_configs, load_config, parse_config
from tests.conftest import FETCHED_AT

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://nur.kz/politics/2086925-antikor/</loc><lastmod>2024-04-18</lastmod>
    <news:news><news:publication><news:name>NUR.KZ</news:name></news:publication>
      <news:publication_date>2024-04-18T12:20:00+05:00</news:publication_date></news:news></url>
  <url><loc>https://nur.kz/society/2086926-snow/</loc></url>
</urlset>"""


def test_news_sitemap_keeps_the_publication_date():
    kind, entries = parse_sitemap(NEWS_SITEMAP)
    assert kind == "urlset"
    assert [(e.url, e.lastmod, e.news_date) for e in entries] == [
        ("https://nur.kz/politics/2086925-antikor/", "2024-04-18", "2024-04-18T12:20:00+05:00"),
        ("https://nur.kz/society/2086926-snow/", None, None),
    ]


def test_gzipped_sitemap_index():
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://zakon.kz/sitemap-1.xml</loc><lastmod>2026-11-20</lastmod></sitemap>
    </sitemapindex>"""
    kind, entries = parse_sitemap(gzip.compress(index))
    assert kind == "index"
    assert entries[0].url == "https://zakon.kz/sitemap-1.xml"


def test_not_a_sitemap():
    assert parse_sitemap(b"<html><body>404</body></html>") == ("invalid", [])
    assert parse_sitemap(b"") == ("invalid", [])


def test_rss_and_atom_feeds():
    rss = b"""<rss version="2.0"><channel><item><title>A</title><link>https://tengrinews.kz/a-1/</link>
      <pubDate>Tue, 24 Nov 2026 06:13:48 +0500</pubDate></item>
      <item><guid>https://tengrinews.kz/b-2/</guid></item></channel></rss>"""
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="/c-3/"/>
      <published>2026-11-24T06:00:00Z</published></entry></feed>"""
    assert [(e.url, e.feed_date) for e in parse_feed(rss, "https://tengrinews.kz/news.rss")] == [
        ("https://tengrinews.kz/a-1/", "Tue, 24 Nov 2026 06:13:48 +0500"),
        ("https://tengrinews.kz/b-2/", None),
    ]
    assert [e.url for e in parse_feed(atom, "https://astanatimes.com/feed/")] == [
        "https://astanatimes.com/c-3/"
    ]


def test_listing_links_are_absolute_and_unique():
    page = '<a href="/news/1">x</a><a href="/news/1#top">y</a><a href="mailto:a@b.kz">m</a><a href="https://x.kz/2">z</a>'
    assert listing_links(page, "https://site.kz/news/") == [
        "https://site.kz/news/1",
        "https://x.kz/2",
    ]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('<link rel="next" href="/news/?page=2">', "https://s.kz/news/?page=2"),
        ('<a href="/news/p2">Следующая →</a>', "https://s.kz/news/p2"),
        ('<a href="/kz/news/2">Келесі</a>', "https://s.kz/kz/news/2"),
        ('<a class="pager-next" href="/n/2">»</a>', "https://s.kz/n/2"),
        ("<p>no pagination</p>", None),
    ],
)
def test_next_page_links(page, expected):
    assert next_page_url(page, "https://s.kz/news/") == expected


def test_next_page_by_parameter_and_selector():
    assert (
        next_page_url("<p></p>", "https://s.kz/news?page=3&x=1", page_param="page")
        == "https://s.kz/news?page=4&x=1"
    )
    page = '<div class="more"><a href="/load?offset=20">Load</a></div>'
    assert next_page_url(page, "https://s.kz/", selector=".more a") == "https://s.kz/load?offset=20"


def test_retry_after_header_forms():
    assert retry_after_seconds(b"120", FETCHED_AT) == 120
    assert retry_after_seconds("Thu, 26 Nov 2026 12:01:00 GMT", FETCHED_AT) == 60
    assert retry_after_seconds(b"soon", FETCHED_AT) is None
    assert retry_after_seconds(None, FETCHED_AT) is None


GOOD = {
    "slug": "x",
    "name": "X",
    "domains": ["x.kz"],
    "language": "ru",
    "start_urls": ["https://x.kz/news"],
    "article_url": "/news/\\d+",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "x.toml: key 'colour': unknown key"),
        ({"article_url": "/news/(\\d+"}, "x.toml: key 'article_url': bad regular expression"),
        ({"domains": ["x.kz:8080"]}, "x.toml: key 'domains': 'x.kz:8080': host names only"),
        ({"domains": ["https://x.kz"]}, "x.toml: key 'domains': 'https://x.kz': host names only"),
        ({"language": "de"}, "x.toml: key 'language': 'de' is not one of ru, kk, en"),
        ({"start_urls": []}, "x.toml: key 'start_urls': no way to discover articles"),
        (
            {"start_urls": ["x.kz/news"]},
            "x.toml: key 'start_urls': 'x.kz/news' is not an http(s) URL",
        ),
        ({"slug": "Bad-Slug"}, "x.toml: key 'slug': 'Bad-Slug' must match [a-z0-9_]+"),
        (
            {"timezone": "Mars/Olympus"},
            "x.toml: key 'timezone': 'Mars/Olympus' is not a known time zone",
        ),
        ({"selectors": {"title": "h1[["}}, "x.toml: key 'selectors.title': bad CSS selector"),
        ({"download_delay": "slow"}, "x.toml: key 'download_delay': 'slow' is not a number"),
    ],
)
def test_bad_configs_name_file_key_and_problem(change, message):
    with pytest.raises(ConfigError) as error:
        parse_config({**GOOD, **change}, "x.toml")
    assert str(error.value).startswith(message)


def test_missing_key_and_broken_toml(tmp_path: Path):
    with pytest.raises(ConfigError, match="key 'domains': missing"):
        parse_config({k: v for k, v in GOOD.items() if k != "domains"}, "x.toml")
    # Without article_url every page of the site is a candidate; the classifier decides.
    loose = parse_config({k: v for k, v in GOOD.items() if k != "article_url"}, "x.toml")
    assert loose.article_url is None
    broken = tmp_path / "broken.toml"
    broken.write_text('slug = "x\n')
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_config(broken)


def test_bundled_configs_are_valid():
    configs = bundled_configs()
    assert len(configs) >= 12
    for slug in ("primeminister_ru", "primeminister_kk", "primeminister_en", "akorda_ru", "gov_kz",
                 "inform_ru", "tengrinews_ru", "zakon_ru", "nur_ru", "kursiv_ru", "kapital_ru",
                 "informburo_ru", "vlast_ru", "kazpravda_ru", "egemen_kk"):  # fmt: skip
        assert slug in configs
    assert configs["gov_kz"].enabled and configs["gov_kz"].needs_browser


def test_bundled_article_patterns_match_known_urls():
    configs = bundled_configs()
    known = {
        "nur_ru": "https://www.nur.kz/politics/kazakhstan/2086925-antikor-vernul-gosudarstvu-bolee-17-mlrd-tenge/",
        "zakon_ru": "https://www.zakon.kz/6420001-gripp.html",
        "egemen_kk": "https://egemen.kz/article/380112-astanada",
        "tengrinews_ru": "https://tengrinews.kz/kazakhstan_news/antikor-vernul-17-mlrd-543210/",
    }
    for slug, url in known.items():
        assert configs[slug].article_url.search(url), slug
        assert not configs[slug].article_url.search(
            url.split("/")[0] + "//" + url.split("/")[2] + "/"
        ), slug


def test_spider_loader_knows_every_bundled_site():
    loader = SiteSpiderLoader.from_settings(Settings())
    assert loader.list() == sorted(bundled_configs())
    spider_class = loader.load("nur_ru")
    assert spider_class.name == "nur_ru"
    assert spider_class.config.domains == ("nur.kz",)
    with pytest.raises(KeyError):
        loader.load("nope")


def test_scrapy_knows_the_bundled_sites():
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(bundled_configs())


def test_spider_arguments_from_the_scrapy_command_line():
    from newsbot.crawling.spider import NewsSpider

    config = bundled_configs()["nur_ru"]
    spider = NewsSpider(config=config, since="2026-11-01", limit="20", refresh="true")
    assert spider.since is not None and spider.since.isoformat() == "2026-11-01T00:00:00+05:00"
    assert (spider.limit, spider.refresh) == (20, True)
