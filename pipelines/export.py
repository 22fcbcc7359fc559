"""Articles out of the database as CSV or JSON lines, for analysts and for Excel."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import sqlite_utils

CSV_COLUMNS = (
    "id", "site", "url", "title", "lead", "body", "author", "section", "tags",
    "published_at", "published_at_utc", "modified_at", "language", "source_name",
    "source_phrase", "publisher_name", "editor_in_chief", "owner", "phones", "emails",
    "registrations", "image_url", "fetched_at", "first_seen_at", "warnings",
)  # fmt: skip
# Excel cuts a cell at 32,767 characters and runs text that starts like a formula.
EXCEL_CELL_LIMIT = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ArticleFilter:
    site: str | None = None
    since: str | None = None  # UTC ISO instants, compared with published_at_utc
    until: str | None = None
    query: str | None = None


def select_articles(
    db: sqlite_utils.Database, selection: ArticleFilter
) -> Iterator[dict[str, Any]]:
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
            "articles.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        )
        params.append(selection.query)
    sql = "SELECT * FROM articles"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY articles.published_at_utc DESC, articles.id"
    # Executed here, not on the first row read: a bad --query fails before any output.
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row, strict=True)) for row in cursor)


def _loads(value: str | None, default: Any) -> Any:
    return json.loads(value) if value else default


def flat_row(article: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: lists joined by "; ", the publisher and source spread into columns."""
    publisher = _loads(article.get("publisher"), {}) or {}
    source = _loads(article.get("source"), None) or {}
    registrations = _loads(article.get("registrations"), [])
    row = {key: article.get(key) for key in CSV_COLUMNS if key in article}
    row.update(
        tags="; ".join(_loads(article.get("tags"), [])),
        source_name=source.get("name"),
        source_phrase=source.get("phrase"),
        publisher_name=publisher.get("name"),
        editor_in_chief=publisher.get("editor_in_chief"),
        owner=publisher.get("owner"),
        phones="; ".join(publisher.get("phones") or []),
        emails="; ".join(publisher.get("emails") or []),
        registrations="; ".join(
            f"{r['number']} ({r['issued_on']})" if r.get("issued_on") else r["number"]
            for r in registrations
        ),
        warnings="; ".join(_loads(article.get("warnings"), [])),
    )
    return row


def _for_excel(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - 1] + "…"
    return value


def write_csv(articles: Iterator[dict[str, Any]], out: TextIO, *, excel: bool = False) -> int:
    """Write articles as CSV; `excel` uses ";" (what Excel expects in ru/kk locales),
    guards formula-like cells and cuts cells at Excel's limit. Returns the row count."""
    writer = csv.DictWriter(
        out, fieldnames=CSV_COLUMNS, delimiter=";" if excel else ",", extrasaction="ignore"
    )
    writer.writeheader()
    count = 0
    for article in articles:
        row = flat_row(article)
        if excel:
            row = {key: _for_excel(value) for key, value in row.items()}
        writer.writerow(row)
        count += 1
    return count


def write_jsonl(articles: Iterator[dict[str, Any]], out: TextIO) -> int:
    """One JSON object per line, in the shape of `newsbot extract`."""
    count = 0
    for article in articles:
        record = dict(article)
        for key in ("tags", "source", "publisher", "registrations", "warnings"):
            record[key] = _loads(record.get(key), None)
        record.pop("body_hash", None)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
