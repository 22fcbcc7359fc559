"""Item pipeline 2: keep partial articles (their warnings say what is missing); drop
only what is not an article, each by a named DropItem subclass that Scrapy's stats count."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipelines.page import Page


class NotAnArticle(DropItem):
    """Base of the named reasons an article page is dropped."""

    reason = "not an article"


class NoTitleNorBody(NotAnArticle):
    reason = "no title and no body"


class OutsideArticleUrls(NotAnArticle):
    reason = "final URL outside article_url (a redirect to a listing or home page)"


class DoesNotLookLikeAnArticle(NotAnArticle):
    """The classifier's verdict (pipelines/stages/classify.py): a listing, a hub, a document."""

    def __init__(self, why: str):
        super().__init__(f"not an article: {why}")
        self.reason = f"not an article: {why}"


class ValidatePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or item.kind != "article" or item.result is None:
            return item
        article, not_article = item.result.article, item.result.not_article
        spider = self.crawler.spider
        # The spider's own rule decides what is an article URL (one rule, one place). A
        # feed or sitemap entry is a candidate whatever the regex says: it only has to
        # stay on the site, and the classifier below judges the page.
        is_article_url = getattr(spider, "is_article_url", None)
        if item.found_in in ("feed", "sitemap"):
            is_article_url = getattr(spider, "is_on_site", is_article_url)
        if item.final_url and is_article_url is not None and not is_article_url(item.final_url):
            raise OutsideArticleUrls(f"{OutsideArticleUrls.reason}: {item.final_url}")
        if not article.title and not article.body:
            raise NoTitleNorBody(f"{NoTitleNorBody.reason}: {item.url}")
        if not_article:
            raise DoesNotLookLikeAnArticle(not_article)
        return item
