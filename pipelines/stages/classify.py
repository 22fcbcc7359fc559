"""Does a fetched page look like an article? A pure stage after the chain: the Article it
made plus the page's markup in, None (an article) or the named reason it is not out.

An article has a title, a body of real prose, and either a publication date or article
markup (JSON-LD Article/NewsArticle..., og:type article). A listing or rubric hub (its
text is headlines linking elsewhere), a document page without a date, a home page: not
articles. This is what lets discovery take candidates a config's regex never saw (feed
entries, `article_url` left out, `add-site` samples) without storing whatever they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from lxml.html import HtmlElement

from pipelines.article import Article
from pipelines.stages.extract import RESCUE_CHARS, body_containers

ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "BlogPosting", "LiveBlogPosting",
        "Report", "ScholarlyArticle", "TechArticle",
    )
)  # fmt: skip
LISTING_TYPES = frozenset(("itemlist", "collectionpage", "searchresultspage"))
# Fewer words than this is a caption, a teaser or a document's cover note, not prose.
MIN_PROSE_WORDS = 20
# A headline link: an anchor whose text reads like a title (Kazakh titles run to fewer,
# longer words: "Премьер-министр кеңес өткізді").
HEADLINE_WORDS = 3
HEADLINE_CHARS = 20
# This many other pages' headlines inside the extracted text make it a listing.
LISTING_HEADLINES = 3
# Headline links on a page with no prose: a listing's last page may hold two.
LISTING_PAGE_HEADLINES = 2
# A paragraph this long is prose, not a teaser's snippet; or this many words in shorter
# paragraphs (a brief news item of short paragraphs).
PROSE_PARAGRAPH_WORDS = 25
SHORT_PROSE_WORDS = 60
_OUTSIDE_CONTENT = "ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside"
# Scripts written without spaces between words (Chinese, Japanese kana and kanji, Thai):
# split on whitespace, a Japanese article of 1,100 characters is 38 "words", and its
# paragraphs of 90 characters one word each. A word there runs to about two characters.
_UNSPACED_CHAR = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHARS_PER_UNSPACED_WORD = 2


@dataclass(frozen=True)
class Markup:
    """What the page's markup says of itself."""

    types: frozenset[str]  # JSON-LD @type values, lower case
    og_type: str | None
    headlines: tuple[str, ...]  # texts of headline links outside nav/header/footer/aside
    # Elements named as the article's text (div.article-body...): one on an article page,
    # one per teaser on a blog's archive. Counted only for short texts (see
    # count_text_containers): None, not counted.
    text_containers: int | None = None

    @property
    def says_article(self) -> bool:
        return bool(self.types & ARTICLE_TYPES) or (self.og_type or "").startswith("article")

    @property
    def says_listing(self) -> bool:
        return bool(self.types & LISTING_TYPES) and not self.types & ARTICLE_TYPES


def _jsonld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level JSON-LD objects and their @graph: an ItemList's elements are not the page."""
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_nodes(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _jsonld_nodes(data["@graph"])


def read_markup(tree: HtmlElement) -> Markup:
    types: set[str] = set()
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads((script.text or "").strip() or "null", strict=False)
        except ValueError:
            continue  # broken JSON-LD is common: it says nothing
        for node in _jsonld_nodes(data):
            kind = node.get("@type")
            for name in kind if isinstance(kind, list) else [kind]:
                if isinstance(name, str):
                    types.add(name.lower())
    og_types = tree.xpath("//meta[@property='og:type']/@content")
    headlines = []
    for anchor in tree.xpath(f"//a[@href][not({_OUTSIDE_CONTENT})]"):
        text = " ".join(anchor.text_content().split())
        if word_count(text) >= HEADLINE_WORDS and len(text) >= HEADLINE_CHARS:
            headlines.append(text)
    return Markup(
        types=frozenset(types),
        og_type=og_types[0].strip().lower() if og_types else None,
        headlines=tuple(dict.fromkeys(headlines)),
    )


def count_text_containers(markup: Markup, tree: HtmlElement, body: str | None) -> Markup:
    """The markup with its named text elements counted, for a body short enough to lack
    prose (a long text has prose: the count would change no verdict, and costs a walk of
    the whole page)."""
    if len(body or "") >= RESCUE_CHARS:
        return markup
    return replace(markup, text_containers=len(body_containers(tree)))


def word_count(text: str) -> int:
    """Words in `text`: whitespace-separated, and in unspaced scripts by length."""
    unspaced = len(_UNSPACED_CHAR.findall(text))
    return len(text.split()) + unspaced // CHARS_PER_UNSPACED_WORD


def _has_prose(body: str, headlines: tuple[str, ...]) -> bool:
    """A paragraph of PROSE_PARAGRAPH_WORDS words, or SHORT_PROSE_WORDS words in
    sentences of ten words or more: not counting teasers cut with an ellipsis and the
    headlines of other pages."""
    counted = 0
    for paragraph in body.split("\n\n"):
        text = " ".join(paragraph.split())
        words = word_count(text)
        if words < 10 or text.endswith(("…", "...")) or any(text in h for h in headlines):
            continue
        if words >= PROSE_PARAGRAPH_WORDS:
            return True
        counted += words
    return counted >= SHORT_PROSE_WORDS


def not_an_article(
    article: Article, markup: Markup | None, printed_date: bool = False
) -> str | None:
    """None when the page looks like an article, else why not ("a listing: ...").
    `printed_date`: the page printed a publication date, even one the chain refused."""
    if markup is None:
        return "no HTML"
    if not article.title:
        return "no title"
    body = article.body or ""
    if markup.says_listing:
        return "a listing (JSON-LD " + ", ".join(sorted(markup.types & LISTING_TYPES)) + ")"
    own = " ".join(article.title.split())
    in_body = [h for h in markup.headlines if h != own and h in body]
    words = word_count(body)
    linked = sum(word_count(h) for h in in_body)
    # Headlines to other pages in the text (three; or two with little else, a listing's
    # last page), or on the page (extraction may have left the teaser links out and kept
    # their snippets; not when the page names the one element that holds its text and
    # none of them is in it: they are the related links around a short article)...
    own_text_apart = markup.text_containers == 1 and not in_body
    shaped_like_listing = (
        len(in_body) >= LISTING_HEADLINES
        or (len(in_body) == 2 and words - linked < 3 * linked)
        or (len(markup.headlines) >= LISTING_PAGE_HEADLINES and not own_text_apart)
    )
    # ...and not one paragraph of prose: an article with a block of related links keeps
    # its paragraphs, a listing has titles and cut snippets (on the 181 real article
    # pages of the benchmark, the listing shape alone took 63 articles for listings).
    if shaped_like_listing and not _has_prose(body, markup.headlines):
        headlines = max(len(in_body), len(markup.headlines))
        return f"a listing: {headlines} headlines linking to other pages, no paragraph of prose"
    if words < MIN_PROSE_WORDS:
        return f"no body of prose ({words} words)"
    if not (article.published_at or printed_date) and not markup.says_article:
        return "no date and no article markup (JSON-LD Article, og:type article)"
    return None
