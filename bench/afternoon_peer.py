"""The peer: what a Python user would write in an afternoon instead of newsbot. A bare
Scrapy spider that follows the listings, an item pipeline calling
trafilatura.bare_extraction with metadata, and sqlite-utils upserting each article by
URL. No raw HTML kept, no full-text index, no imprint, no reprints, no health checks.
It imports nothing from newsbot: this is the code as a user would write it.

    python bench/afternoon_peer.py START_URL DB
"""

import sys

import scrapy
import sqlite_utils
import trafilatura
from scrapy.crawler import CrawlerProcess


class ListingSpider(scrapy.Spider):
    name = "peer"

    def __init__(self, start_url: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start_url]

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            if "/a/" in href:
                yield response.follow(href, self.parse_article)
            elif "/list/" in href:
                yield response.follow(href, self.parse)

    def parse_article(self, response):
        yield {"url": response.url, "html": response.text}


class ExtractPipeline:
    def process_item(self, item):
        doc = trafilatura.bare_extraction(item["html"], url=item["url"], with_metadata=True)
        doc = doc.as_dict() if doc is not None else {}
        return {
            "url": item["url"],
            "title": doc.get("title"),
            "author": doc.get("author"),
            "date": doc.get("date"),
            "text": doc.get("text"),
            "sitename": doc.get("sitename"),
        }


class SqlitePipeline:
    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("PEER_DB"))

    def open_spider(self):
        self.db = sqlite_utils.Database(self.path)

    def process_item(self, item):
        self.db["articles"].upsert(item, pk="url")
        return item

    def close_spider(self):
        self.db.close()


if __name__ == "__main__":
    start_url, db_path = sys.argv[1], sys.argv[2]
    process = CrawlerProcess(
        {
            "PEER_DB": db_path,
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,  # newsbot's profile for a local site
            "DOWNLOAD_DELAY": 0,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "ITEM_PIPELINES": {"__main__.ExtractPipeline": 100, "__main__.SqlitePipeline": 200},
        }
    )
    process.crawl(ListingSpider, start_url=start_url)
    process.start()
