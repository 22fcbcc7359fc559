"""Pages drawn by JavaScript, through scrapy-playwright on the system's Chromium.

Only a site whose config asks for it (`render`, or an `[api]` whose session headers
the site's own script obtains) gets the browser download handler, and only its
requests whose meta says `playwright` go through it; every other request, and every
other site, stays plain HTTP and never starts a browser. No browser is downloaded:
Debian's `chromium` is found on PATH (or named by NEWSBOT_CHROMIUM), and a site that
needs one where there is none is skipped with a one-line reason (browser_problem).

Bounded: one browser per crawl, shared by every rendering site (SharedBrowser); at most
BROWSER_PAGES pages open in it at once; every page closed after its response; a
navigation timeout; waits for links that give up. The browser's peak memory is sampled
from /proc and reported with the run (peak_memory_mb).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page
    from playwright.async_api import Request as BrowserRequest

    from newsbot.sites.config import SiteConfig

logger = logging.getLogger(__name__)

# Pages open in the browser at once, for the whole crawl.
BROWSER_PAGES = 4
# Longest wait for a rendered listing to show article links, and for each scroll or
# click to add some: past it the page is read as it stands.
SETTLE_SECONDS = 10.0
_POLL = 0.1
# A rendered article is read when its text length has not changed for this long.
_STEADY_INTERVAL = 0.25
_STEADY_POLLS = 4
# As root Chromium refuses to start without --no-sandbox; the rest keep an unattended
# browser from phoning home, updating itself or needing a GPU.
LAUNCH_ARGS = ["--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip
_HEAVY = {"image", "media", "font"}


def find_chromium(setting: str | None = None) -> str | None:
    """The Chromium to run: NEWSBOT_CHROMIUM (environment, then setting), else PATH."""
    named = os.environ.get("NEWSBOT_CHROMIUM") or setting
    if named:
        return named if os.path.isfile(named) and os.access(named, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_problem(config: SiteConfig, setting: str | None = None) -> str | None:
    """Why this site cannot be crawled here, in one line, or None."""
    if not config.needs_browser:
        return None
    if find_spec("scrapy_playwright") is None:
        return "needs a browser: scrapy-playwright is not installed (pip install -e .)"
    if find_chromium(setting) is None:
        named = os.environ.get("NEWSBOT_CHROMIUM") or setting
        where = f"NEWSBOT_CHROMIUM={named} is not an executable" if named else (
            "no chromium on PATH")  # fmt: skip
        return f"needs a browser: {where} (apt-get install chromium)"
    return None


def site_settings(config: SiteConfig) -> dict[str, Any]:
    """The browser download handler for a site that needs one; nothing for the others."""
    if not config.needs_browser:
        return {}
    timeout = config.download_timeout or 30.0
    handler = "newsbot.crawling.browser.BrowserHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_BROWSER_PROVIDER": "newsbot.crawling.browser.SharedBrowser",
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": BROWSER_PAGES,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": "newsbot.crawling.render.skip_heavy",
    }


def launch_options(setting: str | None) -> dict[str, Any]:
    args = list(LAUNCH_ARGS)
    if os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    return {"executable_path": find_chromium(setting), "headless": True, "args": args,
            "timeout": 60_000}  # fmt: skip


def skip_heavy(request: BrowserRequest) -> bool:
    """Images, video and fonts draw nothing a crawl reads."""
    return request.resource_type in _HEAVY


# --- what a rendered page does before it is read ------------------------------------


async def _article_links(page: Page, takes: Callable[[str], bool]) -> int:
    hrefs = await page.evaluate("() => Array.from(document.links, a => a.href)")
    return sum(1 for href in hrefs if isinstance(href, str) and takes(href))


async def _more_links(page: Page, takes: Callable[[str], bool], before: int, wait: float) -> bool:
    """Whether the page comes to hold more article links than `before` within `wait`."""
    deadline = time.monotonic() + wait
    while True:
        if await _article_links(page, takes) > before:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(_POLL)


def _as_it_stands(method: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A page that navigates away or dies during a wait is read as it stands, not lost."""

    @functools.wraps(method)
    async def wrapped(page: Page, *args: Any) -> None:
        from playwright.async_api import Error as BrowserError

        try:
            await method(page, *args)
        except BrowserError as error:
            logger.info("%s: %s stopped: %s", page.url, method.__name__, error.message[:200])

    return wrapped


@_as_it_stands
async def settle_listing(page: Page, takes: Callable[[str], bool], wait: float) -> None:
    """Wait for the page's script to draw its first article links."""
    await _more_links(page, takes, 0, wait)


@_as_it_stands
async def scroll_down(page: Page, takes: Callable[[str], bool], times: int, wait: float) -> None:
    """An endless list: scroll to the bottom until no new links come, at most `times`."""
    for _ in range(times):
        before = await _article_links(page, takes)
        await page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        if not await _more_links(page, takes, before, wait):
            return


@_as_it_stands
async def click_more(
    page: Page, takes: Callable[[str], bool], selector: str, times: int, wait: float
) -> None:
    """A "show more" button: click it until it goes or adds nothing, at most `times`."""
    from playwright.async_api import Error as BrowserError

    for _ in range(times):
        button = page.locator(selector).first
        if not await button.count() or not await button.is_visible():
            return
        before = await _article_links(page, takes)
        try:
            await button.click(timeout=wait * 1000)
        except BrowserError as error:  # detached or covered: the list is what it is
            logger.info("%s: %s could not be clicked: %s", page.url, selector, error.message)
            return
        if not await _more_links(page, takes, before, wait):
            return


@_as_it_stands
async def settle_article(page: Page, wait: float) -> None:
    """An article drawn by a script: read it once its text has stopped growing for a
    second, or after `wait`. Waiting for the network to go quiet cost the whole `wait`
    on most pages (analytics, polling, resources that never answer)."""
    deadline = time.monotonic() + wait
    last, steady = -1, 0
    while time.monotonic() < deadline:
        length = await page.evaluate("() => document.body ? document.body.innerText.length : 0")
        steady = steady + 1 if length == last and length > 0 else 0
        if steady >= _STEADY_POLLS:
            return
        last = length
        await asyncio.sleep(_STEADY_INTERVAL)


def request_meta(config: SiteConfig, kind: str) -> dict[str, Any]:
    """The browser's part of a request's meta, or nothing (plain HTTP)."""
    if config.render is None or kind in ("feed", "sitemap"):
        return {}
    if kind != "listing" and config.render != "all":
        return {}
    from scrapy_playwright.page import PageMethod

    wait = min(SETTLE_SECONDS, config.download_timeout or 30.0)
    takes = config.takes_article
    if kind == "listing":
        methods = [PageMethod(settle_listing, takes, wait)]
        if config.scroll:
            methods.append(PageMethod(scroll_down, takes, config.scroll, wait))
        if config.load_more:
            methods.append(PageMethod(click_more, takes, config.load_more, config.max_pages, wait))
    else:
        methods = [PageMethod(settle_article, wait)]
    return {"playwright": True, "playwright_page_methods": methods}


def capture_meta(url_prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    """Open the page in the browser and keep the `names` headers of the first request
    its script sends to `url_prefix` (in meta "newsbot_captured")."""
    from scrapy_playwright.page import PageMethod

    captured: dict[str, str] = {}
    seen = asyncio.Event()

    async def on_request(request: BrowserRequest) -> None:
        if seen.is_set() or not request.url.startswith(url_prefix):
            return
        headers = await request.all_headers()
        if all(name in headers for name in names):
            captured.update({name: headers[name] for name in names})
            seen.set()

    async def wait_for_capture(page: Page) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(seen.wait(), SETTLE_SECONDS)

    return {
        "playwright": True,
        "playwright_page_event_handlers": {"request": on_request},
        "playwright_page_methods": [PageMethod(wait_for_capture)],
        "newsbot_captured": captured,
    }


# --- one browser for the crawl ------------------------------------------------------


class _Pool:
    """The crawl's one Playwright driver and browser, shared by every rendering site's
    download handler, and the page slots they share."""

    def __init__(self) -> None:
        self.users = 0
        self.manager: Any = None
        self.playwright: Any = None
        self.browser: Browser | None = None
        self.lock: asyncio.Lock | None = None
        self.pages: asyncio.Semaphore | None = None
        self.sampler: asyncio.Task[None] | None = None
        self.starting: asyncio.Future[None] | None = None
        self.peak_bytes = 0

    async def sample(self) -> None:
        while True:
            self.peak_bytes = max(self.peak_bytes, browser_rss())
            await asyncio.sleep(0.5)


POOL = _Pool()


def browser_rss() -> int:
    """Memory of the Playwright driver this process started and everything under it (the
    browser and its renderers), from /proc. The driver is the child whose command line
    says `run-driver`; the extraction workers are children too, and not counted. Each
    process counts its proportional share (Pss): Chromium's processes share most of their
    pages, and summing their resident sizes counted those several times (1.5 GB for 400 MB)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    todo = [pid for pid in children.get(os.getpid(), []) if b"run-driver" in _cmdline(pid)]
    total = 0
    while todo:
        pid = todo.pop()
        total += _pss(pid)
        todo += children.get(pid, [])
    return total


def _pss(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def peak_memory_mb() -> float | None:
    """The browser's peak resident memory in this process's crawl, or None (no browser)."""
    return round(POOL.peak_bytes / 2**20, 1) if POOL.peak_bytes else None
