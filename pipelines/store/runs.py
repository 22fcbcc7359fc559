"""Runs: one row per crawl (`runs`), one per site and run (`run_sites`), and each site's
place to carry on from (`site_state`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from pipelines.store.rows import Connection, as_json, utc_iso

RUN_COUNTS = ("requests", "new", "updated", "unchanged", "dropped", "errors")
COVERED_FIELDS = ("title", "body", "date")


@dataclass
class SiteRun:
    """What one run did for one site: the runner fills it from the crawl's stats, the
    health checks judge it, and it is kept as a row of `run_sites`."""

    run_id: int
    site: str
    status: str = "finished"  # finished | limited | interrupted | failed | unsupported
    requests: int = 0
    responses: int = 0
    errors: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dropped: int = 0
    articles: int = 0
    title_coverage: float | None = None
    body_coverage: float | None = None
    date_coverage: float | None = None
    problems: list[str] = field(default_factory=list)
    # Not stored: why the site could not be crawled at all (it is in `problems` too).
    reason: str | None = field(default=None, metadata={"stored": False})

    @classmethod
    def from_stats(cls, run_id: int, site: str, status: str, stats: Mapping[str, Any]) -> SiteRun:
        """The counts of a crawl's Scrapy stats (the one place that knows their names)."""
        return cls(
            run_id=run_id,
            site=site,
            status=status,
            requests=stats.get("downloader/request_count", 0),
            responses=stats.get("downloader/response_count", 0),
            errors=stats.get("newsbot/errors", 0),
            new=stats.get("newsbot/articles/new", 0),
            updated=stats.get("newsbot/articles/updated", 0),
            unchanged=stats.get("newsbot/articles/unchanged", 0),
            dropped=stats.get("item_dropped_count", 0),
        )

    def with_coverage(self, coverage: Mapping[str, float]) -> SiteRun:
        """The same run with the field coverage of the articles it stored."""
        return replace(
            self,
            articles=int(coverage.get("articles", 0)),
            title_coverage=coverage.get("title"),
            body_coverage=coverage.get("body"),
            date_coverage=coverage.get("date"),
        )

    def coverage(self, name: str) -> float | None:
        value: float | None = getattr(self, f"{name}_coverage")
        return value

    @property
    def healthy(self) -> bool:
        return not self.problems


_SITE_RUN_COLUMNS = tuple(f.name for f in fields(SiteRun) if f.metadata.get("stored", True))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLog(Connection):
    def start_run(self, sites: Iterable[str], started_at: datetime) -> int:
        self.close_dead_runs()
        self._begin()
        cursor = self.db.execute(
            "INSERT INTO runs (started_at, sites, status, pid) VALUES (?, ?, 'running', ?)",
            [utc_iso(started_at), as_json(sorted(sites)), os.getpid()],
        )
        self.flush()
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def close_dead_runs(self) -> None:
        """Runs left "running" by a process that no longer exists were killed (SIGKILL,
        power loss): record them as interrupted."""
        rows = self.db.execute("SELECT id, pid FROM runs WHERE status = 'running'").fetchall()
        dead = [run_id for run_id, pid in rows if pid and not _process_alive(pid)]
        if dead:
            self._begin()
            self.db.conn.executemany(
                "UPDATE runs SET status = 'interrupted', note = 'process died' WHERE id = ?",
                [[run_id] for run_id in dead],
            )
            self.flush()

    def adopt_run(self, run_id: int) -> bool:
        """Take over a run still "running" whose writer died (a distributed crawl's
        writer restarted): its row gets this process's pid, so it is not taken for a
        killed run. False when the run is not running (finished, interrupted, unknown)."""
        self._begin()
        cursor = self.db.execute(
            "UPDATE runs SET pid = ? WHERE id = ? AND status = 'running'", [os.getpid(), run_id]
        )
        self.flush()
        return cursor.rowcount == 1

    def writer_tally(self, run_id: int) -> dict[str, Any]:
        """A running distributed run's tally (what its writer stored so far: outcomes per
        site, the last batch committed), kept in the run's `site_counts` until
        finish_run writes the final counts there."""
        row = self.db.execute(
            "SELECT site_counts FROM runs WHERE id = ? AND status = 'running'", [run_id]
        ).fetchone()
        tally = json.loads(row[0]) if row and row[0] else {}
        return tally if isinstance(tally, dict) and "writer" in tally else {"writer": True}

    def save_writer_tally(self, run_id: int, tally: Mapping[str, Any]) -> None:
        """In the open batch's transaction, so the tally and the rows it counts are
        committed together: a writer killed between the two cannot count a batch twice."""
        self._begin()
        self.db.execute("UPDATE runs SET site_counts = ? WHERE id = ?", [as_json(tally), run_id])

    def finish_run(
        self,
        run_id: int,
        status: str,
        site_runs: Iterable[SiteRun],
        finished_at: datetime,
        note: str | None = None,
        browser_mb: float | None = None,
    ) -> None:
        """The run's row: its status, the totals of its sites, their problems, and the
        peak memory of the browser that rendered pages (None: no browser ran)."""
        site_runs = list(site_runs)
        totals = {key: sum(getattr(run, key) for run in site_runs) for key in RUN_COUNTS}
        per_site = {
            run.site: {
                "status": run.status,
                "reason": run.reason,
                **{key: getattr(run, key) for key in RUN_COUNTS},
            }
            for run in site_runs
        }
        self._begin()
        self.db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, requests = ?, new = ?, updated = ?, "
            "unchanged = ?, dropped = ?, errors = ?, site_counts = ?, note = ?, health = ?, "
            "browser_mb = ? WHERE id = ?",
            [utc_iso(finished_at), status, *(totals[key] for key in RUN_COUNTS),
             as_json(per_site), note,
             as_json([line for run in site_runs for line in run.problems]), browser_mb,
             run_id],
        )  # fmt: skip
        self.flush()

    def save_site_run(self, run: SiteRun) -> None:
        """One site's part of a run: the history the health checks and `stats` read."""
        values = [getattr(run, name) for name in _SITE_RUN_COLUMNS]
        values[_SITE_RUN_COLUMNS.index("problems")] = as_json(run.problems)
        self._begin()
        self.db.execute(
            f"INSERT OR REPLACE INTO run_sites ({', '.join(_SITE_RUN_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _SITE_RUN_COLUMNS)})",
            values,
        )
        self.flush()

    def site_history(self, site: str, before_run: int, limit: int) -> list[SiteRun]:
        """The site's runs before `before_run`, newest first."""
        cursor = self.db.execute(
            f"SELECT {', '.join(_SITE_RUN_COLUMNS)} FROM run_sites WHERE site = ? AND "
            "run_id < ? ORDER BY run_id DESC LIMIT ?",
            [site, before_run, limit],
        )
        runs = []
        for row in cursor:
            values = dict(zip(_SITE_RUN_COLUMNS, row, strict=True))
            values["problems"] = json.loads(values["problems"] or "[]")
            runs.append(SiteRun(**values))
        return runs

    def killed_runs_since_last(self, site: str, run_id: int) -> list[tuple[int, str]]:
        """(run id, start) of the runs of this site killed without a word (SIGKILL, power
        loss) since its last recorded run: nobody has been told about them yet."""
        last = self.db.execute(
            "SELECT max(run_id) FROM run_sites WHERE site = ? AND run_id < ?", [site, run_id]
        ).fetchone()[0]
        return self.db.execute(
            "SELECT runs.id, runs.started_at FROM runs, json_each(runs.sites) AS s "
            "WHERE s.value = ? AND runs.id > ? AND runs.id < ? AND runs.note = 'process died' "
            "ORDER BY runs.id",
            [site, last or 0, run_id],
        ).fetchall()

    def run_coverage(self, run_id: int, site: str) -> dict[str, float]:
        """Articles this run stored for the site, and the share with each covered field."""
        total, title, body, date = self.db.execute(
            "SELECT count(*), count(title), count(body), count(published_at) FROM articles "
            "WHERE run_id = ? AND site = ?",
            [run_id, site],
        ).fetchone()
        if not total:
            return {}
        return {
            "articles": total,
            "title": title / total,
            "body": body / total,
            "date": date / total,
        }

    def site_state(self, site: str) -> dict[str, Any] | None:
        rows = self.db.query(
            "SELECT site, last_run_id, last_status, cursor_url, updated_at FROM site_state "
            "WHERE site = ?",
            [site],
        )
        return next(iter(rows), None)

    def save_site_state(
        self, site: str, run_id: int, status: str, cursor_url: str | None, now: datetime
    ) -> None:
        self._begin()
        self.db.execute(
            "INSERT OR REPLACE INTO site_state (site, last_run_id, last_status, cursor_url, "
            "updated_at) VALUES (?, ?, ?, ?, ?)",
            [site, run_id, status, cursor_url, utc_iso(now)],
        )
        self.flush()
