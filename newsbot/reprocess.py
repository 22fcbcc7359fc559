"""`newsbot reprocess`: the stage chain again on the raw HTML kept in `pages`, on every
core, without fetching anything, so stored articles improve when extraction improves."""

from __future__ import annotations

import json
import multiprocessing
import os
import zlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from newsbot.siteconfig import SiteConfig
from pipelines.chain import RawPage, fill_from_imprint_page, read_imprint_page
from pipelines.process import process_in_worker
from pipelines.store import Store


@dataclass
class ReprocessReport:
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    first_failure: str | None = None


def _raw_page(row: Mapping[str, Any]) -> RawPage:
    return RawPage(
        url=row["final_url"] or row["url"],
        body=zlib.decompress(row["html"]),
        fetched_at=datetime.fromisoformat(row["fetched_at"]),
        charset=row["charset"],
        site=row["site"],
        hints=json.loads(row["hints"]) if row["hints"] else {},
    )


def _pages(db: sqlite_utils.Database, kind: str, site: str | None) -> Iterator[dict[str, Any]]:
    sql = (
        "SELECT url, final_url, site, fetched_at, charset, hints, html, article_id FROM pages "
        "WHERE kind = ? AND html IS NOT NULL AND status < 300"
    )
    params: list[Any] = [kind]
    if kind == "article":
        sql += " AND article_id IS NOT NULL"
    if site:
        sql += " AND site = ?"
        params.append(site)
    cursor = db.execute(sql + " ORDER BY fetched_at", params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row, strict=True)) for row in cursor)


def _imprint_pages(
    db: sqlite_utils.Database, site: str | None, configs: Mapping[str, SiteConfig]
) -> dict[str, dict[str, Any]]:
    """Each site's newest imprint page, read again like its articles."""
    imprints = {}
    for row in _pages(db, "imprint", site):
        imprints[row["site"]] = read_imprint_page(_raw_page(row), configs.get(row["site"]))
    return imprints


def reprocess(
    store: Store,
    configs: Mapping[str, SiteConfig],
    *,
    site: str | None = None,
    workers: int | None = None,
    on_page: Callable[[ReprocessReport], None] | None = None,
) -> ReprocessReport:
    """Run the chain on every stored article page (of one site) and write what changed."""
    workers = workers or os.cpu_count() or 1
    imprints = _imprint_pages(store.db, site, configs)
    report = ReprocessReport()
    now = datetime.now(UTC)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        # At most a few pages per worker in flight: memory stays flat on any database.
        in_flight: dict[Future[dict[str, Any]], str] = {}

        def settle(done: set[Future[dict[str, Any]]]) -> None:
            for future in done:
                identifier = in_flight.pop(future)
                report.pages += 1
                error = future.exception()
                if error is not None:
                    report.failed += 1
                    report.first_failure = report.first_failure or f"{identifier}: {error}"
                    continue
                record = future.result()
                imprint = imprints.get(record["site"])
                if imprint is not None:
                    fill_from_imprint_page(record, imprint)
                if store.reprocess_article(identifier, record, now):
                    report.changed += 1
                else:
                    report.unchanged += 1
                if on_page:
                    on_page(report)

        # Only `articles` is written while this cursor reads `pages`.
        for row in _pages(store.db, "article", site):
            if len(in_flight) >= workers * 4:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                settle(done)
            page = _raw_page(row)
            future = pool.submit(process_in_worker, page, configs.get(row["site"]))
            in_flight[future] = row["article_id"]
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            settle(done)
    return report
