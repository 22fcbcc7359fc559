"""A page sent between machines as a record (pipelines/records.py) comes back as the page
the writer would have stored, from real benchmark pages through the real chain; and a
record is JSON, never code."""

from __future__ import annotations

import gzip
import json
import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.article import SiteImprint
from pipelines.page import Page
from pipelines.records import BadRecord, page_record, read_record
from pipelines.stages.chain import extract_page
from pipelines.stages.imprint import Publisher
from pipelines.stages.registrations import Registration

PAGES = sorted((Path(__file__).parent.parent / "bench/article-extraction/html").glob("*.html.gz"))


def _fetched(path: Path, kind: str = "article") -> Page:
    return Page(
        url=f"https://example.org/news/{path.name[:12]}",
        fetched_at=datetime(2026, 11, 30, 8, 15, tzinfo=UTC),
        site="example",
        kind=kind,
        status=200,
        body=gzip.decompress(path.read_bytes()),
        hints={"lastmod": "2026-11-29"},
        found_in="sitemap",
    )


@pytest.mark.parametrize("path", PAGES[:6], ids=lambda p: p.name[:10])
def test_an_extracted_article_comes_back_whole(path: Path) -> None:
    page = _fetched(path)
    page.result = extract_page(page, for_store=True)
    back = read_record(page_record(page))
    assert back.dropped is None
    assert back.page.result is not None
    assert back.page.result.article == page.result.article
    assert back.page.result.stems == page.result.stems
    assert back.page.packed_body == page.result.packed_body
    sent, got = page.result.fingerprint, back.page.result.fingerprint
    if sent is None or sent == "unknown":
        assert got == sent
    else:
        assert got is not None and got != "unknown"
        assert got.stored() == sent.stored()
    for name in ("url", "fetched_at", "site", "kind", "status", "hints", "found_in"):
        assert getattr(back.page, name) == getattr(page, name)
    # The raw body does not travel twice: the packed HTML is what the store keeps.
    assert back.page.body is None


def test_a_dropped_page_and_an_imprint_page_keep_their_html() -> None:
    page = _fetched(PAGES[0])
    back = read_record(page_record(page, dropped="a listing: 40 links"))
    assert back.dropped == "a listing: 40 links"
    assert back.page.packed_body is not None

    imprint_page = _fetched(PAGES[1], kind="imprint")
    imprint_page.imprint = SiteImprint(
        Publisher(name="Kazinform", editor_in_chief="Иванов И.", phones=["+77172000000"]),
        [Registration("KZ15VPY00079493", "KZ", "media", "2023-10-19", None, "№KZ15VPY00079493")],
        [],
    )
    back = read_record(page_record(imprint_page))
    assert back.page.imprint == imprint_page.imprint
    assert back.page.packed_body is not None


def test_a_listing_sends_no_html() -> None:
    page = _fetched(PAGES[2], kind="listing")
    record = page_record(page)
    assert read_record(record).page.packed_body is None
    assert len(record) < 1000


def test_only_newsbot_json_is_read() -> None:
    with pytest.raises(BadRecord, match="not JSON"):
        read_record(pickle.dumps({"v": 1}))
    with pytest.raises(BadRecord, match="version"):
        read_record(json.dumps({"v": 99}))
    with pytest.raises(BadRecord, match="without"):
        read_record(json.dumps({"v": 1, "url": "https://example.org/"}))
