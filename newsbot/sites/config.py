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
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import re2
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from newsbot.sites.api_config import ApiConfig, ApiConfigError, parse_api, sample_urls
from pipelines.options import ChainOptions
from pipelines.stages.urls import REMOVED_PARAMS_NOTE, is_removed_param, without_host_dot

SLUG = re.compile(r"^[a-z0-9_]+$")
LANGUAGES = ("ru", "kk", "en")
SELECTOR_KEYS = ("title", "lead", "body", "date", "author")
_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)

# Which requests go through the browser (newsbot.crawling.render): listing pages, or every page.
RENDER_MODES = ("listing", "all")
# A config is a page of text; anything larger is not one (or is /dev/zero under a name).
MAX_CONFIG_BYTES = 256 * 1024


class ConfigError(ValueError):
    """A site config that cannot be used; the message names file, key and problem."""


def _fail(path: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: key '{key}': {problem}")


def _shown(value: Any) -> str:
    """A value as the message shows it: on one line, and short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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


@dataclass(frozen=True)
class Kind:
    """How a config key is written in TOML and what it becomes in the SiteConfig.

    `wrong(value)` names what is wrong with the value's type or range (None: nothing);
    every key is checked that way first, in the file's order. `build(path, key, value)`
    then checks the value itself and returns what the SiteConfig holds."""

    wrong: Callable[[Any], str | None]
    build: Callable[[str, str, Any], Any] = lambda path, key, value: value


def _not_string(value: Any) -> str | None:
    return None if isinstance(value, str) else f"must be a string, got {value!r}"


def _not_strings(value: Any) -> str | None:
    good = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return None if good else "must be a list of strings"


def _not_table(value: Any) -> str | None:
    good = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return None if good else "must be a table of strings"


def text(check: Callable[[str, str, str], Any] | None = None) -> Kind:
    """A string; `check` may refuse it or turn it into what the config holds."""
    return Kind(_not_string, check or (lambda path, key, value: value))


def choice(options: tuple[str, ...]) -> Kind:
    """One of a few strings."""

    def build(path: str, key: str, value: str) -> str:
        if value not in options:
            raise _fail(path, key, f"{value!r} is not one of {', '.join(options)}")
        return value

    return Kind(_not_string, build)


def strings(check: Callable[[str, str, str], Any] | None = None) -> Kind:
    """A list of strings, held as a tuple; `check` sees each one."""

    def build(path: str, key: str, values: list[str]) -> tuple[str, ...]:
        return tuple(check(path, key, v) if check else v for v in values)

    return Kind(_not_strings, build)


def number(whole: bool, least: float, most: float) -> Kind:
    """A number in a range. Beyond its range a crawl hangs (a delay of 1e308 s, max_pages
    of 2**63 on an endless listing), makes no request at all (concurrency 0) or fails
    deep inside Scrapy (a timeout of nan)."""
    allowed = f"{'a whole number' if whole else 'a number'} from {least:g} to {most:g}"

    def wrong(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{_shown(value)} is not a number: give {allowed}"
        if whole and not isinstance(value, int):
            return f"{_shown(value)} is not a whole number: give {allowed}"
        # isfinite says plainly what the bounds imply: nan and inf are never in range.
        if not (math.isfinite(value) and least <= value <= most):
            return f"{_shown(value)} is out of range: give {allowed}"
        return None

    return Kind(wrong)


def _checked_by_its_parser(value: Any) -> None:
    return None  # the [api] table: parse_api names a wrong type with the key inside it


FLAG = Kind(lambda value: None if isinstance(value, bool) else "must be true or false")
TABLE = Kind(_not_table, lambda path, key, value: dict(value))


def _css(path: str, key: str, selector: str) -> str:
    if selector:
        try:
            CSSSelector(selector)
        except SelectorError as error:
            raise _fail(path, key, f"bad CSS selector: {error}") from error
    return selector


def _regex(path: str, key: str, pattern: str) -> Pattern | None:
    return compile_pattern(path, key, pattern) if pattern else None


def _slug(path: str, key: str, slug: str) -> str:
    if not SLUG.match(slug):
        raise _fail(path, key, f"{slug!r} must match [a-z0-9_]+")
    return slug


def _domain(path: str, key: str, domain: str) -> str:
    if ":" in domain or "/" in domain:
        # Scrapy's offsite filter silently drops every request when a domain has a port.
        raise _fail(path, key, f"{domain!r}: host names only, no scheme, port or path")
    if not _HOST.match(domain.lower()):
        raise _fail(path, key, f"{domain!r} is not a host name")
    return domain.lower()


def _domains(path: str, key: str, domains: list[str]) -> tuple[str, ...]:
    if not domains:
        raise _fail(path, key, "empty: no request would be allowed")
    return tuple(_domain(path, key, domain) for domain in domains)


def _kept_param(path: str, key: str, name: str) -> str:
    if is_removed_param(name):
        raise _fail(
            path,
            key,
            f"{name!r} is a tracking or session parameter ({REMOVED_PARAMS_NOTE}), "
            "dropped from every URL",
        )
    return name


def _page_path(path: str, key: str, page_path: str) -> str:
    if page_path.count("{n}") != 1 or "://" in page_path or page_path.startswith("/"):
        raise _fail(path, key, f"{page_path!r}: a relative path with one {{n}}, like 'page/{{n}}/'")
    return page_path


def _timezone(path: str, key: str, name: str) -> str:
    from pipelines.stages.dates import site_zone  # dateparser: slow to import

    if site_zone(name).key != name:
        raise _fail(path, key, f"{name!r} is not a known time zone")
    return name


def _selectors(path: str, key: str, selectors: dict[str, str]) -> dict[str, str]:
    for name, selector in selectors.items():
        if name not in SELECTOR_KEYS:
            raise _fail(
                path, f"{key}.{name}", f"unknown selector (known: {', '.join(SELECTOR_KEYS)})"
            )
        try:
            CSSSelector(selector)
        except SelectorError as error:
            raise _fail(path, f"{key}.{name}", f"bad CSS selector {selector!r}: {error}") from error
    return dict(selectors)


def _api(path: str, key: str, table: Any) -> ApiConfig:
    try:
        api = parse_api(table)
    except ApiConfigError as error:
        name, _, problem = str(error).partition(": ")
        raise _fail(path, name, problem) from None
    for url in sample_urls(api):
        _check_url(path, key, url)
    return api


@dataclass(frozen=True)
class SiteConfig:
    """A site config. Each config key is one field, declared once: its kind (how it is
    written and checked, in its metadata) and its default (a key without one is
    required). parse_config derives the known and required keys, the checks and the
    building from these fields: a new key is one line here."""

    slug: str = field(metadata={"kind": text(_slug)})
    name: str = field(metadata={"kind": text()})
    domains: tuple[str, ...] = field(metadata={"kind": Kind(_not_strings, _domains)})
    language: str = field(metadata={"kind": choice(LANGUAGES)})
    # None: every page on the config's hosts is a candidate, and the classifier alone
    # decides what is an article (pipelines/stages/classify.py).
    article_url: Pattern | None = field(default=None, metadata={"kind": text(_regex)})
    timezone: str = field(default="Asia/Almaty", metadata={"kind": text(_timezone)})
    start_urls: tuple[str, ...] = field(default=(), metadata={"kind": strings(_check_url)})
    sitemaps: tuple[str, ...] = field(default=(), metadata={"kind": strings(_check_url)})
    feeds: tuple[str, ...] = field(default=(), metadata={"kind": strings(_check_url)})
    imprint_urls: tuple[str, ...] = field(default=(), metadata={"kind": strings(_check_url)})
    enabled: bool = field(default=True, metadata={"kind": FLAG})
    verified: bool = field(default=False, metadata={"kind": FLAG})
    # Fetch without verifying the certificate chain: for a site that serves an
    # incomplete chain (akorda.kz), which browsers repair and HTTP clients do not.
    accept_broken_tls: bool = field(default=False, metadata={"kind": FLAG})
    download_delay: float | None = field(default=None, metadata={"kind": number(False, 0, 600)})
    download_timeout: float | None = field(default=None, metadata={"kind": number(False, 0.1, 600)})
    concurrency: int | None = field(default=None, metadata={"kind": number(True, 1, 64)})
    user_agent: str | None = field(default=None, metadata={"kind": text()})
    headers: dict[str, str] = field(default_factory=dict, metadata={"kind": TABLE})
    selectors: dict[str, str] = field(
        default_factory=dict, metadata={"kind": Kind(_not_table, _selectors)}
    )
    # CSS selector of the "next page" link on listing pages.
    next_page: str | None = field(default=None, metadata={"kind": text(_css)})
    # Query parameter that numbers listing pages ("page").
    page_param: str | None = field(default=None, metadata={"kind": text()})
    # Listing page N under its start URL ("page/{n}/": /news/ -> /news/page/2/), for
    # sites whose pages carry no link to the next one.
    page_path: str | None = field(default=None, metadata={"kind": text(_page_path)})
    # Listing pages followed per start URL in one run.
    max_pages: int = field(default=50, metadata={"kind": number(True, 1, 100_000)})
    # Fetch articles published in the last N days again, once a day, to find edits the
    # site does not announce (no lastmod, no feed date).
    recheck_days: int | None = field(default=None, metadata={"kind": number(True, 1, 365)})
    # Query parameters that select content on article URLs ("id"): with it set, every
    # other parameter is dropped from article links before they are scheduled.
    keep_params: tuple[str, ...] | None = field(
        default=None, metadata={"kind": strings(_kept_param)}
    )
    # Why the site cannot be crawled, if it cannot.
    unsupported: str | None = field(default=None, metadata={"kind": text()})
    # "listing" | "all": pages drawn by JavaScript (newsbot.crawling.render)
    render: str | None = field(default=None, metadata={"kind": choice(RENDER_MODES)})
    # Rendered listings: scroll this many times, waiting for new links; or click a
    # "show more" button (its CSS selector).
    scroll: int = field(default=0, metadata={"kind": number(True, 0, 1000)})
    load_more: str | None = field(default=None, metadata={"kind": text(_css)})
    # A JSON API as the listing (newsbot.sites.api_config); it checks its own types.
    api: ApiConfig | None = field(
        default=None, metadata={"kind": Kind(_checked_by_its_parser, _api)}
    )
    notes: str | None = field(default=None, metadata={"kind": text()})
    path: str | None = None  # the file it was read from: not a key

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


_KEYS = {f.name: f.metadata["kind"] for f in fields(SiteConfig) if "kind" in f.metadata}
KNOWN_KEYS = set(_KEYS)
REQUIRED_KEYS = tuple(
    f.name
    for f in fields(SiteConfig)
    if f.name in _KEYS and f.default is MISSING and f.default_factory is MISSING
)


def parse_config(data: dict[str, Any], path: str) -> SiteConfig:
    """Validate a parsed TOML table and build the SiteConfig it describes."""
    for name in data:
        if name not in _KEYS:
            raise _fail(path, name, f"unknown key (known: {', '.join(sorted(_KEYS))})")
    for name in REQUIRED_KEYS:
        if name not in data:
            raise _fail(path, name, "missing")
    for name, value in data.items():
        problem = _KEYS[name].wrong(value)
        if problem:
            raise _fail(path, name, problem)
    built = {
        name: kind.build(path, name, data[name]) for name, kind in _KEYS.items() if name in data
    }
    if not data.get("unsupported") and not (
        data.get("start_urls") or data.get("sitemaps") or data.get("feeds") or data.get("api")
    ):
        raise _fail(
            path,
            "start_urls",
            "no way to discover articles: give start_urls, sitemaps, feeds or [api]",
        )
    for name in ("scroll", "load_more"):
        if data.get(name) and not data.get("render"):
            raise _fail(path, name, 'only works in a rendered listing: add render = "listing"')
    return SiteConfig(**built, path=path)


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
        raise ConfigError(
            f"{path}: not valid TOML: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None


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
