"""Reading discovery documents: sitemaps (with news dates), RSS/Atom feeds, listing pages.

Pure functions of bytes or HTML, so the spider stays about requests and the parsing is
tested on its own. Scrapy's sitemap parser is not used: it drops nested elements, and
with them `news:publication_date`, the best date a news sitemap has.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree, html

_MAX_UNZIPPED = 50 * 1024 * 1024
# Links read from one listing page; real ones have a few hundred.
MAX_LISTING_LINKS = 1_000
_NEXT_WORDS = re.compile(
    r"^\s*(?:следующая|следующая страница|далее|дальше|вперед|вперёд|ещё|еще|показать ещё|"
    r"келесі|әрі қарай|next|next page|older posts|more|»|›|→|>>)\s*[»›→]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Discovered:
    """A URL found in a sitemap or feed, with the dates that came with it."""

    url: str
    lastmod: str | None = None
    news_date: str | None = None
    feed_date: str | None = None

    def hints(self) -> dict[str, str]:
        return {
            key: value
            for key, value in (
                ("lastmod", self.lastmod),
                ("news_publication_date", self.news_date),
                ("feed_date", self.feed_date),
            )
            if value
        }


def _local(tag: object) -> str:
    return tag.split("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _xml_root(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
            body = handle.read(_MAX_UNZIPPED)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError:
        return None


class SitemapReader:
    """A sitemap read as a stream: `kind` ("index", "urlset" or "invalid") once the root
    element is read, then the entries one at a time, each element freed once read.

    An 820,000-URL gzip sitemap is never held as a tree (2.2 GB with lxml's); the
    memory is the compressed body and one entry. Gzip bodies are unpacked on the fly,
    up to `max_bytes` (the sitemap protocol's own limit is 50 MB); `truncated` tells
    whether the rest was left unread.
    """

    def __init__(self, body: bytes, max_bytes: int = _MAX_UNZIPPED):
        self.truncated = False
        self._max_bytes = max_bytes
        stream: io.BufferedIOBase = io.BytesIO(body.strip())
        if body[:2] == b"\x1f\x8b":
            stream = gzip.GzipFile(fileobj=io.BytesIO(body))
        self._stream = _Capped(stream, max_bytes, self)
        self._events = etree.iterparse(
            self._stream,
            events=("start", "end"),
            recover=True,
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
        )
        self.kind = "invalid"
        try:
            for event, element in self._events:
                if event == "start":
                    root = _local(element.tag)
                    self.kind = {"sitemapindex": "index", "urlset": "urlset"}.get(root, "invalid")
                    break
        except (etree.XMLSyntaxError, OSError, EOFError):
            self.kind = "invalid"

    def __iter__(self) -> Iterator[Discovered]:
        if self.kind == "invalid":
            return
        try:
            for event, node in self._events:
                if event != "end" or _local(node.tag) not in ("url", "sitemap"):
                    continue
                found = _entry(node)
                node.clear()
                # Siblings already read go too, or the root keeps them all.
                parent = node.getparent()
                while parent is not None and node.getprevious() is not None:
                    del parent[0]
                if found is not None:
                    yield found
        except (etree.XMLSyntaxError, OSError, EOFError):
            return  # a broken tail: what was read before it stands


class _Capped(io.RawIOBase):
    """A read-only stream that ends after `limit` bytes, telling `owner`."""

    def __init__(self, inner: io.BufferedIOBase, limit: int, owner: SitemapReader):
        self.inner = inner
        self.left = limit
        self.owner = owner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.left <= 0:
            if self.inner.read(1):
                self.owner.truncated = True
            return b""
        wanted = self.left if size is None or size < 0 else min(size, self.left)
        data = self.inner.read(wanted)
        self.left -= len(data)
        return data


def _entry(node: etree._Element) -> Discovered | None:
    loc = lastmod = news_date = None
    for child in node.iter():
        name = _local(child.tag)
        text = (child.text or "").strip() or None
        if name == "loc" and loc is None:
            loc = text
        elif name == "lastmod":
            lastmod = text
        elif name == "publication_date":
            news_date = text
    return Discovered(loc, lastmod=lastmod, news_date=news_date) if loc else None


def parse_sitemap(body: bytes) -> tuple[str, list[Discovered]]:
    """("index", child sitemaps) or ("urlset", pages) or ("invalid", [])."""
    reader = SitemapReader(body)
    return reader.kind, list(reader)


def parse_feed(body: bytes, base_url: str) -> list[Discovered]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed: link and date."""
    root = _xml_root(body)
    if root is None:
        return []
    found = []
    for node in root.iter():
        name = _local(node.tag)
        if name not in ("item", "entry"):
            continue
        link = date = None
        for child in node:
            child_name = _local(child.tag)
            if child_name == "link":
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    link = link or href
                elif child.text and child.text.strip():
                    link = link or child.text.strip()
            elif child_name == "guid" and link is None and child.get("isPermaLink") != "false":
                link = (child.text or "").strip() or None
            elif (
                child_name in ("pubdate", "published", "date", "updated", "issued") and date is None
            ):
                date = (child.text or "").strip() or None
        if link:
            found.append(Discovered(urljoin(base_url, link), feed_date=date))
    return found


def listing_links(page_html: str, base_url: str, max_links: int = MAX_LISTING_LINKS) -> list[str]:
    """The links of a listing page, absolute, in page order, without repeats: the first
    `max_links` of them (a listing page of 100,000 links is a trap, not a listing)."""
    try:
        tree = html.fromstring(page_html, base_url=base_url)
    except (etree.ParserError, ValueError):
        return []
    seen: dict[str, None] = {}
    for href in tree.xpath("//a/@href"):
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        seen.setdefault(url, None)
        if len(seen) >= max_links:
            break
    return list(seen)


def next_page_url(
    page_html: str, base_url: str, selector: str | None = None, page_param: str | None = None
) -> str | None:
    """The listing page after this one: the configured selector, rel=next, a "next" link,
    the numbered link after this page's number, or the page number in `page_param` plus
    one."""
    try:
        tree = html.fromstring(page_html, base_url=base_url)
    except (etree.ParserError, ValueError):
        tree = None
    if tree is not None:
        candidates: list[str] = []
        if selector:
            candidates += [a.get("href") for a in tree.cssselect(selector) if a.get("href")]
        candidates += tree.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href")
        for anchor in tree.xpath("//a[@href]"):
            label = anchor.text_content() or anchor.get("aria-label") or anchor.get("title") or ""
            classes = anchor.get("class") or ""
            if _NEXT_WORDS.match(label) or re.search(r"\bnext\b", classes):
                candidates.append(anchor.get("href"))
        for candidate in candidates:
            url = urljoin(base_url, candidate.strip())
            if url != base_url:
                return url
        numbered = numbered_next_url(tree, base_url)
        if numbered:
            return numbered
    if page_param:
        parts = urlsplit(base_url)
        query = dict(parse_qsl(parts.query))
        current = (
            int(query.get(page_param, "1") or 1) if str(query.get(page_param, "1")).isdigit() else 1
        )
        query[page_param] = str(current + 1)
        return urlunsplit(parts._replace(query=urlencode(query)))
    return None


_CURRENT_XPATH = (
    "//*[@aria-current and @aria-current!='false'] | //*[contains(concat(' ', normalize-space("
    "@class), ' '), ' active ') or contains(concat(' ', normalize-space(@class), ' '), ' current ')"
    " or contains(@class, 'is-active') or contains(@class, '--active')]"
)
_MAX_PAGE_NUMBER = 6  # digits: page 1441 of primeminister.kz is 4


def numbered_next_url(tree: html.HtmlElement, base_url: str) -> str | None:
    """The link numbered one more than this page, on a listing whose pagination is only
    numbers (primeminister.kz: no rel=next, no "next" word). This page's number is the
    link back to itself, the number marked current, or else the first number from 1 that
    has no link (page 1 rarely links to itself)."""
    links: dict[int, str] = {}
    current = None
    for anchor in tree.xpath("//a[@href]"):
        text = anchor.text_content().strip()
        if not text.isdigit() or len(text) > _MAX_PAGE_NUMBER:
            continue
        url = urljoin(base_url, anchor.get("href").strip()).split("#", 1)[0]
        if url == base_url:
            current = int(text)
        elif url.startswith(("http://", "https://")):
            links.setdefault(int(text), url)
    if len(links) < 1:
        return None
    if current is None:
        for node in tree.xpath(_CURRENT_XPATH):
            text = node.text_content().strip()
            if text.isdigit() and len(text) <= _MAX_PAGE_NUMBER:
                current = int(text)
                break
    if current is None:
        current = next(n for n in range(1, len(links) + 2) if n not in links)
    return links.get(current + 1)


def path_page_url(start_url: str, page_path: str, number: int) -> str:
    """Listing page `number` under a start URL by a config's `page_path` template:
    ("https://x.kz/news/", "page/{n}/", 2) -> "https://x.kz/news/page/2/"."""
    parts = urlsplit(start_url)
    base = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit(parts._replace(path=base + page_path.replace("{n}", str(number))))


def pagination_links(page_html: str, base_url: str) -> set[str]:
    """The listing's own page links (numbered, rel=next or prev): never article
    candidates, even for a config without `article_url`."""
    try:
        tree = html.fromstring(page_html, base_url=base_url)
    except (etree.ParserError, ValueError):
        return set()
    found = set()
    for anchor in tree.xpath("//a[@href]"):
        text = anchor.text_content().strip()
        rel = (anchor.get("rel") or "").lower()
        if (text.isdigit() and len(text) <= _MAX_PAGE_NUMBER) or rel in ("next", "prev"):
            found.add(urljoin(base_url, anchor.get("href").strip()).split("#", 1)[0])
    return found
