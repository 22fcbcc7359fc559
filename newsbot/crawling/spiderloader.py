"""A spider loader that knows the site configs: `scrapy crawl <slug>` for every bundled
site (and every site file NEWSBOT_SITE_FILES names), each a NewsSpider subclass carrying
its config and its politeness settings."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Self

from scrapy import Request
from scrapy.settings import BaseSettings

from newsbot.crawling.spider import NewsSpider, site_settings
from newsbot.sites.config import SiteConfig, bundled_configs, load_config


def spider_for(config: SiteConfig) -> type[NewsSpider]:
    """The NewsSpider subclass for one site config."""
    return type(
        f"NewsSpider_{config.slug}",
        (NewsSpider,),
        {"name": config.slug, "config": config, "custom_settings": site_settings(config)},
    )


class SiteSpiderLoader:
    def __init__(self, settings: BaseSettings):
        self._configs = bundled_configs()
        for path in settings.getlist("NEWSBOT_SITE_FILES"):
            config = load_config(Path(path))
            self._configs[config.slug] = config

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings)

    def load(self, spider_name: str) -> type[NewsSpider]:
        if spider_name not in self._configs:
            raise KeyError(f"Spider not found: {spider_name}")
        return spider_for(self._configs[spider_name])

    def list(self) -> list[str]:
        return sorted(self._configs)

    def find_by_request(self, request: Request) -> builtins.list[str]:
        return [slug for slug, config in self._configs.items() if config.takes_article(request.url)]
