"""Item pipeline 2: keep partial articles (their warnings say what is missing); drop
only what is not an article, each by a named DropItem subclass that Scrapy's stats count."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsbot.items import PageItem


class NotAnArticle(DropItem):
    """Base of the named reasons an article page is dropped."""

    reason = "not an article"


class NoTitleNorBody(NotAnArticle):
    reason = "no title and no body"


class OutsideArticleUrls(NotAnArticle):
    reason = "final URL outside article_url (a redirect to a listing or home page)"


class ValidatePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.kind != "article" or item.record is None:
            return item
        config = getattr(self.crawler.spider, "config", None)
        if config is not None and item.final_url and not config.article_url.search(item.final_url):
            raise OutsideArticleUrls(f"{OutsideArticleUrls.reason}: {item.final_url}")
        if not item.record.get("title") and not item.record.get("body"):
            raise NoTitleNorBody(f"{NoTitleNorBody.reason}: {item.url}")
        return item
