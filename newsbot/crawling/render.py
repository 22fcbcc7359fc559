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

Confined: a page's scripts reach only the config's hosts and ports over http(s)
(`may_request`, checked on every request the browser makes; newsbot.crawling.browser).
Deadlined: a rendered page, whatever its scripts do, is read within PAGE_SECONDS and
MAX_HTML characters, and stopped when it does not answer for STALL_SECONDS (`Reading`);
what it had drawn by then is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import shutil
import socket
import time
from collections.abc import Awaitable, Callable
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

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
# Everything one rendered page may take, whatever its scripts do: loading, waiting,
# scrolling, clicking and reading (NEWSBOT_RENDER_PAGE_SECONDS).
PAGE_SECONDS = 60.0
# The most of a rendered page's HTML that is read, in characters; a page whose document
# grows past it is stopped and cut there (NEWSBOT_RENDER_MAX_HTML). DOWNLOAD_MAXSIZE's 20 MB.
MAX_HTML = 20 * 1024 * 1024
# The browser's memory (driver, browser and renderers, proportional share) past which
# every open page is stopped and closed (NEWSBOT_BROWSER_MAX_MB); sampled twice a second.
BROWSER_MAX_MB = 2048
# A call into a page (a few milliseconds as a rule) that has not answered in this long
# finds its thread held by a script that does not yield (`while (true) {}`): the page is
# stopped then rather than at its deadline (NEWSBOT_RENDER_STALL_SECONDS).
STALL_SECONDS = 5.0
# URLs the browser may ask for without the network: the page's own data and objects.
_LOCAL_SCHEMES = {"data", "blob", "about"}

T = TypeVar("T")


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
        where = (
            f"NEWSBOT_CHROMIUM={named} is not an executable" if named else ("no chromium on PATH")
        )
        return f"needs a browser: {where} (apt-get install chromium)"
    return None


def site_settings(config: SiteConfig) -> dict[str, Any]:
    """The browser download handler for a site that needs one; nothing for the others."""
    if not config.needs_browser:
        return {}
    timeout = config.download_timeout or 30.0
    handler = "newsbot.crawling.browser.BrowserHandler"
    hosts, ports = browser_scope(config)
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_BROWSER_PROVIDER": "newsbot.crawling.browser.SharedBrowser",
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": BROWSER_PAGES,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout * 1000,
        "NEWSBOT_BROWSER_HOSTS": sorted(hosts),
        "NEWSBOT_BROWSER_PORTS": sorted(ports),
    }


def browser_scope(config: SiteConfig) -> tuple[frozenset[str], frozenset[int]]:
    """The hosts (`www.` optional) and ports the site's pages may reach in the browser:
    the config's domains, and the ports of its URLs (a URL without one: 80 and 443, as
    a site moves between http and https)."""
    hosts = {d.lower().removeprefix("www.") for d in config.domains}
    urls = [*config.start_urls, *config.sitemaps, *config.feeds, *config.imprint_urls]
    if config.api is not None:
        urls += [config.api.url, config.api.session_page or "", config.api.build_id_page or ""]
    ports: set[int] = set()
    for url in filter(None, urls):
        try:
            port = urlsplit(url).port
        except ValueError:  # a template's placeholder where a port would be
            continue
        ports.update([port] if port else [80, 443])
    return frozenset(hosts), frozenset(ports or {80, 443})


def may_request(url: str, hosts: frozenset[str], ports: frozenset[int]) -> bool:
    """Whether the browser may send this request: http(s) to one of the site's hosts and
    ports, or the page's own data: and blob: objects (no network)."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    except ValueError:
        return False
    if parts.scheme in _LOCAL_SCHEMES:
        return True
    host = (parts.hostname or "").removeprefix("www.")
    return parts.scheme in ("http", "https", "ws", "wss") and host in hosts and port in ports


def launch_options(setting: str | None) -> dict[str, Any]:
    args = list(LAUNCH_ARGS)
    if os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    return {
        "executable_path": find_chromium(setting),
        "headless": True,
        "args": args,
        "timeout": 60_000,
    }


def is_heavy(request: BrowserRequest) -> bool:
    """Images, video and fonts draw nothing a crawl reads."""
    return request.resource_type in _HEAVY


# --- a rendered page's deadline -----------------------------------------------------


class PageStopped(Exception):
    """A rendered page stopped being read: past its deadline, or its HTML past the bound."""


class Reading:
    """What has been read of one rendered page so far, and how long it may still take.

    The page's methods take a snapshot of its HTML after each step (only when it has
    changed), so a page stopped by its deadline, by a script that never yields the main
    thread, or by a document grown past MAX_HTML is read as it stood at the last step.
    The download handler starts it (`begin`) and waits on `stopped`."""

    def __init__(self) -> None:
        self.seconds = PAGE_SECONDS
        self.deadline = time.monotonic() + PAGE_SECONDS
        self.max_html = MAX_HTML
        self.stall = STALL_SECONDS
        self.html: str | None = None
        self.url: str | None = None
        self.why: str | None = None  # why the page was stopped, if it was
        self.stopped = asyncio.Event()
        self.on_site: Callable[[str], bool] = lambda url: True

    def begin(
        self, seconds: float, max_html: int, stall: float, on_site: Callable[[str], bool]
    ) -> None:
        """A new download of the page; its deadline runs from `open`."""
        self.seconds = seconds
        self.deadline = math.inf
        self.max_html = max_html
        self.stall = stall
        self.on_site = on_site
        self.html = self.url = self.why = None
        self.stopped = asyncio.Event()

    def open(self) -> None:
        """The page is open in the browser: its time starts (not while it waited for
        the browser to start or for one of the crawl's page slots)."""
        self.deadline = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def stop(self, why: str) -> None:
        if self.why is None:
            self.why = why
        self.stopped.set()

    async def within(self, step: Awaitable[T], own_timeout: float = 0.0) -> T:
        """One call into the page, given no longer than the page has left, nor than
        `stall` past its own timeout: a script in an endless loop holds the page's thread
        and every call into it waits forever."""
        if self.why is not None:
            if asyncio.iscoroutine(step):
                step.close()  # never sent to the page
            raise PageStopped(self.why)
        left = self.left()
        patience = own_timeout + self.stall
        try:
            return await asyncio.wait_for(step, max(min(left, patience), 0.01))
        except TimeoutError:
            why = "deadline" if left <= patience else f"stalled: no answer in {patience:g} s"
            raise PageStopped(why) from None

    async def snapshot(self, page: Page) -> int:
        """Keep the page's HTML if it changed (and the page is still on the site); its
        text length. Past `max_html` the HTML is cut there and the page stopped."""
        if not self.on_site(page.url):
            raise PageStopped(f"its script navigated off the site to {page.url[:200]}")
        known = len(self.html) if self.html is not None else -1
        text_length, html_length, html = await self.within(
            page.evaluate(_SNAPSHOT, [known, self.max_html])
        )
        if html is not None:
            self.html, self.url = html, page.url
        if html_length > self.max_html:
            raise PageStopped(f"its HTML passed {self.max_html:,} characters")
        return int(text_length)


# The document's text length, HTML length, and its HTML (cut at the bound) when changed.
_SNAPSHOT = """([known, max]) => {
  const html = document.documentElement ? document.documentElement.outerHTML : '';
  const text = document.body ? document.body.textContent.length : 0;
  if (html.length === known) return [text, html.length, null];
  return [text, html.length, html.length > max ? html.slice(0, max) : html];
}"""


# --- what a rendered page does before it is read ------------------------------------


async def _article_links(page: Page, reading: Reading, takes: Callable[[str], bool]) -> int:
    hrefs = await reading.within(page.evaluate("() => Array.from(document.links, a => a.href)"))
    return sum(1 for href in hrefs if isinstance(href, str) and takes(href))


async def _more_links(
    page: Page, reading: Reading, takes: Callable[[str], bool], before: int, wait: float
) -> bool:
    """Whether the page comes to hold more article links than `before` within `wait`;
    its HTML is kept when it does."""
    deadline = time.monotonic() + wait
    while True:
        if await _article_links(page, reading, takes) > before:
            await reading.snapshot(page)
            return True
        if time.monotonic() >= deadline:
            return False
        if reading.left() <= 0:
            raise PageStopped("deadline")
        await asyncio.sleep(_POLL)


def _as_it_stands(method: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A page that navigates away or dies during a wait is read as it stands, not lost;
    one past its deadline or bound is stopped and read as it stood at its last step."""

    @functools.wraps(method)
    async def wrapped(page: Page, reading: Reading, *args: Any) -> None:
        from playwright.async_api import Error as BrowserError

        if reading.why is not None:
            return
        try:
            await method(page, reading, *args)
            await reading.snapshot(page)
        except BrowserError as error:
            logger.info("%s: %s stopped: %s", page.url, method.__name__, error.message[:200])
        except PageStopped as stopped:
            reading.stop(str(stopped))

    return wrapped


@_as_it_stands
async def settle_listing(
    page: Page, reading: Reading, takes: Callable[[str], bool], wait: float
) -> None:
    """Wait for the page's script to draw its first article links."""
    await _more_links(page, reading, takes, 0, wait)


@_as_it_stands
async def scroll_down(
    page: Page, reading: Reading, takes: Callable[[str], bool], times: int, wait: float
) -> None:
    """An endless list: scroll to the bottom until no new links come, at most `times`."""
    for _ in range(times):
        before = await _article_links(page, reading, takes)
        await reading.within(
            page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        )
        if not await _more_links(page, reading, takes, before, wait):
            return


@_as_it_stands
async def click_more(
    page: Page,
    reading: Reading,
    takes: Callable[[str], bool],
    selector: str,
    times: int,
    wait: float,
) -> None:
    """A "show more" button: click it until it goes or adds nothing, at most `times`."""
    from playwright.async_api import Error as BrowserError

    for _ in range(times):
        button = page.locator(selector).first
        if not await reading.within(button.count()) or not await reading.within(
            button.is_visible()
        ):
            return
        before = await _article_links(page, reading, takes)
        try:
            await reading.within(button.click(timeout=wait * 1000), own_timeout=wait)
        except BrowserError as error:  # detached or covered: the list is what it is
            logger.info("%s: %s could not be clicked: %s", page.url, selector, error.message)
            return
        if not await _more_links(page, reading, takes, before, wait):
            return


@_as_it_stands
async def settle_article(page: Page, reading: Reading, wait: float) -> None:
    """An article drawn by a script: read it once its text has stopped growing for a
    second, or after `wait`. Waiting for the network to go quiet cost the whole `wait`
    on most pages (analytics, polling, resources that never answer)."""
    deadline = time.monotonic() + wait
    last, steady = -1, 0
    while time.monotonic() < deadline:
        length = await reading.snapshot(page)
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
    reading = Reading()
    if kind == "listing":
        methods = [PageMethod(settle_listing, reading, takes, wait)]
        if config.scroll:
            methods.append(PageMethod(scroll_down, reading, takes, config.scroll, wait))
        if config.load_more:
            methods.append(
                PageMethod(click_more, reading, takes, config.load_more, config.max_pages, wait)
            )
    else:
        methods = [PageMethod(settle_article, reading, wait)]
    return {"playwright": True, "playwright_page_methods": methods, "newsbot_reading": reading}


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
        self.refusing: socket.socket | None = None
        self.max_bytes = BROWSER_MAX_MB * 2**20
        self.readings: set[Reading] = set()  # the pages open, being read

    def refusing_port(self) -> int:
        """A port on 127.0.0.1 that refuses every connection while the crawl runs: bound,
        never listening, so nothing else can take it. The browser's proxy for what is
        not the site's."""
        if self.refusing is None:
            self.refusing = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.refusing.bind(("127.0.0.1", 0))
        return int(self.refusing.getsockname()[1])

    def close_refusing_port(self) -> None:
        if self.refusing is not None:
            self.refusing.close()
            self.refusing = None

    async def sample(self) -> None:
        """The browser's memory, twice a second: its peak for the run, and past
        `max_bytes` every open page stopped (each read as it stood), which frees their
        renderers' memory."""
        while True:
            current = browser_rss()
            self.peak_bytes = max(self.peak_bytes, current)
            if self.max_bytes and current > self.max_bytes and self.readings:
                logger.warning(
                    "the browser passed %d MB (%d MB): stopping its %d open pages",
                    self.max_bytes // 2**20,
                    current // 2**20,
                    len(self.readings),
                )
                for reading in list(self.readings):
                    reading.stop(f"the browser passed {self.max_bytes // 2**20} MB")
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
