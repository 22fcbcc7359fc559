"""Watches: saved searches whose new matches `newsbot watch run` delivers.

A watch matches an article by the stemmed query of `export --query`, optionally only on
some sites and some credited sources. Its new matches on a channel ("digest", "email",
"webhook") are the articles stored after the watch was added (a rowid past the newest of
that moment: clock seconds could not tell an article of the same second apart) that the
channel has not received yet: a delivery that failed is still new on the next run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from pipelines.stages.search import stemmed_query
from pipelines.store.rows import as_json, dicts

# Where a watch's matches go besides the digest file of `watch run -o`.
CHANNELS = ("email", "webhook")
WEBHOOK_FORMATS = ("json", "slack", "telegram")


class WatchExists(Exception):
    """A watch of that name is saved already."""


@dataclass(frozen=True)
class Watch:
    name: str
    query: str
    sites: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    email: str | None = None
    webhook: str | None = None
    webhook_format: str = "json"
    created_at: str = ""
    after_rowid: int = 0  # articles stored before the watch was added are not news

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c in CHANNELS if getattr(self, c))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Watch:
        return cls(
            name=row["name"],
            query=row["query"],
            sites=tuple(json.loads(row["sites"] or "[]")),
            sources=tuple(json.loads(row["sources"] or "[]")),
            email=row["email"],
            webhook=row["webhook"],
            webhook_format=row["webhook_format"] or "json",
            created_at=row["created_at"],
            after_rowid=row["after_rowid"] or 0,
        )


# What a delivered match shows of its article.
MATCH_COLUMNS = (
    "id",
    "url",
    "site",
    "title",
    "lead",
    "published_at",
    "source_name",
    "first_seen_at",
)


class Watches:
    db: sqlite_utils.Database

    def add_watch(self, watch: Watch) -> Watch:
        """Save a new watch; the articles stored so far are not news to it. Raises
        WatchExists for a name in use and QueryError for a query that cannot be read."""
        stemmed_query(watch.query)
        if self.db.execute("SELECT 1 FROM watches WHERE name = ?", [watch.name]).fetchone():
            raise WatchExists(watch.name)
        newest = self.db.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
        watch = replace(watch, after_rowid=newest)
        with self.db.conn:
            self.db.table("watches").insert(
                {
                    "name": watch.name,
                    "query": watch.query,
                    "sites": as_json(list(watch.sites)),
                    "sources": as_json(list(watch.sources)),
                    "email": watch.email,
                    "webhook": watch.webhook,
                    "webhook_format": watch.webhook_format,
                    "created_at": watch.created_at,
                    "after_rowid": watch.after_rowid,
                },
            )
        return watch

    def remove_watch(self, name: str) -> bool:
        with self.db.conn:
            self.db.execute("DELETE FROM watch_deliveries WHERE watch = ?", [name])
            return self.db.execute("DELETE FROM watches WHERE name = ?", [name]).rowcount > 0

    def watches(self) -> list[Watch]:
        return [Watch.from_row(r) for r in dicts(self.db, "SELECT * FROM watches ORDER BY name")]

    def new_matches(self, watch: Watch, channel: str, limit: int = 500) -> list[dict[str, Any]]:
        """The watch's matches first seen since it was added that `channel` ("digest",
        "email", "webhook") has not received, oldest first."""
        where = [
            "a.rowid IN (SELECT rowid FROM articles_stems WHERE articles_stems MATCH ?)",
            "a.rowid > ?",
        ]
        params: list[Any] = [stemmed_query(watch.query), watch.after_rowid]
        if watch.sites:
            where.append(f"a.site IN ({', '.join('?' * len(watch.sites))})")
            params += watch.sites
        if watch.sources:
            where.append(f"a.source_name IN ({', '.join('?' * len(watch.sources))})")
            params += watch.sources
        where.append(
            "a.id NOT IN (SELECT article_id FROM watch_deliveries WHERE watch = ? AND channel = ?)"
        )
        params += [watch.name, channel]
        columns = ", ".join(f"a.{c}" for c in MATCH_COLUMNS)
        sql = (
            f"SELECT {columns} FROM articles a WHERE {' AND '.join(where)} ORDER BY a.rowid LIMIT ?"
        )
        return list(dicts(self.db, sql, [*params, limit]))

    def record_deliveries(
        self, watch: str, channel: str, article_ids: Iterable[str], at: str
    ) -> None:
        rows = [
            {"watch": watch, "channel": channel, "article_id": i, "delivered_at": at}
            for i in article_ids
        ]
        with self.db.conn:
            self.db.table("watch_deliveries").insert_all(rows, ignore=True)
