"""A JSON API as a site's listing: the `[api]` table of a site config.

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
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from newsbot.crawling.discovery import Discovered
from pipelines.page import Page
from pipelines.stages.dates import parse_date

if TYPE_CHECKING:
    from newsbot.crawling.spider import NewsSpider

logger = logging.getLogger(__name__)

# Placeholders the listing URL may hold; item URL templates may also name item paths.
URL_FIELDS = ("page", "entity", "build_id")
_ITEM_KEYS = ("item_url", "item_title", "item_date", "item_body")
_STRING_KEYS = {"url", "items", *_ITEM_KEYS, "session_page", "build_id_page"}
_KNOWN = _STRING_KEYS | {"entities", "headers", "session_headers", "first_page"}
# Session headers are taken again at most this often in one run: an API that refuses
# every fresh pair is broken, not expired.
MAX_SESSION_REFRESHES = 3
_NEXT_DATA = re.compile(
    rb'<script[^>]*id=["\']__NEXT_DATA__["\'][^>]*>(.*?)</script>', re.DOTALL | re.IGNORECASE
)


@dataclass(frozen=True)
class ApiConfig:
    url: str  # the listing URL with {page} (and {entity}, {build_id})
    items: tuple[str, ...]  # paths to the item list; `a|b` tries each
    item_url: str  # a path, or a template of paths: "https://x/{category.slug}/{id}.html"
    item_title: str | None = None
    item_date: str | None = None
    item_body: str | None = None
    first_page: int = 1
    entities: dict[str, str] = field(default_factory=dict)  # {entity} value -> its name
    headers: dict[str, str] = field(default_factory=dict)  # may hold {entity}
    session_page: str | None = None  # opened in the browser to capture session_headers
    session_headers: tuple[str, ...] = ()
    build_id_page: str | None = None  # its __NEXT_DATA__ gives {build_id}

    @property
    def needs_browser(self) -> bool:
        return bool(self.session_page)


class ApiConfigError(ValueError):
    """A bad `[api]` table: the message names the key (the loader adds the file)."""


def _placeholders(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise ApiConfigError(f"{template!r}: {error}") from None


def parse_api(table: Any) -> ApiConfig:
    """Validate an `[api]` table; ApiConfigError names the key and the problem."""
    if not isinstance(table, dict):
        raise ApiConfigError("api: must be a table")
    for key, value in table.items():
        if key not in _KNOWN:
            raise ApiConfigError(f"api.{key}: unknown key (known: {', '.join(sorted(_KNOWN))})")
        if key in _STRING_KEYS and not (isinstance(value, str) and value.strip()):
            raise ApiConfigError(f"api.{key}: must be a non-empty string")
    for key in ("url", "items", "item_url"):
        if key not in table:
            raise ApiConfigError(f"api.{key}: missing")
    for key in ("entities", "headers"):
        value = table.get(key, {})
        if not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            raise ApiConfigError(f"api.{key}: must be a table of strings")
    session_headers = table.get("session_headers", [])
    if not (isinstance(session_headers, list) and all(
            isinstance(h, str) and re.fullmatch(r"[A-Za-z0-9-]+", h) for h in session_headers)):  # fmt: skip
        raise ApiConfigError("api.session_headers: must be a list of header names")
    if bool(session_headers) != ("session_page" in table):
        raise ApiConfigError("api.session_headers: give it together with api.session_page")
    first_page = table.get("first_page", 1)
    if isinstance(first_page, bool) or first_page not in (0, 1):
        raise ApiConfigError(f"api.first_page: {first_page!r}: give 0 or 1")
    url_names = set(_placeholders(table["url"]))
    if "page" not in url_names:
        raise ApiConfigError("api.url: needs a {page} placeholder")
    if url_names - set(URL_FIELDS):
        raise ApiConfigError(
            f"api.url: unknown placeholder {sorted(url_names - set(URL_FIELDS))[0]!r} "
            f"(known: {', '.join(URL_FIELDS)})"
        )
    if "entity" in url_names and not table.get("entities"):
        raise ApiConfigError("api.entities: api.url has {entity}, so list the entities")
    if "build_id" in url_names and "build_id_page" not in table:
        raise ApiConfigError("api.build_id_page: api.url has {build_id}, so name the page")
    _placeholders(table["item_url"])
    for value in table.get("headers", {}).values():
        if set(_placeholders(value)) - {"entity"}:
            raise ApiConfigError(f"api.headers: {value!r}: only {{entity}} may be filled in")
    return ApiConfig(
        url=table["url"],
        items=tuple(table["items"].split("|")),
        item_url=table["item_url"],
        item_title=table.get("item_title"),
        item_date=table.get("item_date"),
        item_body=table.get("item_body"),
        first_page=first_page,
        entities=dict(table.get("entities", {})),
        headers=dict(table.get("headers", {})),
        session_page=table.get("session_page"),
        session_headers=tuple(h.lower() for h in session_headers),
        build_id_page=table.get("build_id_page"),
    )


def sample_urls(api: ApiConfig) -> list[str]:
    """The URLs a config names, filled in with sample values, for the URL checks."""
    entity = next(iter(api.entities), "x")
    urls = [api.url.format(page=1, entity=entity, build_id="x")]
    return urls + [url for url in (api.session_page, api.build_id_page) if url]


# --- reading JSON ---------------------------------------------------------------------


def values_at(data: Any, path: str) -> list[Any]:
    """Every value at a dotted path; `*` goes through each element of a list (or each
    value of an object), a number indexes a list. Missing steps give nothing."""
    found = [data]
    for step in path.split(".") if path else []:
        following: list[Any] = []
        for value in found:
            if step == "*":
                following += value if isinstance(value, list) else (
                    list(value.values()) if isinstance(value, dict) else [])  # fmt: skip
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
    names = _placeholders(template)
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


class ApiListing:
    """The API side of one NewsSpider: bootstrap, listing pages, article links."""

    def __init__(self, spider: NewsSpider, api: ApiConfig):
        self.spider = spider
        self.api = api
        self.build_id: str | None = None
        self.session: dict[str, str] = {}
        self.refreshes = 0
        self.waiting: list[scrapy.Request] = []  # refused for stale headers, to send again

    @property
    def slug(self) -> str:
        return self.spider.config.slug

    def start(self) -> Iterator[scrapy.Request]:
        if self.api.session_page:
            yield self._session_request()
        elif self.api.build_id_page:
            yield self.spider._request(self.api.build_id_page, "listing", self.parse_build_id)
        else:
            yield from self._first_pages()

    def _session_request(self) -> scrapy.Request:
        from newsbot.crawling.render import capture_meta

        assert self.api.session_page
        request = self.spider._request(self.api.session_page, "listing", self.parse_session)
        # The app's own API request may order its query differently: match the path only.
        prefix = self.api.url.split("?", 1)[0].split("{", 1)[0]
        request.meta.update(capture_meta(prefix, self.api.session_headers))
        return request.replace(dont_filter=True)

    def _first_pages(self) -> Iterator[scrapy.Request]:
        for entity in self.api.entities or [""]:
            yield self._page_request(entity, self.api.first_page, 1)

    def _page_request(self, entity: str, page: int, depth: int) -> scrapy.Request:
        url = self.api.url.format(page=page, entity=entity, build_id=self.build_id or "")
        request = self.spider._request(url, "listing", self.parse_page, entity=entity,
                                       api_page=page, depth=depth)  # fmt: skip
        headers = {name: value.format(entity=entity) for name, value in self.api.headers.items()}
        for key in [key for key in request.meta if key.startswith("playwright")]:
            del request.meta[key]  # JSON is read as it comes, never rendered
        # 401 and 403 come to parse_page: they may only mean the session headers expired.
        request.meta["handle_httpstatus_list"] = [401, 403]
        return request.replace(headers={**headers, **self.session}, dont_filter=True)

    def parse_build_id(self, response: Response) -> Iterator[Any]:
        yield self.spider._page_item(response, "listing", keep_body=False)
        self.build_id = build_id_of(response.body)
        if not self.build_id:
            logger.error("%s: no Next.js build id (__NEXT_DATA__) on %s", self.slug, response.url)
            self.spider._discovered(0)
            return
        yield from self._first_pages()

    def parse_session(self, response: Response) -> Iterator[Any]:
        yield self.spider._page_item(response, "listing", keep_body=False)
        captured = response.meta.get("newsbot_captured") or {}
        if not all(name in captured for name in self.api.session_headers):
            logger.error(
                "%s: the page's script sent no API request with %s (%s)",
                self.slug, ", ".join(self.api.session_headers), response.url,
            )  # fmt: skip
            self.spider._discovered(0)
            return
        fresh = not self.session
        self.session = {name: captured[name] for name in self.api.session_headers}
        if self.spider.crawler.stats:
            self.spider.crawler.stats.inc_value("newsbot/api/sessions")
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
        yield self.spider._page_item(response, "listing", keep_body=False)
        try:
            data = json.loads(response.text)
        except ValueError:
            logger.warning("%s: %s is not JSON", self.slug, response.url)
            self.spider._discovered(0)
            return
        entity = response.meta.get("entity", "")
        items = items_of(data, self.api)
        found = [f for f in (self._found(item, entity, response.url) for item in items) if f]
        links = [f for f in found if self.spider.is_article_url(f.url)]
        self.spider._discovered(len(links))
        since = self.spider.since
        fresh = 0
        dates: list[datetime] = []
        for item in links:
            moment = self._moment(item.api_date)
            if moment is not None:
                dates.append(moment)
            if since and moment and moment < since:
                continue
            request = self.spider._article_request(item)
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

    def _refused(self, response: Response) -> Iterator[Any]:
        """A 401 or 403: the session headers have expired, or the API refuses us."""
        request = response.request
        if not self.api.session_page or self.refreshes >= MAX_SESSION_REFRESHES or request is None:
            yield self.spider._page_item(response, "listing", keep_body=False)
            logger.warning("%s: %s answered HTTP %s", self.slug, response.url, response.status)
            if self.spider.crawler.stats:
                self.spider.crawler.stats.inc_value("newsbot/errors")
            return
        name = self.api.session_headers[0]
        sent = (request.headers.get(name) or b"").decode("latin-1")
        if self.session and not self.waiting and sent != self.session.get(name):
            # Sent with a pair that has been replaced since: the fresh one may serve it.
            again = request.replace()
            for header, value in self.session.items():
                again.headers[header] = value
            yield again
            return
        logger.info("%s: the API answered HTTP %s: taking new session headers",
                    self.slug, response.status)  # fmt: skip
        self.waiting.append(request)
        if len(self.waiting) == 1:  # one browser visit for all the requests refused meanwhile
            self.refreshes += 1
            yield self._session_request()

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
        if self.spider.crawler.stats:
            self.spider.crawler.stats.inc_value("newsbot/api/articles_from_api")
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
