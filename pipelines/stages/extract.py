"""Article fields from one parsed page: title, lead, body, author, section, tags, image,
date strings and canonical URL, plus the page's footer for the imprint stage.

Sources in order of trust: the site's own selectors, JSON-LD (NewsArticle and kin,
inside `@graph` too), OpenGraph and other meta tags, `<time datetime>`, the visible date
near the title. The body comes from trafilatura in fast mode, run on the same lxml tree
with one-link teaser paragraphs pruned; JSON-LD `articleBody` is only a fallback (on the
benchmark's pages it scores well below).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from pipelines.stages.clean import clean_paragraphs
from pipelines.stages.dates import month_number

ARTICLE_TYPES = {
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BlogPosting",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "Report",
    "LiveBlogPosting",
    "WebPage",
}
PUBLISHER_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "GovernmentOrganization"}

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "mediator_published_time",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "dcterms.modified")
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "footer", "header", "address", "blockquote", "dd", "dt", "dl",
}  # fmt: skip
# Compiled once (they were compiled again on every call).
_FOOTER_XPATH = etree.XPath(
    "//footer | //*[@role='contentinfo'] | "
    "//*[contains(@class,'footer') or contains(@id,'footer') or contains(@class,'copyright')"
    " or contains(@class,'imprint')]"
)
_HOLDS_ARTICLE = etree.XPath(
    "boolean(descendant::*[self::h1 or self::article or self::main or @itemprop='articleBody'])"
)
_MAX_FOOTER_CHARS = 6000
_VISIBLE_DATE_XPATH = (
    "//*[contains(@class,'date') or contains(@class,'time') or contains(@class,'publish')"
    " or contains(@class,'posted') or contains(@itemprop,'datePublished')][not(self::script)]"
)
# Dates printed in plain elements next to the headline ("2025 жылғы 18 қараша, 09:30" in
# a <p> with no date class): a number with a month word, a numeric date, a Kazakh year.
_AFTER_TITLE_XPATH = (
    "following::*[self::p or self::div or self::span or self::time or self::small or self::li]"
    "[position() <= 12]"
)
_BEFORE_TITLE_XPATH = (
    "preceding::*[self::p or self::div or self::span or self::time or self::small or self::li]"
    "[position() <= 4]"
)
_DATE_TEXT = re.compile(
    r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{4}\s*ж"
    r"|\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+\d{4}|[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
)
# The same, printed as bare text after the headline ("기사입력 :[ 2018-08-25 15:24 ]" after
# a <dl>, "<b>05/10/2018</b> - Publicado por: ...", "By <a>Louis Jacobson</a> on Monday,
# November 18th, 2019 at 11:04 a.m."): the first text nodes that follow it, blank ones
# included (a predicate on their text before the position would test every text node to
# the end of the page), of which the first 12 with text are read.
_AFTER_TITLE_TEXT_XPATH = "following::text()[position() <= 40]"
_AFTER_TITLE_LINES = 12
# An <h1> that links to the home page (or sits in such a link) is the site's logo, not
# the headline ("<a href="/"><h1>엔터 미디어</h1></a>").
_HEADLINE_H1_XPATH = "//h1[not(ancestor-or-self::a[@href='/'] or .//a[@href='/'])]"
# The element printing the headline where it is no <h1> (<p class="titulo">, <dt>).
# Its text node, not every element's whole text: a page of 20,000 nested elements would
# build each one's text.
_HEADLINE_TEXT_XPATH = "//body//text()[normalize-space() = $title][not(ancestor::script)]"
# A visible body that is a page template rather than text: "{{ article.body }}", Vue's
# "@{{ }}", "<%= %>", "${...}".
_TEMPLATE_MARKER = re.compile(r"\{\{|\}\}|\{%|%\}|<%=|\$\{\w")
# Below this many words the page text is a placeholder ("Loading...", a teaser) when
# JSON-LD gives more; and JSON-LD at least this many times longer means the page text
# is a teaser or a gated stub.
PLACEHOLDER_WORDS = 30
JSONLD_LONGER = 3.0
MIN_JSONLD_WORDS = 50
_AUTHOR_XPATH = etree.XPath(
    "//*[@itemprop='author' or (self::a and @rel='author') or contains(@class,'author')]"
)
_NOT_AUTHOR_CLASS = re.compile(r"photo|avatar|comment", re.IGNORECASE)
_COMMENT_ANCESTOR = (
    "ancestor-or-self::*[contains(@class,'comment') or contains(@id,'comment')"
    " or contains(@itemprop,'comment')]"
)
_BYLINE = re.compile(
    r"^(?:автор(?:ы)?(?:\s+(?:материала|статьи|текста))?|текст|мәтін|author|by)\s*:?\s+"
    r"(?P<name>.+)$",
    re.IGNORECASE,
)
_BYLINE_XPATH = (
    "//*[self::p or self::div or self::span or self::small or self::address]"
    "[starts-with(normalize-space(text()),'Автор') or starts-with(normalize-space(text()),'автор')"
    " or starts-with(normalize-space(text()),'Author') or starts-with(normalize-space(text()),'By ')]"
)
# A byline often runs on into the date: "David Ehrlich Nov 13, 2019".
_FIRST_DIGIT = re.compile(r"(?<!\w)\d")
_MAX_AUTHOR_WORDS = 8
# Paragraphs, list items and headings that are nothing but one link: teasers of other
# articles ("- 15 Amazing Images of Stars", a headline in capitals between paragraphs).
# A bare address ("http://...") is a cited source and stays.
TEASER_LINK_XPATH = (
    "//*[self::p or self::li or self::h2 or self::h3 or self::h4 or self::h5 or self::h6][a]"
    "[normalize-space(.)=normalize-space(a[1])]"
    "[not(starts-with(normalize-space(a[1]),'http') or starts-with(normalize-space(a[1]),'www.'))]"
)
# A description printed apart from the text, as a standfirst: a subheading, inside the
# page's header, or in an element named for it. Printed as the first paragraph of the
# text, it is the text's beginning and stays in the body.
_STANDFIRST_CLASS = re.compile(
    r"dek|lead|summary|sub-?head|strap|standfirst|intro|descr|subtitle|excerpt|teaser|abstract",
    re.IGNORECASE,
)
_STANDFIRST_PREFIX_CHARS = 40
_TITLE_SUFFIX = re.compile(r"\s+[|—–-]\s+[^|—–-]{2,60}$")
# An element the page names as the article's text (trafilatura's own first choice, with
# its class and id words); not <article>, which holds the title, the date line and the
# share and related blocks too. Candidates by plain substrings (libxml2 alone), then the
# words by regex in Python: an EXSLT regex in the XPath calls back into Python for every
# element of the page.
_BODY_CONTAINER_XPATH = etree.XPath(
    "//*[self::div or self::section or self::main][@itemprop='articleBody' or "
    + " or ".join(
        f"contains(@{attribute}, '{part}')"
        for attribute in ("class", "id")
        for part in ("rticle", "ntry", "ost", "ody", "ext")
    )
    + "]"
)
_BODY_CONTAINER_WORDS = re.compile(
    r"article(?:-|__)?body|articleBody|article-?text|articleText|article__content|"
    r"(?:entry|article|post)-content|post[-_]text|post-body|body-text|content_main_text"
)
# Below this many characters of text trafilatura rescues with text from the whole page
# (its MIN_EXTRACTED_SIZE): a short article's title, date line, share bar and related
# links, or the next column's headlines.
SHORT_TEXT_CHARS = 250
# Trafilatura's text shorter than this may be such a rescue: only then is the page searched
# for a named container (a walk of the whole tree, 5% of the chain's time on every page).
RESCUE_CHARS = 2000
_NOT_TEXT = ".//script | .//style | .//noscript | .//figure | .//figcaption | .//button"
_MAX_VISIBLE_DATE_CHARS = 60


@dataclass
class PageFields:
    """What extraction found, before cleaning and parsing; None where absent."""

    title: str | None = None
    lead: str | None = None
    body: str | None = None
    body_from_jsonld: str | None = None
    author: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    # (where, text), best first; the visible dates near the title are read only when
    # these give nothing (visible_dates), since they cost a scan of the whole page.
    published: list[tuple[str, str]] = field(default_factory=list)
    modified: list[tuple[str, str]] = field(default_factory=list)
    jsonld_publisher: dict[str, Any] | None = None
    footer_text: str | None = None
    footer_hrefs: list[str] = field(default_factory=list)
    # False when no footer element was found and footer_text is just the page's end,
    # which on pages without semantic markup can hold article text too.
    footer_marked: bool = False
    html_lang: str | None = None
    # The title as the page prints it: <h1> texts, <title> with and without the site's
    # name; the text often starts with one of them.
    headlines: list[str] = field(default_factory=list)


def load_tree(html_text: str) -> HtmlElement | None:
    """The one parse of a page, in the form trafilatura accepts; None if nothing parses."""
    if not html_text.strip():
        return None
    tree = trafilatura.load_html(html_text)
    return tree if tree is not None else None


def block_text(element: HtmlElement) -> str:
    """Text of a (small) subtree with a line break at every block element."""
    copy = deepcopy(element)
    for junk in copy.xpath(".//script | .//style | .//noscript"):
        junk.drop_tree()
    for node in copy.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag in _BLOCK_TAGS:
            node.tail = "\n" + (node.tail or "")
            if node.tag != "br":
                node.text = "\n" + (node.text or "")
    return "\n".join(line.strip() for line in copy.text_content().split("\n") if line.strip())


def _first(values: list[str]) -> str | None:
    for value in values:
        if value and value.strip():
            return value.strip()
    return None


class MetaTags:
    """The page's <meta> values by lower-cased property / name / itemprop, read once."""

    def __init__(self, tree: HtmlElement):
        self._values: dict[str, list[str]] = {}
        for node in tree.iter("meta"):
            key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
            content = node.get("content")
            if key and content:
                self._values.setdefault(key, []).append(content)

    def get(self, *names: str) -> list[str]:
        """Values of the first names first: the order says which tag is trusted more."""
        return [value for name in names for value in self._values.get(name.lower(), [])]


def _walk_jsonld(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item)
    elif isinstance(node, Mapping):
        yield node
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in node:
                yield from _walk_jsonld(node[key])


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("@type")
    return set(kind) if isinstance(kind, list) else {str(kind)}


def read_jsonld(tree: HtmlElement) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The page's article object and its publisher (or a site-wide Organization)."""
    articles: list[Mapping[str, Any]] = []
    pages: list[Mapping[str, Any]] = []
    publisher: Mapping[str, Any] | None = None
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue  # broken JSON-LD is common; the meta tags still count
        for node in _walk_jsonld(data):
            types = _types(node)
            if types & ARTICLE_TYPES:
                (pages if types == {"WebPage"} else articles).append(node)
            elif any(kind.endswith("WebPage") for kind in types):
                pages.append(node)  # a kind of WebPage: MedicalWebPage (healthline.com)
            if types & PUBLISHER_TYPES and publisher is None:
                publisher = node
    # A WebPage node stands in only when the page has no article node.
    article = (articles or pages)[0] if (articles or pages) else None
    if article is not None and isinstance(article.get("publisher"), Mapping):
        embedded = article["publisher"]
        if publisher is None or len(embedded) > 2:
            publisher = embedded
    return article, publisher


def _jsonld_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return _jsonld_names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _jsonld_names(item)]
    return []


def _jsonld_image(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return _jsonld_image(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list) and value:
        return _jsonld_image(value[0])
    return None


def _select_text(tree: HtmlElement, selector: str | None) -> str | None:
    if not selector:
        return None
    try:
        nodes = tree.cssselect(selector)
    except (etree.XPathError, ValueError, SyntaxError):
        return None  # configs are validated at load; a bad selector here is a stale one
    texts = [block_text(node) for node in nodes]
    return "\n\n".join(text for text in texts if text) or None


def _footer(tree: HtmlElement) -> tuple[str | None, list[str], bool]:
    # A wrapper whose class merely mentions "footer" may hold the whole article.
    nodes = [node for node in _FOOTER_XPATH(tree) if not _HOLDS_ARTICLE(node)]
    chosen = set(nodes)
    top = [node for node in nodes if not any(a in chosen for a in node.iterancestors())]
    texts = [text for text in map(block_text, top) if len(text) <= _MAX_FOOTER_CHARS]
    hrefs = [href for node in top for href in node.xpath(".//a/@href")]
    hrefs += [
        f"/cdn-cgi/l/email-protection#{code}"
        for node in top
        for code in node.xpath(".//*/@data-cfemail")
    ]
    text = "\n".join(t for t in texts if t)
    if text:
        return text, hrefs, True
    # No marked footer: the imprint, if any, is at the end of the page.
    body = tree.find("body")
    last_blocks = list(body)[-3:] if body is not None else []
    last_blocks = [node for node in last_blocks if not _HOLDS_ARTICLE(node)]
    text = "\n".join(block_text(node) for node in last_blocks)[-3000:]
    return (text or None), hrefs, False


def _headline_elements(tree: HtmlElement, titles: Sequence[str | None]) -> list[HtmlElement]:
    """The first element whose own text is one of `titles`, if no <h1>: where a page
    prints its headline in a <p class="titulo"> or a <dt>, its <h1> being the site's
    logo or missing."""
    found: list[HtmlElement] = []
    for title in dict.fromkeys(" ".join(t.split()) for t in titles if t):
        texts = [text for text in tree.xpath(_HEADLINE_TEXT_XPATH, title=title) if text.is_text]
        nodes = [text.getparent() for text in texts]
        found += [node for node in nodes[:1] if node.tag != "h1" and node not in found]
    return found


def visible_dates(
    tree: HtmlElement, titles: Sequence[str | None] | None = None
) -> list[tuple[str, str]]:
    """Dates as the page prints them, in this order: in date-classed elements; in the
    elements before the first <h1> and after it, and in the bare text between it and the
    article's text. With `titles` (the article's title, the page's <title>): only those
    next to the element found by its text, the headline of a page whose <h1> is the
    site's logo or missing (the chain asks when the first call found nothing: finding it
    costs a look at every text of the page).

    "line" marks a line that may hold a label or byline before its date ("publiziert am
    25. September 2018"); a "visible" one must be the date alone. Below the headline
    only the lines above the article's text are "line": further down (a footer's
    "Свидетельство ... выдано 19.10.2023", a caption) a date ending a line is not when
    the page was published.
    """
    if titles is not None:
        return [found for node in _headline_elements(tree, titles) for found in _near(node)]
    found = []
    for node in tree.xpath(_VISIBLE_DATE_XPATH)[:30]:
        machine = node.get("datetime") or node.get("content")
        if machine:
            found.append(("visible", machine))
        text = " ".join(node.text_content().split())
        if text and len(text) <= _MAX_VISIBLE_DATE_CHARS and re.search(r"\d", text):
            found.append(("line", text))
            # Elements run together in text_content(): "By Carrie ArnoldNovember 15, 2019".
            spaced = " ".join(" ".join(node.itertext()).split())
            if spaced != text and len(spaced) <= _MAX_VISIBLE_DATE_CHARS:
                found.append(("line", spaced))
    first_h1 = next(tree.iter("h1"), None)
    return found + (_near(first_h1) if first_h1 is not None else [])


def _near(headline: HtmlElement) -> list[tuple[str, str]]:
    """Dates printed next to a headline: in the elements before and after it, and in
    the bare text between it and the article's text."""
    found = []
    near = [
        *(("line", node) for node in headline.xpath(_BEFORE_TITLE_XPATH)),
        *(("visible", node) for node in headline.xpath(_AFTER_TITLE_XPATH)),
    ]
    for kind, node in near:
        text = " ".join(node.text_content().split())
        if len(text) <= _MAX_VISIBLE_DATE_CHARS and _DATE_TEXT.search(text):
            found.append((kind, text))
    lines = (
        " ".join(str(bare).split())
        for bare in headline.xpath(_AFTER_TITLE_TEXT_XPATH)
        if not (bare.is_text and bare.getparent().tag in ("script", "style"))
    )
    for text in islice(filter(None, lines), _AFTER_TITLE_LINES):
        if len(text) > _MAX_VISIBLE_DATE_CHARS:
            break  # the article's text begins
        if _DATE_TEXT.search(text):
            found.append(("line", text))
    return found


def _author_name(text: str) -> str | None:
    """A person's name from an author element's text, or None: "Автор фото" and long
    text (a bio, a list of articles) are not bylines."""
    text = " ".join(text.split()).strip(" ,|:—–-")
    match = _BYLINE.match(text)
    if match:
        text = match["name"].strip(" ,|:—–-")
    digit = _FIRST_DIGIT.search(text)
    if digit:
        words = text[: digit.start()].split()
        while words and month_number(words[-1].strip(",.")) is not None:
            words.pop()
        text = " ".join(words).strip(" ,|:—–-")
    if not text or "фото" in text.lower() or "photo" in text.lower():
        return None
    if len(text.split()) > _MAX_AUTHOR_WORDS or not re.search(r"[^\W\d_]", text):
        return None
    return text


def markup_authors(tree: HtmlElement) -> str | None:
    """Authors from the usual markup: itemprop=author, rel=author, an .author element,
    a byline "Автор: ..."; for pages without a JSON-LD author."""
    names: list[str] = []
    for node in _AUTHOR_XPATH(tree):
        if node.tag in {"meta", "link", "script", "body", "html", "article", "main"}:
            continue
        if _NOT_AUTHOR_CLASS.search(node.get("class") or "") or node.xpath(_COMMENT_ANCESTOR):
            continue
        inner = node.xpath(".//*[@itemprop='name']")
        if node.xpath("ancestor::*[@itemprop='author']") and not node.get("itemprop"):
            continue  # the name inside an itemprop=author element, read through it
        text = inner[0].text_content() if inner else node.text_content()
        name = _author_name(text)
        if name and (not names or node.get("itemprop") == "author"):
            names.append(name)
    if not names:
        for node in tree.xpath(_BYLINE_XPATH)[:5]:
            name = _author_name(node.text_content())
            if name:
                names.append(name)
                break
    return ", ".join(dict.fromkeys(names)) or None


def lead_printed_apart(tree: HtmlElement, lead: str | None) -> bool:
    """Whether the page prints its description as a standfirst above the text."""
    if not lead:
        return False
    prefix = " ".join(lead.split())[:_STANDFIRST_PREFIX_CHARS]
    nodes = tree.xpath("//body//*[starts-with(normalize-space(text()), $prefix)]", prefix=prefix)
    for node in nodes[:5]:
        if node.tag in {"h2", "h3", "h4", "h5", "h6"} or node.xpath("ancestor::header"):
            return True
        for element in (node, *list(node.iterancestors())[:2]):
            if _STANDFIRST_CLASS.search(element.get("class") or ""):
                return True
    return False


def choose_body(visible: str | None, jsonld: str | None) -> tuple[str | None, str | None]:
    """The body: the page text, or the JSON-LD articleBody where the page text is a
    placeholder, a template or much shorter; with a warning saying which and why."""
    jsonld_words = len(jsonld.split()) if jsonld else 0
    reason = None
    if visible is None:
        reason = "the page text gave none"
    elif _TEMPLATE_MARKER.search(visible):
        if not jsonld_words or _TEMPLATE_MARKER.search(jsonld or ""):
            return None, "body: the page text is an unfilled template"
        reason = "the page text is a template"
    else:
        visible_words = len(visible.split())
        if visible_words < PLACEHOLDER_WORDS and jsonld_words > 2 * visible_words:
            reason = "the page text is a placeholder"
        elif jsonld_words >= MIN_JSONLD_WORDS and visible_words * JSONLD_LONGER <= jsonld_words:
            reason = f"the page text has {visible_words} words, JSON-LD {jsonld_words}"
    if reason is None:
        return visible, None
    # Cleaned only when taken: most pages keep their page text.
    body = clean_paragraphs(jsonld) if jsonld_words else None
    if body is None:
        return visible, None
    return body, f"body: from JSON-LD articleBody ({reason})"


def _title(
    tree: HtmlElement,
    metas: MetaTags,
    article: Mapping[str, Any] | None,
    selectors: Mapping[str, str],
) -> str | None:
    candidates = [
        _select_text(tree, selectors.get("title")),
        _first(_jsonld_names(article.get("headline"))) if article else None,
        _first(metas.get("og:title", "twitter:title")),
        _first([" ".join(h1.text_content().split()) for h1 in tree.xpath(_HEADLINE_H1_XPATH)]),
    ]
    title = _first([c for c in candidates if c])
    if title:
        return title
    page_title = tree.findtext(".//title")
    return _TITLE_SUFFIX.sub("", page_title.strip()) if page_title else None


def read_fields(
    tree: HtmlElement, url: str | None, selectors: Mapping[str, str] | None = None
) -> PageFields:
    """Everything but the body: metadata, dates as printed, and the footer."""
    selectors = selectors or {}
    article, publisher = read_jsonld(tree)
    fields = PageFields()
    metas = MetaTags(tree)
    fields.title = _title(tree, metas, article, selectors)
    fields.lead = _first(
        [
            _select_text(tree, selectors.get("lead")) or "",
            *(_jsonld_names(article.get("description")) if article else []),
            *metas.get("og:description", "description", "twitter:description"),
        ]
    )
    authors = _jsonld_names(article.get("author")) if article else []
    fields.author = (
        _select_text(tree, selectors.get("author"))
        or ", ".join(dict.fromkeys(a.strip() for a in authors if a.strip()))
        or markup_authors(tree)
        or _first([a for a in metas.get("author", "article:author") if "://" not in a])
    )
    section = article.get("articleSection") if article else None
    fields.section = _first(_jsonld_names(section)) or _first(metas.get("article:section"))
    keywords = article.get("keywords") if article else None
    tags = metas.get("article:tag")
    if isinstance(keywords, str):
        tags += keywords.split(",")
    elif isinstance(keywords, list):
        tags += [k for k in keywords if isinstance(k, str)]
    if not tags:
        tags = ",".join(metas.get("keywords", "news_keywords")).split(",")
    fields.tags = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    image = _first(metas.get("og:image", "og:image:url", "twitter:image"))
    image = image or (_jsonld_image(article.get("image")) if article else None)
    fields.image_url = urljoin(url or "", image) if image else None
    canonical = _first(tree.xpath("//link[@rel='canonical']/@href") + metas.get("og:url"))
    fields.canonical_url = urljoin(url or "", canonical) if canonical else None
    fields.site_name = _first(metas.get("og:site_name", "application-name"))
    fields.jsonld_publisher = dict(publisher) if publisher else None
    body_jsonld = article.get("articleBody") if article else None
    fields.body_from_jsonld = body_jsonld if isinstance(body_jsonld, str) else None
    fields.html_lang = tree.get("lang")
    page_title = " ".join((tree.findtext(".//title") or "").split())
    fields.headlines = [" ".join(h1.text_content().split()) for h1 in tree.iter("h1")]
    fields.headlines += [page_title, _TITLE_SUFFIX.sub("", page_title)] if page_title else []

    selected_date = _select_text(tree, selectors.get("date"))
    if selected_date:
        fields.published.append(("selector", selected_date))
    if article:
        for key, target in (("datePublished", fields.published), ("dateModified", fields.modified)):
            if isinstance(article.get(key), str):
                target.append(("json-ld", article[key]))
    fields.published += [("meta", value) for value in metas.get(*_PUBLISHED_META)]
    fields.modified += [("meta", value) for value in metas.get(*_MODIFIED_META)]
    times = tree.xpath("//article//time/@datetime | //time[@pubdate]/@datetime | //time/@datetime")
    fields.published += [("time", value) for value in times[:3]]
    fields.footer_text, fields.footer_hrefs, fields.footer_marked = _footer(tree)
    return fields


def body_containers(tree: HtmlElement) -> list[HtmlElement]:
    """The elements the page names as the article's text (`div.article-body`,
    `itemprop=articleBody`...), the outermost ones only."""
    nodes = [
        node
        for node in _BODY_CONTAINER_XPATH(tree)
        if node.get("itemprop") == "articleBody"
        or _BODY_CONTAINER_WORDS.search(node.get("class") or "")
        or _BODY_CONTAINER_WORDS.search(node.get("id") or "")
    ]
    chosen = set(nodes)
    return [node for node in nodes if not any(a in chosen for a in node.iterancestors())]


def _container_text(tree: HtmlElement) -> str | None:
    """The text of the page's named body containers, one line per block, without teaser
    links, captions and scripts; None if the page names none."""
    texts = []
    for node in body_containers(tree):
        copy = deepcopy(node)
        for junk in copy.xpath(f"{_NOT_TEXT} | {TEASER_LINK_XPATH}"):
            junk.drop_tree()
        texts.append(block_text(copy))
    return "\n".join(text for text in texts if text) or None


def _short_container_text(tree: HtmlElement, extracted: str | None) -> str | None:
    """A short article's named container, when trafilatura gave more than it holds.

    Under SHORT_TEXT_CHARS of text trafilatura's rescue takes the whole `<article>` (the
    title, the date line, share and related links) or stray paragraphs of the page; the
    page said where its text is, and that text is the article."""
    text = _container_text(tree)
    if text is None or len(" ".join(text.split())) >= SHORT_TEXT_CHARS:
        return None
    if extracted is not None and len(extracted.split()) <= len(text.split()):
        return None
    return text


def extract_body(tree: HtmlElement, url: str | None, selector: str | None = None) -> str | None:
    """The article body as plain text, paragraphs on their own lines."""
    selected = _select_text(tree, selector)
    if selected:
        return selected
    extracted = _trafilatura_body(tree, url)
    if extracted is not None and len(extracted) >= RESCUE_CHARS:
        return extracted
    return _short_container_text(tree, extracted) or extracted


def _trafilatura_body(tree: HtmlElement, url: str | None) -> str | None:
    return trafilatura.extract(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
        output_format="txt",
        prune_xpath=TEASER_LINK_XPATH,
        # Without the comparison with readability and jusText, which on news pages
        # mostly swaps in a longer text with the furniture around it (and costs a
        # quarter of the time).
        fast=True,
    )
