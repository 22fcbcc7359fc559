"""The schema of a newsbot database, owned by its migrations (sqlite-utils `Migrations`).

Migrations are history: each one stays as it was written, and a new column or table is a
new migration at the end. Databases made before the switch to sqlite-utils migrations
kept their own `schema_migrations(version)` table; its versions are carried over once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from pipelines.stages.search import stems_row

migrations = Migrations("newsbot")
LEGACY_TABLE = "schema_migrations"


class StoreError(Exception):
    """The database cannot be used (locked, unreadable, not a newsbot database)."""


class DiskFull(StoreError):
    """The database's filesystem is full: `no space left on <folder>`."""

    def __init__(self, path: str | Path):
        folder = Path(path).resolve().parent if str(path) != ":memory:" else Path(".")
        super().__init__(f"no space left on {folder}")


@contextlib.contextmanager
def disk_full_as_store_error(path: str | Path) -> Iterator[None]:
    """Turn "no space left" (from the OS or from SQLite) into DiskFull for `path`."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as error:
        if is_disk_full(error):
            raise DiskFull(path) from error
        raise


def is_disk_full(error: BaseException) -> bool:
    """Whether an error says the filesystem is full (an OSError, or SQLite's words)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(error, sqlite3.OperationalError) and "disk is full" in str(error)


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
        {
            "id": int,
            "article_id": str,
            "title": str,
            "body": str,
            "fetched_at": str,
            "replaced_at": str,
        },
        pk="id",
    )
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
    """Stemmed full-text search (pipelines/stages/search.py), per-site run records and the
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


@migrations(name="m003_url_keys_without_tracking")
def _url_keys_without_tracking(db: sqlite_utils.Database) -> None:
    """Keys now drop tracking and session parameters and a trailing slash
    (pipelines/stages/urls.py). Pages and articles stored under the old keys are re-keyed, so a
    known article is neither fetched nor stored again; where both spellings were stored,
    the newer row stays."""
    from pipelines.stages.urls import normalize_url
    from pipelines.store.articles import article_id

    for rowid, url, fetched_at in db.execute("SELECT rowid, url, fetched_at FROM pages").fetchall():
        key = normalize_url(url)
        if key == url:
            continue
        other = db.execute("SELECT rowid, fetched_at FROM pages WHERE url = ?", [key]).fetchone()
        if other is not None and other[1] >= fetched_at:
            db.execute("DELETE FROM pages WHERE rowid = ?", [rowid])
        else:
            db.execute("UPDATE OR REPLACE pages SET url = ? WHERE rowid = ?", [key, rowid])
    for rowid, old_id, url, canonical, fetched_at in db.execute(
        "SELECT rowid, id, url, canonical_url, fetched_at FROM articles"
    ).fetchall():
        new_id = article_id(url, canonical)
        if new_id == old_id:
            continue
        other = db.execute(
            "SELECT rowid, fetched_at FROM articles WHERE id = ?", [new_id]
        ).fetchone()
        # Two rows of one article: the older goes (with its search stems).
        gone = None if other is None else (rowid if other[1] >= fetched_at else other[0])
        if gone is not None:
            db.execute("DELETE FROM articles_stems WHERE rowid = ?", [gone])
            db.execute("DELETE FROM articles WHERE rowid = ?", [gone])
        if gone != rowid:
            db.execute("UPDATE articles SET id = ? WHERE rowid = ?", [new_id, rowid])
        for table in ("pages", "article_versions"):
            db.execute(f"UPDATE {table} SET article_id = ? WHERE article_id = ?", [new_id, old_id])


@migrations(name="m004_reprints")
def _reprints(db: sqlite_utils.Database) -> None:
    """Who reprints whom (pipelines/stages/reprints.py): each copy's original, and the index that
    finds them (each article's shingle hashes and MinHash signature, and its LSH bands).
    Articles stored before it are indexed by `newsbot reprints --rebuild`."""
    db.table("reprints").create(
        {"copy_id": str, "original_id": str, "similarity": float, "containment": float,
         "same_site": int, "credited": int, "delay_seconds": int, "found_at": str},
        pk="copy_id",
        foreign_keys=[("copy_id", "articles", "id"), ("original_id", "articles", "id")],
    )  # fmt: skip
    db.table("reprints").create_index(["original_id"])
    db.table("reprint_index").create(
        {"article_rowid": int, "words": int, "shingles": bytes, "signature": bytes, "figures": str},
        pk="article_rowid",
    )
    db.execute(
        "CREATE TABLE reprint_bands (band INTEGER NOT NULL, article_rowid INTEGER NOT NULL, "
        "PRIMARY KEY (band, article_rowid)) WITHOUT ROWID"
    )
    # The articles as people read them (`newsbot browse` facets and searches it): the
    # publisher's name out of its JSON, and the original a reprint repeats.
    db.create_view(
        "article_list",
        "SELECT a.rowid AS article_rowid, a.id, a.published_at, a.site, a.title, a.lead, "
        "a.section, a.language, a.author, json_extract(a.publisher, '$.name') AS "
        "publisher_name, a.source_name, a.url, (SELECT o.url FROM reprints r JOIN articles o "
        "ON o.id = r.original_id WHERE r.copy_id = a.id) AS reprint_of, a.published_at_utc "
        "FROM articles a",
    )


@migrations(name="m005_browser_memory")
def _browser_memory(db: sqlite_utils.Database) -> None:
    """The peak memory (MB) of the browser a run started for pages drawn by JavaScript."""
    db.table("runs").add_column("browser_mb", float)


@migrations(name="m006_reprint_furniture")
def _reprint_furniture(db: sqlite_utils.Database) -> None:
    """A site's furniture, kept out of the reprint shingles (pipelines/stages/reprints.py):
    how many of a site's articles print each paragraph (the key hashes the site and the
    paragraph's words), whether it is furniture, and while it is not yet, which articles
    print it (to index them again when it becomes furniture); and each article's own
    paragraph keys in the index. Until `newsbot reprints --rebuild`, articles indexed
    before count for nothing."""
    db.execute(
        "CREATE TABLE reprint_paragraphs (paragraph INTEGER PRIMARY KEY, "
        "articles INTEGER NOT NULL, furniture INTEGER NOT NULL DEFAULT 0, holders TEXT) "
        "WITHOUT ROWID"
    )
    db.table("reprint_index").add_column("paragraphs", bytes)


@migrations(name="m007_watches")
def _watches(db: sqlite_utils.Database) -> None:
    """Saved searches (`newsbot watch`) and what each has delivered, per channel: nothing
    is delivered twice, and a failed delivery is tried again on the next run."""
    db.table("watches").create(
        {"name": str, "query": str, "sites": str, "sources": str, "email": str,
         "webhook": str, "webhook_format": str, "created_at": str, "after_rowid": int},
        pk="name",
    )  # fmt: skip
    db.table("watch_deliveries").create(
        {"watch": str, "channel": str, "article_id": str, "delivered_at": str},
        pk=("watch", "channel", "article_id"),
    )


@migrations(name="m008_version_cause")
def _version_cause(db: sqlite_utils.Database) -> None:
    """Why a version was kept: "edit" (the page changed) or "reprocess" (newsbot read it
    again). Versions kept before are of either kind and stay NULL."""
    db.table("article_versions").add_column("cause", str)


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
    """Open and migrate a newsbot database.

    `create=True` (a crawl, the demo) makes the file if there is none, or turns an empty
    one into a newsbot database. `create=False` (every other command) opens a newsbot
    database that exists: a missing file, an empty one or another program's is refused.
    Such a database on read-only media (the file or its folder cannot be written) is
    opened read-only, and refused if it needs a migration it cannot be given there."""
    path = Path(path)
    in_memory = str(path) == ":memory:"
    if not in_memory:
        if not create and not path.is_file():
            raise StoreError(f"{path}: no such database (run `newsbot crawl` first)")
        if not create and read_only_mode(path):
            return _open_read_only(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{path}: cannot make its folder ({error.strerror})") from error
    try:
        connection = sqlite3.connect(str(path), timeout=30)
        db = sqlite_utils.Database(connection)
        tables = _newsbot_tables(db, path, empty_is_newsbot=create)
        if not in_memory:
            db.enable_wal()
        db.execute("PRAGMA synchronous=NORMAL")
        if LEGACY_TABLE in tables:
            _carry_over_legacy(db)
        if migrations.pending(db):
            migrations.apply(db)
    except sqlite3.DatabaseError as error:
        if is_disk_full(error):
            raise DiskFull(path) from error
        raise StoreError(f"{path}: {error}") from error
    return db


def read_only_mode(path: str | Path) -> str | None:
    """How a database that cannot be written where it is (a mounted backup, `chattr +i`,
    a read-only copy) is read: "ro" (SQLite `mode=ro`) when only the file is read-only;
    "immutable" when its folder is too, so the -wal and -shm files SQLite reads beside
    it cannot be made (unless they exist already); None when it can be written."""
    path = Path(path)
    folder_writable = os.access(path.resolve().parent, os.W_OK)
    if os.access(path, os.W_OK) and folder_writable:
        return None
    beside = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    if folder_writable or all(p.exists() for p in beside):
        return "ro"
    return "immutable"


def _newsbot_tables(db: sqlite_utils.Database, path: Path, *, empty_is_newsbot: bool) -> set[str]:
    """The database's tables, if it is newsbot's; another program's database is refused,
    and so is an empty file unless a newsbot database is to be made of it."""
    tables = set(db.table_names())
    if tables and not tables & {migrations.migrations_table, LEGACY_TABLE}:
        db.conn.close()
        raise StoreError(f"{path}: not a newsbot database (it has other tables)")
    if not tables and not empty_is_newsbot:
        db.conn.close()
        empty = path.stat().st_size == 0
        raise StoreError(
            f"{path}: not a newsbot database ({'an empty file' if empty else 'no tables'}; "
            "`newsbot crawl` makes one)"
        )
    return tables


def _open_read_only(path: Path) -> sqlite_utils.Database:
    """A newsbot database on read-only media, opened read-only (`read_only_mode`)."""
    immutable = read_only_mode(path) == "immutable"
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        db = sqlite_utils.Database(sqlite3.connect(uri, uri=True, timeout=30))
        tables = _newsbot_tables(db, path, empty_is_newsbot=False)
        needed = _migrations_needed(db, legacy=LEGACY_TABLE in tables)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: {error}") from error
    if needed:
        db.conn.close()
        span = str(needed[0]) if len(needed) == 1 else f"{needed[0]}..{needed[-1]}"
        raise StoreError(
            f"{path}: needs migration {span} and is read-only: copy it somewhere writable"
        )
    return db


def _migrations_needed(db: sqlite_utils.Database, *, legacy: bool) -> list[int]:
    """The numbers (from 1) of the migrations a database has not had."""
    names = [m.name for m in migrations._migrations]
    if legacy:
        done = {row[0] for row in db.execute(f"SELECT version FROM {LEGACY_TABLE}")}
        return [number for number in range(1, len(names) + 1) if number not in done]
    pending = {m.name for m in migrations.pending(db)}
    return [number for number, name in enumerate(names, 1) if name in pending]
