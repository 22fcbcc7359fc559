"""The selections `newsbot export` streams: articles by site, date and search query,
imprints, registrations."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipelines.stages.search import stemmed_query
from pipelines.store.rows import Connection, dicts


@dataclass(frozen=True)
class ArticleFilter:
    site: str | None = None
    since: str | None = None  # UTC ISO instants, compared with published_at_utc
    until: str | None = None
    query: str | None = None  # what a user typed; stemmed (pipelines/stages/search.py)


def _where(selection: ArticleFilter) -> tuple[str, list[Any]]:
    where, params = _conditions(selection)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _conditions(selection: ArticleFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if selection.site:
        where.append("articles.site = ?")
        params.append(selection.site)
    if selection.since:
        where.append("articles.published_at_utc >= ?")
        params.append(selection.since)
    if selection.until:
        where.append("articles.published_at_utc < ?")
        params.append(selection.until)
    if selection.query:
        where.append(
            "articles.rowid IN (SELECT rowid FROM articles_stems WHERE articles_stems MATCH ?)"
        )
        params.append(stemmed_query(selection.query))
    return where, params


# Columns the store adds to each article row beside its own (`export` puts them last):
# the URL of the original an article reprints (pipelines/store/reprints.py).
JOINED_COLUMNS = ("reprint_of",)
_JOINED = (
    "(SELECT o.url FROM reprints r JOIN articles o ON o.id = r.original_id "
    "WHERE r.copy_id = articles.id) AS reprint_of"
)


class Exports(Connection):
    def count_articles(self, selection: ArticleFilter) -> int:
        where, params = _where(selection)
        return int(self.db.execute("SELECT count(*) FROM articles" + where, params).fetchone()[0])

    def select_articles(self, selection: ArticleFilter) -> Iterator[dict[str, Any]]:
        """Stored article rows, newest first (undated ones last)."""
        where, params = _where(selection)
        return dicts(
            self.db,
            f"SELECT articles.*, {_JOINED} FROM articles"
            + where
            + " ORDER BY articles.published_at_utc IS NULL, "
            "articles.published_at_utc DESC, articles.id",
            params,
        )

    def article_rows(
        self, selection: ArticleFilter
    ) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
        """The rows of `select_articles` as plain tuples, with their column names: what a
        CSV export reads, without a dict per row. The queries run here, so a bad one fails
        before any output is made.

        The dated rows come in the order of the published_at_utc index and the undated
        ones after them, in two queries: the same order as one `ORDER BY
        published_at_utc IS NULL, ...`, without SQLite sorting whole rows first."""
        conditions, params = _conditions(selection)
        select = f"SELECT articles.*, {_JOINED} FROM articles WHERE "
        dated = self.db.execute(
            select + " AND ".join(["articles.published_at_utc IS NOT NULL", *conditions])
            + " ORDER BY articles.published_at_utc DESC, articles.id",
            params,
        )  # fmt: skip
        undated = self.db.execute(
            select + " AND ".join(["articles.published_at_utc IS NULL", *conditions])
            + " ORDER BY articles.id",
            params,
        )  # fmt: skip
        return tuple(d[0] for d in dated.description), itertools.chain(dated, undated)

    def select_publishers(self, site: str | None) -> Iterator[dict[str, Any]]:
        """Every imprint seen, per site, newest first; `current` marks the one in force."""
        return dicts(
            self.db,
            "SELECT p.*, p.id = (SELECT q.id FROM publishers q WHERE q.site = p.site "
            "ORDER BY q.last_seen_at DESC, q.id DESC LIMIT 1) AS current FROM publishers p"
            + (" WHERE p.site = ?" if site else "")
            + " ORDER BY p.site, p.last_seen_at DESC, p.id DESC",
            [site] if site else [],
        )

    def select_registrations(self, site: str | None) -> Iterator[dict[str, Any]]:
        return dicts(
            self.db,
            "SELECT * FROM registrations"
            + (" WHERE site = ?" if site else "")
            + " ORDER BY site, number",
            [site] if site else [],
        )
