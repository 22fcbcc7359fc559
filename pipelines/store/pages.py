"""The fetch log (`pages`): every URL fetched, its answer, its raw HTML, and what earlier
runs fetched, which decides what this run fetches again."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from pipelines.compression import pack, unpack
from pipelines.page import Page
from pipelines.stages import urls
from pipelines.store.rows import Connection, dicts, utc_iso

# How long a dead link (404, 410) rests before it is tried again.
DEAD_LINK_PAUSE = timedelta(days=7)
# A young article is fetched again (recheck_days) at most this often.
RECHECK_PAUSE = timedelta(days=1)

_LOG_PAGE = (
    "INSERT OR REPLACE INTO pages (url, final_url, site, status, kind, fetched_at, hint_date, "
    "error, drop_reason, article_id, html, run_id, charset, hints) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def normalize_url(url: str) -> str:
    """The key a URL is known by (pipelines.stages.urls: no tracking or session parameters)."""
    return urls.normalize_url(url)


@dataclass(frozen=True)
class PastFetch:
    status: int | None
    fetched_at: datetime
    hint_date: str | None
    kind: str | None
    published_at_utc: str | None = None


class SqliteHistory:
    """What earlier runs fetched for one site, keyed by normalised URL (request and final),
    and how its last run ended: newsbot.crawling.history.FetchHistory, read from SQLite."""

    def __init__(
        self,
        fetches: Mapping[str, PastFetch],
        last_status: str | None = None,
        cursor_url: str | None = None,
    ):
        self._fetches = dict(fetches)
        self.last_status = last_status
        self.cursor_url = cursor_url

    @classmethod
    def load(cls, db: sqlite_utils.Database, site: str) -> SqliteHistory:
        fetches: dict[str, PastFetch] = {}
        rows = db.execute(
            "SELECT p.url, p.final_url, p.status, p.fetched_at, p.hint_date, p.kind, "
            "a.published_at_utc FROM pages p LEFT JOIN articles a ON a.id = p.article_id "
            "WHERE p.site = ?",
            [site],
        )
        for url, final_url, status, fetched_at, hint_date, kind, published in rows:
            past = PastFetch(status, datetime.fromisoformat(fetched_at), hint_date, kind, published)
            fetches[url] = past
            if final_url:
                fetches.setdefault(normalize_url(final_url), past)
        state = db.execute(
            "SELECT last_status, cursor_url FROM site_state WHERE site = ?", [site]
        ).fetchone()
        return cls(fetches, *(state or (None, None)))

    def __len__(self) -> int:
        return len(self._fetches)

    def items(self) -> Iterator[tuple[str, PastFetch]]:
        """Every URL key with its past fetch (request and final URLs both), for a writer
        that hands the history to crawl workers on other machines."""
        return iter(self._fetches.items())

    def get(self, url: str) -> PastFetch | None:
        return self._fetches.get(normalize_url(url))

    def published_before(self, url: str, moment: datetime) -> bool:
        """Whether a stored article is known to be published before `moment`."""
        past = self.get(url)
        if past is None or past.published_at_utc is None:
            return False
        return datetime.fromisoformat(past.published_at_utc) < moment

    def needs_fetch(
        self,
        url: str,
        now: datetime,
        changed_at: datetime | None = None,
        recheck_days: int | None = None,
    ) -> bool:
        """Whether an article URL should be fetched in this run.

        Stored articles are skipped unless their sitemap `lastmod` or feed date is newer
        than the stored copy, or (with `recheck_days`) they were published in the last N
        days and last fetched a day ago or more: edits a site does not announce are found
        too, at most once a day per article. Dead links rest a week; errors and timeouts
        retry now.
        """
        past = self.get(url)
        if past is None:
            return True
        if past.status is None or past.status >= 500 or past.status == 429:
            return True
        if past.status in (404, 410):
            return now - past.fetched_at >= DEAD_LINK_PAUSE
        if changed_at is not None and changed_at > past.fetched_at:
            return True
        return recheck_days is not None and _due_for_recheck(past, now, recheck_days)


def _due_for_recheck(past: PastFetch, now: datetime, days: int) -> bool:
    if past.published_at_utc is None or now - past.fetched_at < RECHECK_PAUSE:
        return False
    published = datetime.fromisoformat(past.published_at_utc.replace("Z", "+00:00"))
    return now - published <= timedelta(days=days)


def stored_page(row: Mapping[str, Any]) -> Page:
    """A `pages` row as the page the crawl fetched (for `newsbot reprocess`)."""
    return Page(
        url=row["url"],
        final_url=row["final_url"],
        site=row["site"],
        kind=row["kind"],
        status=row["status"],
        fetched_at=datetime.fromisoformat(row["fetched_at"]),
        charset=row["charset"],
        body=unpack(row["html"]),
        hints=json.loads(row["hints"]) if row["hints"] else {},
    )


class PageLog(Connection):
    """The `pages` table."""

    def log_page(
        self,
        page: Page,
        *,
        run_id: int | None,
        article_id: str | None = None,
        drop_reason: str | None = None,
        keep_html: bool = False,
    ) -> None:
        """One line of the fetch log, under the URL the spider asked for."""
        self._begin()
        self.db.execute(
            _LOG_PAGE,
            [
                normalize_url(page.url),
                page.final_url,
                page.site,
                page.status,
                page.kind,
                utc_iso(page.fetched_at),
                max(page.hints.values()) if page.hints else None,
                page.error,
                drop_reason,
                article_id,
                (page.packed_body or pack(page.body)) if keep_html else None,
                run_id,
                page.charset,
                json.dumps(page.hints, ensure_ascii=False) if page.hints else None,
            ],
        )

    def fetch_history(self, site: str) -> SqliteHistory:
        return SqliteHistory.load(self.db, site)

    def stored_pages(self, kind: str, site: str | None = None) -> Iterator[dict[str, Any]]:
        """Pages of one kind kept with their HTML (articles: those that made an article),
        oldest first."""
        sql = (
            "SELECT url, final_url, site, kind, status, fetched_at, charset, hints, html, "
            "article_id FROM pages WHERE kind = ? AND html IS NOT NULL AND status < 300"
        )
        params: list[Any] = [kind]
        if kind == "article":
            sql += " AND article_id IS NOT NULL"
        if site:
            sql += " AND site = ?"
            params.append(site)
        return dicts(self.db, sql + " ORDER BY fetched_at", params)

    def page_log(self, site: str) -> list[dict[str, Any]]:
        """One site's fetch log, oldest first: what `newsbot check-site` reports on."""
        return list(
            dicts(
                self.db,
                "SELECT url, final_url, kind, status, error, drop_reason, article_id "
                "FROM pages WHERE site = ? ORDER BY fetched_at",
                [site],
            )
        )

    def sites_with_pages(self, kind: str) -> set[str]:
        return {
            row[0]
            for row in self.db.execute("SELECT DISTINCT site FROM pages WHERE kind = ?", [kind])
        }

    def page_counts(self) -> tuple[int, int]:
        """(pages fetched, pages that failed)."""
        total, failed = self.db.execute(
            "SELECT count(*), sum(status >= 400 OR status IS NULL) FROM pages"
        ).fetchone()
        return total, failed or 0
