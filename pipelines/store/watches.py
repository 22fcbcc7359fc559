"""Watches: saved searches whose new matches `newsbot watch run` delivers.

A watch matches an article by the stemmed query of `export --query`, optionally only on
some sites and some credited sources. Its new matches on a channel (the digest file
aside, "email" or "webhook") are the articles first seen since the watch was added that
the channel has not received yet: a delivery that failed is still new on the next run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from pipelines.stages.search import stemmed_query
from pipelines.store.rows import as_json, dicts

# Where a watch's matches go besides the digest file of `watch run -o`.
CHANNELS = ("email", "webhook")
WEBHOOK_FORMATS = ("json", "slack", "telegram")


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
        )


# What a delivered match shows of its article.
MATCH_COLUMNS = ("id", "url", "site", "title", "lead", "published_at", "source_name",
                 "first_seen_at")  # fmt: skip


class Watches:
    db: sqlite_utils.Database

    def save_watch(self, watch: Watch) -> None:
        stemmed_query(watch.query)  # a query that cannot be read is refused here
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
                },
                replace=True,
            )

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
            "a.first_seen_at >= ?",
        ]
        params: list[Any] = [stemmed_query(watch.query), watch.created_at]
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
            f"SELECT {columns} FROM articles a WHERE {' AND '.join(where)} "
            "ORDER BY a.first_seen_at, a.published_at_utc LIMIT ?"
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
