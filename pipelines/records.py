"""A fetched page as a record another process (on another machine) writes: JSON, never
pickle, so whoever can write to the queue between them can send data but not code.

A crawl worker with a shared frontier (newsbot/frontier/) extracts each page as usual,
then sends `page_record(page)` (or `dropped_record`) instead of writing it; the one
writer reads it back with `read_record` and hands the Page to pipelines/writer.py, as the
store pipeline does in a single-process crawl. Only what the writer keeps travels: the
raw HTML packed (zstd) for pages the store keeps, nothing of a listing's body.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipelines.article import Article, SiteImprint
from pipelines.compression import pack
from pipelines.page import Page, PageResult
from pipelines.stages.imprint import Publisher
from pipelines.stages.registrations import Registration

# Bumped when the shape changes: a writer refuses records it cannot read, by name.
VERSION = 1


class BadRecord(ValueError):
    """A record this writer cannot read (another version, or not newsbot's)."""


@dataclass
class Record:
    """What a worker sent: a page to write, or a page the pipelines dropped, and why."""

    page: Page
    dropped: str | None = None


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


def _unb64(text: str | None) -> bytes | None:
    return base64.b64decode(text) if text is not None else None


def _fingerprint(value: Any) -> Any:
    if value is None or value == "unknown":
        return value
    stored = value.stored()
    return {
        **stored,
        "shingles": _b64(stored["shingles"]),
        "signature": _b64(stored["signature"]),
    }


def _read_fingerprint(value: Any) -> Any:
    if value is None or value == "unknown":
        return value
    # Imported here: the reprint stage pulls in NumPy and rensa, which only a record
    # with a fingerprint needs.
    from pipelines.stages.reprints import Fingerprint

    return Fingerprint.from_stored(
        _unb64(value["shingles"]) or b"",
        _unb64(value["signature"]) or b"",
        value["figures"],
        value["words"],
    )


def _imprint(imprint: SiteImprint | None) -> dict[str, Any] | None:
    if imprint is None:
        return None
    return {
        "publisher": imprint.publisher.as_dict(),
        "registrations": [r.as_dict() for r in imprint.registrations],
        "warnings": list(imprint.warnings),
    }


def _read_imprint(value: dict[str, Any] | None) -> SiteImprint | None:
    if value is None:
        return None
    return SiteImprint(
        publisher=Publisher(**value["publisher"]),
        registrations=[Registration(**r) for r in value["registrations"]],
        warnings=list(value["warnings"]),
    )


def _result(result: PageResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "article": result.article.as_dict(),
        "not_article": result.not_article,
        "packed_body": _b64(result.packed_body),
        "stems": result.stems,
        "fingerprint": _fingerprint(result.fingerprint),
    }


def _read_result(value: dict[str, Any] | None) -> PageResult | None:
    if value is None:
        return None
    return PageResult(
        article=Article.from_dict(value["article"]),
        not_article=value["not_article"],
        packed_body=_unb64(value["packed_body"]),
        stems=value["stems"],
        fingerprint=_read_fingerprint(value["fingerprint"]),
    )


def _keeps_html(page: Page, dropped: bool) -> bool:
    """Whether the store keeps the page's HTML (pipelines/writer.py): an article's, an
    imprint page's and a dropped page's."""
    return dropped or page.kind == "imprint" or (page.kind == "article" and page.result is not None)


def page_record(page: Page, dropped: str | None = None) -> bytes:
    """The record of a fetched page, ready for the writer (`dropped`: why the pipelines
    dropped it)."""
    packed = None
    if _keeps_html(page, dropped is not None) and page.packed_body is None:
        packed = pack(page.body)
    record = {
        "v": VERSION,
        "dropped": dropped,
        "url": page.url,
        "fetched_at": page.fetched_at.isoformat(),
        "site": page.site,
        "kind": page.kind,
        "status": page.status,
        "final_url": page.final_url,
        "charset": page.charset,
        "hints": page.hints,
        "error": page.error,
        "found_in": page.found_in,
        "article_url_ok": page.article_url_ok,
        "packed": _b64(packed if packed is not None else page.packed),
        "result": _result(page.result),
        "imprint": _imprint(page.imprint),
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_record(data: bytes | str) -> Record:
    """A record back as the Page it was made from (without the raw body: the store keeps
    the packed HTML only). Raises BadRecord for anything else."""
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRecord(f"not JSON: {error}") from None
    if not isinstance(value, dict) or value.get("v") != VERSION:
        found = value.get("v") if isinstance(value, dict) else type(value).__name__
        raise BadRecord(f"record version {found!r}, this writer reads {VERSION}")
    try:
        page = Page(
            url=value["url"],
            fetched_at=datetime.fromisoformat(value["fetched_at"]),
            site=value["site"],
            kind=value["kind"],
            status=value["status"],
            final_url=value["final_url"],
            charset=value["charset"],
            hints=dict(value["hints"] or {}),
            error=value["error"],
            found_in=value["found_in"],
            article_url_ok=value["article_url_ok"],
            packed=_unb64(value["packed"]),
            result=_read_result(value["result"]),
            imprint=_read_imprint(value["imprint"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BadRecord(f"a record without {error}") from None
    return Record(page, value["dropped"])
