"""`newsbot add-site URL`: site configs written from a home page alone.

The probe is polite and bounded: robots.txt is read and obeyed, a real site gets a pause
between requests, and no more than `max_requests` are made. It reads robots.txt's
`Sitemap:` lines, the home page's feed links and the usual feed paths, the home page and
a few listing pages; groups the links by URL shape, fetches samples of each shape, and
keeps the shapes whose pages the classifier (pipelines/stages/classify.py) calls articles.
"""

from __future__ import annotations

import re
import ssl
import time
import tomllib
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
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
    """The home page cannot be read: nothing to build a config from."""


@dataclass
class Fetched:
    url: str  # final URL, after redirects
    status: int
    body: bytes
    charset: str | None


class Prober:
    """Polite, bounded GETs: robots.txt obeyed, a pause for real sites, a request budget."""

    def __init__(self, home: str, max_requests: int, timeout: float = 15.0, verify: bool = True):
        self.budget = max_requests
        self.user_agent = USER_AGENT
        self.context = None if verify else unverified_context()
        self.used = 0
        self.timeout = timeout
        host = urlsplit(home).hostname or ""
        self.pause = 0.0 if host in ("127.0.0.1", "localhost") else REAL_SITE_PAUSE
        self.last = 0.0
        self.last_error: str | None = None  # why the last request got no answer
        self.robots = urllib.robotparser.RobotFileParser()
        self.robots.parse([])
        self.sitemaps: list[str] = []

    @property
    def left(self) -> int:
        return self.budget - self.used

    def read_robots(self, home: str) -> None:
        fetched = self.get(urljoin(home, "/robots.txt"), check_robots=False)
        if fetched is not None and fetched.status == 200:
            lines = fetched.body.decode("utf-8", "replace").splitlines()
            self.robots.parse(lines)
            self.sitemaps = list(self.robots.site_maps() or [])

    def get(self, url: str, check_robots: bool = True) -> Fetched | None:
        """The page, or None: over budget, refused by robots.txt, or no answer."""
        if self.used >= self.budget:
            return None
        if check_robots and not self.robots.can_fetch(self.user_agent, url):
            return None
        wait = self.last + self.pause - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.used += 1
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout, context=self.context
            ) as answer:
                body = answer.read(MAX_PAGE_BYTES)
                return Fetched(answer.geturl(), answer.status, body,
                               answer.headers.get_content_charset())  # fmt: skip
        except urllib.error.HTTPError as error:
            return Fetched(url, error.code, b"", None)
        except urllib.error.URLError as error:
            self.last_error = describe_url_error(error.reason)
            return None
        except (OSError, ValueError) as error:
            self.last_error = str(error) or type(error).__name__
            return None
        finally:
            self.last = time.monotonic()


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

    def say(self, line: str) -> None:
        self.log.append(line)


def _tree(fetched: Fetched) -> html.HtmlElement | None:
    try:
        return html.fromstring(fetched.body.decode(fetched.charset or "utf-8", "replace"),
                               base_url=fetched.url)  # fmt: skip
    except (etree.ParserError, ValueError):
        return None


def _on_host(url: str, host: str) -> bool:
    return (urlsplit(url).hostname or "").removeprefix("www.") == host or (
        urlsplit(url).hostname or ""
    ).endswith("." + host)


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
        return "no answer", None, None
    if fetched.status != 200:
        return f"HTTP {fetched.status}", None, None
    page = Page(url=url, final_url=fetched.url, fetched_at=datetime.now(UTC),
                body=fetched.body, charset=fetched.charset)  # fmt: skip
    # The crawl's own verdict, from the crawl's own chain: what add-site keeps, the
    # crawl stores.
    result = extract_page(page, ChainOptions(language=language, timezone="Asia/Almaty"))
    return result.not_article, result.article.title, result.article.published_at


def probe_site(home: str, max_requests: int = 60) -> Probe:
    """Everything add-site learns of a site from its home page, within the budget."""
    prober = Prober(home, max_requests)
    host = (urlsplit(home).hostname or "").removeprefix("www.")
    probe = Probe(home=home, host=host)
    prober.read_robots(home)
    home_page = prober.get(home)
    if home_page is None or home_page.status != 200:
        status = f"HTTP {home_page.status}" if home_page else "no answer"
        raise ProbeError(f"{home}: the home page cannot be read ({status})")
    tree = _tree(home_page)
    default_language = _home_language(tree)

    # Feeds and sitemaps: robots.txt, <link rel=alternate>, the usual paths.
    indexes = list(prober.sitemaps)
    if tree is not None:
        for link in tree.xpath("//link[@rel='alternate'][@href]"):
            if "rss" in (link.get("type") or "") or "atom" in (link.get("type") or ""):
                indexes.append(urljoin(home_page.url, link.get("href")))
    if not indexes:
        indexes += [urljoin(home, path) for path in FEED_PATHS + SITEMAP_PATHS]
    for url in dict.fromkeys(indexes):
        found = _index_entries(prober, url)
        if found:
            probe.kinds[url] = found[0]
            probe.feeds[url] = [e for e in found[1] if _on_host(e, host)]
            probe.say(f"{found[0]} {url}: {len(probe.feeds[url])} entries on the site")

    # Links of the home page and a few listing pages per edition.
    home_links = [u for u in listing_links(home_page.body.decode("utf-8", "replace"),
                                           home_page.url) if _on_host(u, host)]  # fmt: skip
    link_texts: dict[str, str] = {}
    _link_texts(tree, link_texts)
    all_links = list(home_links)
    listing_candidates: dict[str, list[str]] = {}
    for url in home_links:
        path = urlsplit(url).path.strip("/")
        segments = path.split("/") if path else []
        kinds = shape_of(url)[1]
        if 1 <= len(segments) <= 2 and all(k == "W" for k in kinds):
            language = edition_of(url, host) or default_language
            if LISTING_WORDS.search(segments[-1]) or len(segments) == 1:
                listing_candidates.setdefault(language, []).append(url)
    for language, urls in listing_candidates.items():
        # News-named listings first (/ru/news before /ru/about).
        urls.sort(key=lambda u: (not LISTING_WORDS.search(u.rstrip("/")), len(u)))
        queue = urls[:LISTINGS_PER_EDITION]
        while queue:
            url = queue.pop(0)
            fetched = prober.get(url)
            if fetched is None or fetched.status != 200:
                continue
            text = fetched.body.decode(fetched.charset or "utf-8", "replace")
            links = [u for u in listing_links(text, fetched.url) if _on_host(u, host)]
            _link_texts(_tree(fetched), link_texts)
            edition = probe.editions.setdefault(language, Edition(language))
            all_links += links
            if url == edition.pagination:
                continue  # page 2 of a listing: read for its links, not a start URL
            edition.listings.append(url)
            edition.links[url] = links
            following = next_page_url(text, fetched.url)
            if following and not edition.pagination and _on_host(following, host):
                # Page 2 shows the pagination works and holds links page 1 lacks.
                edition.pagination = following
                queue.insert(0, following)

    # Shapes: every on-site link and feed entry, grouped; sampled, biggest first.
    shapes: dict[tuple[str, str, tuple[str, ...]], Shape] = {}
    index_urls = {article_address(u) for entries in probe.feeds.values() for u in entries}
    for url in dict.fromkeys(article_address(u) for u in all_links + list(index_urls)):
        key = shape_of(url)
        if not key[1]:
            continue
        language = edition_of(url, host) or default_language
        shape = shapes.setdefault((language, *key), Shape(*key))
        shape.urls.append(url)
        shape.from_index = shape.from_index or url in index_urls
    sampled = sorted(shapes.items(), key=lambda item: (-item[1].from_index, -len(item[1].urls)))
    for (language, *_), shape in sampled:
        if len(shape.urls) < 2 and not shape.from_index and shape.kinds[-1] in ("W", "N"):
            continue  # one link of a plain word is a menu item, not a stream of articles
        for url in shape.urls[:SAMPLES_PER_SHAPE]:
            if prober.left <= 0:
                break
            reason, title, date = _classify(prober, url, language)
            shape.verdicts.append((url, reason, title, date))
            if reason is not None and len(shape.urls) < 3 and not shape.from_index:
                break  # a rare kind whose first sample is no article: spare the budget
        if shape.verdicts:
            probe.editions.setdefault(language, Edition(language)).shapes.append(shape)

    # Per edition: its regex, its feeds, its imprint pages.
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
            own = [e for e in entries if (edition_of(e, host) or default_language) == language]
            if entries and len(own) * 2 > len(entries):
                target = edition.sitemaps if probe.kinds[url] == "sitemap" else edition.feeds
                target.append(url)
        for url, text in link_texts.items():
            ours = (edition_of(url, host) or default_language) == language
            if IMPRINT_NAMES.match(text) and _on_host(url, host) and ours:
                edition.imprints.append(url)
    probe.say(f"{prober.used} requests made (at most {max_requests})")
    return probe


# --- the configs --------------------------------------------------------------------


def _slug_base(host: str) -> str:
    if re.match(r"^[\d.]+$", host) or host == "localhost":
        return "local"
    name = host.rsplit(".", 1)[0] if "." in host else host
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "site"


def _toml_string(value: str) -> str:
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def config_text(probe: Probe, edition: Edition, slug: str) -> str:
    start_urls = edition.listings[:2] or [probe.home]
    hosts = sorted({shape.host for shape in edition.shapes if shape.is_articles}) or [probe.host]
    lines = [
        f"# Generated by `newsbot add-site {probe.home}` on {datetime.now(UTC):%Y-%m-%d}:",
        "# read it, then run `newsbot check-site` on it before trusting it.",
        f"slug = {_toml_string(slug)}",
        f"name = {_toml_string(probe.host)}",
        f"domains = {_toml_list(hosts)}",
        f"language = {_toml_string(edition.language)}",
        'timezone = "Asia/Almaty"',
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


def write_configs(
    probe: Probe, folder: Path, slug: str | None = None, say: Callable[[str], None] = print
) -> list[Path]:
    """One TOML file per edition with a confirmed article shape or a discovery document."""
    folder.mkdir(parents=True, exist_ok=True)
    usable = {
        language: edition
        for language, edition in probe.editions.items()
        if edition.article_url or edition.feeds or edition.sitemaps
    }
    written = []
    base = slug or _slug_base(probe.host)
    for language, edition in sorted(usable.items()):
        edition_slug = base if len(usable) == 1 and slug else f"{base}_{language}"
        text = config_text(probe, edition, edition_slug)
        path = folder / f"{edition_slug}.toml"
        parse_config(tomllib.loads(text), str(path))  # refuse to write what cannot load
        path.write_text(text, encoding="utf-8")
        written.append(path)
        say(f"wrote {path}")
    return written


def report(probe: Probe, say: Callable[[str], None] = print) -> None:
    for line in probe.log:
        say(line)
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
    home: str, folder: Path, slug: str | None = None, max_requests: int = 60,
    say: Callable[[str], None] = print,
) -> list[Path]:  # fmt: skip
    probe = probe_site(home, max_requests)
    report(probe, say)
    written = write_configs(probe, folder, slug, say)
    if not written:
        say("no edition with articles found: no config written")
    return written
