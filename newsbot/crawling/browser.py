"""The browser side of newsbot.crawling.render, imported only by the crawlers of sites that
render (through their DOWNLOAD_HANDLERS): scrapy-playwright's download handler on one
shared browser for the whole crawl, with a page limit for the whole crawl."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from playwright.async_api import Browser, Page, async_playwright
from scrapy.crawler import Crawler
from scrapy.exceptions import NotSupported
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from newsbot.crawling.render import BROWSER_PAGES, POOL, browser_rss, launch_options

logger = logging.getLogger(__name__)


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


async def _start_driver() -> None:
    POOL.manager = async_playwright()
    POOL.playwright = await POOL.manager.start()


class BrowserHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler on the shared browser, with the system's
    Chromium and a page limit for the whole crawl."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.config.launch_options = launch_options(crawler.settings.get("NEWSBOT_CHROMIUM"))

    async def _create_page(self, request: Any, spider: Any) -> Page:
        assert POOL.pages is not None
        await POOL.pages.acquire()
        try:
            page = await super()._create_page(request, spider)
        except BaseException:
            POOL.pages.release()
            raise
        page.once("close", lambda _: POOL.pages.release() if POOL.pages else None)
        return page

    async def _browser_disconnected_callback(self) -> None:
        if not hasattr(self, "browser"):
            return  # this site's handler closed first; the pool closed the browser after it
        await super()._browser_disconnected_callback()

    async def _close(self) -> None:
        # The pool owns the browser: this site closes only its own context.
        if hasattr(self, "browser"):
            del self.browser
        await super()._close()
