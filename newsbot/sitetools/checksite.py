"""`newsbot check-site SLUG [--save-fixture]`: the live check of one site config, a
verdict per part of it, and the sampled pages saved as test fixtures.

Parts: TLS (whether certificates are checked), each start URL answers, each feed and
sitemap parses and yields candidates, the listings give article links, pagination
reaches page 2, and a short crawl (into a throw-away database) stores articles with
their fields. Broken parts make the exit code 1.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsbot.crawling.discovery import (
    listing_links,
    next_page_url,
    pagination_links,
    parse_feed,
    parse_sitemap,
    path_page_url,
)
from newsbot.run.runner import run_crawl
from newsbot.sites.config import SiteConfig
from newsbot.sitetools.addsite import Prober
from pipelines.stages.chain import extract_page
from pipelines.store import Store
from pipelines.store.pages import stored_page
from pipelines.store.stats import COVERAGE_FIELDS

# Discovery requests the check makes before its crawl: each start URL and its page 2,
# each feed and sitemap.
CHECK_REQUESTS = 40
CHECK_TIMEOUT = 30.0  # seconds per request when the config sets no download_timeout
CHECK_MAX_TIME = 600.0  # seconds for the whole check, its short crawl included
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass
class Verdicts:
    lines: list[str] = field(default_factory=list)
    broken: int = 0

    def ok(self, part: str, detail: str) -> None:
        self.lines.append(f"  ok      {part}: {detail}")

    def bad(self, part: str, detail: str) -> None:
        self.broken += 1
        self.lines.append(f"  BROKEN  {part}: {detail}")

    def note(self, part: str, detail: str) -> None:
        self.lines.append(f"  note    {part}: {detail}")


def _no_answer(prober: Prober) -> str:
    return f"no answer: {prober.last_error}" if prober.last_error else "no answer"


def _check_discovery(config: SiteConfig, prober: Prober, verdicts: Verdicts) -> None:
    if config.accept_broken_tls:
        verdicts.note("TLS", "certificate checks are off for this site (accept_broken_tls)")
    else:
        verdicts.ok("TLS", "certificates are verified")
    for url in (*config.feeds, *config.sitemaps):
        fetched = prober.get(url)
        part = f"{'feed' if url in config.feeds else 'sitemap'} {url}"
        if fetched is None or fetched.status != 200:
            verdicts.bad(part, f"HTTP {fetched.status}" if fetched else _no_answer(prober))
            continue
        entries = [found.url for found in parse_feed(fetched.body, fetched.url)]
        if not entries:
            kind, found = parse_sitemap(fetched.body)
            entries = [entry.url for entry in found] if kind != "invalid" else []
        on_site = [url for url in entries if config.is_on_site(url)]
        if on_site:
            taken = sum(1 for url in on_site if config.takes_article(url))
            verdicts.ok(part, f"{len(on_site)} candidates on the site ({taken} match article_url)")
        else:
            verdicts.bad(part, f"parses to {len(entries)} entries, none on the site")
    for url in config.start_urls:
        fetched = prober.get(url)
        part = f"start URL {url}"
        if fetched is None or fetched.status != 200:
            verdicts.bad(part, f"HTTP {fetched.status}" if fetched else _no_answer(prober))
            continue
        text = fetched.body.decode(fetched.charset or "utf-8", "replace")
        paging = pagination_links(text, fetched.url)
        links = [u for u in listing_links(text, fetched.url) if u not in paging]
        articles = [u for u in links if config.takes_article(u)]
        if articles:
            verdicts.ok(part, f"answers; {len(articles)} article links")
        else:
            verdicts.bad(part, f"answers, but none of its {len(links)} links is an article")
            continue
        following = next_page_url(text, fetched.url, config.next_page, config.page_param)
        if following is None and config.page_path:
            following = path_page_url(url, config.page_path, 2)
        if following is None:
            verdicts.note(f"pagination of {url}", "no page 2 found (page 1 only)")
            continue
        second = prober.get(following)
        if second is None or second.status != 200:
            verdicts.bad(
                f"pagination of {url}",
                f"{following}: " + (f"HTTP {second.status}" if second else _no_answer(prober)),
            )
            continue
        more = [
            u
            for u in listing_links(second.body.decode("utf-8", "replace"), second.url)
            if config.takes_article(u)
        ]
        if more:
            verdicts.ok(f"pagination of {url}", f"page 2 {following}: {len(more)} article links")
        else:
            verdicts.bad(f"pagination of {url}", f"page 2 {following} has no article links")


def _fixture_name(url: str, taken: set[str]) -> str:
    last = [part for part in url.split("?")[0].split("/") if part][-1]
    name = re.sub(r"[^a-z0-9-]+", "-", last.lower()).strip("-")[:60] or "page"
    name = re.sub(r"-(html?|php)$", "", name)
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate)
    return candidate


def expected_output(record: dict[str, Any]) -> dict[str, Any]:
    """The chain's record in the fixtures' format (tests/test_fixture_pages.py): every
    field but the warnings, the body as its first and last sentences and paragraphs."""
    expected = {key: value for key, value in record.items() if key != "warnings"}
    body = record.get("body")
    if body:
        paragraphs = body.split("\n\n")
        expected["body"] = {
            "first_sentence": _SENTENCE_END.split(paragraphs[0])[0],
            "last_sentence": _SENTENCE_END.split(paragraphs[-1])[-1],
            "paragraphs": len(paragraphs),
        }
    return expected


def save_fixtures(
    store: Store, config: SiteConfig, root: Path, say: Callable[[str], None]
) -> list[Path]:
    """Each article page the check stored, with its expected output, under root/<slug>/:
    to be read against its page by eye before it is committed."""
    folder = root / config.slug
    folder.mkdir(parents=True, exist_ok=True)
    taken = {path.stem for path in folder.glob("*.html")}
    saved = []
    for row in store.stored_pages("article", config.slug):
        page = stored_page(row)
        record = extract_page(page, config.chain_options()).article.as_dict()
        name = _fixture_name(page.address, taken)
        (folder / f"{name}.html").write_bytes(page.body or b"")
        text = json.dumps(expected_output(record), ensure_ascii=False, indent=2) + "\n"
        (folder / f"{name}.json").write_text(text, encoding="utf-8")
        saved.append(folder / f"{name}.html")
    say(f"saved {len(saved)} pages with their expected output under {folder}/")
    return saved


def check_site(
    config: SiteConfig,
    pages: int = 5,
    fixture_root: Path | None = None,
    say: Callable[[str], None] = print,
    max_time: float = CHECK_MAX_TIME,
) -> int:
    """Print the verdicts; 0 when every part works, 1 when the config is broken."""
    verdicts = Verdicts()
    configured = (*config.start_urls, *config.feeds, *config.sitemaps)
    home = (configured or ("http://invalid/",))[0]
    # The config's own timeout bounds each request as the crawl's does; the whole check
    # (its requests and its crawl) ends by max_time.
    prober = Prober(
        home,
        CHECK_REQUESTS,
        timeout=config.download_timeout or CHECK_TIMEOUT,
        verify=not config.accept_broken_tls,
        max_time=max_time,
        sites=configured,
    )
    if config.user_agent:
        prober.user_agent = config.user_agent
    _check_discovery(config, prober, verdicts)
    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "check.db")
        left = max(prober.ends - time.monotonic(), 1.0)
        report = run_crawl(
            [config],
            db_path,
            limit=pages,
            refresh=True,
            max_time=left,
            log_file=str(Path(folder) / "check.log"),
        )
        (site,) = report.sites
        with Store.open_existing(db_path) as store:
            total, filled = store.field_counts(None, COVERAGE_FIELDS)
            log = store.page_log(config.slug)
            if site.reason:
                verdicts.bad("crawl", f"{site.status}: {site.reason}")
            elif total:
                coverage = ", ".join(f"{name} {filled[name]}/{total}" for name in COVERAGE_FIELDS)
                verdicts.ok("articles", f"{total} stored; {coverage}")
            else:
                verdicts.bad("articles", f"none stored from {site.responses} pages fetched")
            reasons = Counter(row["drop_reason"] for row in log if row["drop_reason"])
            for reason, count in reasons.most_common(5):
                verdicts.note("dropped", f"{count} x {reason}")
            saved: list[str] = []
            if fixture_root is not None and total:
                save_fixtures(store, config, fixture_root, saved.append)
    say(
        f"{config.slug}: {'BROKEN' if verdicts.broken else 'works'} "
        f"({verdicts.broken} broken parts; checked {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    for line in verdicts.lines + saved:
        say(line)
    return 1 if verdicts.broken else 0
