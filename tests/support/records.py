"""Real records of fetched pages, as crawl workers send them to the writer: benchmark
pages (bench/article-extraction/html) through the real chain (`extract_page(...,
for_store=True)`, as a worker's extraction pool runs it) and `page_record`; and the
rows a database holds, to compare two databases whole."""

from __future__ import annotations

import gzip
import sqlite3
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from pipelines.article import SiteImprint
from pipelines.page import Page
from pipelines.stages.chain import extract_page
from pipelines.stages.imprint import Publisher
from pipelines.stages.registrations import Registration

ROOT = Path(__file__).resolve().parent.parent.parent
PAGES = sorted((ROOT / "bench/article-extraction/html").glob("*.html.gz"))
FETCHED_AT = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


@cache
def _html(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def article_page(index: int, site: str = "example", copy: int = 0) -> Page:
    """The `index`th benchmark page fetched from `site` (a `copy` > 0: the same text at
    another URL, a reprint), extracted as a worker does."""
    path = PAGES[index % len(PAGES)]
    page = Page(
        url=f"https://{site}.example.org/news/{copy}/{path.name[:16]}",
        fetched_at=FETCHED_AT + timedelta(seconds=index),
        site=site,
        kind="article",
        status=200,
        body=_html(path),
        hints={"lastmod": "2026-11-29"},
        found_in="sitemap",
    )
    page.result = extract_page(page, for_store=True)
    return page


def listing_page(site: str = "example", number: int = 1) -> Page:
    return Page(
        url=f"https://{site}.example.org/news/?page={number}",
        fetched_at=FETCHED_AT,
        site=site,
        kind="listing",
        status=200,
        body=b"<html><body><a href='/news/1'>1</a></body></html>",
    )


def imprint_page(site: str = "example") -> Page:
    page = Page(
        url=f"https://{site}.example.org/about/",
        fetched_at=FETCHED_AT,
        site=site,
        kind="imprint",
        status=200,
        body=b"<html><body>Kazinform, editor in chief I. Ivanov</body></html>",
    )
    page.imprint = SiteImprint(
        Publisher(name="Kazinform", editor_in_chief="Иванов И.", phones=["+77172000000"]),
        [Registration("KZ15VPY00079493", "KZ", "media", "2023-10-19", None, "№KZ15VPY00079493")],
        [],
    )
    return page


# Bookkeeping of runs differs between any two crawls; everything else must not.
RUN_TABLES = ("runs", "run_sites", "site_state", "_sqlite_migrations")
RUN_COLUMNS = ("run_id", "last_run_id")
# When the writer found a link: the moment it ran, not a fact of the pages.
WRITE_TIMES = {"reprints": "found_at"}


def database_rows(path: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the runs' bookkeeping, without run ids, sorted: what
    two crawls of the same pages must agree on."""
    connection = sqlite3.connect(path)
    try:
        listed = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
        # A full-text index's own tables hold its segments, which differ with where the
        # commits fell; the index's content (the virtual table itself) is compared.
        virtual = [name for name, sql in listed if sql and sql.startswith("CREATE VIRTUAL")]
        tables = [
            name
            for name, _ in listed
            if name not in RUN_TABLES
            and not name.startswith("sqlite_")
            and not any(name.startswith(f"{v}_") for v in virtual)
        ]
        rows = {}
        for table in tables:
            cursor = connection.execute(f"SELECT * FROM [{table}]")
            names = [d[0] for d in cursor.description]
            kept = [
                i
                for i, name in enumerate(names)
                if name not in RUN_COLUMNS and WRITE_TIMES.get(table) != name
            ]
            rows[table] = sorted(
                (tuple(row[i] for i in kept) for row in cursor), key=lambda row: repr(row)
            )
        return rows
    finally:
        connection.close()
