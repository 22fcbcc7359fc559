"""The whole stage chain in one call: raw page bytes in, the article record out.

decode -> parse once -> read fields -> body -> clean -> dates -> imprint ->
registrations -> attribution -> language. The same call serves `newsbot extract`, the
crawl's process pipeline, the tests and the benchmarks. No I/O, no clock: `fetched_at`
comes with the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from newsbot.siteconfig import SiteConfig
from pipelines.attribution import find_source
from pipelines.boilerplate import strip_furniture
from pipelines.bounds import bound_tree
from pipelines.clean import clean_line, clean_paragraphs, normalize_characters, tidy_paragraphs
from pipelines.dates import parse_date
from pipelines.decode import decode_page
from pipelines.extract import (
    PageFields,
    block_text,
    extract_body,
    load_tree,
    read_fields,
    visible_dates,
)
from pipelines.imprint import Publisher, extract_imprint
from pipelines.language import detect_language
from pipelines.registrations import Registration, extract_registrations

# Pages beyond this are cut before parsing: no article is 8 MB of HTML, and a 20 MB
# page must still answer in seconds.
MAX_HTML_CHARS = 8_000_000

MIN_BODY_WORDS = 5
PUBLICATION_HINTS = ("news_publication_date", "feed_date")
_DATE_RANK = {"selector": 0, "json-ld": 1, "meta": 2, "time": 3, "hint": 4, "visible": 5}


@dataclass
class RawPage:
    """A fetched page as the spider hands it over."""

    url: str
    body: bytes
    fetched_at: datetime
    charset: str | None = None
    site: str | None = None
    hints: dict[str, str] = field(default_factory=dict)  # see newsbot.discovery.Discovered


@dataclass
class SiteImprint:
    publisher: Publisher
    registrations: list[Registration]
    warnings: list[str]


def _body_paragraphs(
    raw_body: str | None, fields: PageFields, footer_lines: set[str]
) -> str | None:
    if not raw_body:
        return None
    lines = normalize_characters(raw_body).split("\n")
    lines = strip_furniture(lines, fields.title, footer_lines, fields.lead)
    body = tidy_paragraphs("\n\n".join(lines))
    # A few words ("Home", "Главная") are what extraction finds on a page with no text.
    if body is not None and len(body.split()) < MIN_BODY_WORDS:
        return None
    return body


def read_site_imprint(fields: PageFields, site_name: str | None) -> SiteImprint:
    """Publisher and registrations from a page's footer and JSON-LD."""
    publisher = extract_imprint(
        fields.footer_text,
        hrefs=fields.footer_hrefs,
        jsonld_publisher=fields.jsonld_publisher,
        site_name=fields.site_name or site_name,
    )
    registrations, warnings = extract_registrations(fields.footer_text)
    return SiteImprint(publisher, registrations, warnings)


def _pick_date(
    candidates: list[tuple[str, str]], page: RawPage, site: SiteConfig | None, warnings: list[str]
) -> tuple[str | None, str | None]:
    timezone = site.timezone if site else None
    languages = (
        (site.language, *(lang for lang in ("ru", "kk", "en") if lang != site.language))
        if site
        else ("ru", "kk", "en")
    )
    rejected: list[str] = []
    for _, text in sorted(candidates, key=lambda c: _DATE_RANK[c[0]]):
        outcome = parse_date(text, now=page.fetched_at, timezone=timezone, languages=languages)
        if outcome.value is not None:
            warnings.extend(rejected)
            return outcome.value.local_iso, outcome.value.utc_iso
        if outcome.warning and "rejected" in outcome.warning:
            rejected.append(outcome.warning)
    warnings.extend(rejected)
    return None, None


def _empty_record(page: RawPage, site: SiteConfig | None, warnings: list[str]) -> dict[str, Any]:
    return {
        "url": page.url,
        "canonical_url": None,
        "site": site.slug if site else (page.site or urlsplit(page.url).hostname),
        "title": None,
        "lead": None,
        "body": None,
        "author": None,
        "section": None,
        "tags": [],
        "image_url": None,
        "published_at": None,
        "published_at_utc": None,
        "modified_at": None,
        "modified_at_utc": None,
        "language": None,
        "source": None,
        "publisher": Publisher().as_dict(),
        "registrations": [],
        "warnings": warnings,
    }


def process_page(
    page: RawPage,
    site: SiteConfig | None = None,
    imprint_cache: dict[str, SiteImprint] | None = None,
) -> dict[str, Any]:
    """The article record of DESIGN.md's contract for one fetched page.

    `imprint_cache` (footer text -> imprint) lets a crawl read each site's imprint once.
    """
    decoded = decode_page(page.body, page.charset)
    warnings = list(decoded.warnings)
    record = _empty_record(page, site, warnings)
    html_text = decoded.text
    if len(html_text) > MAX_HTML_CHARS:
        warnings.append(
            f"page is {len(html_text) // 1_000_000} MB of text: only the first 8 MB read"
        )
        html_text = html_text[:MAX_HTML_CHARS]
    tree = load_tree(html_text) if html_text else None
    if tree is None:
        if html_text:
            warnings.append("no HTML could be parsed")
        warnings.append("no article: nothing to extract")
        return record
    warnings.extend(bound_tree(tree))

    selectors = site.selectors if site else {}
    fields = read_fields(tree, page.url, selectors)
    footer_lines = set()
    if fields.footer_marked and fields.footer_text:
        footer_lines = {
            line for line in map(str.strip, fields.footer_text.split("\n")) if len(line) > 15
        }
    raw_body = extract_body(tree, page.url, selectors.get("body"))
    body = _body_paragraphs(raw_body, fields, footer_lines)
    if body is None and fields.body_from_jsonld:
        body = clean_paragraphs(fields.body_from_jsonld)
        warnings.append("body: from JSON-LD articleBody (the page text gave none)")

    record["title"] = clean_line(fields.title)
    record["lead"] = clean_line(fields.lead)
    record["body"] = body
    record["author"] = clean_line(fields.author)
    record["section"] = clean_line(fields.section)
    record["tags"] = [tag for tag in (clean_line(t) for t in fields.tags) if tag]
    record["image_url"] = fields.image_url
    record["canonical_url"] = fields.canonical_url

    # A sitemap's lastmod says when the page changed, not when it was published: only the
    # news sitemap's publication date and the feed's date stand for publication.
    hints = [("hint", page.hints[key]) for key in PUBLICATION_HINTS if page.hints.get(key)]
    published, published_utc = _pick_date(fields.published + hints, page, site, warnings)
    if published is None:
        published, published_utc = _pick_date(visible_dates(tree), page, site, warnings)
    record["published_at"], record["published_at_utc"] = published, published_utc
    record["modified_at"], record["modified_at_utc"] = _pick_date(
        fields.modified, page, site, warnings
    )

    cache_key = fields.footer_text or ""
    if imprint_cache is not None and cache_key in imprint_cache:
        imprint = imprint_cache[cache_key]
    else:
        imprint = read_site_imprint(fields, site.name if site else None)
        if imprint_cache is not None:
            imprint_cache[cache_key] = imprint
    record["publisher"] = imprint.publisher.as_dict()
    record["registrations"] = [reg.as_dict() for reg in imprint.registrations]
    warnings.extend(imprint.warnings)

    own_names = [
        *(site.own_names if site else ()),
        imprint.publisher.name or "",
        urlsplit(page.url).hostname or "",
    ]
    source = find_source("\n".join(filter(None, [record["lead"], body])), own_names)
    record["source"] = source.as_dict() if source else None
    record["language"] = detect_language(
        "\n".join(filter(None, [record["title"], body or record["lead"]]))
    )

    for key, label in (
        ("title", "title"),
        ("body", "body"),
        ("published_at", "published date"),
        ("author", "author"),
    ):
        if not record[key]:
            warnings.append(f"no {label} found")
    if not imprint.publisher.editor_in_chief and not imprint.registrations:
        warnings.append("no imprint (editor-in-chief or registration) on this page")
    return record


def read_imprint_page(page: RawPage, site: SiteConfig | None) -> dict[str, Any]:
    """Publisher and registrations from a site's "Выходные данные" / "О нас" page: its
    whole text counts, not only the footer."""
    decoded = decode_page(page.body, page.charset)
    tree = load_tree(decoded.text[:MAX_HTML_CHARS]) if decoded.text else None
    if tree is None:
        return {
            "publisher": Publisher().as_dict(),
            "registrations": [],
            "warnings": decoded.warnings,
        }
    fields = read_fields(tree, page.url)
    body = tree.find("body")
    fields.footer_text = block_text(body)[:20_000] if body is not None else fields.footer_text
    imprint = read_site_imprint(fields, site.name if site else None)
    return {
        "publisher": imprint.publisher.as_dict(),
        "registrations": [reg.as_dict() for reg in imprint.registrations],
        "warnings": decoded.warnings + imprint.warnings,
    }


def fill_from_imprint_page(record: dict[str, Any], imprint_page: dict[str, Any]) -> None:
    """Give an article whose page carries no imprint the site's imprint page (zakon.kz
    keeps it on a separate page). A page with an imprint of its own keeps it: one site
    may host several outlets, each with its footer."""
    publisher = record["publisher"]
    if publisher.get("editor_in_chief") or record["registrations"]:
        return
    for key, value in imprint_page["publisher"].items():
        if value and not publisher.get(key):
            publisher[key] = value
    record["registrations"] = list(imprint_page["registrations"])
    record["warnings"] = [w for w in record["warnings"] if not w.startswith("no imprint")]
