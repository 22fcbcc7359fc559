"""Item pipeline 2: keep partial articles (their warnings say what is missing); drop
only what is not an article, each by a named DropItem subclass that Scrapy's stats count."""

from __future__ import annotations

from typing import Any

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
    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or item.kind != "article" or item.result is None:
            return item
        article, not_article = item.result.article, item.result.not_article
        # The spider's URL rule judged the final URL (one rule, one place) and put its
        # verdict on the item; the classifier below judges the page.
        if not item.article_url_ok:
            raise OutsideArticleUrls(f"{OutsideArticleUrls.reason}: {item.address}")
        if not article.title and not article.body:
            raise NoTitleNorBody(f"{NoTitleNorBody.reason}: {item.url}")
        if not_article:
            raise DoesNotLookLikeAnArticle(not_article)
        return item
