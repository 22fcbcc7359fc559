"""The SQLite store: every SQL statement of newsbot lives in this package.

    schema.py       migrations (sqlite-utils), opening and refusing databases
    articles.py     articles, versions, search stems, imprints
    pages.py        the fetch log and what earlier runs fetched
    runs.py         runs, per-site runs, where each site carries on
    stats.py        what `stats` and `report` show
    exports.py      what `export` streams
    reprints.py     who reprints whom: the LSH index and the copy -> original links
    watches.py      saved searches and what each has delivered
    changes.py      edits after publication: each earlier version beside its successor

One file holds everything (DESIGN.md, SQLite contract). WAL lets `newsbot export` read
while a crawl writes; writes are committed in batches (rows.Connection).
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from pipelines.store.articles import ArticleWrites, article_id
from pipelines.store.changes import ChangeFilter, Changes
from pipelines.store.exports import ArticleFilter, Exports
from pipelines.store.pages import PageLog, PastFetch, SqliteHistory, normalize_url, stored_page
from pipelines.store.reprints import Original, ReprintFilter, Reprints
from pipelines.store.rows import utc_iso
from pipelines.store.runs import RunLog, SiteRun
from pipelines.store.schema import (
    DiskFull,
    StoreError,
    disk_full_as_store_error,
    is_disk_full,
    open_database,
    read_only_mode,
)
from pipelines.store.stats import SiteSummary, Stats
from pipelines.store.watches import Watch, Watches, WatchExists

__all__ = [
    "ArticleFilter",
    "ChangeFilter",
    "DiskFull",
    "Original",
    "PastFetch",
    "ReprintFilter",
    "SiteRun",
    "SiteSummary",
    "SqliteHistory",
    "Store",
    "StoreError",
    "Watch",
    "WatchExists",
    "article_id",
    "disk_full_as_store_error",
    "is_disk_full",
    "normalize_url",
    "open_database",
    "read_only_mode",
    "stored_page",
    "utc_iso",
]


_SHARED: dict[str, Store] = {}


class Store(ArticleWrites, PageLog, RunLog, Stats, Exports, Reprints, Watches, Changes):
    """A newsbot database: open it for a crawl (`open`) or to read (`open_existing`)."""

    users = 0
    shared_key: str | None = None

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open for writing: a database that cannot be written (a read-only file or
        folder) is refused here, in one line, not at the first insert of a crawl."""
        db = open_database(path)
        try:
            # Rewriting the header's user_version with its own value: a real write
            # (BEGIN IMMEDIATE alone passes on a read-only file in WAL mode), harmless.
            version = db.conn.execute("PRAGMA user_version").fetchone()[0]
            db.conn.execute(f"PRAGMA user_version = {int(version)}")
        except sqlite3.OperationalError as error:
            db.conn.close()
            if is_disk_full(error):
                raise DiskFull(path) from error
            raise StoreError(f"{path}: {error}") from error
        return cls(db)

    @classmethod
    def open_existing(cls, path: str | Path) -> Store:
        """Open a newsbot database that must exist already (export, stats, report...):
        read-only where it cannot be written, refused if it is empty or another
        program's."""
        return cls(open_database(path, create=False))

    @classmethod
    def shared(cls, path: str | Path) -> Store:
        """The process's one writing connection to this database. Crawls of several
        sites in one process share it: two connections of one thread, each holding a
        batch open, would wait on each other's write lock."""
        key = str(Path(path).resolve()) if str(path) != ":memory:" else ":memory:"
        store = _SHARED.get(key)
        if store is None:
            store = _SHARED[key] = cls.open(path)
            store.shared_key = key
        store.users += 1
        return store

    def release(self) -> None:
        """Done with a `shared` store: closed when its last user is done."""
        self.users -= 1
        if self.users <= 0:
            _SHARED.pop(self.shared_key or "", None)
            self.close()

    def release_quietly(self) -> None:
        """Let go of a `shared` store whose last batch cannot be written (a full disk):
        the batch is rolled back, and the connection closed with its last user."""
        with contextlib.suppress(sqlite3.Error):
            self.db.rollback()
        self._pending = 0
        self.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
