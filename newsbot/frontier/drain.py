"""The writer's drain: records of fetched pages from the frontier's outbox into the
database, in batches that lose nothing and count nothing twice.

A batch is moved from `keys.OUTBOX` to `keys.PROCESSING` (LMOVE, pipelined), written
with pipelines/writer.py in one transaction together with the run's tally (what each
site's pages became: new, updated, unchanged) and a digest of the batch, committed, and
only then deleted from PROCESSING. A writer killed at any point leaves its batch in
PROCESSING; the next one replays it. Rows are idempotent by URL (an article written
twice is "unchanged" the second time, a page's log line is replaced by the same line);
the tally is kept exact by the digest: a batch found in PROCESSING whose digest is the
last one committed was written already, and is only deleted.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import math
import sqlite3
from collections.abc import Sequence
from typing import Any

import redis

from newsbot.frontier import keys
from pipelines.article import SiteImprint
from pipelines.records import BadRecord, Record, read_record
from pipelines.stages.imprint import Publisher
from pipelines.stages.registrations import Registration
from pipelines.store import DiskFull, Store, is_disk_full
from pipelines.writer import write_dropped, write_page

logger = logging.getLogger(__name__)

# Records per batch: one transaction each. Large batches commit less often (faster), a
# killed writer replays more.
BATCH = 200
OUTCOMES = ("new", "updated", "unchanged")


def batch_digest(records: Sequence[bytes]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for record in records:
        digest.update(len(record).to_bytes(8, "big"))
        digest.update(record)
    return digest.hexdigest()


class Drain:
    """The outbox of one run into one store. `written` counts the records written by this
    process; `tally` what each site's articles became over the whole run (resumed from
    the database when a writer takes the run over)."""

    def __init__(
        self, client: redis.Redis, store: Store, run_id: int, db_path: str, batch: int = BATCH
    ):
        self.client, self.store, self.run_id, self.db_path = client, store, run_id, db_path
        self.batch = batch
        # One transaction per batch, committed by the drain alone: the store's own
        # periodic commits would split a batch from its tally.
        store.BATCH_ITEMS = 2**62
        store.BATCH_SECONDS = math.inf
        self.tally: dict[str, Any] = store.writer_tally(run_id)
        self.tally.setdefault("sites", {})
        # The imprint page each site gave so far in the run: kept in the tally too, so a
        # writer that takes the run over fills later articles in as this one would.
        self.tally.setdefault("imprints", {})
        self.imprints: dict[str, SiteImprint] = {
            site: imprint_from_json(value) for site, value in self.tally["imprints"].items()
        }
        self.written = 0
        self.bad = 0

    def outcomes(self, site: str) -> dict[str, int]:
        counts: dict[str, int] = self.tally["sites"].get(site, {})
        return {outcome: int(counts.get(outcome, 0)) for outcome in OUTCOMES}

    def replay(self) -> int:
        """Write the batch a killed writer (or a lost connection) left in PROCESSING, unless
        it was committed already. Returns the records written."""
        records: list[bytes] = self.client.lrange(keys.PROCESSING, 0, -1)  # type: ignore[assignment]
        if not records:
            return 0
        if batch_digest(records) == self.tally.get("batch"):
            logger.info("batch of %d records committed already; cleared", len(records))
            self.client.delete(keys.PROCESSING)
            return 0
        logger.info("replaying %d records a previous writer left unwritten", len(records))
        self._write_moved(records)
        return len(records)

    def take(self) -> int:
        """Move up to one batch from the outbox and write it. Returns the records taken."""
        pipe = self.client.pipeline(transaction=False)
        for _ in range(self.batch):
            pipe.lmove(keys.OUTBOX, keys.PROCESSING, "LEFT", "RIGHT")
        try:
            moved = pipe.execute()
        except redis.ResponseError as error:
            if not out_of_memory(error):
                raise
            # Redis at `maxmemory` under `noeviction` refuses LMOVE (it may grow memory),
            # not reading and trimming: the writer frees memory in place.
            return self.replay() or self._take_in_place()
        records = [record for record in moved if record is not None]
        if records:
            self._write_moved(records)
        return len(records)

    def _take_in_place(self) -> int:
        """A batch read at the outbox's head and trimmed from it once committed. A writer
        killed in between finds the same head: its digest says it is written."""
        records: list[bytes] = self.client.lrange(keys.OUTBOX, 0, self.batch - 1)  # type: ignore[assignment]
        if not records:
            return 0
        if batch_digest(records) == self.tally.get("batch"):
            self.client.ltrim(keys.OUTBOX, len(records), -1)
            return 0
        logger.warning("Redis is out of memory: the outbox is drained in place")
        bad = self._commit(records)
        self.client.ltrim(keys.OUTBOX, len(records), -1)
        if bad:
            try:
                self.client.rpush(keys.DEAD_LETTERS, *(raw for raw, _ in bad))
            except redis.ResponseError as error:
                logger.warning("%d records set aside were dropped: %s", len(bad), error)
        self._written(records, bad)
        return len(records)

    def _write_moved(self, records: list[bytes]) -> None:
        """Write the batch in PROCESSING; once committed, it leaves PROCESSING and the
        records set aside go to the dead letters, in one step."""
        bad = self._commit(records)
        pipe = self.client.pipeline(transaction=True)
        if bad:
            pipe.rpush(keys.DEAD_LETTERS, *(raw for raw, _ in bad))
        pipe.delete(keys.PROCESSING)
        pipe.execute()
        self._written(records, bad)

    def _commit(self, records: list[bytes]) -> list[tuple[bytes, Exception]]:
        """Write the batch and the run's tally in one transaction; the records set aside
        (unreadable, or failing to be written). A record that fails to be written (wrong
        types, a constraint) does not hold the batch up: the batch is rolled back and
        written again one record at a time, the failing one set aside."""
        tally, imprints = copy.deepcopy(self.tally), dict(self.imprints)
        try:
            return self._write(records, alone=False)
        except (OSError, sqlite3.OperationalError) as error:
            self._undo(tally, imprints)
            if is_disk_full(error):
                # The batch stays in Redis for the next writer, once there is room.
                raise DiskFull(self.db_path) from error
            raise
        except Exception:  # a record's own fault: found below, and set aside
            self._undo(tally, imprints)
        try:
            return self._write(records, alone=True)
        except (OSError, sqlite3.OperationalError) as error:
            self._undo(tally, imprints)
            if is_disk_full(error):
                raise DiskFull(self.db_path) from error
            raise

    def _undo(self, tally: dict[str, Any], imprints: dict[str, SiteImprint]) -> None:
        """The open transaction rolled back, and what this process holds as it was."""
        with contextlib.suppress(sqlite3.Error):
            self.store.db.rollback()
        self.tally, self.imprints = tally, imprints

    def _write(self, records: list[bytes], alone: bool) -> list[tuple[bytes, Exception]]:
        """The batch in one transaction with the tally; `alone`: each record in a
        savepoint, one that fails set aside (a database that fails raises)."""
        aside: list[tuple[bytes, Exception]] = []
        for raw in records:
            try:
                record = read_record(raw)
            except BadRecord as error:
                aside.append((raw, error))
                continue
            if not alone:
                self._write_record(record)
                continue
            imprints = dict(self.imprints)
            try:
                with self.store.alone():
                    outcome = self._write_record(record, count=False)
            except (OSError, sqlite3.OperationalError):
                raise
            except Exception as error:  # this record's own fault: set aside
                self.imprints = imprints
                aside.append((raw, error))
                continue
            self._count(record.page.site, outcome)
        self.tally["batch"] = batch_digest(records)
        self.store.save_writer_tally(self.run_id, self.tally)
        self.store.flush()
        return aside

    def _write_record(self, record: Record, count: bool = True) -> str | None:
        page = record.page
        if record.dropped is not None:
            write_dropped(self.store, page, self.run_id, record.dropped)
            return None
        outcome = write_page(self.store, page, self.run_id, self.imprints)
        if page.kind == "imprint" and page.imprint is not None:
            self.tally["imprints"][page.site or ""] = imprint_json(page.imprint)
        if count:
            self._count(page.site, outcome)
        return outcome

    def _count(self, site: str | None, outcome: str | None) -> None:
        if outcome is not None:
            counts = self.tally["sites"].setdefault(site or "", {})
            counts[outcome] = counts.get(outcome, 0) + 1

    def _written(self, records: list[bytes], aside: list[tuple[bytes, Exception]]) -> None:
        self.written += len(records) - len(aside)
        if not aside:
            return
        self.bad += len(aside)
        unreadable = [error for _, error in aside if isinstance(error, BadRecord)]
        failed = [error for _, error in aside if not isinstance(error, BadRecord)]
        if unreadable:
            logger.warning(
                "%d unreadable record%s set aside in %s (%s)",
                len(unreadable),
                "" if len(unreadable) == 1 else "s",
                keys.DEAD_LETTERS,
                unreadable[0],
            )
        if failed:
            logger.warning(
                "%d record%s that could not be written set aside in %s (%s: %s)",
                len(failed),
                "" if len(failed) == 1 else "s",
                keys.DEAD_LETTERS,
                type(failed[0]).__name__,
                failed[0],
            )


def imprint_json(imprint: SiteImprint) -> dict[str, Any]:
    return {
        "publisher": imprint.publisher.as_dict(),
        "registrations": [registration.as_dict() for registration in imprint.registrations],
        "warnings": list(imprint.warnings),
    }


def imprint_from_json(value: dict[str, Any]) -> SiteImprint:
    return SiteImprint(
        publisher=Publisher(**value["publisher"]),
        registrations=[Registration(**registration) for registration in value["registrations"]],
        warnings=list(value["warnings"]),
    )


def out_of_memory(error: redis.ResponseError) -> bool:
    """Redis's answer to a command that may grow memory past `maxmemory` (noeviction)."""
    return "maxmemory" in str(error) or str(error).startswith("OOM")
