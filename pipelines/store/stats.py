"""What the database says about the crawls: articles per site and day, field coverage,
the last good run, imprints. `newsbot stats` prints it; `newsbot report` draws it."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pipelines.store.rows import Connection

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


class Stats(Connection):
    def site_summaries(self) -> list[SiteSummary]:
        summaries: dict[str, SiteSummary] = {}
        counted = ", ".join(f"count({name})" for name in COVERAGE_FIELDS)
        for row in self.db.execute(
            f"SELECT site, count(*), {counted}, max(published_at_utc) FROM articles GROUP BY site"
        ):
            total = row[1]
            summaries[row[0]] = SiteSummary(
                site=row[0],
                articles=total,
                coverage={name: row[2 + i] / total for i, name in enumerate(COVERAGE_FIELDS)},
                newest=row[-1],
            )
        for site, run_id, status, problems in self.db.execute(
            "SELECT site, run_id, status, problems FROM run_sites r WHERE run_id = "
            "(SELECT max(run_id) FROM run_sites q WHERE q.site = r.site)"
        ):
            summary = summaries.setdefault(site, SiteSummary(site))
            summary.last_run, summary.last_status = run_id, status
            summary.last_problems = json.loads(problems or "[]")
        for site, finished in self.db.execute(
            "SELECT s.site, max(r.finished_at) FROM run_sites s JOIN runs r ON r.id = s.run_id "
            "WHERE s.status IN ('finished', 'limited') AND s.problems = '[]' GROUP BY s.site"
        ):
            summaries.setdefault(site, SiteSummary(site)).last_success = finished
        for site, count in self.db.execute("SELECT site, count(*) FROM publishers GROUP BY site"):
            summaries.setdefault(site, SiteSummary(site)).publishers = count
        for site, count in self.db.execute(
            "SELECT site, count(*) FROM registrations GROUP BY site"
        ):
            summaries.setdefault(site, SiteSummary(site)).registrations = count
        return [summaries[site] for site in sorted(summaries)]

    def articles_per_day(self, days: int) -> tuple[list[date], dict[str, list[int]]]:
        """Articles per site per publication day (the site's own calendar), for the `days`
        days up to the newest publication day in the database (not today: a report of an
        old database still shows its data)."""
        newest = self.db.execute(
            "SELECT max(substr(published_at, 1, 10)) FROM articles"
        ).fetchone()[0]
        if not newest:
            return [], {}
        last = date.fromisoformat(newest)
        span = [last - timedelta(days=days - 1 - i) for i in range(days)]
        counts: dict[str, list[int]] = defaultdict(lambda: [0] * days)
        for site, day, count in self.db.execute(
            "SELECT site, substr(published_at, 1, 10) AS day, count(*) FROM articles "
            "WHERE day >= ? AND day <= ? GROUP BY site, day",
            [span[0].isoformat(), last.isoformat()],
        ):
            counts[site][(date.fromisoformat(day) - span[0]).days] += count
        return span, dict(sorted(counts.items()))

    def recent_runs(self, last: int) -> list[dict[str, Any]]:
        runs = list(
            self.db.query(
                "SELECT id, started_at, finished_at, status, requests, new, updated, unchanged, "
                "dropped, errors, sites, health, note, browser_mb FROM runs ORDER BY id DESC LIMIT ?",
                [last],
            )
        )
        for run in runs:
            run["sites"] = json.loads(run["sites"] or "[]")
            run["health"] = json.loads(run["health"] or "[]")
        return runs

    def publishers(self) -> list[dict[str, Any]]:
        """Every imprint seen, per site, the most recently seen first (a site may carry
        several outlets, each with its own footer)."""
        rows = list(
            self.db.query(
                "SELECT site, name, editor_in_chief, owner, phones, emails, address, "
                "first_seen_at, last_seen_at FROM publishers "
                "ORDER BY site, last_seen_at DESC, id DESC",
            )
        )
        for row in rows:
            row["phones"] = json.loads(row["phones"] or "[]")
            row["emails"] = json.loads(row["emails"] or "[]")
        return rows

    def registrations(self) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT site, number, country, kind, issued_on, issuer, first_seen_at "
                "FROM registrations ORDER BY site, number",
            )
        )

    def known_sites(self) -> set[str]:
        """Sites with articles or imprints stored."""
        return {
            row[0]
            for row in self.db.execute(
                "SELECT site FROM articles UNION SELECT site FROM publishers"
            )
        }

    def field_counts(self, site: str | None, names: tuple[str, ...]) -> tuple[int, dict[str, int]]:
        """Articles (of one site) and how many have each of the named columns filled."""
        allowed = set(COVERAGE_FIELDS) | {"lead", "author"}
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise ValueError(f"not a coverage column: {', '.join(unknown)}")
        where, params = (" WHERE site = ?", [site]) if site else ("", [])
        row = self.db.execute(
            f"SELECT count(*), {', '.join(f'count({n})' for n in names)} FROM articles{where}",
            params,
        ).fetchone()
        return row[0], dict(zip(names, row[1:], strict=True))

    def imprint_counts(self, site: str | None = None) -> tuple[int, list[str]]:
        """(distinct imprints, registration numbers) stored for one site or all."""
        where, params = (" WHERE site = ?", [site]) if site else ("", [])
        publishers = self.db.execute(f"SELECT count(*) FROM publishers{where}", params).fetchone()
        numbers = [
            r[0] for r in self.db.execute(f"SELECT number FROM registrations{where}", params)
        ]
        return publishers[0], numbers
