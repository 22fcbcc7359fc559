"""What the database says about the crawls: articles per site and day, field coverage,
the last good run. `newsbot stats` prints it; `newsbot report` draws it."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlite_utils

COVERAGE_FIELDS = ("title", "lead", "body", "author", "published_at", "source_name", "image_url")


@dataclass
class SiteSummary:
    site: str
    articles: int = 0
    coverage: dict[str, float] = field(default_factory=dict)  # field -> share of articles
    newest: str | None = None  # published_at_utc of the newest article
    last_run: int | None = None
    last_status: str | None = None
    last_problems: list[str] = field(default_factory=list)
    last_success: str | None = None  # finished_at of the last run with no problem
    publishers: int = 0
    registrations: int = 0


def site_summaries(db: sqlite_utils.Database) -> list[SiteSummary]:
    summaries: dict[str, SiteSummary] = {}
    counted = ", ".join(f"count({name})" for name in COVERAGE_FIELDS)
    for row in db.execute(
        f"SELECT site, count(*), {counted}, max(published_at_utc) FROM articles GROUP BY site"
    ):
        total = row[1]
        summaries[row[0]] = SiteSummary(
            site=row[0],
            articles=total,
            coverage={name: row[2 + i] / total for i, name in enumerate(COVERAGE_FIELDS)},
            newest=row[-1],
        )
    for site, run_id, status, problems in db.execute(
        "SELECT site, run_id, status, problems FROM run_sites r WHERE run_id = "
        "(SELECT max(run_id) FROM run_sites q WHERE q.site = r.site)"
    ):
        summary = summaries.setdefault(site, SiteSummary(site))
        summary.last_run, summary.last_status = run_id, status
        summary.last_problems = json.loads(problems or "[]")
    for site, finished in db.execute(
        "SELECT s.site, max(r.finished_at) FROM run_sites s JOIN runs r ON r.id = s.run_id "
        "WHERE s.status IN ('finished', 'limited') AND s.problems = '[]' GROUP BY s.site"
    ):
        summaries.setdefault(site, SiteSummary(site)).last_success = finished
    for table, attribute in (("publishers", "publishers"), ("registrations", "registrations")):
        for site, count in db.execute(f"SELECT site, count(*) FROM {table} GROUP BY site"):
            setattr(summaries.setdefault(site, SiteSummary(site)), attribute, count)
    return [summaries[site] for site in sorted(summaries)]


def articles_per_day(
    db: sqlite_utils.Database, days: int
) -> tuple[list[date], dict[str, list[int]]]:
    """Articles per site per publication day (the site's own calendar), for the `days`
    days up to the newest publication day in the database (not today: a report of an
    old database still shows its data)."""
    newest = db.execute("SELECT max(substr(published_at, 1, 10)) FROM articles").fetchone()[0]
    if not newest:
        return [], {}
    last = date.fromisoformat(newest)
    span = [last - timedelta(days=days - 1 - i) for i in range(days)]
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for site, day, count in db.execute(
        "SELECT site, substr(published_at, 1, 10) AS day, count(*) FROM articles "
        "WHERE day >= ? AND day <= ? GROUP BY site, day",
        [span[0].isoformat(), last.isoformat()],
    ):
        counts[site][(date.fromisoformat(day) - span[0]).days] += count
    return span, dict(sorted(counts.items()))


def recent_runs(db: sqlite_utils.Database, last: int) -> list[dict[str, Any]]:
    cursor = db.execute(
        "SELECT id, started_at, finished_at, status, requests, new, updated, unchanged, "
        "dropped, errors, sites, health, note FROM runs ORDER BY id DESC LIMIT ?",
        [last],
    )
    names = [d[0] for d in cursor.description]
    runs = []
    for row in cursor:
        run = dict(zip(names, row, strict=True))
        run["sites"] = json.loads(run["sites"] or "[]")
        run["health"] = json.loads(run["health"] or "[]")
        runs.append(run)
    return runs


def _dicts(db: sqlite_utils.Database, sql: str) -> list[dict[str, Any]]:
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def publishers(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every imprint seen, per site, the most recently seen first (a site may carry
    several outlets, each with its own footer)."""
    rows = _dicts(
        db,
        "SELECT site, name, editor_in_chief, owner, phones, emails, address, first_seen_at, "
        "last_seen_at FROM publishers ORDER BY site, last_seen_at DESC, id DESC",
    )
    for row in rows:
        row["phones"] = json.loads(row["phones"] or "[]")
        row["emails"] = json.loads(row["emails"] or "[]")
    return rows


def registrations(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return _dicts(
        db,
        "SELECT site, number, country, kind, issued_on, issuer, first_seen_at "
        "FROM registrations ORDER BY site, number",
    )
