"""Site configs (`newsbot/sites/<slug>.toml`): loading and validation.

A bad config is refused before any request, naming the file, the key and the problem.
The contract is in DESIGN.md; the keys after `verified` are this project's extensions.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import re2
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from newsbot.crawling.api_listing import ApiConfig, ApiConfigError, parse_api, sample_urls
from pipelines.options import ChainOptions
from pipelines.stages.urls import REMOVED_PARAMS_NOTE, is_removed_param, without_host_dot

SLUG = re.compile(r"^[a-z0-9_]+$")
LANGUAGES = ("ru", "kk", "en")
SELECTOR_KEYS = ("title", "lead", "body", "date", "author")
_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)

_STRING_KEYS = {"slug", "name", "language", "timezone", "article_url", "user_agent",
                "next_page", "page_param", "page_path", "unsupported", "notes", "render",
                "load_more"}  # fmt: skip
_LIST_KEYS = {"domains", "start_urls", "sitemaps", "feeds", "imprint_urls", "keep_params"}
_BOOL_KEYS = {"enabled", "verified", "accept_broken_tls"}
# Every number a config may set: (whole numbers only, least, most). Beyond these a crawl
# hangs (a delay of 1e308 s, max_pages of 2**63 on an endless listing), makes no request
# at all (concurrency 0) or fails deep inside Scrapy (a timeout of nan).
_NUMBER_RANGES: dict[str, tuple[bool, float, float]] = {
    "download_delay": (False, 0, 600),
    "download_timeout": (False, 0.1, 600),
    "concurrency": (True, 1, 64),
    "max_pages": (True, 1, 100_000),
    "scroll": (True, 0, 1000),
}
_NUMBER_KEYS = set(_NUMBER_RANGES)
_TABLE_KEYS = {"headers", "selectors"}
KNOWN_KEYS = _STRING_KEYS | _LIST_KEYS | _BOOL_KEYS | _NUMBER_KEYS | _TABLE_KEYS | {"api"}
# Which requests go through the browser (newsbot.crawling.render): listing pages, or every page.
RENDER_MODES = ("listing", "all")
REQUIRED_KEYS = ("slug", "name", "domains", "language")
# A config is a page of text; anything larger is not one (or is /dev/zero under a name).
MAX_CONFIG_BYTES = 256 * 1024


class ConfigError(ValueError):
    """A site config that cannot be used; the message names file, key and problem."""


@dataclass(frozen=True)
class SiteConfig:
    slug: str
    name: str
    domains: tuple[str, ...]
    language: str
    # None: every page on the config's hosts is a candidate, and the classifier alone
    # decides what is an article (pipelines/stages/classify.py).
    article_url: Pattern | None
    timezone: str = "Asia/Almaty"
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    imprint_urls: tuple[str, ...] = ()
    enabled: bool = True
    verified: bool = False
    # Fetch without verifying the certificate chain: for a site that serves an
    # incomplete chain (akorda.kz), which browsers repair and HTTP clients do not.
    accept_broken_tls: bool = False
    download_delay: float | None = None
    download_timeout: float | None = None
    concurrency: int | None = None
    user_agent: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    selectors: dict[str, str] = field(default_factory=dict)
    next_page: str | None = None  # CSS selector of the "next page" link on listing pages
    page_param: str | None = None  # query parameter that numbers listing pages ("page")
    # Listing page N under its start URL ("page/{n}/": /news/ -> /news/page/2/), for
    # sites whose pages carry no link to the next one.
    page_path: str | None = None
    max_pages: int = 50  # listing pages followed per start URL in one run
    # Query parameters that select content on article URLs ("id"): with it set, every
    # other parameter is dropped from article links before they are scheduled.
    keep_params: tuple[str, ...] | None = None
    unsupported: str | None = None  # why the site cannot be crawled, if it cannot
    render: str | None = (
        None  # "listing" | "all": pages drawn by JavaScript (newsbot.crawling.render)
    )
    scroll: int = 0  # rendered listings: scroll this many times, waiting for new links
    load_more: str | None = None  # rendered listings: CSS of a "show more" button
    api: ApiConfig | None = None  # a JSON API as the listing (newsbot.crawling.api_listing)
    notes: str | None = None
    path: str | None = None

    @property
    def is_local(self) -> bool:
        """Served from this machine (demo, tests, benchmarks): no politeness delays."""
        return all(d in ("127.0.0.1", "localhost") for d in self.domains)

    @property
    def needs_browser(self) -> bool:
        return bool(self.render) or (self.api is not None and self.api.needs_browser)

    @property
    def own_names(self) -> tuple[str, ...]:
        return (self.name, *self.domains)

    def is_on_site(self, url: str) -> bool:
        """Whether the URL's host is one of the config's domains, `www.` optional. Other
        subdomains are other editions (kaz.tengrinews.kz is not tengrinews_ru): a config
        that takes one lists it in `domains` (mirror.akorda.kz)."""
        return _bare_host(url) in {_bare(d) for d in self.domains}

    def takes_article(self, url: str) -> bool:
        """Whether this edition takes the URL as one of its articles: the one rule the
        spider, `newsbot extract --url`, `newsbot sites --which` and the pipelines use.
        The fragment is dropped and an AMP variant counts as its canonical article."""
        url = article_address(url)
        if not self.is_on_site(url):
            return False
        if self.article_url is None:
            return _could_be_page(url)
        return self.article_url.search(url) is not None

    def chain_options(self) -> ChainOptions:
        """What the stage chain needs of this config."""
        return ChainOptions(
            slug=self.slug,
            name=self.name,
            own_names=self.own_names,
            timezone=self.timezone,
            language=self.language,
            selectors=dict(self.selectors),
        )


def _bare(host: str) -> str:
    return host.lower().removeprefix("www.")


def _bare_host(url: str) -> str:
    try:
        return _bare(urlsplit(url).hostname or "")
    except ValueError:  # a broken [IPv6] host
        return ""


# The AMP copy of an article: `/slug/amp/`, `/slug/amp`, `?amp`, `?amp=1`, and the
# `/amp/<rubric>/<id>-<slug>.html` of zakon.kz.
_AMP_PATH = re.compile(r"/amp/?$")
_AMP_PREFIX = re.compile(r"^/amp(?=/.)")
_AMP_QUERY = re.compile(r"^amp(?:=1|=true)?$")
# Files and the site's root: never an article when no `article_url` narrows the choice.
_NOT_A_PAGE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|zip|rar|mp[34]|css|js|xml|rss|json)$",
    re.IGNORECASE,
)


def article_address(url: str) -> str:
    """The address an article is known by: without its fragment (`#:~:text=...`), and the
    canonical page for an AMP variant; a host's trailing dot (`tengrinews.kz.`) goes."""
    parts = urlsplit(without_host_dot(url.strip()))
    path = parts.path
    query = parts.query
    if _AMP_PATH.search(path):
        path = _AMP_PATH.sub("/", path)
    elif _AMP_PREFIX.match(path):
        path = _AMP_PREFIX.sub("", path)
    elif _AMP_QUERY.match(query):
        query = ""
    return urlunsplit(parts._replace(path=path, query=query, fragment=""))


def _could_be_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.strip("/") != "" and not _NOT_A_PAGE.search(path)


def _fail(path: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: key '{key}': {problem}")


def _shown(value: Any) -> str:
    """A value as the message shows it: on one line, and short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_number(path: str, key: str, value: Any) -> None:
    whole, least, most = _NUMBER_RANGES[key]
    allowed = f"{'a whole number' if whole else 'a number'} from {least:g} to {most:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, key, f"{_shown(value)} is not a number: give {allowed}")
    if whole and not isinstance(value, int):
        raise _fail(path, key, f"{_shown(value)} is not a whole number: give {allowed}")
    # isfinite says plainly what the bounds imply: nan and inf are never in range.
    if not (math.isfinite(value) and least <= value <= most):
        raise _fail(path, key, f"{_shown(value)} is out of range: give {allowed}")


# A compiled RE2 pattern (re2._Regexp): `.search(text)` like re's, in linear time.
Pattern = Any


def compile_pattern(path: str, key: str, pattern: str) -> Pattern:
    """A config regex compiled with RE2, which runs in time linear in the text: a
    pattern like '(a+)+$' cannot hang a crawl. What RE2 cannot run (backreferences,
    lookarounds, possessive quantifiers) is refused, naming the key."""
    options = re2.Options()
    options.log_errors = False  # the refusal below is the one line the user sees
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        reason = (
            error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else error
        )
        raise _fail(
            path,
            key,
            f"bad regular expression {pattern!r}: {reason} (patterns run on RE2, "
            "in linear time: no backreferences, no lookarounds)",
        ) from error


def _check_url(path: str, key: str, url: Any) -> str:
    """An http(s) URL a crawl can fetch: refused here, not as a request Scrapy drops later
    (a bad port made every start URL after it vanish, and the run blamed robots.txt)."""
    if not isinstance(url, str):
        raise _fail(path, key, f"{_shown(url)} is not a string")
    if any(c.isspace() or not c.isprintable() for c in url):
        # urlsplit quietly deletes tabs and newlines, so check the text as written.
        raise _fail(path, key, f"{_shown(url)}: spaces and control characters are not allowed")
    try:
        parts = urlsplit(url)
    except ValueError as error:  # a broken [IPv6] host
        raise _fail(path, key, f"{_shown(url)} is not a usable URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(path, key, f"{_shown(url)} is not an http(s) URL")
    try:
        port = parts.port
    except ValueError:  # out of range or not a number
        port = 0
    if port == 0:
        raise _fail(path, key, f"{_shown(url)}: the port must be a number from 1 to 65535")
    if parts.username is not None or parts.password is not None:
        raise _fail(path, key, f"{_shown(url)}: no user names or passwords in URLs")
    if not _is_host(parts.hostname):
        raise _fail(path, key, f"{_shown(url)}: {parts.hostname!r} is not a host name")
    return url


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")  # ақорда.kz: a real name
    except UnicodeError:
        return False
    return bool(_HOST.match(ascii_host.lower()))


def parse_config(data: dict[str, Any], path: str) -> SiteConfig:
    """Validate a parsed TOML table and build the SiteConfig it describes."""
    for key in data:
        if key not in KNOWN_KEYS:
            raise _fail(path, key, f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in REQUIRED_KEYS:
        if key not in data:
            raise _fail(path, key, "missing")
    for key, value in data.items():
        if key in _STRING_KEYS and not isinstance(value, str):
            raise _fail(path, key, f"must be a string, got {value!r}")
        if key in _LIST_KEYS and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise _fail(path, key, "must be a list of strings")
        if key in _BOOL_KEYS and not isinstance(value, bool):
            raise _fail(path, key, "must be true or false")
        if key in _NUMBER_KEYS:
            _check_number(path, key, value)
        if key in _TABLE_KEYS and not (
            isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        ):
            raise _fail(path, key, "must be a table of strings")

    if not SLUG.match(data["slug"]):
        raise _fail(path, "slug", f"{data['slug']!r} must match [a-z0-9_]+")
    if data["language"] not in LANGUAGES:
        raise _fail(path, "language", f"{data['language']!r} is not one of {', '.join(LANGUAGES)}")
    if not data["domains"]:
        raise _fail(path, "domains", "empty: no request would be allowed")
    for domain in data["domains"]:
        if ":" in domain or "/" in domain:
            # Scrapy's offsite filter silently drops every request when a domain has a port.
            raise _fail(path, "domains", f"{domain!r}: host names only, no scheme, port or path")
        if not _HOST.match(domain.lower()):
            raise _fail(path, "domains", f"{domain!r} is not a host name")
    article_url = None
    if data.get("article_url"):
        article_url = compile_pattern(path, "article_url", data["article_url"])
    for name in data.get("keep_params", []):
        if is_removed_param(name):
            raise _fail(
                path,
                "keep_params",
                f"{name!r} is a tracking or session parameter ({REMOVED_PARAMS_NOTE}), "
                "dropped from every URL",
            )
    for key in ("start_urls", "sitemaps", "feeds", "imprint_urls"):
        for url in data.get(key, []):
            _check_url(path, key, url)
    if not data.get("unsupported") and not (
        data.get("start_urls") or data.get("sitemaps") or data.get("feeds") or data.get("api")
    ):
        raise _fail(
            path,
            "start_urls",
            "no way to discover articles: give start_urls, sitemaps, feeds or [api]",
        )
    selectors = data.get("selectors", {})
    for key, selector in selectors.items():
        if key not in SELECTOR_KEYS:
            raise _fail(
                path, f"selectors.{key}", f"unknown selector (known: {', '.join(SELECTOR_KEYS)})"
            )
        try:
            CSSSelector(selector)
        except SelectorError as error:
            raise _fail(
                path, f"selectors.{key}", f"bad CSS selector {selector!r}: {error}"
            ) from error
    if data.get("next_page"):
        try:
            CSSSelector(data["next_page"])
        except SelectorError as error:
            raise _fail(path, "next_page", f"bad CSS selector: {error}") from error
    page_path = data.get("page_path")
    if page_path is not None and (
        page_path.count("{n}") != 1 or "://" in page_path or page_path.startswith("/")
    ):
        raise _fail(
            path, "page_path", f"{page_path!r}: a relative path with one {{n}}, like 'page/{{n}}/'"
        )
    if data.get("render") is not None and data["render"] not in RENDER_MODES:
        raise _fail(path, "render", f"{data['render']!r} is not one of {', '.join(RENDER_MODES)}")
    for key in ("scroll", "load_more"):
        if data.get(key) and not data.get("render"):
            raise _fail(path, key, 'only works in a rendered listing: add render = "listing"')
    if data.get("load_more"):
        try:
            CSSSelector(data["load_more"])
        except SelectorError as error:
            raise _fail(path, "load_more", f"bad CSS selector: {error}") from error
    api = None
    if "api" in data:
        try:
            api = parse_api(data["api"])
        except ApiConfigError as error:
            key, _, problem = str(error).partition(": ")
            raise _fail(path, key, problem) from None
        for url in sample_urls(api):
            _check_url(path, "api", url)
    if data.get("timezone"):
        from pipelines.stages.dates import site_zone

        if site_zone(data["timezone"]).key != data["timezone"]:
            raise _fail(path, "timezone", f"{data['timezone']!r} is not a known time zone")

    return SiteConfig(
        slug=data["slug"],
        name=data["name"],
        domains=tuple(d.lower() for d in data["domains"]),
        language=data["language"],
        article_url=article_url,
        timezone=data.get("timezone", "Asia/Almaty"),
        start_urls=tuple(data.get("start_urls", [])),
        sitemaps=tuple(data.get("sitemaps", [])),
        feeds=tuple(data.get("feeds", [])),
        imprint_urls=tuple(data.get("imprint_urls", [])),
        enabled=data.get("enabled", True),
        verified=data.get("verified", False),
        accept_broken_tls=data.get("accept_broken_tls", False),
        download_delay=data.get("download_delay"),
        download_timeout=data.get("download_timeout"),
        concurrency=int(data["concurrency"]) if "concurrency" in data else None,
        user_agent=data.get("user_agent"),
        headers=dict(data.get("headers", {})),
        selectors=dict(selectors),
        next_page=data.get("next_page"),
        page_param=data.get("page_param"),
        page_path=page_path,
        max_pages=int(data.get("max_pages", 50)),
        keep_params=tuple(data["keep_params"]) if "keep_params" in data else None,
        unsupported=data.get("unsupported"),
        render=data.get("render"),
        scroll=int(data.get("scroll", 0)),
        load_more=data.get("load_more"),
        api=api,
        notes=data.get("notes"),
        path=path,
    )


def load_config(path: str | Path) -> SiteConfig:
    """Read and validate one TOML file: a regular file of at most MAX_CONFIG_BYTES."""
    path = Path(path)
    text = _read_config_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None
    except ValueError as error:  # an integer longer than Python converts (4300 digits)
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    return parse_config(data, str(path))


def config_for_url(configs: Iterable[SiteConfig], url: str) -> SiteConfig | None:
    """The config that takes the URL as an article, or None. A config whose regex says
    so wins over one without `article_url` (which takes any page of its hosts)."""
    taking = [config for config in configs if config.takes_article(url)]
    return next((c for c in taking if c.article_url is not None), None) or next(iter(taking), None)


def _read_config_text(path: Path) -> str:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO, device or socket"
        raise ConfigError(f"{path}: {kind}, not a regular file")
    with os.fdopen(fd, "rb") as handle:
        try:
            # Bounded: /proc files say size 0 whatever they hold.
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as error:
            raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB; not a site config")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text ({error.reason} at byte "
                          f"{error.start})") from None  # fmt: skip


def bundled_configs() -> dict[str, SiteConfig]:
    """Every site config shipped in newsbot/sites, by slug."""
    configs = {}
    folder = resources.files("newsbot") / "sites"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            config = load_config(Path(str(entry)))
            if config.slug != entry.name.removesuffix(".toml"):
                raise _fail(str(entry), "slug", f"{config.slug!r} differs from the file name")
            configs[config.slug] = config
    return configs
