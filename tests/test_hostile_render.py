"""Hostile rendered pages (issue 19): a page's scripts reach for another port of the host
every way a page can, and pages that never stop (an endless scroll, a "show more" that
never goes, a script that never yields, a document that grows without end). The other
port ("an internal service") receives not even a connection; every page ends within its
deadline with what it had drawn kept, and the crawl goes on."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from newsbot.crawling.render import browser_scope, may_request
from newsbot.demo.server import LocalSite, Page
from newsbot.sites.config import parse_config
from tests.support.jssite import (
    STALLING_FIRST,
    Listener,
    article_number_html,
    escaping_pages,
    stalling_pages,
)
from tests.test_hostile_sitemaps import crawl
from tests.test_render import needs_chromium


def _site(pages: dict[str, bytes], numbers: range) -> LocalSite:
    served: dict[str, Page | list[Page]] = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
    served |= {path: Page(body) for path, body in pages.items()}
    served |= {f"/news/{n}-item.html": Page(article_number_html(n)) for n in numbers}
    return LocalSite(served)


def _crawl(folder: Path, site: LocalSite, extra: str, **settings: object) -> tuple[Path, str]:
    site_file = folder / "hostile.toml"
    starts = ", ".join(
        f'"{site.base_url}{path}"' for path in site.pages if path.startswith("/app/")
    )
    site_file.write_text(
        'slug = "hostile"\nname = "Hostile"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
        f"start_urls = [{starts}]\n"
        "article_url = '/news/\\d+-item\\.html$'\n"
        'download_timeout = 2\nrender = "listing"\n' + extra
    )
    db, _, log = crawl(folder, site_file, **settings)
    return db, log


def _stat(log: str, name: str) -> int:
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else 0


def _query(db: Path, sql: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return list(connection.execute(sql))


SCOPED = parse_config(
    {"slug": "x", "name": "X", "domains": ["x.example", "www.y.example"], "language": "ru",
     "start_urls": ["https://x.example/news"], "article_url": "/news/\\d+", "render": "all",
     "api": {"url": "https://x.example:8443/api?page={page}", "items": "items",
             "item_url": "url"}},
    "x.toml",
)  # fmt: skip


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://x.example/news/1", True),
        ("https://www.x.example/news/1", True),
        ("http://y.example/", True),  # a URL without a port: 80 and 443
        ("https://x.example:8443/api?page=2", True),  # the API's own port
        ("wss://x.example/socket", True),
        ("data:text/html,<p>hi</p>", True),
        ("blob:https://x.example/4f1c", True),
        ("https://x.example:8080/admin", False),
        ("https://sub.x.example/", False),
        ("https://x.example.evil.example/", False),
        ("http://127.0.0.1/", False),
        ("http://[::1]/", False),
        ("ftp://x.example/", False),
        ("file:///etc/passwd", False),
        ("http://x.example:99999/", False),
    ],
)
def test_the_browser_may_reach_only_the_sites_hosts_and_ports(url, allowed):
    hosts, ports = browser_scope(SCOPED)
    assert (hosts, ports) == (frozenset({"x.example", "y.example"}), frozenset({80, 443, 8443}))
    assert may_request(url, hosts, ports) is allowed


@needs_chromium
def test_a_rendered_pages_scripts_reach_nothing_off_the_site(tmp_path: Path):
    with Listener() as internal:
        elsewhere = f"http://127.0.0.1:{internal.port}"
        with _site(escaping_pages(elsewhere), range(1, 9)) as site:
            site.pages["/redirect-out"] = Page(
                b"", status=302, headers={"Location": f"{elsewhere}/redirected"}
            )
            db, log = _crawl(tmp_path, site, "")
            time.sleep(1)  # a late connection would still be noted
            site_requests = list(site.requests)
    # Not one connection: fetch, XHR, beacon, WebSocket, EventSource, popup, worker,
    # script, frame, style, image, preconnect, prefetch, WebRTC, the redirect, the navigation.
    assert internal.connections == []
    assert "/redirect-out" in site_requests  # the redirect was asked for; its target not
    # The escaping listing is read; the leaving one is not kept under the other address.
    urls = [url for (url,) in _query(db, "SELECT url FROM articles")]
    assert sorted(int(u.rsplit("/", 1)[1].split("-")[0]) for u in urls) == [1, 2, 3, 4]
    assert not [u for (u,) in _query(db, "SELECT url FROM pages") if str(internal.port) in u]
    # The navigation away is refused: the page fails, as left the site (or, when the
    # refusal comes before its load event, as never loaded).
    (error,) = _query(db, "SELECT error FROM pages WHERE url LIKE '%/app/leave'")[0]
    assert error.startswith("LeftTheSiteError: its script navigated off the site") or (
        "Timeout" in error
    )
    assert _stat(log, "newsbot/browser_refused") >= 10
    assert _stat(log, "newsbot/browser_popups_closed") >= 2
    assert "browser refused a page's request off the site: websocket" in log


def _stalled_crawl(
    folder: Path, paths: tuple[str, ...], **settings: object
) -> tuple[dict[str, list[int]], str, float, Path]:
    """Crawl the stalling pages named; the article numbers kept from each, the log, and
    how long the crawl took."""
    pages = {path: body for path, body in stalling_pages().items() if path in paths}
    with _site(pages, range(1000, 6000)) as site:
        started = time.monotonic()
        extra = 'scroll = 1000\nload_more = "button.more"\nmax_pages = 1000\n'
        db, log = _crawl(folder, site, extra, **settings)
        took = time.monotonic() - started
    urls = [url for (url,) in _query(db, "SELECT url FROM articles")]
    numbers = [int(url.rsplit("/", 1)[1].split("-")[0]) for url in urls]
    kept = {
        path: sorted(n for n in numbers if STALLING_FIRST[path] <= n < STALLING_FIRST[path] + 1000)
        for path in paths
    }
    return kept, log, took, db


@needs_chromium
def test_endless_lists_end_at_their_deadline_with_what_they_drew(tmp_path: Path):
    paths = ("/app/endless", "/app/more-forever")
    kept, log, took, _ = _stalled_crawl(tmp_path, paths, NEWSBOT_RENDER_PAGE_SECONDS=5)
    # Scrolled and clicked until the deadline (a batch each 0.3 s), every batch drawn by
    # then kept, in order from the first.
    for path in paths:
        first = STALLING_FIRST[path]
        assert len(kept[path]) > 8, path
        assert kept[path] == list(range(first, first + len(kept[path]))), path
    assert log.count("rendered page stopped (deadline)") == 2
    assert _stat(log, "newsbot/browser_pages_stopped") == 2
    # Two listings of 5 s side by side, then their articles.
    assert took < 60, took


@needs_chromium
def test_a_page_that_never_yields_or_grows_without_end_is_stopped(tmp_path: Path):
    paths = ("/app/spin", "/app/grow")
    kept, log, took, _ = _stalled_crawl(
        tmp_path,
        paths,
        NEWSBOT_RENDER_PAGE_SECONDS=60,
        NEWSBOT_RENDER_STALL_SECONDS=4,
        NEWSBOT_RENDER_MAX_HTML=1_000_000,
    )
    # Both drew their first batch before they stalled or grew: it is kept.
    assert kept == {
        path: list(range(STALLING_FIRST[path], STALLING_FIRST[path] + 4)) for path in paths
    }
    assert "rendered page stopped (stalled: no answer in 4 s)" in log
    assert "rendered page stopped (its HTML passed 1,000,000 characters)" in log
    assert "(1000000 characters)" in log  # the HTML read is cut at the bound
    # Stopped on the stall and the bound, long before the 60 s deadline.
    assert took < 40, took


@needs_chromium
def test_a_page_that_takes_memory_without_end_is_stopped_at_the_browsers_bound(tmp_path: Path):
    kept, log, took, db = _stalled_crawl(tmp_path, ("/app/balloon",), NEWSBOT_BROWSER_MAX_MB=1000)
    assert kept["/app/balloon"][:4] == list(range(5000, 5004))
    assert "rendered page stopped (the browser passed 1000 MB)" in log
    # Sampled twice a second, at 160 MB a second: the peak stays within 1000 MB and the
    # growth of the sample's interval and the page's closing.
    ((browser_mb,),) = _query(db, "SELECT browser_mb FROM runs")
    assert 1000 < browser_mb < 1500, browser_mb
    assert took < 40, took
