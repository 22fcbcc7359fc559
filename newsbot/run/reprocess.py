"""`newsbot reprocess`: the stage chain again on the raw HTML kept in `pages`, on every
core, without fetching anything, so stored articles improve when extraction improves."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime

from newsbot.sites.config import SiteConfig
from pipelines.article import SiteImprint, fill_from_imprint_page
from pipelines.page import PageResult
from pipelines.stages.chain import read_imprint_page
from pipelines.store import Store, stored_page
from pipelines.workers import extract_in_worker, worker_context


@dataclass
class ReprocessReport:
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    first_failure: str | None = None


def _imprint_pages(
    store: Store, site: str | None, configs: Mapping[str, SiteConfig]
) -> dict[str, SiteImprint]:
    """Each site's newest imprint page, read again like its articles."""
    imprints = {}
    for row in store.stored_pages("imprint", site):
        config = configs.get(row["site"])
        options = config.chain_options() if config else None
        imprints[row["site"]] = read_imprint_page(stored_page(row), options)
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
    imprints = _imprint_pages(store, site, configs)
    report = ReprocessReport()
    now = datetime.now(UTC)
    with ProcessPoolExecutor(workers, mp_context=worker_context()) as pool:
        # At most a few pages per worker in flight: memory stays flat on any database.
        in_flight: dict[Future[PageResult], str] = {}

        def settle(done: set[Future[PageResult]]) -> None:
            for future in done:
                identifier = in_flight.pop(future)
                report.pages += 1
                error = future.exception()
                if error is not None:
                    report.failed += 1
                    report.first_failure = report.first_failure or f"{identifier}: {error}"
                    continue
                article = future.result().article
                imprint = imprints.get(article.site)
                if imprint is not None:
                    fill_from_imprint_page(article, imprint)
                if store.reprocess_article(identifier, article, now):
                    store.link_reprints(identifier)  # its text may repeat others now
                    report.changed += 1
                else:
                    report.unchanged += 1
                if on_page:
                    on_page(report)

        # Only `articles` is written while this cursor reads `pages`.
        for row in store.stored_pages("article", site):
            if len(in_flight) >= workers * 4:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                settle(done)
            config = configs.get(row["site"])
            options = config.chain_options() if config else None
            # Not for_store: only a changed article is written, and the store makes its
            # stems then; its raw HTML is already kept.
            future = pool.submit(extract_in_worker, stored_page(row), options, False)
            in_flight[future] = row["article_id"]
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            settle(done)
    store.flush()
    return report
