"""The browser side of newsbot.crawling.render, imported only by the crawlers of sites that
render (through their DOWNLOAD_HANDLERS): scrapy-playwright's download handler on one
shared browser for the whole crawl, with a page limit for the whole crawl, every request
of its pages confined to the site, and a deadline for each page."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from playwright.async_api import Browser, Page, Route, WebSocketRoute, async_playwright
from playwright.async_api import Error as BrowserError
from playwright.async_api import Request as BrowserRequest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotSupported
from scrapy.http import HtmlResponse, Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from newsbot.crawling.render import (
    BROWSER_MAX_MB,
    BROWSER_PAGES,
    MAX_HTML,
    PAGE_SECONDS,
    POOL,
    STALL_SECONDS,
    Reading,
    browser_rss,
    is_heavy,
    launch_options,
    may_request,
)

logger = logging.getLogger(__name__)

# Seconds given to closing a page whose script holds its thread; past them its whole
# context (the site's other pages in the browser) is closed.
_CLOSE_SECONDS = 10.0
# WebRTC sends UDP (STUN, ICE) to any address, past routes and proxies alike: a page's
# scripts, and its frames' (init scripts run in every frame), find no RTCPeerConnection.
_NO_WEBRTC = """for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
  delete window[name];
}"""
# Refused requests logged one by one per site; the rest are counted in the stats.
_LOGGED_REFUSALS = 20


class PageStoppedError(Exception):
    """A rendered page stopped before anything could be read of it."""


class LeftTheSiteError(Exception):
    """A rendered page's script navigated off the site; nothing of it is kept."""


class SharedBrowser:
    """PLAYWRIGHT_BROWSER_PROVIDER: every handler gets the pool's one browser; the last
    handler to close closes it."""

    def __init__(self, config: Any) -> None:
        self.config = config

    async def start(self) -> None:
        POOL.users += 1
        if POOL.starting is None:
            POOL.lock = asyncio.Lock()
            POOL.pages = asyncio.Semaphore(BROWSER_PAGES)
            POOL.starting = asyncio.ensure_future(_start_driver())
        # Every handler waits for the one driver: the second site's handler starts while
        # the first one's driver is still coming up.
        await POOL.starting

    async def launch_browser(self) -> Browser:
        assert POOL.lock is not None
        async with POOL.lock:
            if POOL.browser is None or not POOL.browser.is_connected():
                logger.info("launching %s", self.config.launch_options.get("executable_path"))
                POOL.browser = await POOL.playwright.chromium.launch(**self.config.launch_options)
                if POOL.sampler is None:
                    POOL.sampler = asyncio.get_running_loop().create_task(POOL.sample())
            return POOL.browser

    async def launch_persistent_context(self, context_kwargs: dict[str, Any]) -> Any:
        raise NotSupported("newsbot's shared browser has no persistent contexts")

    async def close(self) -> None:
        POOL.users -= 1
        if POOL.users > 0:
            return
        if POOL.sampler is not None:
            POOL.peak_bytes = max(POOL.peak_bytes, browser_rss())
            POOL.sampler.cancel()
            POOL.sampler = None
        if POOL.browser is not None:
            await POOL.browser.close()
            POOL.browser = None
        if POOL.manager is not None:
            await POOL.manager.__aexit__(None, None, None)
            POOL.manager = POOL.playwright = None
        POOL.starting = None
        POOL.close_refusing_port()


async def _start_driver() -> None:
    POOL.manager = async_playwright()
    POOL.playwright = await POOL.manager.start()


class BrowserHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler on the shared browser, with the system's
    Chromium and a page limit for the whole crawl.

    Confinement: every request a page makes (its documents, frames, scripts, fetches,
    beacons, workers' requests, WebSockets) is checked by `_refuses` (render.may_request:
    the site's hosts and ports over http(s)) and aborted otherwise, counted in the stats
    as newsbot/browser_refused; popups are closed at once; service workers are blocked.
    Playwright does not see a redirect's next hop, so the context also sends every
    request but the site's own hosts and ports to a proxy that refuses connections: a
    redirect off the site, a preconnect or a WebSocket it does not see fails there.

    Bounds: each page is given NEWSBOT_RENDER_PAGE_SECONDS from its opening, calls into
    it NEWSBOT_RENDER_STALL_SECONDS, its HTML NEWSBOT_RENDER_MAX_HTML characters, and
    the browser NEWSBOT_BROWSER_MAX_MB (render.Reading, render.POOL); a page stopped
    early is closed and answered with the HTML it had at its last step."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.config.launch_options = launch_options(settings.get("NEWSBOT_CHROMIUM"))
        self.hosts = frozenset(settings.getlist("NEWSBOT_BROWSER_HOSTS"))
        self.ports = frozenset(int(port) for port in settings.getlist("NEWSBOT_BROWSER_PORTS"))
        self.page_seconds = settings.getfloat("NEWSBOT_RENDER_PAGE_SECONDS", PAGE_SECONDS)
        self.max_html = settings.getint("NEWSBOT_RENDER_MAX_HTML", MAX_HTML)
        self.stall_seconds = settings.getfloat("NEWSBOT_RENDER_STALL_SECONDS", STALL_SECONDS)
        POOL.max_bytes = settings.getint("NEWSBOT_BROWSER_MAX_MB", BROWSER_MAX_MB) * 2**20
        self.abort_request = self._refuses
        self.refused = 0
        self.open_pages: dict[int, Page] = {}

    def _on_site(self, url: str) -> bool:
        return url.startswith(("http:", "https:")) and may_request(url, self.hosts, self.ports)

    def _refuses(self, request: BrowserRequest) -> bool:
        """scrapy-playwright's abort hook, and the context's route: off the site, refused
        (and counted); on it, only images, video and fonts are skipped."""
        if may_request(request.url, self.hosts, self.ports):
            return is_heavy(request)
        self._count_refusal(request.url, request.resource_type)
        return True

    def _count_refusal(self, url: str, kind: str) -> None:
        self.stats.inc_value("newsbot/browser_refused")
        self.refused += 1
        if self.refused <= _LOGGED_REFUSALS:
            logger.warning("browser refused a page's request off the site: %s %s", kind, url[:200])
        elif self.refused == _LOGGED_REFUSALS + 1:
            logger.warning("browser refused more requests off the site, not logged one by one")

    async def _route_off_page(self, route: Route, request: BrowserRequest) -> None:
        """The context's route: requests of pages other than the handler's own (popups
        in the moment before they close)."""
        if self._refuses(request):
            await route.abort()
        else:
            await route.fallback()

    async def _route_web_socket(self, socket_route: WebSocketRoute) -> None:
        if may_request(socket_route.url, self.hosts, self.ports):
            socket_route.connect_to_server()
        else:
            self._count_refusal(socket_route.url, "websocket")
            await socket_route.close()

    async def _create_browser_context(
        self, name: str, context_kwargs: dict | None, spider: Any = None
    ) -> Any:
        bypass = ",".join(
            f"{prefix}{host}:{port}"
            for host in sorted(self.hosts)
            for prefix in ("", "www.")
            for port in sorted(self.ports)
        )
        kwargs = {
            **(context_kwargs or {}),
            "service_workers": "block",
            # <-loopback> takes back Chromium's own bypass of 127.0.0.1 and localhost.
            "proxy": {
                "server": f"http://127.0.0.1:{POOL.refusing_port()}",
                "bypass": f"<-loopback>,{bypass}",
            },
        }
        wrapper = await super()._create_browser_context(name, kwargs, spider)
        await wrapper.context.add_init_script(_NO_WEBRTC)
        await wrapper.context.route("**", self._route_off_page)
        await wrapper.context.route_web_socket("**", self._route_web_socket)
        return wrapper

    async def _create_page(self, request: Any, spider: Any) -> Page:
        assert POOL.pages is not None
        await POOL.pages.acquire()
        try:
            page = await super()._create_page(request, spider)
        except BaseException:
            POOL.pages.release()
            raise
        page.once("close", lambda _: POOL.pages.release() if POOL.pages else None)
        page.on("popup", self._close_popup)
        self.open_pages[id(request)] = page
        reading = request.meta["newsbot_reading"]
        reading.open()
        POOL.readings.add(reading)
        return page

    async def _close_popup(self, popup: Page) -> None:
        self.stats.inc_value("newsbot/browser_popups_closed")
        logger.warning("browser closed a popup a page opened: %s", popup.url[:200])
        await popup.close()

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        """The page within its deadline: the handler's download, raced against the
        deadline and the page's own methods stopping it (render.Reading)."""
        reading = request.meta.setdefault("newsbot_reading", Reading())
        reading.begin(self.page_seconds, self.max_html, self.stall_seconds, self._on_site)
        download = asyncio.ensure_future(super()._download_request(request, spider))
        stopped = asyncio.ensure_future(reading.stopped.wait())
        try:
            # The deadline runs from the page's opening (`_create_page`), which this waits
            # for without a bound of its own: the browser's launch and the page slots are
            # bounded by the launch timeout and the other pages' deadlines.
            while not (download.done() or stopped.done()) and reading.left() > 0:
                await asyncio.wait(
                    {download, stopped},
                    timeout=min(max(reading.left(), 0.01), 1.0),
                    return_when=asyncio.FIRST_COMPLETED,
                )
        finally:
            stopped.cancel()
            page = self.open_pages.pop(id(request), None)
            POOL.readings.discard(reading)
        if download.done():
            return self._kept(request, download.result(), reading)
        download.cancel()
        reading.stop("deadline")
        if page is not None:
            await self._close_stalled(page)
        return self._snapshot_response(request, reading)

    def _kept(self, request: Request, response: Response, reading: Reading) -> Response:
        """The page as read: off the site, only what it held before it left; past the
        HTML bound, its snapshot."""
        if reading.why is not None or not self._on_site(response.url):
            if reading.why is None:
                reading.why = f"its script navigated off the site to {response.url[:200]}"
            return self._snapshot_response(request, reading)
        if len(response.body) > self.max_html:
            reading.why = f"its HTML passed {self.max_html:,} characters"
            return self._snapshot_response(request, reading)
        return response

    def _snapshot_response(self, request: Request, reading: Reading) -> Response:
        self.stats.inc_value("newsbot/browser_pages_stopped")
        url = reading.url
        if reading.html is None or url is None or not self._on_site(url):
            logger.warning(
                "rendered page stopped before anything was read: %s: %s", request.url, reading.why
            )
            if reading.why and "off the site" in reading.why:
                raise LeftTheSiteError(reading.why)
            raise PageStoppedError(f"{reading.why} ({self.page_seconds:g} s per rendered page)")
        logger.warning(
            "rendered page stopped (%s): %s read as it stood at its last step (%d characters)",
            reading.why,
            request.url,
            len(reading.html),
        )
        return HtmlResponse(
            url=url,
            body=reading.html.encode("utf-8"),
            encoding="utf-8",
            headers={"Content-Type": "text/html; charset=utf-8"},
            request=request,
            flags=["playwright", "stopped"],
        )

    async def _close_stalled(self, page: Page) -> None:
        try:
            await asyncio.wait_for(page.close(), _CLOSE_SECONDS)
        except (TimeoutError, BrowserError) as error:
            logger.warning("a stalled page would not close (%r): closing its context", error)
            await asyncio.wait_for(page.context.close(), _CLOSE_SECONDS)

    async def _browser_disconnected_callback(self) -> None:
        if not hasattr(self, "browser"):
            return  # this site's handler closed first; the pool closed the browser after it
        await super()._browser_disconnected_callback()

    async def _close(self) -> None:
        # The pool owns the browser: this site closes only its own context.
        if hasattr(self, "browser"):
            del self.browser
        await super()._close()
