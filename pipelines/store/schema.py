"""The schema of a newsbot database, owned by its migrations (sqlite-utils `Migrations`).

Migrations are history: each one stays as it was written, and a new column or table is a
new migration at the end. Databases made before the switch to sqlite-utils migrations
kept their own `schema_migrations(version)` table; its versions are carried over once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from pipelines.search import stems_row

migrations = Migrations("newsbot")
LEGACY_TABLE = "schema_migrations"


class StoreError(Exception):
    """The database cannot be used (locked, unreadable, not a newsbot database)."""


@migrations(name="m001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db.table("articles").create(
        {"id": str, "url": str, "canonical_url": str, "site": str, "title": str, "lead": str,
         "body": str, "author": str, "section": str, "tags": str, "image_url": str,
         "published_at": str, "published_at_utc": str, "modified_at": str,
         "modified_at_utc": str, "language": str, "source": str, "source_name": str,
         "publisher": str, "registrations": str, "warnings": str, "body_hash": str,
         "fetched_at": str, "first_seen_at": str, "run_id": int},
        pk="id",
    )  # fmt: skip
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
        {"url": str, "final_url": str, "site": str, "status": int, "kind": str,
         "fetched_at": str, "hint_date": str, "error": str, "drop_reason": str,
         "article_id": str, "html": bytes, "run_id": int},
        pk="url",
    )  # fmt: skip
    db.table("pages").create_index(["site"])
    db.table("pages").create_index(["final_url"])
    db.table("publishers").create(
        {"id": int, "site": str, "imprint_hash": str, "name": str, "editor_in_chief": str,
         "owner": str, "phones": str, "emails": str, "address": str, "source_url": str,
         "first_seen_at": str, "last_seen_at": str},
        pk="id",
    )  # fmt: skip
    db.table("publishers").create_index(["site", "imprint_hash"], unique=True)
    db.table("registrations").create(
        {"id": int, "site": str, "number": str, "country": str, "kind": str,
         "issued_on": str, "issuer": str, "text": str, "first_seen_at": str},
        pk="id",
    )  # fmt: skip
    db.table("registrations").create_index(["site", "number"], unique=True)
    db.table("runs").create(
        {"id": int, "started_at": str, "finished_at": str, "sites": str, "status": str,
         "requests": int, "new": int, "updated": int, "unchanged": int, "dropped": int,
         "errors": int, "site_counts": str, "note": str, "pid": int},
        pk="id",
    )  # fmt: skip
    db.table("site_state").create(
        {"site": str, "last_run_id": int, "last_status": str, "cursor_url": str,
         "updated_at": str},
        pk="site",
    )  # fmt: skip


@migrations(name="m002_stems_health_reprocess")
def _stems_health_reprocess(db: sqlite_utils.Database) -> None:
    """Stemmed full-text search (pipelines/search.py), per-site run records and the
    health verdict of each run, and what `newsbot reprocess` needs to see a page as the
    crawl saw it."""
    db.execute(
        "CREATE VIRTUAL TABLE articles_stems USING fts5(title, lead, body, "
        "tokenize = 'unicode61 remove_diacritics 0')"
    )
    rows = db.execute("SELECT rowid, title, lead, body FROM articles").fetchall()
    for rowid, title, lead, body in rows:
        stems = stems_row(title, lead, body)
        db.execute(
            "INSERT INTO articles_stems (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
            [rowid, stems["title"], stems["lead"], stems["body"]],
        )
    db.table("run_sites").create(
        {"run_id": int, "site": str, "status": str, "requests": int, "responses": int,
         "errors": int, "new": int, "updated": int, "unchanged": int, "dropped": int,
         "articles": int, "title_coverage": float, "body_coverage": float,
         "date_coverage": float, "problems": str},
        pk=("run_id", "site"),
    )  # fmt: skip
    db.table("run_sites").create_index(["site", "run_id"])
    db.table("runs").add_column("health", str)
    db.table("pages").add_column("charset", str)
    db.table("pages").add_column("hints", str)


@migrations(name="m003_browser_memory")
def _browser_memory(db: sqlite_utils.Database) -> None:
    """The peak memory (MB) of the browser a run started for pages drawn by JavaScript."""
    db.table("runs").add_column("browser_mb", float)


def _carry_over_legacy(db: sqlite_utils.Database) -> None:
    """Record the versions a pre-sqlite-utils database applied under their new names."""
    done = {row[0] for row in db.execute(f"SELECT version FROM {LEGACY_TABLE}")}
    names = [m.name for m in migrations._migrations]
    migrations.ensure_migrations_table(db)
    with db.atomic():
        for version in sorted(done):
            if 1 <= version <= len(names):
                migrations._record_applied(db, names[version - 1])
        db.execute(f"DROP TABLE {LEGACY_TABLE}")


def open_database(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open and migrate a newsbot database; `create=False` refuses a missing file.

    A SQLite file of some other program is refused, not filled with newsbot's tables."""
    path = Path(path)
    in_memory = str(path) == ":memory:"
    if not in_memory:
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
        if tables and not tables & {migrations.migrations_table, LEGACY_TABLE}:
            connection.close()
            raise StoreError(f"{path}: not a newsbot database (it has other tables)")
        if not in_memory:
            db.enable_wal()
        db.execute("PRAGMA synchronous=NORMAL")
        if LEGACY_TABLE in tables:
            _carry_over_legacy(db)
        if migrations.pending(db):
            migrations.apply(db)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: {error}") from error
    return db
