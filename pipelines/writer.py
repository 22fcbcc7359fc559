"""The writer's bookkeeping: what a fetched page, a dropped page and the end of a site's
crawl become in the store. Plain functions of the store and the facts (the item, the
run, the crawl's stats), with no Scrapy in them: the store pipeline calls them for each
item today, and another writer (one draining a shared queue of items) can call them
the same way.

The imprint has one owner here. A site's imprint page may come before or after its
articles (it answers late, or fails and is retried): an article stored after it is
filled in from it before it is saved, and the articles stored before it are filled in
when it arrives. Both go through `fill_from_imprint_page`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pipelines.article import SiteImprint, fill_from_imprint_page
from pipelines.page import Page
from pipelines.store import Store

# The close reason of a spider stopped because the database's filesystem is full.
DISK_FULL = "disk_full"


def crawl_status(reason: str, limited: bool) -> str:
    """The run status a spider's close reason stands for."""
    if reason == "finished":
        return "limited" if limited else "finished"
    if reason in ("shutdown", "cancelled", DISK_FULL) or reason.startswith("closespider_timeout"):
        return "interrupted"
    return "failed"


def site_status(stats: Mapping[str, Any], reason: str | None = None) -> str:
    """A site's run status from its crawl's stats: the close reason (`finish_reason`,
    or `reason` when the stats do not hold it yet) and whether --limit cut it short."""
    reason = reason or stats.get("finish_reason")
    if reason is None:  # the spider never closed: its crawl did not get going
        return "failed"
    return crawl_status(reason, bool(stats.get("newsbot/limited")))


def write_page(
    store: Store, page: Page, run_id: int, imprints: dict[str, SiteImprint]
) -> str | None:
    """Store one fetched page: its line in the pages log, and its article (returns
    "new", "updated" or "unchanged") or imprint (returns None). `imprints` holds the
    imprint page each site gave so far in this run."""
    site = page.site or ""
    if page.kind == "article" and page.result is not None:
        result = page.result
        imprint = imprints.get(site)
        if imprint is not None:
            fill_from_imprint_page(result.article, imprint)
        article_id, outcome = store.save_article(
            result.article, page.fetched_at, run_id, result.stems
        )
        if outcome != "unchanged":  # its text is new: compare it with the stored ones
            store.link_reprints(article_id, found=result.fingerprint)
        store.log_page(page, run_id=run_id, article_id=article_id, keep_html=True)
        store.end_item()
        return outcome
    if page.kind == "imprint" and page.imprint is not None:
        imprints[site] = page.imprint
        store.save_imprint(site, page.imprint, page.address, page.fetched_at)
        # The site's articles stored before it (in this run, or an earlier one whose
        # imprint page failed for good) get it now.
        store.fill_missing_imprints(site, page.imprint)
        store.log_page(page, run_id=run_id, keep_html=True)
    else:
        store.log_page(page, run_id=run_id)
    store.end_item()
    return None


def write_dropped(store: Store, page: Page, run_id: int, reason: str) -> None:
    """A page the pipelines dropped still goes into the pages log, with why: a
    non-article is not fetched again next run."""
    store.log_page(page, run_id=run_id, drop_reason=reason, keep_html=True)
    store.end_item()


def write_site_end(
    store: Store, site: str, run_id: int, stats: Mapping[str, Any], reason: str, now: datetime
) -> str:
    """Where the site's next crawl carries on: its status, and the deepest listing page
    reached unless it finished. Returns the status."""
    status = site_status(stats, reason)
    cursor = None if status == "finished" else stats.get("newsbot/cursor_url")
    store.save_site_state(site, run_id, status, cursor, now)
    return status
