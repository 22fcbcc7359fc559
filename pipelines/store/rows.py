"""Small helpers every part of the store uses to read and write rows."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlite_utils


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def dicts(
    db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()
) -> Iterator[dict[str, Any]]:
    """Rows as dicts, streamed. Unlike `db.query` (a generator that runs its SQL at the
    first row read), the query runs here, so a bad one fails before any output is made."""
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row, strict=True)) for row in cursor)


class Connection:
    """One database connection whose writes are committed in batches.

    A crawl writes an article, its stems, its imprint and its line in `pages` in one
    transaction, and commits every BATCH_ITEMS items or BATCH_SECONDS seconds (and when
    it ends): one commit per item costs more than the item. A crawl killed with SIGKILL
    loses the batch in flight, never half an article, and fetches those pages again.
    """

    BATCH_ITEMS = 200
    BATCH_SECONDS = 1.0

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._pending = 0
        self._batch_started = 0.0

    def _begin(self) -> None:
        """Open the batch's transaction if none is open (sqlite-utils' own writes then
        nest in it as savepoints)."""
        if not self.db.conn.in_transaction:
            self.db.begin()
            self._batch_started = time.monotonic()

    @contextlib.contextmanager
    def alone(self) -> Iterator[None]:
        """Writes that may fail alone in the open batch: undone on an exception (a
        savepoint), leaving the batch's other writes as they were."""
        self._begin()
        self.db.execute("SAVEPOINT alone")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK TO alone")
            self.db.execute("RELEASE alone")
            raise
        self.db.execute("RELEASE alone")

    def end_item(self) -> None:
        """One item (an article with its page, a page) written: commit when the batch is
        full or old enough."""
        self._pending += 1
        if self._pending >= self.BATCH_ITEMS or self.flush_due():
            self.flush()

    def flush_due(self) -> bool:
        return self._pending > 0 and time.monotonic() - self._batch_started >= self.BATCH_SECONDS

    def flush(self) -> None:
        self.db.commit()
        self._pending = 0

    def close(self) -> None:
        self.flush()
        self.db.conn.close()
