"""The whole stage chain in one call: raw page bytes in, one `PageResult` out.

decode -> parse once -> read fields -> body -> clean -> dates -> imprint ->
registrations -> attribution -> language -> classify. `extract_page` serves `newsbot
extract`, the crawl's process pipeline and its workers, `newsbot reprocess`, add-site,
check-site, the tests and the benchmarks. No I/O, no clock: `fetched_at` comes with the
page.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from pipelines.article import NO_IMPRINT_WARNING, Article, SiteImprint
from pipelines.compression import pack
from pipelines.options import ChainOptions
from pipelines.page import Page, PageResult
from pipelines.stages.attribution import find_source
from pipelines.stages.boilerplate import strip_furniture
from pipelines.stages.bounds import bound_tree
from pipelines.stages.classify import count_text_containers, not_an_article, read_markup
from pipelines.stages.clean import clean_line, normalize_characters, tidy_paragraphs
from pipelines.stages.dates import parse_date, parse_printed_date
from pipelines.stages.decode import decode_page
from pipelines.stages.extract import (
    PageFields,
    block_text,
    choose_body,
    extract_body,
    lead_printed_apart,
    load_tree,
    read_fields,
    visible_dates,
)
from pipelines.stages.imprint import Publisher, read_imprint
from pipelines.stages.language import detect_language
from pipelines.stages.registrations import extract_registrations
from pipelines.stages.reprints import fingerprint
from pipelines.stages.search import stems_row

# Pages beyond this are cut before parsing: no article is 8 MB of HTML, and a 20 MB
# page must still answer in seconds.
MAX_HTML_CHARS = 8_000_000

MIN_BODY_WORDS = 5
PUBLICATION_HINTS = ("news_publication_date", "feed_date", "api_date")
_DATE_RANK = {
    "selector": 0, "json-ld": 1, "meta": 2, "time": 3, "hint": 4, "visible": 5, "line": 5,
}  # fmt: skip


def _body_paragraphs(
    raw_body: str | None, fields: PageFields, footer_lines: set[str], standfirst: str | None
) -> str | None:
    if not raw_body:
        return None
    lines = normalize_characters(raw_body).split("\n")
    headlines = [normalize_characters(h) for h in fields.headlines if h]
    lines = strip_furniture(lines, fields.title, footer_lines, standfirst, headlines)
    body = tidy_paragraphs("\n\n".join(lines))
    # A few words ("Home", "Главная") are what extraction finds on a page with no text.
    if body is not None and len(body.split()) < MIN_BODY_WORDS:
        return None
    return body


def read_site_imprint(fields: PageFields, site_name: str | None) -> SiteImprint:
    """Publisher and registrations from a page's footer and JSON-LD."""
    publisher, warnings = read_imprint(
        fields.footer_text,
        hrefs=fields.footer_hrefs,
        jsonld_publisher=fields.jsonld_publisher,
        site_name=fields.site_name or site_name,
    )
    registrations, registration_warnings = extract_registrations(fields.footer_text)
    return SiteImprint(publisher, registrations, warnings + registration_warnings)


def _pick_date(
    candidates: list[tuple[str, str]], page: Page, options: ChainOptions, warnings: list[str]
) -> tuple[str | None, str | None]:
    rejected: list[str] = []
    for kind, text in sorted(candidates, key=lambda c: _DATE_RANK[c[0]]):
        # A "line" of the page's text may print its date after a label or a byline.
        parse = parse_printed_date if kind == "line" else parse_date
        outcome = parse(
            text, now=page.fetched_at, timezone=options.timezone, languages=options.date_languages
        )
        if outcome.value is not None:
            warnings.extend(rejected)
            return outcome.value.local_iso, outcome.value.utc_iso
        if outcome.warning and "rejected" in outcome.warning:
            rejected.append(outcome.warning)
    warnings.extend(rejected)
    return None, None


NO_OPTIONS = ChainOptions()


def extract_page(
    page: Page,
    options: ChainOptions | None = None,
    *,
    imprints: dict[str, SiteImprint] | None = None,
    for_store: bool = False,
) -> PageResult:
    """The article record of DESIGN.md's contract for one fetched page, and why it is not
    an article (`not_article`, from the classifier: the crawl drops such pages).

    `imprints` (footer text -> imprint) lets a crawl read each site's imprint once.
    `for_store` also makes what the store keeps (compressed HTML, search stems, reprint
    fingerprint): the crawl's workers do, so its own process only fetches and writes.
    """
    result = _read_article(page, options or NO_OPTIONS, imprints)
    if for_store:
        article = result.article
        result.packed_body = pack(page.body)
        result.stems = stems_row(article.title, article.lead, article.body)
        result.fingerprint = fingerprint(article.body)
    return result


def _read_article(
    page: Page, options: ChainOptions, imprint_cache: dict[str, SiteImprint] | None
) -> PageResult:
    url = page.address
    decoded = decode_page(page.body or b"", page.charset)
    warnings = list(decoded.warnings)
    article = Article(
        url=url,
        site=options.slug or page.site or urlsplit(url).hostname or "",
        warnings=warnings,
    )
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
        return PageResult(article, "no HTML")
    warnings.extend(bound_tree(tree, html_text))

    # The page's own markup, read before extraction prunes the tree.
    markup = read_markup(tree)
    fields = read_fields(tree, url, options.selectors)
    footer_lines = set()
    if fields.footer_marked and fields.footer_text:
        footer_lines = {
            line for line in map(str.strip, fields.footer_text.split("\n")) if len(line) > 15
        }
    raw_body = extract_body(tree, url, options.selectors.get("body"))
    # Where the description is printed is looked up only when the text has it.
    lead_start = " ".join((fields.lead or "").split())[:40]
    in_text = bool(lead_start and raw_body and lead_start in " ".join(raw_body[:5000].split()))
    standfirst = fields.lead if in_text and lead_printed_apart(tree, fields.lead) else None
    body, body_warning = choose_body(
        _body_paragraphs(raw_body, fields, footer_lines, standfirst), fields.body_from_jsonld
    )
    warnings.extend([body_warning] if body_warning else [])

    article.title = clean_line(fields.title)
    article.lead = clean_line(fields.lead)
    article.body = body
    article.author = clean_line(fields.author)
    # An API listing names the entity (a ministry, an akimat) that published the article.
    article.section = clean_line(fields.section) or clean_line(page.hints.get("section"))
    article.tags = [tag for tag in (clean_line(t) for t in fields.tags) if tag]
    article.image_url = fields.image_url
    article.canonical_url = fields.canonical_url

    # A sitemap's lastmod says when the page changed, not when it was published: only the
    # news sitemap's publication date and the feed's or API's date stand for publication.
    hints = [("hint", page.hints[key]) for key in PUBLICATION_HINTS if page.hints.get(key)]
    published, published_utc = _pick_date(fields.published + hints, page, options, warnings)
    if published is None:
        published, published_utc = _pick_date(visible_dates(tree), page, options, warnings)
    if published is None:
        titles = [fields.title, *fields.headlines[-1:]]  # the <title> without its suffix
        published, published_utc = _pick_date(visible_dates(tree, titles), page, options, warnings)
    article.published_at, article.published_at_utc = published, published_utc
    article.modified_at, article.modified_at_utc = _pick_date(
        fields.modified, page, options, warnings
    )

    cache_key = fields.footer_text or ""
    if imprint_cache is not None and cache_key in imprint_cache:
        imprint = imprint_cache[cache_key]
    else:
        imprint = read_site_imprint(fields, options.name)
        if imprint_cache is not None:
            imprint_cache[cache_key] = imprint
    article.publisher = replace(
        imprint.publisher,
        phones=list(imprint.publisher.phones),
        emails=list(imprint.publisher.emails),
    )
    article.registrations = list(imprint.registrations)
    warnings.extend(imprint.warnings)

    own_names = [*options.own_names, imprint.publisher.name or "", urlsplit(url).hostname or ""]
    article.source = find_source("\n".join(filter(None, [article.lead, body])), own_names)
    article.language = detect_language(
        "\n".join(filter(None, [article.title, body or article.lead]))
    )

    for value, label in (
        (article.title, "title"),
        (article.body, "body"),
        (article.published_at, "published date"),
        (article.author, "author"),
    ):
        if not value:
            warnings.append(f"no {label} found")
    if not article.has_imprint:
        warnings.append(NO_IMPRINT_WARNING)
    # A date printed but refused (year 9999) still says the page is dated.
    markup = count_text_containers(markup, tree, body)
    return PageResult(article, not_an_article(article, markup, printed_date=bool(fields.published)))


def read_imprint_page(page: Page, options: ChainOptions | None = None) -> SiteImprint:
    """Publisher and registrations from a site's "Выходные данные" / "О нас" page: its
    whole text counts, not only the footer. Not `extract_page`: that page is no article,
    and what it gives (the site's imprint) fills the site's articles, not a record."""
    options = options or NO_OPTIONS
    decoded = decode_page(page.body or b"", page.charset)
    tree = load_tree(decoded.text[:MAX_HTML_CHARS]) if decoded.text else None
    if tree is None:
        return SiteImprint(Publisher(), [], decoded.warnings)
    fields = read_fields(tree, page.address)
    body = tree.find("body")
    fields.footer_text = block_text(body)[:20_000] if body is not None else fields.footer_text
    imprint = read_site_imprint(fields, options.name)
    return SiteImprint(
        imprint.publisher, imprint.registrations, decoded.warnings + imprint.warnings
    )
