"""Articles, publishers and registrations out of the database as CSV or JSON lines.

Rows stream from one SQLite cursor to the output, so memory stays flat however many
there are. Plain CSV (RFC 4180, UTF-8, ",") gives back every stored text exactly;
`excel=True` shapes the same rows for spreadsheets (README, "Export").
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import sqlite_utils

from pipelines.search import stemmed_query

# The article columns, in their order (documented in the README; only ever extended).
ARTICLE_COLUMNS = (
    "id", "site", "url", "title", "lead", "body", "author", "section", "tags",
    "published_at", "published_at_utc", "modified_at", "language", "source_name",
    "source_phrase", "publisher_name", "editor_in_chief", "owner", "phones", "emails",
    "registrations", "image_url", "fetched_at", "first_seen_at", "warnings",
    # added in 0.2, at the end so that column positions stay where they were
    "canonical_url", "published_local",
)  # fmt: skip
CSV_COLUMNS = ARTICLE_COLUMNS  # the name earlier code and tests use
PUBLISHER_COLUMNS = (
    "site", "name", "editor_in_chief", "owner", "phones", "emails", "address",
    "source_url", "first_seen_at", "last_seen_at", "current",
)  # fmt: skip
REGISTRATION_COLUMNS = (
    "site", "number", "country", "kind", "issued_on", "issuer", "text", "first_seen_at",
)  # fmt: skip
TABLE_COLUMNS = {
    "articles": ARTICLE_COLUMNS,
    "publishers": PUBLISHER_COLUMNS,
    "registrations": REGISTRATION_COLUMNS,
}
LIST_SEPARATOR = "; "

# Excel cuts a cell at 32,767 characters and runs text that starts like a formula.
EXCEL_CELL_LIMIT = 32_767
EXCEL_CUT_MARKER = " […cut: the full text is in the database]"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ArticleFilter:
    site: str | None = None
    since: str | None = None  # UTC ISO instants, compared with published_at_utc
    until: str | None = None
    query: str | None = None  # what a user typed; stemmed (pipelines/search.py)


def _where(selection: ArticleFilter) -> tuple[str, list[Any]]:
    where, params = [], []
    if selection.site:
        where.append("articles.site = ?")
        params.append(selection.site)
    if selection.since:
        where.append("articles.published_at_utc >= ?")
        params.append(selection.since)
    if selection.until:
        where.append("articles.published_at_utc < ?")
        params.append(selection.until)
    if selection.query:
        where.append(
            "articles.rowid IN (SELECT rowid FROM articles_stems WHERE articles_stems MATCH ?)"
        )
        params.append(stemmed_query(selection.query))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def count_articles(db: sqlite_utils.Database, selection: ArticleFilter) -> int:
    where, params = _where(selection)
    return int(db.execute("SELECT count(*) FROM articles" + where, params).fetchone()[0])


def _rows(db: sqlite_utils.Database, sql: str, params: Sequence[Any]) -> Iterator[dict[str, Any]]:
    # Executed here, not on the first row read: a bad query fails before any output.
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row, strict=True)) for row in cursor)


def select_articles(
    db: sqlite_utils.Database, selection: ArticleFilter
) -> Iterator[dict[str, Any]]:
    """Stored article rows, newest first (undated ones last)."""
    where, params = _where(selection)
    sql = (
        "SELECT * FROM articles" + where + " ORDER BY articles.published_at_utc IS NULL, "
        "articles.published_at_utc DESC, articles.id"
    )
    return _rows(db, sql, params)


def select_publishers(db: sqlite_utils.Database, site: str | None) -> Iterator[dict[str, Any]]:
    """Every imprint seen, per site, newest first; `current` marks the one in force."""
    sql = (
        "SELECT p.*, p.id = (SELECT q.id FROM publishers q WHERE q.site = p.site "
        "ORDER BY q.last_seen_at DESC, q.id DESC LIMIT 1) AS current FROM publishers p"
        + (" WHERE p.site = ?" if site else "")
        + " ORDER BY p.site, p.last_seen_at DESC, p.id DESC"
    )
    return _rows(db, sql, [site] if site else [])


def select_registrations(db: sqlite_utils.Database, site: str | None) -> Iterator[dict[str, Any]]:
    sql = (
        "SELECT * FROM registrations"
        + (" WHERE site = ?" if site else "")
        + " ORDER BY site, number"
    )
    return _rows(db, sql, [site] if site else [])


def _loads(value: str | None, default: Any) -> Any:
    return json.loads(value) if value else default


def _joined(values: Sequence[str] | None) -> str:
    return LIST_SEPARATOR.join(values or [])


def local_time(published_at: str | None) -> str | None:
    """`2024-11-14T16:40:00+05:00` as `2024-11-14 16:40:00`: the site's own clock, in the
    form spreadsheets read as a date-time."""
    if not published_at or len(published_at) < 19:
        return None
    return published_at[:10] + " " + published_at[11:19]


def flat_article(article: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: lists joined by "; ", the publisher and source spread into columns."""
    publisher = _loads(article.get("publisher"), {}) or {}
    source = _loads(article.get("source"), None) or {}
    registrations = _loads(article.get("registrations"), []) or []
    row = {key: article.get(key) for key in ARTICLE_COLUMNS if key in article}
    row.update(
        tags=_joined(_loads(article.get("tags"), [])),
        published_local=local_time(article.get("published_at")),
        source_name=source.get("name"),
        source_phrase=source.get("phrase"),
        publisher_name=publisher.get("name"),
        editor_in_chief=publisher.get("editor_in_chief"),
        owner=publisher.get("owner"),
        phones=_joined(publisher.get("phones")),
        emails=_joined(publisher.get("emails")),
        registrations=_joined(
            [
                f"{r['number']} ({r['issued_on']})" if r.get("issued_on") else r["number"]
                for r in registrations
            ]
        ),
        warnings=_joined(_loads(article.get("warnings"), [])),
    )
    return row


def flat_publisher(publisher: dict[str, Any]) -> dict[str, Any]:
    row = dict(publisher)
    row["phones"] = _joined(_loads(publisher.get("phones"), []))
    row["emails"] = _joined(_loads(publisher.get("emails"), []))
    row["current"] = "yes" if publisher.get("current") else "no"
    return row


FLATTENERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "articles": flat_article,
    "publishers": flat_publisher,
    "registrations": dict,
}


def for_excel(value: Any) -> Any:
    """A cell Excel shows as the text it is: a leading apostrophe before anything that
    starts like a formula, and a visible marker where Excel's cell limit cuts it."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - len(EXCEL_CUT_MARKER)] + EXCEL_CUT_MARKER
    return value


def write_csv(
    rows: Iterator[dict[str, Any]],
    out: TextIO,
    *,
    table: str = "articles",
    columns: Sequence[str] | None = None,
    excel: bool = False,
    delimiter: str | None = None,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write rows of `table` as CSV; returns the row count.

    `excel` uses ";" (what Excel expects where the decimal mark is a comma, as in
    Kazakhstan and Russia), guards formula-like cells and cuts cells at Excel's limit.
    """
    flatten = FLATTENERS[table]
    writer = csv.DictWriter(
        out,
        fieldnames=list(columns or TABLE_COLUMNS[table]),
        delimiter=delimiter or (";" if excel else ","),
        extrasaction="ignore",
        lineterminator="\r\n",
    )
    writer.writeheader()
    count = 0
    for stored in rows:
        row = flatten(stored)
        if excel:
            row = {key: for_excel(value) for key, value in row.items()}
        writer.writerow(row)
        count += 1
        if on_row:
            on_row(count)
    return count


def jsonl_record(stored: dict[str, Any], table: str = "articles") -> dict[str, Any]:
    """A stored row with its JSON columns parsed: for articles, the shape of `newsbot
    extract` plus the store's own columns."""
    record = dict(stored)
    json_columns = {
        "articles": ("tags", "source", "publisher", "registrations", "warnings"),
        "publishers": ("phones", "emails"),
    }.get(table, ())
    for key in json_columns:
        record[key] = _loads(record.get(key), None)
    for internal in ("body_hash", "imprint_hash"):
        record.pop(internal, None)
    if table == "publishers":
        record["current"] = bool(record.get("current"))
    return record


def write_jsonl(
    rows: Iterator[dict[str, Any]],
    out: TextIO,
    *,
    table: str = "articles",
    columns: Sequence[str] | None = None,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """One JSON object per line."""
    count = 0
    for stored in rows:
        record = jsonl_record(stored, table)
        if columns:
            record = {key: record.get(key) for key in columns}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
        if on_row:
            on_row(count)
    return count
