"""Completeness on the peers mirror: which of the benchmark's 181 real article pages
newsbot's chain refuses (the crawl drops them) or stores without a title, a body or a
publication date, and what the peer (trafilatura.bare_extraction with metadata, as
bench/afternoon_peer.py calls it) finds on the same page.

Each page is read as the mirror serves it (bench/mirror.py: its canonical and og:url
rewritten to the mirror's own URL, which holds no date), so a date found here is one the
page itself shows.

Then the pages where the peer's date is more than a day from newsbot's (a day apart is
the time zone: newsbot's day is UTC's, the peer's the page's own).

    make bench-completeness       # or: .venv/bin/python bench/completeness.py
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import trafilatura
from extraction_score import DEFAULT_DIR, load_pages
from mirror import with_own_url

from pipelines.page import Page
from pipelines.stages.chain import extract_page

FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MIRROR_BASE = "http://127.0.0.1:8000"


def peer_fields(html: bytes, url: str) -> dict[str, str | None]:
    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=True)
    found = doc.as_dict() if doc is not None else {}
    return {key: found.get(key) for key in ("title", "text", "date")}


def days_apart(ours: str, peers: str) -> int:
    return abs((date.fromisoformat(ours[:10]) - date.fromisoformat(peers[:10])).days)


def main() -> None:
    pages = load_pages(DEFAULT_DIR)
    refused = dateless = incomplete = 0
    differing: list[str] = []
    print(f"{'page':<10}{'newsbot':<58}{'peer date':<12}original URL")
    for number, (page_id, html, original_url, _) in enumerate(pages):
        url = f"{MIRROR_BASE}/a/{number}.html"
        mirrored = with_own_url(html, url)
        result = extract_page(
            Page(url=url, body=mirrored, fetched_at=FETCHED_AT, charset="utf-8"), for_store=True
        )
        article = result.article
        missing = [
            name
            for name, value in (
                ("title", article.title),
                ("body", article.body),
                ("date", article.published_at_utc),
            )
            if not value
        ]
        refused += result.not_article is not None
        dateless += result.not_article is None and "date" in missing
        incomplete += result.not_article is None and bool(missing)
        peer = peer_fields(mirrored, url)
        ours = article.published_at_utc
        # One day apart is the time zone: newsbot's UTC day against the page's own.
        if ours and peer["date"] and days_apart(ours, peer["date"]) > 1:
            differing.append(f"{page_id[:8]:<10}{ours[:10]:<14}{peer['date']:<12}{original_url}")
        if result.not_article is None and not missing:
            continue
        if result.not_article is not None:
            verdict = f"REFUSED: {result.not_article}"
        else:
            verdict = "no " + ", no ".join(missing)
        peer_missing = [key for key, value in peer.items() if not value]
        peer_date = peer["date"] or ("-" if not peer_missing else "no " + "/".join(peer_missing))
        print(f"{page_id[:8]:<10}{verdict[:56]:<58}{peer_date:<12}{original_url}")
    print(f"\ndates more than a day apart\n{'page':<10}{'newsbot UTC':<14}{'peer':<12}URL")
    print("\n".join(differing))
    stored = len(pages) - refused
    print(
        f"\n{len(pages)} pages: {refused} refused, {stored} stored, {dateless} stored without"
        f" a date, {stored - incomplete} with title, body and date; the peer's date more than"
        f" a day from newsbot's on {len(differing)}"
    )


if __name__ == "__main__":
    main()
