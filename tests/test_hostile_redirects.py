"""Redirects off the site are not followed: a 301, a 302 and a meta refresh from the
site's articles to another server (reached as `localhost`, outside the config's domains)
are logged, recorded in the pages log and never requested."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import article_html, listing, query, run_crawl


@pytest.fixture(scope="module")
def redirected(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("redirects")
    with LocalSite({"/robots.txt": Page(b"User-agent: *\n", "text/plain")}) as other:
        elsewhere = f"http://localhost:{other.port}"
        other.pages["/news/2-item.html"] = Page(article_html(2))
        other.pages["/internal/"] = Page(article_html(3))
        other.pages["/news/4-item.html"] = Page(article_html(4))
        refresh = f'<html><head><meta http-equiv="refresh" content="0; url={elsewhere}/news/4-item.html"></head></html>'
        pages: dict[str, Page | list[Page]] = {
            "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
            "/news/": listing(*(f"/news/{n}-item.html" for n in range(1, 6))),
            "/news/1-item.html": Page(article_html(1)),
            "/news/2-item.html": Page(
                b"", status=301, headers={"Location": f"{elsewhere}/news/2-item.html"}
            ),
            "/news/3-item.html": Page(
                b"", status=302, headers={"Location": f"{elsewhere}/internal/"}
            ),
            "/news/4-item.html": Page(refresh.encode()),
            # on the site: followed as before
            "/news/5-item.html": Page(b"", status=301, headers={"Location": "/news/6-item.html"}),
            "/news/6-item.html": Page(article_html(6)),
        }
        with LocalSite(pages) as site:
            site_file = folder / "redir.toml"
            site_file.write_text(
                'slug = "redir"\nname = "Redir"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
                f'start_urls = ["{site.base_url}/news/"]\n'
                "article_url = '/news/\\d+-item\\.html$'\n"
            )
            db = folder / "news.db"
            first = run_crawl(db, site_file)
            first_other = list(other.requests)
            site.requests.clear()
            second = run_crawl(db, site_file)
            yield (db, first, second, first_other, list(site.requests), list(other.requests),
                   site, elsewhere, folder)  # fmt: skip


def test_no_request_reaches_the_other_server(redirected):
    _, first, second, first_other, _, other_requests, *_ = redirected
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert first_other == []
    assert other_requests == []


def test_only_the_sites_own_articles_are_stored(redirected):
    db, _, _, _, _, _, site, _, _ = redirected
    assert sorted(url for (url,) in query(db, "SELECT url FROM articles")) == [
        f"{site.base_url}/news/1-item.html",
        f"{site.base_url}/news/6-item.html",
    ]


def test_the_pages_log_names_the_off_site_target(redirected):
    db, *_, elsewhere, _ = redirected
    rows = {
        url.rsplit("/", 1)[1]: (status, error)
        for url, status, error in query(
            db, "SELECT url, status, error FROM pages WHERE error LIKE 'redirect off-site%'"
        )
    }
    assert rows == {
        "2-item.html": (301, f"redirect off-site to {elsewhere}/news/2-item.html"),
        "3-item.html": (302, f"redirect off-site to {elsewhere}/internal/"),
        "4-item.html": (200, f"redirect off-site to {elsewhere}/news/4-item.html"),
    }


def test_the_crawl_log_says_so(redirected):
    *_, elsewhere, folder = redirected
    log = (Path(folder) / "logs" / "newsbot.log").read_text()
    assert f"redirect off-site to {elsewhere}/news/2-item.html" in log
    assert f"redirect off-site to {elsewhere}/internal/" in log


def test_an_off_site_redirect_is_not_asked_again(redirected):
    requests = redirected[4]
    assert "/news/2-item.html" not in requests
    assert "/news/3-item.html" not in requests
    assert "/news/4-item.html" not in requests
