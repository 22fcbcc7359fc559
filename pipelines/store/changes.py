"""Edits after publication: each earlier version of an article (kept in
`article_versions` when its title or body changed) beside the version that replaced it.
A version kept because newsbot read the page again (`reprocess`) is no edit: left out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from pipelines.store.rows import dicts

# One row per edit: the version before (from article_versions) and after (the next kept
# version of the same article, or the article as stored now).
CHANGES_SQL = """
WITH ordered AS (
    SELECT v.*, LEAD(v.id) OVER (PARTITION BY v.article_id ORDER BY v.id) AS next_id
    FROM article_versions v
)
SELECT a.id AS article_id, a.url, a.site, o.title AS title_before,
       CASE WHEN n.id IS NULL THEN a.title ELSE n.title END AS title_after,
       o.body AS body_before, CASE WHEN n.id IS NULL THEN a.body ELSE n.body END AS body_after, o.fetched_at AS fetched_before,
       o.replaced_at AS changed_at, a.published_at
FROM ordered o
JOIN articles a ON a.id = o.article_id
LEFT JOIN article_versions n ON n.id = o.next_id
"""

CHANGE_COLUMNS = ("changed_at", "site", "url", "published_at", "title_before", "title_after",
                  "body_before", "body_after", "fetched_before", "article_id")  # fmt: skip


@dataclass(frozen=True)
class ChangeFilter:
    site: str | None = None
    since: str | None = None  # UTC ISO: edits found at or after


class Changes:
    db: sqlite_utils.Database

    def changes(
        self, selection: ChangeFilter, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Edits, newest first."""
        # Versions kept before causes were recorded (NULL) may be either: shown.
        where = ["(o.cause IS NULL OR o.cause = 'edit')"]
        params: list[Any] = []
        if selection.site:
            where.append("a.site = ?")
            params.append(selection.site)
        if selection.since:
            where.append("o.replaced_at >= ?")
            params.append(selection.since)
        sql = CHANGES_SQL + " WHERE " + " AND ".join(where)
        sql += " ORDER BY o.replaced_at DESC, o.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return dicts(self.db, sql, params)
