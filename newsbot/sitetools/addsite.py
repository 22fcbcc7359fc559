"""`newsbot add-site URL`: site configs written from a home page alone.

The probe is polite and bounded: robots.txt is read and obeyed, a real site gets a pause
between requests, and no more than `max_requests` are made. It reads robots.txt's
`Sitemap:` lines, the home page's feed links and the usual feed paths, the home page and
a few listing pages; groups the links by URL shape, fetches samples of each shape, and
keeps the shapes whose pages the classifier (pipelines/stages/classify.py) calls articles.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import ssl
import threading
import time
import tomllib
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from newsbot.crawling.discovery import listing_links, next_page_url, parse_feed, parse_sitemap
from newsbot.crawling.settings import USER_AGENT
from newsbot.sites.config import article_address, parse_config
from pipelines.options import ChainOptions
from pipelines.page import Page
from pipelines.stages.chain import extract_page
from pipelines.stages.language import detect_language

# Path prefixes and host prefixes that name a language edition.
EDITION_LANGUAGES = {"ru": "ru", "rus": "ru", "kz": "kk", "kk": "kk", "kaz": "kk",
                     "qaz": "kk", "kaz.": "kk", "en": "en", "eng": "en"}  # fmt: skip
FEED_PATHS = ("/rss", "/feed/", "/rss.xml")
SITEMAP_PATHS = ("/sitemap.xml",)
IMPRINT_NAMES = re.compile(
    r"^\s*(контакты|о нас|о проекте|редакция|выходные данные|байланыс|біз туралы|"
    r"about|about us|contacts?|imprint)\s*$",
    re.IGNORECASE,
)
LISTING_WORDS = re.compile(
    r"(news|novosti|lenta|latest|janalyqtar|zhanalyqtar|zhanalyktar|jańalyqtar|articles|"
    r"events|stati|feed|all)$",
    re.IGNORECASE,
)
SAMPLES_PER_SHAPE = 2
LISTINGS_PER_EDITION = 3
REAL_SITE_PAUSE = 1.0  # seconds between requests to a site that is not this machine
MAX_PAGE_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_TIME = 300.0  # seconds for the whole probe (add-site --max-time)


def unverified_context() -> ssl.SSLContext:
    """For a site whose certificate chain is incomplete (accept_broken_tls)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def describe_url_error(reason: object) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (
            f"certificate verification failed ({reason.verify_message}); if the site's "
            "chain is incomplete, set accept_broken_tls = true"
        )
    return str(reason)


class ProbeError(Exception):
    """add-site cannot go on: the home page cannot be read, or the configs cannot be
    written where asked."""


@dataclass
class Fetched:
    url: str  # final URL, after redirects
    status: int
    body: bytes
    charset: str | None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, int | None, bool]:
    """(host without `www.`, port, whether the port is its scheme's default)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return "", None, False
    default = _DEFAULT_PORTS.get(parts.scheme)
    return (parts.hostname or "").removeprefix("www."), port or default, port in (None, default)


def same_site(url: str, home: str) -> bool:
    """Whether URL is on the home page's host and port. Its other scheme and `www.` are
    the same site (http://x/ -> https://www.x/); another host or port is not: a page
    must not steer the probe to an internal service (127.0.0.1:8080, 169.254.169.254)."""
    host, port, default = _origin(url)
    home_host, home_port, home_default = _origin(home)
    if not host or host != home_host or urlsplit(url).scheme not in _DEFAULT_PORTS:
        return False
    return port == home_port or (default and home_default)


class OffSiteRedirect(urllib.error.URLError):
    """A redirect to another host or port: refused, never requested."""


class _RefuseOffSiteRedirects(urllib.request.HTTPRedirectHandler):
    """urllib follows redirects by itself, to any host: this one follows them on the
    site only."""

    def __init__(self, prober: Prober):
        self.prober = prober

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not self.prober.on_site(newurl):
            raise OffSiteRedirect(f"redirected off the site to {newurl}")
        if urlsplit(newurl)[:2] != urlsplit(req.full_url)[:2]:  # http -> https, www.
            self.prober.note(f"{req.full_url} redirects to {newurl}: the same site, followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _recording(
    base: type[http.client.HTTPConnection], opened: list[socket.socket]
) -> type[http.client.HTTPConnection]:
    """The connection class whose sockets the request's deadline can cut."""

    class Connection(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            opened.append(self.sock)

    return Connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, opened: list[socket.socket]):
        super().__init__()
        self.opened = opened

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_recording(http.client.HTTPConnection, self.opened), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, opened: list[socket.socket], context: ssl.SSLContext | None):
        super().__init__(context=context)
        self.opened = opened
        self.tls_context = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = _recording(http.client.HTTPSConnection, self.opened)
        return self.do_open(connection, req, context=self.tls_context)


class Prober:
    """Polite, bounded GETs on one site: robots.txt obeyed, a pause for real sites, a
    request budget, a wall-clock limit per request and for the whole probe, and no
    request (redirects included) to another host or port."""

    def __init__(
        self,
        home: str,
        max_requests: int,
        timeout: float = 15.0,
        verify: bool = True,
        max_time: float = DEFAULT_MAX_TIME,
        sites: Iterable[str] = (),
    ):
        self.budget = max_requests
        self.user_agent = USER_AGENT
        self.used = 0
        self.timeout = timeout
        self.max_time = max_time
        self.ends = time.monotonic() + max_time
        self.homes = [home, *sites]
        host = urlsplit(home).hostname or ""
        self.pause = 0.0 if host in ("127.0.0.1", "localhost") else REAL_SITE_PAUSE
        self.last = 0.0
        self.last_error: str | None = None  # why the last request got no answer
        self.refused: list[str] = []  # off-site URLs not requested, and why
        self.notes: list[str] = []
        self.robots = urllib.robotparser.RobotFileParser()
        self.robots.parse([])
        self.sitemaps: list[str] = []
        self.opened: list[socket.socket] = []
        self.opener = urllib.request.build_opener(
            _RefuseOffSiteRedirects(self),
            _HTTPHandler(self.opened),
            _HTTPSHandler(self.opened, None if verify else unverified_context()),
        )

    @property
    def left(self) -> int:
        return self.budget - self.used

    @property
    def out_of_time(self) -> bool:
        return time.monotonic() >= self.ends

    def on_site(self, url: str) -> bool:
        return any(same_site(url, home) for home in self.homes)

    def note(self, line: str) -> None:
        if line not in self.notes:
            self.notes.append(line)

    def refuse(self, url: str, why: str) -> None:
        line = f"{url} ({why})"
        if line not in self.refused:
            self.refused.append(line)

    def read_robots(self, home: str) -> None:
        robots_url = urljoin(home, "/robots.txt")
        fetched = self.get(robots_url, check_robots=False)
        if fetched is not None and fetched.status == 200:
            lines = fetched.body.decode("utf-8", "replace").splitlines()
            self.robots.parse(lines)
            for named in self.robots.site_maps() or []:
                # A relative `Sitemap:` path is the site's own.
                url = urljoin(fetched.url, named.strip())
                if self.on_site(url):
                    self.sitemaps.append(url)
                else:
                    self.refuse(url, "a robots.txt Sitemap: line off the site")

    def get(self, url: str, check_robots: bool = True) -> Fetched | None:
        """The page, or None (`last_error` says why): over budget, out of time, off the
        site, refused by robots.txt, or no answer in time."""
        self.last_error = None
        if self.used >= self.budget:
            self.last_error = f"the request budget of {self.budget} is spent"
            return None
        if not self.on_site(url):
            self.refuse(url, "off the site")
            self.last_error = "off the site: not requested"
            return None
        if check_robots and not self.robots.can_fetch(self.user_agent, url):
            self.last_error = "robots.txt forbids it"
            return None
        wait = self.last + self.pause - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, max(self.ends - time.monotonic(), 0)))
        if self.out_of_time:
            self.last_error = f"out of time: the limit of {self.max_time:g} s is spent"
            return None
        self.used += 1
        try:
            return self._fetch(url)
        finally:
            self.last = time.monotonic()

    def _fetch(self, url: str) -> Fetched | None:
        # A per-read socket timeout does not bound a server that sends a byte a second:
        # when the request's time is up, its sockets are shut and the read ends.
        limit = min(self.timeout, self.ends - time.monotonic())
        cut = threading.Event()

        def cut_sockets() -> None:
            cut.set()
            for sock in self.opened:
                with contextlib.suppress(OSError):  # closed already: nothing to cut
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(limit, cut_sockets)
        timer.daemon = True
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        timer.start()
        try:
            with self.opener.open(request, timeout=limit) as answer:
                body = _read_body(answer)
                if cut.is_set():
                    raise TimeoutError
                return Fetched(
                    answer.geturl(), answer.status, body, answer.headers.get_content_charset()
                )
        except urllib.error.HTTPError as error:
            return Fetched(url, error.code, b"", None)
        except OffSiteRedirect as error:
            self.refuse(url, str(error.reason))
            self.last_error = str(error.reason)
        except urllib.error.URLError as error:
            self.last_error = describe_url_error(error.reason)
        except (OSError, ValueError, http.client.HTTPException) as error:
            self.last_error = str(error) or type(error).__name__
        finally:
            timer.cancel()
            self.opened.clear()
        if cut.is_set():
            self.last_error = f"no whole answer within {limit:.3g} s"
        return None


def _read_body(answer: http.client.HTTPResponse) -> bytes:
    """At most MAX_PAGE_BYTES, one socket read at a time (a plain read of N bytes would
    wait for all N)."""
    chunks: list[bytes] = []
    size = 0
    while size < MAX_PAGE_BYTES:
        chunk = answer.read1(min(65536, MAX_PAGE_BYTES - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


# --- URL shapes ---------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WORD = re.compile(r"^[a-z0-9_]+$")


def _segment_kind(segment: str) -> str:
    """A path segment's shape: N (a number), D (a date), S-N (slug-id), N-S (id-slug),
    S-H (slug-hexid), S (a slug), W (a word: a rubric, a section)."""
    stem, dot, extension = segment.rpartition(".")
    suffix = ""
    if dot and extension in ("html", "htm", "php", "shtml"):
        segment, suffix = stem, "." + extension
    if segment.isdigit():
        kind = "N"
    elif _DATE.match(segment):
        kind = "D"
    elif re.match(r"^.+-\d{3,}$", segment):
        kind = "S-N"
    elif re.match(r"^\d{3,}-.+$", segment):
        kind = "N-S"
    elif re.match(r"^.+-(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{6,8}$", segment):
        kind = "S-H"
    elif segment.count("-") >= 2:
        kind = "S"
    else:
        kind = "W"
    return kind + suffix


_KIND_PATTERNS = {
    "N": r"\d+",
    "D": r"\d{4}-\d{2}-\d{2}",
    "S-N": r"[^/?#]+-\d+",
    "N-S": r"\d+-[^/?#]+",
    "S-H": r"[^/?#]+-[0-9a-f]{6,8}",
    "S": r"[^/?#-]+(?:-[^/?#-]+){2,}",
    "W": r"[a-z0-9_-]+",
}


def edition_of(url: str, home_host: str) -> str | None:
    """The language an article URL's edition names (`/ru/`, `kaz.` host), or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if host != home_host:
        prefix = host[: -len(home_host)] if host.endswith("." + home_host) else ""
        return EDITION_LANGUAGES.get(prefix) or EDITION_LANGUAGES.get(prefix.rstrip("."))
    first = parts.path.strip("/").split("/", 1)[0].lower()
    return EDITION_LANGUAGES.get(first)


@dataclass
class Shape:
    host: str
    kinds: tuple[str, ...]
    urls: list[str] = field(default_factory=list)
    from_index: bool = False  # seen in a feed or sitemap
    verdicts: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.host}/" + "/".join(self.kinds)

    @property
    def is_articles(self) -> bool:
        """A shape some of whose samples are articles: one rule may also take a document
        page of the same shape, which the classifier then keeps out of the store."""
        return any(reason is None for _, reason, _, _ in self.verdicts)

    def pattern(self) -> tuple[str, ...]:
        """The path regex of this shape, by segment: a segment every URL shares in its
        first two places (`ru`, `news`) stays literal; rubrics vary: a word class."""
        parts = []
        for index, kind in enumerate(self.kinds):
            values = {urlsplit(u).path.strip("/").split("/")[index] for u in self.urls}
            if kind == "W" and index < 2 and len(values) == 1 and len(self.urls) > 1:
                parts.append(re.escape(values.pop()))
                continue
            base, _, extension = kind.partition(".")
            parts.append(_KIND_PATTERNS[base] + (re.escape("." + extension) if extension else ""))
        return tuple(parts)


def shape_of(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    return (parts.hostname or "").removeprefix("www."), tuple(_segment_kind(s) for s in segments)


def article_regex(shapes: list[Shape]) -> str:
    """One `article_url` for an edition's kept shapes. A shape that is another plus one
    word segment before the last (a rubric: /ru/news/<rubric>/<slug>-<id>) is folded into
    it as an optional segment."""
    patterns = sorted({shape.pattern() for shape in shapes}, key=len)
    folded: dict[tuple[str, ...], str] = {}
    for parts in patterns:
        shorter = parts[:-2] + parts[-1:]
        if len(parts) >= 3 and parts[-2] == _KIND_PATTERNS["W"] and shorter in folded:
            folded[shorter] = "/" + "/".join((*shorter[:-1], f"(?:{parts[-2]}/)?{parts[-1]}"))
            continue
        folded[parts] = "/" + "/".join(parts)
    alternatives = list(folded.values())
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return "^https?://[^/?#]+" + body + "/?$"


# --- the probe ----------------------------------------------------------------------


@dataclass
class Edition:
    language: str
    listings: list[str] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)  # listing -> its links
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    imprints: list[str] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    article_url: str | None = None
    pagination: str | None = None


@dataclass
class Probe:
    home: str
    host: str
    log: list[str] = field(default_factory=list)
    feeds: dict[str, list[str]] = field(default_factory=dict)  # feed or sitemap -> entries
    kinds: dict[str, str] = field(default_factory=dict)  # feed or sitemap -> which
    editions: dict[str, Edition] = field(default_factory=dict)
    default_language: str = "ru"
    name: str | None = None  # as the site names itself
    refused: list[str] = field(default_factory=list)  # off-site URLs not requested

    def say(self, line: str) -> None:
        self.log.append(line)

    def language_of(self, url: str) -> str:
        return edition_of(url, self.host) or self.default_language

    def edition(self, language: str) -> Edition:
        return self.editions.setdefault(language, Edition(language))


def _tree(fetched: Fetched) -> html.HtmlElement | None:
    try:
        return html.fromstring(
            fetched.body.decode(fetched.charset or "utf-8", "replace"), base_url=fetched.url
        )
    except (etree.ParserError, ValueError):
        return None


def _link_texts(tree: html.HtmlElement | None, into: dict[str, str]) -> None:
    """Each link's text by URL: imprint pages are found by their names."""
    if tree is None:
        return
    base = tree.base_url or ""
    for anchor in tree.xpath("//a[@href]"):
        url = urljoin(base, anchor.get("href").strip()).split("#", 1)[0]
        into.setdefault(url, " ".join(anchor.text_content().split()))


def _home_language(tree: html.HtmlElement | None) -> str:
    if tree is None:
        return "ru"
    lang = (tree.get("lang") or "").lower()[:2]
    if lang in ("ru", "kk", "kz", "en"):
        return "kk" if lang == "kz" else lang
    return detect_language(tree.text_content()[:5000]) or "ru"


_TITLE_SEPARATORS = re.compile(r"\s+[|—–-]\s+")


def _publisher_name(data: object) -> str | None:
    """JSON-LD's `publisher.name`, in an object, a list or an @graph."""
    if isinstance(data, list):
        return next(filter(None, map(_publisher_name, data)), None)
    if not isinstance(data, dict):
        return None
    publisher = data.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return publisher["name"].strip() or None
    return _publisher_name(data.get("@graph"))


def site_name(tree: html.HtmlElement | None) -> str | None:
    """The name a home page gives its site: og:site_name, JSON-LD publisher.name, or
    the part of the title after its last separator (`Главная | Tengrinews.kz`)."""
    if tree is None:
        return None
    for content in tree.xpath("//meta[@property='og:site_name']/@content"):
        if content.strip():
            return " ".join(content.split())
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            name = _publisher_name(json.loads(script))
        except ValueError:
            continue  # broken JSON-LD: the title may still name the site
        if name:
            return name
    title = " ".join(" ".join(tree.xpath("//title//text()")).split())
    parts = _TITLE_SEPARATORS.split(title)
    return parts[-1] if len(parts) > 1 and parts[-1] else None


def _index_entries(prober: Prober, url: str) -> tuple[str, list[str]] | None:
    """("feed" or "sitemap", its entries) (an index: its first child's), or None."""
    fetched = prober.get(url)
    if fetched is None or fetched.status != 200 or not fetched.body.strip():
        return None
    items = parse_feed(fetched.body, fetched.url)
    if items:
        return "feed", [item.url for item in items]
    kind, entries = parse_sitemap(fetched.body)
    if kind == "urlset":
        return "sitemap", [entry.url for entry in entries]
    if kind == "index":
        for child in entries[:1]:
            found = _index_entries(prober, child.url)
            if found:
                return "sitemap", found[1]
    return None


def _classify(prober: Prober, url: str, language: str) -> tuple[str | None, str | None, str | None]:
    """(why not an article or None, title, date) of one sampled page."""
    fetched = prober.get(url)
    if fetched is None:
        return f"no answer: {prober.last_error}" if prober.last_error else "no answer", None, None
    if fetched.status != 200:
        return f"HTTP {fetched.status}", None, None
    page = Page(
        url=url,
        final_url=fetched.url,
        fetched_at=datetime.now(UTC),
        body=fetched.body,
        charset=fetched.charset,
    )
    # The crawl's own verdict, from the crawl's own chain: what add-site keeps, the
    # crawl stores.
    result = extract_page(page, ChainOptions(language=language, timezone="Asia/Almaty"))
    return result.not_article, result.article.title, result.article.published_at


def read_home(prober: Prober, home: str) -> Fetched:
    """The home page, after robots.txt; ProbeError when it cannot be read."""
    prober.read_robots(home)
    home_page = prober.get(home)
    if home_page is None or home_page.status != 200:
        why = f"HTTP {home_page.status}" if home_page else (prober.last_error or "no answer")
        raise ProbeError(f"{home}: the home page cannot be read ({why})")
    return home_page


def find_indexes(prober: Prober, probe: Probe, home_page: Fetched) -> None:
    """Feeds and sitemaps: robots.txt's, the home page's <link rel=alternate>, else the
    usual paths. Only those on the site are read; the others are refused."""
    indexes = list(prober.sitemaps)
    tree = _tree(home_page)
    if tree is not None:
        for link in tree.xpath("//link[@rel='alternate'][@href]"):
            if "rss" in (link.get("type") or "") or "atom" in (link.get("type") or ""):
                url = urljoin(home_page.url, link.get("href").strip())
                if prober.on_site(url):
                    indexes.append(url)
                else:
                    prober.refuse(url, "a feed link off the site")
    if not indexes:
        indexes += [urljoin(home_page.url, path) for path in FEED_PATHS + SITEMAP_PATHS]
    for url in dict.fromkeys(indexes):
        found = _index_entries(prober, url)
        if found:
            probe.kinds[url] = found[0]
            probe.feeds[url] = [e for e in found[1] if prober.on_site(e)]
            probe.say(f"{found[0]} {url}: {len(probe.feeds[url])} entries on the site")


def _listing_candidates(probe: Probe, home_links: list[str]) -> dict[str, list[str]]:
    """Per edition, the home page's links that may be listings: one or two word
    segments, news-named ones first (/ru/news before /ru/about)."""
    candidates: dict[str, list[str]] = {}
    for url in home_links:
        path = urlsplit(url).path.strip("/")
        segments = path.split("/") if path else []
        kinds = shape_of(url)[1]
        words = 1 <= len(segments) <= 2 and all(k == "W" for k in kinds)
        if words and (LISTING_WORDS.search(segments[-1]) or len(segments) == 1):
            candidates.setdefault(probe.language_of(url), []).append(url)
    for urls in candidates.values():
        urls.sort(key=lambda u: (not LISTING_WORDS.search(u.rstrip("/")), len(u)))
    return candidates


def _is_edition_home(url: str) -> bool:
    path = urlsplit(url).path.strip("/")
    return "/" not in path and path.lower() in EDITION_LANGUAGES


def read_listings(
    prober: Prober, probe: Probe, home_page: Fetched, link_texts: dict[str, str]
) -> list[str]:
    """Every on-site link of the home page and of a few listing pages per edition (and
    the first one's page 2); each edition's listings and pagination noted on the way."""
    every_link = listing_links(home_page.body.decode("utf-8", "replace"), home_page.url)
    home_links = [u for u in every_link if prober.on_site(u)]
    subdomains = sorted(
        {
            urlsplit(u).hostname or ""
            for u in every_link
            if (urlsplit(u).hostname or "").endswith("." + probe.host) and not prober.on_site(u)
        }
    )
    if subdomains:
        probe.say(
            f"other hosts of the site, not probed (run add-site on each): {', '.join(subdomains)}"
        )
    _link_texts(_tree(home_page), link_texts)
    all_links = list(home_links)
    for language, urls in _listing_candidates(probe, home_links).items():
        queue = urls[:LISTINGS_PER_EDITION]
        seen = set(queue)
        while queue:
            url = queue.pop(0)
            fetched = prober.get(url)
            if fetched is None or fetched.status != 200:
                continue
            text = fetched.body.decode(fetched.charset or "utf-8", "replace")
            links = [u for u in listing_links(text, fetched.url) if prober.on_site(u)]
            _link_texts(_tree(fetched), link_texts)
            edition = probe.edition(language)
            all_links += links
            # An edition's own home page (/kz/, reached by the language switch) names
            # its news listing as the site's home page names the first edition's.
            news = [
                u
                for u in _listing_candidates(probe, links).get(language, [])
                if LISTING_WORDS.search(u.rstrip("/")) and u not in seen
            ]
            if _is_edition_home(url) and news:
                seen.add(news[0])
                queue.insert(0, news[0])
            if url == edition.pagination:
                continue  # page 2 of a listing: read for its links, not a start URL
            edition.listings.append(url)
            edition.links[url] = links
            following = next_page_url(text, fetched.url)
            if following and not edition.pagination and prober.on_site(following):
                # Page 2 shows the pagination works and holds links page 1 lacks.
                edition.pagination = following
                queue.insert(0, following)
    return all_links


def sample_shapes(prober: Prober, probe: Probe, links: list[str]) -> None:
    """Every link and feed entry grouped by URL shape; each shape's samples classified,
    biggest shapes and those of feeds and sitemaps first, within the budget."""
    shapes: dict[tuple[str, str, tuple[str, ...]], Shape] = {}
    index_urls = {article_address(u) for entries in probe.feeds.values() for u in entries}
    for url in dict.fromkeys(article_address(u) for u in links + list(index_urls)):
        key = shape_of(url)
        if not key[1]:
            continue
        shape = shapes.setdefault((probe.language_of(url), *key), Shape(*key))
        shape.urls.append(url)
        shape.from_index = shape.from_index or url in index_urls
    sampled = sorted(shapes.items(), key=lambda item: (-item[1].from_index, -len(item[1].urls)))
    for (language, *_), shape in sampled:
        if len(shape.urls) < 2 and not shape.from_index and shape.kinds[-1] in ("W", "N"):
            continue  # one link of a plain word is a menu item, not a stream of articles
        for url in shape.urls[:SAMPLES_PER_SHAPE]:
            if prober.left <= 0 or prober.out_of_time:
                break
            reason, title, date = _classify(prober, url, language)
            shape.verdicts.append((url, reason, title, date))
            if reason is not None and len(shape.urls) < 3 and not shape.from_index:
                break  # a rare kind whose first sample is no article: spare the budget
        if shape.verdicts:
            probe.edition(language).shapes.append(shape)


def settle_editions(prober: Prober, probe: Probe, link_texts: dict[str, str]) -> None:
    """Per edition: its article regex, the listings that link to its articles, the feeds
    and sitemaps mostly of its articles, its imprint pages."""
    for language, edition in probe.editions.items():
        kept = [shape for shape in edition.shapes if shape.is_articles]
        if kept:
            edition.article_url = article_regex(kept)
            rule = re.compile(edition.article_url)
            # Start URLs: the listings that link to articles (not /about, not /contacts).
            edition.listings = [
                url
                for url in edition.listings
                if sum(1 for link in edition.links.get(url, []) if rule.search(link)) >= 2
            ]
        for url, entries in probe.feeds.items():
            own = [e for e in entries if probe.language_of(e) == language]
            if entries and len(own) * 2 > len(entries):
                target = edition.sitemaps if probe.kinds[url] == "sitemap" else edition.feeds
                target.append(url)
        for url, text in link_texts.items():
            ours = probe.language_of(url) == language
            if IMPRINT_NAMES.match(text) and prober.on_site(url) and ours:
                edition.imprints.append(url)


def probe_site(home: str, max_requests: int = 60, max_time: float = DEFAULT_MAX_TIME) -> Probe:
    """Everything add-site learns of a site from its home page, within the budget and
    the time limit, without a request to another host or port."""
    prober = Prober(home, max_requests, max_time=max_time)
    probe = Probe(home=home, host=(urlsplit(home).hostname or "").removeprefix("www."))
    home_page = read_home(prober, home)
    probe.default_language = _home_language(_tree(home_page))
    probe.name = site_name(_tree(home_page))
    find_indexes(prober, probe, home_page)
    link_texts: dict[str, str] = {}
    links = read_listings(prober, probe, home_page, link_texts)
    sample_shapes(prober, probe, links)
    settle_editions(prober, probe, link_texts)
    probe.log += prober.notes
    probe.refused = list(prober.refused)
    probe.say(f"{prober.used} requests made (at most {max_requests})")
    if prober.out_of_time:
        probe.say(f"stopped: the time limit of {max_time:g} s is spent (--max-time)")
    return probe


# --- the configs --------------------------------------------------------------------


def _slug_base(host: str) -> str:
    if re.match(r"^[\d.]+$", host) or host == "localhost":
        return "local"
    name = host.rsplit(".", 1)[0] if "." in host else host
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "site"


def _toml_string(value: str) -> str:
    """A TOML string of any text: literal where it can be, else basic with every control
    character escaped (a site's name comes from its page and may hold a newline)."""
    if "'" not in value and all(c.isprintable() for c in value):
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def config_text(probe: Probe, edition: Edition, slug: str) -> str:
    # News-named listings first: the crawl follows their pagination (/kz/news, not /kz/).
    listings = sorted(
        edition.listings, key=lambda u: (not LISTING_WORDS.search(u.rstrip("/")), len(u))
    )
    start_urls = listings[:2] or [probe.home]
    hosts = sorted({shape.host for shape in edition.shapes if shape.is_articles}) or [probe.host]
    lines = [
        f"# Generated by `newsbot add-site {probe.home}` on {datetime.now(UTC):%Y-%m-%d}:",
        "# read it, then run `newsbot check-site` on it before trusting it.",
        f"slug = {_toml_string(slug)}",
        f"name = {_toml_string(probe.name or probe.host)}",
        f"domains = {_toml_list(hosts)}",
        f"language = {_toml_string(edition.language)}",
        f"timezone = {_toml_string('Asia/Almaty')}",
        f"start_urls = {_toml_list(start_urls)}",
        f"sitemaps = {_toml_list(edition.sitemaps)}",
        f"feeds = {_toml_list(edition.feeds)}",
    ]
    if edition.article_url:
        lines.append(f"article_url = {_toml_string(edition.article_url)}")
    else:
        lines.append("# no article shape was confirmed: the classifier alone decides")
    lines += [
        f"imprint_urls = {_toml_list(edition.imprints[:2])}",
        "enabled = true",
        "verified = false",
    ]
    return "\n".join(lines) + "\n"


def check_output_folder(folder: Path) -> None:
    """Before the probe: `-o` must be a folder that can be written, or become one."""
    if folder.exists() and not folder.is_dir():
        raise ProbeError(f"-o {folder}: is a file; add-site writes into a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProbeError(f"-o {folder}: cannot be made ({error.strerror})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ProbeError(f"-o {folder}: cannot be written")


def _off_site_urls(probe: Probe, text: str) -> list[str]:
    config = tomllib.loads(text)
    urls = [
        url
        for key in ("start_urls", "sitemaps", "feeds", "imprint_urls")
        for url in config.get(key, [])
    ]
    return [url for url in urls if not same_site(url, probe.home)]


def write_configs(
    probe: Probe,
    folder: Path,
    slug: str | None = None,
    say: Callable[[str], None] = print,
    force: bool = False,
) -> list[Path]:
    """One TOML file per edition with a confirmed article shape or a discovery document.
    A file of the same name is replaced only with `force` (it may hold hand edits): else
    nothing is written."""
    folder.mkdir(parents=True, exist_ok=True)
    usable = {
        language: edition
        for language, edition in probe.editions.items()
        if edition.article_url or edition.feeds or edition.sitemaps
    }
    base = slug or _slug_base(probe.host)
    texts: dict[Path, str] = {}
    for language, edition in sorted(usable.items()):
        edition_slug = base if len(usable) == 1 and slug else f"{base}_{language}"
        text = config_text(probe, edition, edition_slug)
        path = folder / f"{edition_slug}.toml"
        parse_config(tomllib.loads(text), str(path))  # refuse to write what cannot load
        off_site = _off_site_urls(probe, text)
        if off_site:
            raise ProbeError(f"{path}: not written, it would name off-site URLs {off_site}")
        texts[path] = text
    existing = [str(path) for path in texts if path.exists()]
    if existing and not force:
        raise ProbeError(
            f"{', '.join(existing)} exists: nothing written (--force replaces it, hand edits too)"
        )
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
        say(f"{'replaced' if str(path) in existing else 'wrote'} {path}")
    return list(texts)


def report(probe: Probe, say: Callable[[str], None] = print) -> None:
    for line in probe.log:
        say(line)
    if probe.refused:
        say(f"refused, not requested ({len(probe.refused)} off the site's host and port):")
        for line in probe.refused[:20]:
            say(f"  {line}")
    for language, edition in sorted(probe.editions.items()):
        say(f"edition {language}: listings {', '.join(edition.listings) or '-'}")
        if edition.pagination:
            say(f"  pagination: next page {edition.pagination}")
        for shape in edition.shapes:
            verdict = "kept" if shape.is_articles else "rejected"
            url, reason, title, date = shape.verdicts[0]
            say(f"  {verdict} {shape.label} ({len(shape.urls)} links), e.g. {url}")
            say(
                f"    {reason or 'article'}"
                + (f": {title!r}, {date or 'no date'}" if title else "")
            )
        say(f"  article_url: {edition.article_url or '- (classifier only)'}")
        say(
            f"  feeds: {', '.join(edition.feeds) or '-'}; sitemaps: {', '.join(edition.sitemaps) or '-'}"
        )
        say(f"  imprint pages: {', '.join(edition.imprints) or '-'}")


def add_site(
    home: str,
    folder: Path,
    slug: str | None = None,
    max_requests: int = 60,
    say: Callable[[str], None] = print,
    max_time: float = DEFAULT_MAX_TIME,
    force: bool = False,
) -> list[Path]:
    check_output_folder(folder)
    probe = probe_site(home, max_requests, max_time)
    report(probe, say)
    written = write_configs(probe, folder, slug, say, force)
    if not written:
        say("no edition with articles found: no config written")
    return written
