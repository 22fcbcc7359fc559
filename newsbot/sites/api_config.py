"""The `[api]` table of a site config: a JSON API as the site's listing.

A leaf: it imports nothing of newsbot, so the site config can hold an ApiConfig while
newsbot.crawling.api_listing, which sends the requests, imports the config freely.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

# Placeholders the listing URL may hold; item URL templates may also name item paths.
URL_FIELDS = ("page", "entity", "build_id")
_ITEM_KEYS = ("item_url", "item_title", "item_date", "item_body")
_STRING_KEYS = {"url", "items", *_ITEM_KEYS, "session_page", "build_id_page"}
_KNOWN = _STRING_KEYS | {"entities", "headers", "session_headers", "first_page"}


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


def placeholders(template: str) -> list[str]:
    """The `{names}` a template fills in; ApiConfigError when its braces are broken."""
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
    if not (
        isinstance(session_headers, list)
        and all(isinstance(h, str) and re.fullmatch(r"[A-Za-z0-9-]+", h) for h in session_headers)
    ):
        raise ApiConfigError("api.session_headers: must be a list of header names")
    if bool(session_headers) != ("session_page" in table):
        raise ApiConfigError("api.session_headers: give it together with api.session_page")
    first_page = table.get("first_page", 1)
    if isinstance(first_page, bool) or first_page not in (0, 1):
        raise ApiConfigError(f"api.first_page: {first_page!r}: give 0 or 1")
    url_names = set(placeholders(table["url"]))
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
    placeholders(table["item_url"])
    for value in table.get("headers", {}).values():
        if set(placeholders(value)) - {"entity"}:
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
