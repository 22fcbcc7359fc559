"""Hostile rendered pages (issue 19): a page's scripts reach for another port of the host
every way a page can, and pages that never stop (an endless scroll, a "show more" that
never goes, a script that never yields, a document that grows without end). The other
port ("an internal service") receives not even a connection; every page ends within its
deadline with what it had drawn kept, and the crawl goes on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from newsbot.demo.server import LocalSite, Page
from tests.support.jssite import (
    STALLING_FIRST,
    Listener,
    article_number_html,
    escaping_pages,
    stalling_pages,
)
from tests.test_render import needs_chromium

CRAWL = """
import json, sys
from newsbot.run.runner import run_crawl
from newsbot.sites.config import load_config
db, site_file, log_file, overrides = sys.argv[1:5]
report = run_crawl([load_config(site_file)], db, log_file=log_file,
                   settings_overrides=json.loads(overrides))
print("status", report.status)
"""


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
    db, log = folder / "news.db", folder / "newsbot.log"
    settings.setdefault("NEWSBOT_WORKERS", 0)
    result = subprocess.run(
        [sys.executable, "-c", CRAWL, str(db), str(site_file), str(log), json.dumps(settings)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "status finished" in result.stdout, result.stdout + result.stderr[-3000:]
    return db, log.read_text()


def _stat(log: str, name: str) -> int:
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else 0


def _query(db: Path, sql: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return list(connection.execute(sql))


@needs_chromium
def test_a_rendered_pages_scripts_reach_nothing_off_the_site(tmp_path: Path):
    with Listener() as internal:
        elsewhere = f"http://127.0.0.1:{internal.port}"
        with _site(escaping_pages(elsewhere), range(1, 9)) as site:
            site.pages["/redirect-out"] = Page(b"", status=302,
                                               headers={"Location": f"{elsewhere}/redirected"})  # fmt: skip
            db, log = _crawl(tmp_path, site, "")
            time.sleep(1)  # a late connection would still be noted
            site_requests = list(site.requests)
    # Not one connection: fetch, XHR, beacon, WebSocket, EventSource, popup, worker,
    # script, frame, style, image, preconnect, prefetch, the redirect and the navigation.
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


@needs_chromium
def test_pages_that_never_stop_end_within_their_deadline(tmp_path: Path):
    numbers = range(1000, 5000)
    with _site(stalling_pages(), numbers) as site:
        started = time.monotonic()
        db, log = _crawl(
            tmp_path, site, 'scroll = 1000\nload_more = "button.more"\nmax_pages = 1000\n',
            NEWSBOT_RENDER_PAGE_SECONDS=6, NEWSBOT_RENDER_MAX_HTML=1_000_000,
        )  # fmt: skip
        took = time.monotonic() - started
    articles = [
        int(u.rsplit("/", 1)[1].split("-")[0]) for (u,) in _query(db, "SELECT url FROM articles")
    ]
    by_page = {path: sorted(n for n in articles if first <= n < first + 1000)
               for path, first in STALLING_FIRST.items()}  # fmt: skip
    # What each page had drawn by its deadline is kept. The spinning page's renderer (the
    # same site's pages share one) and the machine's two cores slow its siblings, so the
    # endless ones keep at least their first batch, not a known number of them.
    for path in ("/app/endless", "/app/more-forever"):
        first = STALLING_FIRST[path]
        assert by_page[path][:4] == list(range(first, first + 4)), path
    assert by_page["/app/spin"] == list(range(3000, 3004))
    assert by_page["/app/grow"] == list(range(4000, 4004))
    assert _stat(log, "newsbot/browser_pages_stopped") == 4
    assert "rendered page stopped (deadline)" in log
    assert "rendered page stopped (its HTML passed 1,000,000 characters)" in log
    # Four listings of 6 s each, four at a time, then the articles: well within a minute.
    assert took < 60, took
