"""A JSON API as a site's listing: the requests for the `[api]` table of a site config
(its schema is newsbot.sites.api_config).

A Next.js data endpoint (`_next/data/{build_id}/...json`) or a site's own news API
(gov.kz's content manager) lists articles as JSON. Each listing page is fetched with
plain HTTP; the article links come from per-item paths, and the ids, dates and entity
names the API gives travel with each link as discovery hints. Two things an API may
need first: a Next.js build id (read from a page's `__NEXT_DATA__`, plain HTTP), or
session headers that only the site's own script obtains (captured once per run in the
browser, newsbot.crawling.render, and again when the API answers 401 or 403).
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urljoin

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from newsbot.crawling.discovery import Discovered
from newsbot.crawling.render import capture_meta
from newsbot.sites.api_config import ApiConfig, placeholders
from newsbot.sites.config import SiteConfig
from pipelines.page import Page
from pipelines.stages.dates import parse_date

logger = logging.getLogger(__name__)

# Session headers are taken again at most this often in one run: an API that refuses
# every fresh pair is broken, not expired.
MAX_SESSION_REFRESHES = 3
_NEXT_DATA = re.compile(
    rb'<script[^>]*id=["\']__NEXT_DATA__["\'][^>]*>(.*?)</script>', re.DOTALL | re.IGNORECASE
)


# --- reading JSON ---------------------------------------------------------------------


def values_at(data: Any, path: str) -> list[Any]:
    """Every value at a dotted path; `*` goes through each element of a list (or each
    value of an object), a number indexes a list. Missing steps give nothing."""
    found = [data]
    for step in path.split(".") if path else []:
        following: list[Any] = []
        for value in found:
            if step == "*":
                following += (
                    value
                    if isinstance(value, list)
                    else (list(value.values()) if isinstance(value, dict) else [])
                )
            elif isinstance(value, dict) and step in value:
                following.append(value[step])
            elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
                following.append(value[int(step)])
        found = following
    return found


def first_value(data: Any, paths: str | None) -> str | None:
    """The first non-empty scalar at any of `a|b` paths, as text."""
    for path in (paths or "").split("|") if paths else []:
        for value in values_at(data, path):
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                text = str(value).strip()
                if text:
                    return text
    return None


def fill(template: str, item: Any, extra: dict[str, str]) -> str | None:
    """A template whose placeholders are item paths (or `extra` names); a template with
    no placeholder is itself a path. None when a value is missing."""
    names = placeholders(template)
    if not names:
        return first_value(item, template)
    values = {}
    for name in names:
        value = extra.get(name) if name in extra else first_value(item, name)
        if value is None:
            return None
        values[name] = value
    # Item paths hold dots and brackets that str.format reads as attribute lookups.
    return re.sub(r"\{([^{}]*)\}", lambda m: values[m.group(1)], template)


def items_of(data: Any, api: ApiConfig) -> list[Any]:
    items: list[Any] = []
    for path in api.items:
        for value in values_at(data, path):
            items += value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, dict)]


def build_id_of(body: bytes) -> str | None:
    """A Next.js page's build id, from its `__NEXT_DATA__` script."""
    match = _NEXT_DATA.search(body)
    if not match:
        return None
    try:
        build_id = json.loads(match.group(1)).get("buildId")
    except (ValueError, AttributeError):
        return None
    return build_id if isinstance(build_id, str) and re.fullmatch(r"[\w.-]+", build_id) else None


@dataclass(frozen=True)
class ApiFound(Discovered):
    """An article link from an API, with what the API said of it."""

    api_date: str | None = None
    api_id: str | None = None
    entity: str | None = None
    entity_name: str | None = None
    title: str | None = None
    body: str | None = None

    def hints(self) -> dict[str, str]:
        hints = super().hints()
        for key, value in (("api_date", self.api_date), ("api_id", self.api_id),
                           ("entity", self.entity), ("section", self.entity_name)):  # fmt: skip
            if value:
                hints[key] = value
        return hints


def article_html(found: ApiFound) -> bytes:
    """An article page made of what the API carries, for an API that gives the body:
    the chain reads it like any page, and `reprocess` finds it in `pages`."""
    body = found.body or ""
    if not re.search(r"<(p|div|br|h\d|ul|table)\b", body, re.IGNORECASE):
        body = "".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n") if p.strip())
    title = html.escape(found.title or "")
    date = html.escape(found.api_date or "")
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{date}"></head><body><article>'
        f"<h1>{title}</h1>{body}</article></body></html>"
    ).encode()


# --- the requests ---------------------------------------------------------------------


class ListingSpider(Protocol):
    """What ApiListing needs of the spider it serves (newsbot.crawling.spider.NewsSpider):
    the spider's rules for requests, pages, article links and counts, under public names."""

    @property
    def config(self) -> SiteConfig: ...
    @property
    def crawler(self) -> Crawler: ...
    @property
    def since(self) -> datetime | None: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def limited(self) -> bool: ...
    @property
    def previous_finished(self) -> bool: ...
    @property
    def refresh(self) -> bool: ...

    def request(self, url: str, kind: str, callback: Any, **meta: Any) -> scrapy.Request: ...
    def page_item(self, response: Response, kind: str, keep_body: bool) -> Page: ...
    def discovered(self, links: int) -> None: ...
    def is_article_url(self, url: str) -> bool: ...
    def article_request(
        self, found: Discovered, found_in: str = "listing"
    ) -> scrapy.Request | None: ...


class ApiListing:
    """The API side of one NewsSpider: bootstrap, listing pages, article links."""

    def __init__(self, spider: ListingSpider, api: ApiConfig):
        self.spider = spider
        self.api = api
        self.build_id: str | None = None
        self.session: dict[str, str] = {}
        # Whether the API has answered with the current session headers: a pair it
        # refuses before ever serving it is refused for good, not expired.
        self.session_served = False
        self.refreshes = 0
        self.waiting: list[scrapy.Request] = []  # refused for stale headers, to send again
        self.given_up = False  # the API refuses us: every refusal counted, logged once

    @property
    def slug(self) -> str:
        return self.spider.config.slug

    def _count(self, key: str) -> None:
        if self.spider.crawler.stats:
            self.spider.crawler.stats.inc_value(key)

    def start(self) -> Iterator[scrapy.Request]:
        if self.api.session_page:
            yield self._session_request()
        elif self.api.build_id_page:
            yield self.spider.request(self.api.build_id_page, "listing", self.parse_build_id)
        else:
            yield from self._first_pages()

    def _session_request(self) -> scrapy.Request:
        assert self.api.session_page
        request = self.spider.request(self.api.session_page, "listing", self.parse_session)
        # The app's own API request may order its query differently: match the path only.
        prefix = self.api.url.split("?", 1)[0].split("{", 1)[0]
        request.meta.update(capture_meta(prefix, self.api.session_headers))
        return request.replace(dont_filter=True)

    def _first_pages(self) -> Iterator[scrapy.Request]:
        for entity in self.api.entities or [""]:
            yield self._page_request(entity, self.api.first_page, 1)

    def _page_request(self, entity: str, page: int, depth: int) -> scrapy.Request:
        url = self.api.url.format(page=page, entity=entity, build_id=self.build_id or "")
        request = self.spider.request(
            url, "listing", self.parse_page, entity=entity, api_page=page, depth=depth
        )
        if self.build_id:
            # Carried along: on a shared frontier the next page may be parsed by another
            # worker (a lease handed over), which never fetched the build id itself.
            request.meta["api_build_id"] = self.build_id
        headers = {name: value.format(entity=entity) for name, value in self.api.headers.items()}
        for key in [key for key in request.meta if key.startswith("playwright")]:
            del request.meta[key]  # JSON is read as it comes, never rendered
        # 401 and 403 come to parse_page: they may only mean the session headers expired.
        request.meta["handle_httpstatus_list"] = [401, 403]
        return request.replace(headers={**headers, **self.session}, dont_filter=True)

    def parse_build_id(self, response: Response) -> Iterator[Any]:
        yield self.spider.page_item(response, "listing", keep_body=False)
        self.build_id = build_id_of(response.body)
        if not self.build_id:
            logger.error("%s: no Next.js build id (__NEXT_DATA__) on %s", self.slug, response.url)
            self.spider.discovered(0)
            return
        yield from self._first_pages()

    def parse_session(self, response: Response) -> Iterator[Any]:
        yield self.spider.page_item(response, "listing", keep_body=False)
        captured = response.meta.get("newsbot_captured") or {}
        if not all(name in captured for name in self.api.session_headers):
            logger.error(
                "%s: the page's script sent no API request with %s (%s)",
                self.slug,
                ", ".join(self.api.session_headers),
                response.url,
            )
            self.spider.discovered(0)
            # Without headers no refused request can go again: each counts as refused.
            for _ in self.waiting:
                self._count("newsbot/api/refused")
            self.waiting = []
            self.given_up = bool(self.session)
            return
        fresh = not self.session
        self.session = {name: captured[name] for name in self.api.session_headers}
        self.session_served = False
        self._count("newsbot/api/sessions")
        waiting, self.waiting = self.waiting, []
        for request in waiting:
            again = request.replace()
            for name, value in self.session.items():
                again.headers[name] = value
            yield again
        if fresh:
            yield from self._first_pages()

    def parse_page(self, response: Response) -> Iterator[Any]:
        if response.status in (401, 403):
            yield from self._refused(response)
            return
        self.session_served = True
        self.build_id = self.build_id or response.meta.get("api_build_id")
        yield self.spider.page_item(response, "listing", keep_body=False)
        data = self._json(response)
        if data is None:
            self.spider.discovered(0)
            return
        entity = response.meta.get("entity", "")
        items = items_of(data, self.api)
        found = [f for f in (self._found(item, entity, response.url) for item in items) if f]
        links = [f for f in found if self.spider.is_article_url(f.url)]
        self.spider.discovered(len(links))
        since = self.spider.since
        fresh = 0
        dates: list[datetime] = []
        for item in links:
            moment = self._moment(item.api_date)
            if moment is not None:
                dates.append(moment)
            if since and moment and moment < since:
                continue
            request = self.spider.article_request(item)
            if request is None:
                continue
            fresh += 1
            if item.body:
                yield self._api_article(request, item)
            else:
                yield request
        depth = response.meta.get("depth", 1)
        if self.spider.limited or not links or depth >= self.spider.config.max_pages:
            return
        all_older = bool(since and dates and len(dates) == len(links) and max(dates) < since)
        if all_older or (fresh == 0 and self.spider.previous_finished and not self.spider.refresh):
            logger.info("%s: %s holds nothing new, paging stops", self.slug, response.url)
            return
        yield self._page_request(entity, response.meta["api_page"] + 1, depth + 1)

    def _json(self, response: Response) -> Any:
        """The response's JSON, or None with one warning line: not JSON, not text, or
        nested deeper than Python's parser goes (a RecursionError, not a traceback)."""
        try:
            text = response.text if isinstance(response, TextResponse) else response.body
            return json.loads(text)
        except RecursionError:
            problem = "JSON nested too deeply to read"
        except ValueError as error:  # not JSON, not UTF-8, an integer of 5000 digits
            problem = f"not JSON ({str(error).splitlines()[0][:80]})"
        logger.warning("%s: %s: %s", self.slug, response.url, problem)
        self._count("newsbot/api/unreadable")
        return None

    def _refused(self, response: Response) -> Iterator[Any]:
        """A 401 or 403: the session headers have expired, or the API refuses us."""
        request = response.request
        name = self.api.session_headers[0] if self.api.session_headers else ""
        sent = (request.headers.get(name) or b"").decode("latin-1") if request and name else ""
        current = sent == self.session.get(name)
        if (
            self.given_up
            or request is None
            or not self.api.session_page
            or (current and not self.session_served)  # a fresh pair, refused at once
            or self.refreshes >= MAX_SESSION_REFRESHES
        ):
            yield from self._give_up(response)
            return
        if self.session and not self.waiting and not current:
            # Sent with a pair that has been replaced since: the fresh one may serve it.
            again = request.replace()
            for header, value in self.session.items():
                again.headers[header] = value
            yield again
            return
        logger.info(
            "%s: the API answered HTTP %s: taking new session headers", self.slug, response.status
        )
        self.waiting.append(request)
        if len(self.waiting) == 1:  # one browser visit for all the requests refused meanwhile
            self.refreshes += 1
            yield self._session_request()

    def _give_up(self, response: Response) -> Iterator[Any]:
        """The API refuses us: each refusal counted (the run's errors, and
        newsbot/api/refused), the first one logged, no more session refreshes."""
        yield self.spider.page_item(response, "listing", keep_body=False)
        self.spider.discovered(0)  # a listing page that gave nothing: the health check sees it
        self._count("newsbot/api/refused")
        self._count("newsbot/errors")
        if not self.given_up:
            self.given_up = True
            fresh = " with fresh session headers" if self.api.session_page else ""
            logger.warning(
                "%s: the API refuses us%s: %s answered HTTP %s (more refusals counted, not logged)",
                self.slug,
                fresh,
                response.url,
                response.status,
            )

    def _found(self, item: dict[str, Any], entity: str, base_url: str) -> ApiFound | None:
        extra = {"entity": entity} if entity else {}
        url = fill(self.api.item_url, item, extra)
        if not url:
            return None
        return ApiFound(
            url=urljoin(base_url, url),
            api_date=first_value(item, self.api.item_date),
            api_id=first_value(item, "id"),
            entity=entity or None,
            entity_name=self.api.entities.get(entity) or None,
            title=first_value(item, self.api.item_title),
            body=first_value(item, self.api.item_body),
        )

    def _moment(self, text: str | None) -> datetime | None:
        if not text:
            return None
        outcome = parse_date(text, now=self.spider.started_at, timezone=self.spider.config.timezone)
        return outcome.value.moment if outcome.value is not None else None

    def _api_article(self, request: scrapy.Request, item: ApiFound) -> Page:
        """The article as the API gave it: no request for its page."""
        self._count("newsbot/api/articles_from_api")
        return Page(
            url=item.url,
            site=self.slug,
            kind="article",
            fetched_at=datetime.now(UTC),
            status=200,
            charset="utf-8",
            body=article_html(item),
            hints={**request.meta.get("hints", {}), "from": "api"},
        )
