"""The baseline: a bare Scrapy spider that follows the same links as NewsSpider on the
mirror (listing pages, rel=next, the sitemap) and yields only url and length. Run with
newsbot's settings and the same local profile, minus newsbot's pipelines.

    python bench/bare_spider.py START_URL SITEMAP_URL
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from newsbot.crawling.spider import site_settings
from newsbot.sites.config import load_config

_LOC = re.compile(rb"<loc>([^<]+)</loc>")


class BareSpider(scrapy.Spider):
    name = "bare"
    allowed_domains = ("127.0.0.1",)
    pages = 0
    start_urls_: tuple[str, ...] = ()

    async def start(self) -> Any:
        for url in self.start_urls_:
            yield scrapy.Request(url, callback=self.parse_any)

    def parse_any(self, response: Any) -> Any:
        BareSpider.pages += 1
        yield {"url": response.url, "length": len(response.body)}
        if response.url.endswith(".xml"):
            for url in _LOC.findall(response.body):
                yield response.follow(url.decode(), callback=self.parse_any)
            return
        if "/list/" not in response.url:
            return  # an article: NewsSpider follows no links from articles either
        for href in response.css("a::attr(href)").getall():
            if href.startswith(("/a/", "/list/")):
                yield response.follow(href, callback=self.parse_any)


def main() -> None:
    site_path = sys.argv[1]
    config = load_config(site_path)
    settings = Settings()
    settings.setmodule("newsbot.crawling.settings", priority="project")
    settings.setdict(site_settings(config), priority="spider")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    BareSpider.start_urls_ = (*config.start_urls, *config.sitemaps)
    process = CrawlerProcess(settings)
    started = time.perf_counter()
    process.crawl(BareSpider)
    process.start()
    elapsed = time.perf_counter() - started
    print(json.dumps({"pages": BareSpider.pages, "seconds": elapsed}))


if __name__ == "__main__":
    main()
