"""The SQLite store: schema (owned by migrations), article upserts, the fetch log, runs.

One file holds everything (DESIGN.md, SQLite contract). WAL lets `newsbot export` read
while a crawl writes; every item is committed on its own, so a crawl killed with
SIGKILL loses at most the items in flight.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from pipelines import urls
from pipelines.search import stems_row

ARTICLE_JSON_FIELDS = ("tags", "source", "publisher", "registrations", "warnings")
# How long a dead link (404, 410) rests before it is tried again.
DEAD_LINK_PAUSE = timedelta(days=7)


class StoreError(Exception):
    """The database cannot be used (locked, unreadable, not a newsbot database)."""


def utc_now_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalize_url(url: str) -> str:
    """The key a URL is known by (pipelines.urls: no tracking or session parameters)."""
    return urls.normalize_url(url)


def article_id(final_url: str, canonical_url: str | None) -> str:
    """Stable id from the final URL; the canonical URL replaces it only on the same host
    (reprints often point their canonical link at another outlet)."""
    key = final_url
    if canonical_url:
        final_host = (urlsplit(final_url).hostname or "").removeprefix("www.")
        canonical_host = (urlsplit(canonical_url).hostname or "").removeprefix("www.")
        if final_host == canonical_host:
            key = canonical_url
    return hashlib.sha1(normalize_url(key).encode("utf-8")).hexdigest()[:20]


# --- migrations ---------------------------------------------------------------------


def _migration_1(db: sqlite_utils.Database) -> None:
    db.table("articles").create(
        {
            "id": str,
            "url": str,
            "canonical_url": str,
            "site": str,
            "title": str,
            "lead": str,
            "body": str,
            "author": str,
            "section": str,
            "tags": str,
            "image_url": str,
            "published_at": str,
            "published_at_utc": str,
            "modified_at": str,
            "modified_at_utc": str,
            "language": str,
            "source": str,
            "source_name": str,
            "publisher": str,
            "registrations": str,
            "warnings": str,
            "body_hash": str,
            "fetched_at": str,
            "first_seen_at": str,
            "run_id": int,
        },
        pk="id",
    )
    db.table("articles").create_index(["site"])
    db.table("articles").create_index(["published_at_utc"])
    db.table("articles").enable_fts(["title", "lead", "body"], create_triggers=True)
    db.table("article_versions").create(
        {"id": int, "article_id": str, "title": str, "body": str, "fetched_at": str,
         "replaced_at": str},
        pk="id",
    )  # fmt: skip
    db.table("article_versions").create_index(["article_id"])
    db.table("pages").create(
        {
            "url": str,
            "final_url": str,
            "site": str,
            "status": int,
            "kind": str,
            "fetched_at": str,
            "hint_date": str,
            "error": str,
            "drop_reason": str,
            "article_id": str,
            "html": bytes,
            "run_id": int,
        },
        pk="url",
    )
    db.table("pages").create_index(["site"])
    db.table("pages").create_index(["final_url"])
    db.table("publishers").create(
        {
            "id": int,
            "site": str,
            "imprint_hash": str,
            "name": str,
            "editor_in_chief": str,
            "owner": str,
            "phones": str,
            "emails": str,
            "address": str,
            "source_url": str,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk="id",
    )
    db.table("publishers").create_index(["site", "imprint_hash"], unique=True)
    db.table("registrations").create(
        {"id": int, "site": str, "number": str, "country": str, "kind": str,
         "issued_on": str, "issuer": str, "text": str, "first_seen_at": str},
        pk="id",
    )  # fmt: skip
    db.table("registrations").create_index(["site", "number"], unique=True)
    db.table("runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "sites": str,
            "status": str,
            "requests": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "dropped": int,
            "errors": int,
            "site_counts": str,
            "note": str,
            "pid": int,
        },
        pk="id",
    )
    db.table("site_state").create(
        {"site": str, "last_run_id": int, "last_status": str, "cursor_url": str,
         "updated_at": str},
        pk="site",
    )  # fmt: skip


def _migration_2(db: sqlite_utils.Database) -> None:
    """Stemmed full-text search (pipelines/search.py), per-site run records and the
    health verdict of each run (newsbot/health.py)."""
    db.execute(
        "CREATE VIRTUAL TABLE articles_stems USING fts5(title, lead, body, "
        "tokenize = 'unicode61 remove_diacritics 0')"
    )
    for rowid, title, lead, body in db.execute("SELECT rowid, title, lead, body FROM articles"):
        _index_stems(db, rowid, title, lead, body)
    db.table("run_sites").create(
        {"run_id": int, "site": str, "status": str, "requests": int, "responses": int,
         "errors": int, "new": int, "updated": int, "unchanged": int, "dropped": int,
         "articles": int, "title_coverage": float, "body_coverage": float,
         "date_coverage": float, "problems": str},
        pk=("run_id", "site"),
    )  # fmt: skip
    db.table("run_sites").create_index(["site", "run_id"])
    db.table("runs").add_column("health", str)
    # What `newsbot reprocess` needs to see a page as the crawl saw it.
    db.table("pages").add_column("charset", str)
    db.table("pages").add_column("hints", str)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2]


def _index_stems(
    db: sqlite_utils.Database, rowid: int, title: str | None, lead: str | None, body: str | None
) -> None:
    db.execute("DELETE FROM articles_stems WHERE rowid = ?", [rowid])
    stems = stems_row(title, lead, body)
    db.execute(
        "INSERT INTO articles_stems (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
        [rowid, stems["title"], stems["lead"], stems["body"]],
    )


def open_database(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open and migrate a newsbot database; `create=False` refuses a missing file.

    A SQLite file of some other program is refused, not filled with newsbot's tables."""
    path = Path(path)
    if str(path) != ":memory:":
        if not create and not path.is_file():
            raise StoreError(f"{path}: no such database (run `newsbot crawl` first)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{path}: cannot make its folder ({error.strerror})") from error
    try:
        connection = sqlite3.connect(str(path), timeout=30)
        db = sqlite_utils.Database(connection)
        tables = set(db.table_names())
        if tables and "schema_migrations" not in tables:
            connection.close()
            raise StoreError(f"{path}: not a newsbot database (it has other tables)")
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA synchronous=NORMAL")
        if "schema_migrations" not in tables:
            db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
        done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
        for version, migration in enumerate(MIGRATIONS, start=1):
            if version not in done:
                with connection:
                    migration(db)
                    db.execute("INSERT INTO schema_migrations (version) VALUES (?)", [version])
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: {error}") from error
    return db


# --- what was fetched before ----------------------------------------------------------


@dataclass(frozen=True)
class PastFetch:
    status: int | None
    fetched_at: datetime
    hint_date: str | None
    kind: str | None
    published_at_utc: str | None = None


class FetchHistory:
    """What earlier runs fetched for one site, keyed by normalised URL (request and final)."""

    def __init__(self, fetches: Mapping[str, PastFetch]):
        self._fetches = dict(fetches)

    @classmethod
    def load(cls, db: sqlite_utils.Database, site: str) -> FetchHistory:
        fetches: dict[str, PastFetch] = {}
        rows = db.execute(
            "SELECT p.url, p.final_url, p.status, p.fetched_at, p.hint_date, p.kind, a.published_at_utc "
            "FROM pages p LEFT JOIN articles a ON a.id = p.article_id WHERE p.site = ?",
            [site],
        )
        for url, final_url, status, fetched_at, hint_date, kind, published in rows:
            past = PastFetch(status, datetime.fromisoformat(fetched_at), hint_date, kind, published)
            fetches[url] = past
            if final_url:
                fetches.setdefault(normalize_url(final_url), past)
        return cls(fetches)

    def __len__(self) -> int:
        return len(self._fetches)

    def get(self, url: str) -> PastFetch | None:
        return self._fetches.get(normalize_url(url))

    def published_before(self, url: str, moment: datetime) -> bool:
        """Whether a stored article is known to be published before `moment`."""
        past = self.get(url)
        if past is None or past.published_at_utc is None:
            return False
        return datetime.fromisoformat(past.published_at_utc) < moment

    def needs_fetch(self, url: str, now: datetime, changed_at: datetime | None = None) -> bool:
        """Whether an article URL should be fetched in this run.

        Stored articles are skipped unless their sitemap `lastmod` or feed date is newer
        than the stored copy; dead links rest a week; errors and timeouts retry now.
        """
        past = self.get(url)
        if past is None:
            return True
        if past.status is None or past.status >= 500 or past.status == 429:
            return True
        if past.status in (404, 410):
            return now - past.fetched_at >= DEAD_LINK_PAUSE
        return changed_at is not None and changed_at > past.fetched_at


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- writing ------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _imprint_hash(publisher: Mapping[str, Any]) -> str:
    key = _json({k: publisher.get(k) for k in sorted(publisher)})
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _article_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The stored columns an extraction decides (not id, fetch time or run)."""
    row = {key: record.get(key) for key in (
        "url", "canonical_url", "site", "title", "lead", "body", "author", "section",
        "image_url", "published_at", "published_at_utc", "modified_at", "modified_at_utc",
        "language")}  # fmt: skip
    row.update({key: _json(record.get(key)) for key in ARTICLE_JSON_FIELDS})
    row["source_name"] = (record.get("source") or {}).get("name")
    row["body_hash"] = hashlib.sha1((record.get("body") or "").encode("utf-8")).hexdigest()
    return row


class Store:
    """Writes of one crawl (or one `newsbot reprocess`) into a newsbot database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

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
            raise StoreError(f"{path}: {error}") from error
        return cls(db)

    def close(self) -> None:
        self.db.conn.close()

    # runs

    def start_run(self, sites: Iterable[str], started_at: datetime) -> int:
        self._close_dead_runs()
        with self.db.conn:
            table = self.db.table("runs")
            table.insert({"started_at": utc_now_iso(started_at), "sites": _json(sorted(sites)),
                          "status": "running", "pid": os.getpid()})  # fmt: skip
            return int(table.last_pk)  # type: ignore[arg-type]

    def _close_dead_runs(self) -> None:
        """Runs left "running" by a process that no longer exists were killed (SIGKILL,
        power loss): record them as interrupted."""
        for row in self.db.table("runs").rows_where("status = 'running'", select="id, pid"):
            if row["pid"] and not _process_alive(row["pid"]):
                with self.db.conn:
                    self.db.table("runs").update(
                        row["id"], {"status": "interrupted", "note": "process died"}
                    )

    def finish_run(
        self, run_id: int, status: str, counts: Mapping[str, Any], finished_at: datetime
    ) -> None:
        with self.db.conn:
            self.db.table("runs").update(run_id, {
                "finished_at": utc_now_iso(finished_at),
                "status": status,
                **{key: counts.get(key, 0) for key in
                   ("requests", "new", "updated", "unchanged", "dropped", "errors")},
                "site_counts": _json(counts.get("sites", {})),
                "note": counts.get("note"),
                "health": _json(counts.get("health", [])),
            })  # fmt: skip

    def save_site_run(self, run: Any, **extra: Any) -> None:
        """One site's part of a run (a newsbot.health.SiteRun and the other counts): the
        history the health checks and `newsbot stats` read."""
        row = {key: getattr(run, key) for key in (
            "run_id", "site", "status", "requests", "errors", "new", "articles",
            "title_coverage", "body_coverage", "date_coverage")}  # fmt: skip
        row.update(extra)
        row["problems"] = _json(extra.get("problems", []))
        with self.db.conn:
            self.db.table("run_sites").upsert(row, pk=("run_id", "site"))

    def site_state(self, site: str) -> dict[str, Any] | None:
        rows = list(self.db.table("site_state").rows_where("site = ?", [site]))
        return rows[0] if rows else None

    def save_site_state(
        self, site: str, run_id: int, status: str, cursor_url: str | None, now: datetime
    ) -> None:
        with self.db.conn:
            self.db.table("site_state").upsert(
                {"site": site, "last_run_id": run_id, "last_status": status,
                 "cursor_url": cursor_url, "updated_at": utc_now_iso(now)},
                pk="site",
            )  # fmt: skip

    # pages

    def log_page(
        self,
        *,
        url: str,
        final_url: str | None,
        site: str,
        status: int | None,
        kind: str,
        fetched_at: datetime,
        run_id: int | None,
        html: bytes | None = None,
        hint_date: str | None = None,
        error: str | None = None,
        drop_reason: str | None = None,
        article_id: str | None = None,
        charset: str | None = None,
        hints: Mapping[str, str] | None = None,
    ) -> None:
        row = {
            "url": normalize_url(url),
            "final_url": final_url,
            "site": site,
            "status": status,
            "kind": kind,
            "fetched_at": utc_now_iso(fetched_at),
            "hint_date": hint_date,
            "error": error,
            "drop_reason": drop_reason,
            "article_id": article_id,
            "html": zlib.compress(html, 6) if html else None,
            "run_id": run_id,
            "charset": charset,
            "hints": _json(dict(hints)) if hints else None,
        }
        with self.db.conn:
            self.db.table("pages").upsert(row, pk="url")

    def raw_html(self, url: str) -> bytes | None:
        rows = list(
            self.db.table("pages").rows_where("url = ?", [normalize_url(url)], select="html")
        )
        if not rows or rows[0]["html"] is None:
            return None
        return zlib.decompress(rows[0]["html"])

    # articles

    def save_article(
        self, record: Mapping[str, Any], fetched_at: datetime, run_id: int | None
    ) -> tuple[str, str]:
        """Insert or update one article; returns (article id, "new" | "updated" | "unchanged").

        A changed body keeps its previous version in article_versions.
        """
        identifier = article_id(record["url"], record.get("canonical_url"))
        now_iso = utc_now_iso(fetched_at)
        row = _article_row(record)
        body_hash = row["body_hash"]
        row.update(id=identifier, fetched_at=now_iso, run_id=run_id)
        with self.db.conn:
            existing = list(self.db.table("articles").rows_where(
                "id = ?", [identifier],
                select="rowid, title, lead, body, body_hash, fetched_at, first_seen_at"))  # fmt: skip
            if not existing:
                row["first_seen_at"] = now_iso
                rowid = self.db.table("articles").insert(row).last_rowid
                assert rowid is not None
                _index_stems(self.db, rowid, row["title"], row["lead"], row["body"])
                outcome = "new"
            else:
                previous = existing[0]
                row["first_seen_at"] = previous["first_seen_at"]
                outcome = "unchanged"
                if previous["body_hash"] != body_hash:
                    self.db.table("article_versions").insert({
                        "article_id": identifier, "title": previous["title"],
                        "body": previous["body"], "fetched_at": previous["fetched_at"],
                        "replaced_at": now_iso,
                    })  # fmt: skip
                    outcome = "updated"
                self.db.table("articles").update(identifier, row)
                if (previous["title"], previous["lead"], previous["body"]) != (
                    row["title"],
                    row["lead"],
                    row["body"],
                ):
                    _index_stems(self.db, previous["rowid"], row["title"], row["lead"], row["body"])
            self._save_imprint(record, fetched_at)
        return identifier, outcome

    def reprocess_article(self, identifier: str, record: Mapping[str, Any], now: datetime) -> bool:
        """Replace a stored article's extracted fields with a new extraction of the same
        page; its fetch time, first sighting and run stay. Returns whether anything
        changed (a changed body keeps the old one in article_versions)."""
        new = _article_row(record)
        with self.db.conn:
            rows = list(self.db.table("articles").rows_where(
                "id = ?", [identifier], select="rowid, *"))  # fmt: skip
            if not rows:
                return False
            previous = rows[0]
            if all(previous.get(key) == value for key, value in new.items()):
                return False
            if previous["body_hash"] != new["body_hash"]:
                self.db.table("article_versions").insert({
                    "article_id": identifier, "title": previous["title"],
                    "body": previous["body"], "fetched_at": previous["fetched_at"],
                    "replaced_at": utc_now_iso(now),
                })  # fmt: skip
            self.db.table("articles").update(identifier, new)
            _index_stems(self.db, previous["rowid"], new["title"], new["lead"], new["body"])
            self._save_imprint(record, datetime.fromisoformat(previous["fetched_at"]))
        return True

    def save_imprint(
        self,
        site: str,
        publisher: Mapping[str, Any],
        registrations: list[Mapping[str, Any]],
        source_url: str,
        seen_at: datetime,
    ) -> None:
        with self.db.conn:
            self._save_imprint(
                {
                    "site": site,
                    "publisher": publisher,
                    "registrations": registrations,
                    "url": source_url,
                },
                seen_at,
            )

    def _save_imprint(self, record: Mapping[str, Any], seen_at: datetime) -> None:
        site = record["site"]
        now_iso = utc_now_iso(seen_at)
        publisher = record.get("publisher") or {}
        if any(
            publisher.get(k) for k in ("editor_in_chief", "owner", "phones", "emails", "address")
        ):
            imprint_hash = _imprint_hash(publisher)
            table = self.db.table("publishers")
            known = list(
                table.rows_where("site = ? AND imprint_hash = ?", [site, imprint_hash], select="id")
            )
            if known:
                table.update(known[0]["id"], {"last_seen_at": now_iso})
            else:
                table.insert({
                    "site": site, "imprint_hash": imprint_hash, "name": publisher.get("name"),
                    "editor_in_chief": publisher.get("editor_in_chief"),
                    "owner": publisher.get("owner"), "phones": _json(publisher.get("phones") or []),
                    "emails": _json(publisher.get("emails") or []),
                    "address": publisher.get("address"), "source_url": record.get("url"),
                    "first_seen_at": now_iso, "last_seen_at": now_iso,
                })  # fmt: skip
        for registration in record.get("registrations") or []:
            self.db.execute(
                "INSERT OR IGNORE INTO registrations (site, number, country, kind, issued_on, issuer, text, first_seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [site, registration["number"], registration["country"], registration["kind"],
                 registration["issued_on"], registration["issuer"], registration["text"], now_iso],
            )  # fmt: skip
